/** Errors of the images API, with LXD's messages. */
import { badRequest, conflict, notFound } from '../http/lxd-error';

export const imageNotFound = () => notFound('Image not found');
export const ambiguousFingerprint = () => badRequest('More than one image matches');
export const aliasNotFound = () => notFound('Image alias not found');
export const aliasExists = (name: string) => conflict(`Alias "${name}" already exists`);

/** An import of an image the project already has. */
export class ImageExistsError extends Error {
  constructor() {
    super('Image with same fingerprint already exists');
    this.name = 'ImageExistsError';
  }
}
