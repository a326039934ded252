/**
 * Writes tar archives entry by entry (POSIX ustar headers, PAX records when asked), so that tests can
 * build exactly the archives they need, hostile ones included.
 */
import { gzipSync } from 'node:zlib';

export interface TarBuilderEntry {
  path: string;
  type?: 'file' | 'directory' | 'symlink' | 'hardlink' | 'char-device' | 'block-device' | 'fifo';
  content?: string | Buffer;
  linkTarget?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  devMajor?: number;
  devMinor?: number;
  /** Write the path in a PAX extended header instead of the ustar name field. */
  paxPath?: boolean;
}

const TYPE_FLAGS: Record<NonNullable<TarBuilderEntry['type']>, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  'char-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function header(name: string, typeflag: string, size: number, entry: Partial<TarBuilderEntry>): Buffer {
  const block = Buffer.alloc(512);
  block.write(name.slice(0, 100), 0, 'utf8');
  block.write(octal(entry.mode ?? (typeflag === '5' ? 0o755 : 0o644), 8), 100, 'latin1');
  block.write(octal(entry.uid ?? 0, 8), 108, 'latin1');
  block.write(octal(entry.gid ?? 0, 8), 116, 'latin1');
  block.write(octal(size, 12), 124, 'latin1');
  block.write(octal(0, 12), 136, 'latin1');
  block.write('        ', 148, 'latin1');
  block.write(typeflag, 156, 'latin1');
  block.write((entry.linkTarget ?? '').slice(0, 100), 157, 'utf8');
  block.write('ustar\0', 257, 'latin1');
  block.write('00', 263, 'latin1');
  block.write(octal(entry.devMajor ?? 0, 8), 329, 'latin1');
  block.write(octal(entry.devMinor ?? 0, 8), 337, 'latin1');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

function padded(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)]);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length++;
  return `${length}${body}`;
}

export function buildTar(entries: readonly TarBuilderEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const content = type === 'file' ? Buffer.from(entry.content ?? '') : Buffer.alloc(0);
    if (entry.paxPath) {
      const records = Buffer.from(paxRecord('path', entry.path), 'utf8');
      blocks.push(header('PaxHeader', 'x', records.length, {}), padded(records));
    }
    blocks.push(header(entry.paxPath ? 'placeholder' : entry.path, TYPE_FLAGS[type], content.length, entry), padded(content));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function buildTarGz(entries: readonly TarBuilderEntry[]): Buffer {
  return gzipSync(buildTar(entries));
}

/** The smallest valid LXD unified image with the given extra entries. */
export function minimalImageEntries(extra: readonly TarBuilderEntry[] = []): TarBuilderEntry[] {
  return [
    {
      path: 'metadata.yaml',
      content:
        'architecture: x86_64\ncreation_date: 1700000000\nproperties:\n  os: test\ntemplates:\n  /etc/hostname:\n    when: [create]\n    template: hostname.tpl\n',
    },
    { path: 'rootfs', type: 'directory' },
    { path: 'rootfs/etc', type: 'directory' },
    { path: 'rootfs/etc/hostname', content: 'image\n' },
    { path: 'templates', type: 'directory' },
    { path: 'templates/hostname.tpl', content: '{{ container.name }}\n' },
    ...extra,
  ];
}
