/** An image as the global database holds it (one row of `images` in one project, with its rows). */
export type ImageType = 'container' | 'virtual-machine';

export interface ImageAliasRef {
  name: string;
  description: string;
}

export interface ImageRecord {
  id: number;
  /** The project whose images the row belongs to (`default` for projects without features.images). */
  project: string;
  fingerprint: string;
  filename: string;
  size: number;
  public: boolean;
  autoUpdate: boolean;
  cached: boolean;
  /** LXD architecture name (x86_64, aarch64, ...). */
  architecture: string;
  type: ImageType;
  /** RFC 3339 (as stored). */
  createdAt: string | null;
  expiresAt: string | null;
  uploadedAt: string;
  lastUsedAt: string | null;
  properties: Record<string, string>;
  aliases: ImageAliasRef[];
  /** The rows as one text computed by SQLite, for compare-and-set writes. */
  state: string;
}

export interface ImageAliasRecord {
  id: number;
  name: string;
  description: string;
  /** The fingerprint of the image the alias points to. */
  target: string;
  type: ImageType;
  imageId: number;
  /** The row as one text computed by SQLite, for compare-and-set writes. */
  state: string;
}

export const IMAGE_TYPE_CODES: Record<ImageType, number> = { container: 0, 'virtual-machine': 1 };

export function imageTypeName(code: number): ImageType {
  return code === 1 ? 'virtual-machine' : 'container';
}
