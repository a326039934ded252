/**
 * The runtime of this member's instances: one LXC driver per storage pool (the instance's root
 * filesystem lives in its pool), all with the member's private lxcpath `<state dir>/containers`,
 * and each pool's store of unpacked images.
 */
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';
import { ImageStore, LxcDriver, NodeCommandRunner, type UnpackedImage } from '@app/runtime';
import { MemberIdentity } from '../identity/member-identity';
import { StateDir } from '../identity/state-dir';
import { notFound } from '../http/lxd-error';
import { LocalPools } from '../storage/local-pools';
import { InstanceRuntime, type LocalInstance } from './instance-runtime';
import { InstanceStore } from './instance-store';

/** The instance's name for LXC (LXD's naming: the project prefixes names outside the default project). */
export function runtimeName(project: string, name: string): string {
  return project === 'default' ? name : `${project}-${name}`;
}

@Injectable()
export class HostRuntime extends InstanceRuntime {
  private readonly runner = new NodeCommandRunner();
  private readonly drivers = new Map<string, LxcDriver>();
  private readonly images = new Map<string, Promise<UnpackedImage>>();

  constructor(
    private readonly store: InstanceStore,
    private readonly pools: LocalPools,
    private readonly identity: MemberIdentity,
    private readonly stateDir: StateDir,
  ) {
    super();
  }

  get lxcPath(): string {
    return path.join(this.stateDir.path, 'containers');
  }

  async local(project: string, name: string): Promise<LocalInstance> {
    const record = await this.store.find(project, name);
    if (!record || record.nodeId !== this.identity.node.id) throw notFound('Instance not found');
    return { project, name, runtimeName: runtimeName(project, name), driver: await this.driver(record.pool) };
  }

  /** The driver for instances whose root filesystem is in `pool`. */
  async driver(pool: string): Promise<LxcDriver> {
    const opened = await this.pools.open(pool);
    let driver = this.drivers.get(opened.root);
    if (!driver) {
      driver = new LxcDriver({ lxcPath: this.lxcPath, pool: opened, runner: this.runner });
      this.drivers.set(opened.root, driver);
    }
    return driver;
  }

  /** Unpacks an image tarball into the pool's image store (once per pool and image). */
  async unpackImage(pool: string, tarballPath: string, fingerprint: string): Promise<UnpackedImage> {
    const opened = await this.pools.open(pool);
    const key = `${opened.root}\u0000${fingerprint}`;
    let unpacked = this.images.get(key);
    if (!unpacked) {
      const store = new ImageStore(opened.imagesDirectory, { runner: this.runner });
      unpacked = store
        .get(fingerprint)
        .catch(() => store.importTarball(tarballPath))
        .then((image) => {
          if (image.fingerprint !== fingerprint) throw new Error(`The image file ${tarballPath} is not image ${fingerprint} (its fingerprint is ${image.fingerprint})`);
          return image;
        });
      this.images.set(key, unpacked);
      unpacked.catch(() => this.images.delete(key));
    }
    return unpacked;
  }
}
