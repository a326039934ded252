/** InstanceImages over the images API's ImageService. */
import { Injectable } from '@nestjs/common';
import { badRequest } from '../http/lxd-error';
import { ImageService } from '../images/image-service';
import { type ImageSourceRequest, InstanceImages, type ResolvedImage, type TransferProgress } from './instance-images';

@Injectable()
export class ImagesForInstances extends InstanceImages {
  constructor(private readonly images: ImageService) {
    super();
  }

  async resolve(project: string, source: ImageSourceRequest): Promise<ResolvedImage> {
    const name = source.alias ?? source.fingerprint;
    if (!name) throw badRequest('The image source needs an alias or a fingerprint');
    const image = await this.images.resolve(name, project);
    if (image.type !== 'container') throw badRequest(`Image ${image.fingerprint} is a ${image.type} image: Cubed runs containers`);
    return { fingerprint: image.fingerprint, architecture: image.architecture, properties: image.properties };
  }

  async tarballOnThisMember(project: string, fingerprint: string, progress: (p: TransferProgress) => void): Promise<string> {
    const started = Date.now();
    const local = await this.images.ensureLocal(fingerprint, {
      project,
      onProgress: (p) => {
        const seconds = (Date.now() - started) / 1000;
        progress({
          stage: `Copying from ${p.from}`,
          percent: p.totalBytes ? (100 * p.receivedBytes) / p.totalBytes : 0,
          ...(seconds > 0 ? { bytesPerSecond: p.receivedBytes / seconds } : {}),
        });
      },
    });
    return local.file.path;
  }

  async markUsed(project: string, fingerprint: string): Promise<void> {
    await this.images.recordUse(await this.images.resolve(fingerprint, project));
  }
}
