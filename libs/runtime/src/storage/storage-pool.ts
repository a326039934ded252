/**
 * A storage pool holds the root filesystems of instances (volumes), their snapshots and the unpacked
 * images they are made from.
 *
 * Two volume layouts exist. `overlay`: the image's rootfs is the read-only lower layer and the volume
 * holds only the changes (`upper/`, plus overlayfs' `work/`); used for privileged containers. `copy`: the
 * volume holds a full copy of the image's rootfs (`rootfs/`); used for unprivileged containers, which
 * mount it idmapped (overlayfs cannot be idmapped by LXC).
 */
export type VolumeLayout = 'overlay' | 'copy';

interface VolumeBase {
  name: string;
  /** The volume's directory. */
  path: string;
  /** The unpacked image the volume was made from. */
  imageDirectory: string;
  createdAt: Date;
}

export interface OverlayVolume extends VolumeBase {
  layout: 'overlay';
  lowerPath: string;
  upperPath: string;
  workPath: string;
}

export interface CopyVolume extends VolumeBase {
  layout: 'copy';
  rootfsPath: string;
}

export type InstanceVolume = OverlayVolume | CopyVolume;

export interface VolumeSnapshot {
  name: string;
  volume: string;
  path: string;
  createdAt: Date;
}

export interface CreateVolumeRequest {
  /** An unpacked image: a directory with `rootfs/`. */
  imageDirectory: string;
  layout: VolumeLayout;
}

export interface StoragePool {
  readonly root: string;
  /** Where the pool keeps unpacked images, by fingerprint (an `ImageStore` directory). */
  readonly imagesDirectory: string;

  createInstanceVolume(name: string, request: CreateVolumeRequest): Promise<InstanceVolume>;
  getInstanceVolume(name: string): Promise<InstanceVolume>;
  /** Deletes the volume and all of its snapshots. */
  deleteInstanceVolume(name: string): Promise<void>;
  /** Renames the volume and its snapshots. */
  renameInstanceVolume(name: string, newName: string): Promise<InstanceVolume>;

  createSnapshot(volume: string, snapshot: string): Promise<VolumeSnapshot>;
  /** Replaces the volume's content with the snapshot's; the volume must not be in use. */
  restoreSnapshot(volume: string, snapshot: string): Promise<void>;
  renameSnapshot(volume: string, snapshot: string, newName: string): Promise<VolumeSnapshot>;
  deleteSnapshot(volume: string, snapshot: string): Promise<void>;
  /** Snapshots of a volume, oldest first. */
  listSnapshots(volume: string): Promise<VolumeSnapshot[]>;
}
