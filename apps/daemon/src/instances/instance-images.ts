/**
 * What creating an instance needs from the images API: finding the image a request names, and
 * having its tarball on this member.
 */

export interface ResolvedImage {
  fingerprint: string;
  /** LXD architecture name, e.g. `x86_64`. */
  architecture: string;
  /** The image's properties (`os`, `release`, `description`...), copied to the instance as `image.*`. */
  properties: Record<string, string>;
}

export interface ImageSourceRequest {
  alias?: string;
  /** A full fingerprint or a unique prefix of one. */
  fingerprint?: string;
}

export interface TransferProgress {
  /** `Retrieving image`, `Unpack`... */
  stage: string;
  percent: number;
  /** Bytes per second, when known. */
  bytesPerSecond?: number;
}

export abstract class InstanceImages {
  /** The image an alias or fingerprint (prefix) names in the project; LxdError 404 when there is none. */
  abstract resolve(project: string, source: ImageSourceRequest): Promise<ResolvedImage>;
  /** The path of the image's tarball on this member, copied from a member that has it when needed. */
  abstract tarballOnThisMember(project: string, fingerprint: string, progress: (p: TransferProgress) => void): Promise<string>;
  /** Records that the image was used (LXD's `last_used_at`). */
  abstract markUsed(project: string, fingerprint: string): Promise<void>;
}
