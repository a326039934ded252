/**
 * Validation of instance and snapshot names. Instance names follow LXD (they are also hostnames):
 * 1–63 letters, digits and hyphens, not starting with a digit or hyphen, not ending with a hyphen.
 * Snapshot names become directory names, so they are limited to a portable set of characters.
 */
import { RuntimeError } from '../errors/runtime-error';

const INSTANCE_NAME = /^[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function assertInstanceName(name: string): void {
  if (typeof name !== 'string' || !INSTANCE_NAME.test(name)) {
    throw new RuntimeError(
      'InvalidArgument',
      `Invalid instance name "${name}": use 1-63 letters, digits and hyphens, starting with a letter and not ending with a hyphen`,
    );
  }
}

export function assertSnapshotName(name: string): void {
  if (typeof name !== 'string' || !SNAPSHOT_NAME.test(name)) {
    throw new RuntimeError(
      'InvalidArgument',
      `Invalid snapshot name "${name}": use 1-63 letters, digits, dots, underscores and hyphens, starting with a letter or digit`,
    );
  }
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function assertHostname(hostname: string): void {
  if (typeof hostname !== 'string' || !HOSTNAME.test(hostname)) {
    throw new RuntimeError('InvalidArgument', `Invalid hostname "${hostname}"`);
  }
}
