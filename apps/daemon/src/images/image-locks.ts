/**
 * One change at a time to this member's copy of an image (fetching it, adopting an upload,
 * deleting it), per fingerprint; different images proceed in parallel.
 */
import { Injectable } from '@nestjs/common';
import { KeyedMutex } from '@app/runtime/util/keyed-mutex';

@Injectable()
export class ImageLocks {
  private readonly mutex = new KeyedMutex();

  run<T>(fingerprint: string, task: () => Promise<T>): Promise<T> {
    return this.mutex.run(fingerprint, task);
  }
}
