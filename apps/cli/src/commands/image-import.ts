import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { CubedError } from '../cubed-error';
import { toGoJson } from '../go-shapes';
import { ensureImageAliases } from '../image-aliases';
import { ImagesPost } from '../lxd-shapes';
import type { OperationInfo } from '../lxd-types';
import { multipartBody } from '../multipart-body';
import { trackOperation } from '../operation-tracking';
import { countedThrough, TransferProgress } from '../transfer-progress';

interface ImportOptions {
  public?: boolean;
  alias?: string[];
}

/** The first bytes of a qcow2 file: a split image with such a rootfs is a virtual-machine image. */
const QCOW2_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]);

/**
 * `cube image import <tarball>|<directory>|<URL> [<rootfs tarball>] [<remote>:] [key=value...]` (lxc image import):
 * a unified tarball is sent as POST /1.0/images with `Content-Type: application/octet-stream` and the headers
 * X-LXD-filename, X-LXD-public and X-LXD-properties; a split image (metadata and rootfs) as multipart/form-data; a
 * directory is packed first (tar, as root); an https:// URL is left for the server to fetch. The upload and the
 * server's processing show as `Transferring image: …`; then `Image imported with fingerprint: <fingerprint>`, and
 * --alias names are pointed at it.
 */
export function registerImageImportCommand(image: Command, ctx: CliContext): void {
  image
    .command('import')
    .description('Import images into the image store')
    .argument('<sources...>', '<tarball>|<directory>|<URL> [<rootfs tarball>] [<remote>:] [key=value...]')
    .option('--public', 'Make image public')
    .option('--alias <alias>', 'New aliases to add to the image', (v: string, p: string[] | undefined) => [
      ...(p ?? []),
      v,
    ])
    .action(async (args: string[], opts: ImportOptions) => {
      let imageFile = '';
      let rootfsFile = '';
      let remote = '';
      const properties: [string, string][] = [];
      for (const arg of args) {
        if (!arg.includes('=') || fs.existsSync(arg)) {
          if (arg.endsWith(':')) remote = ctx.config.parseRemote(arg).remote;
          else if (imageFile === '') imageFile = arg;
          else rootfsFile = arg;
          continue;
        }
        const eq = arg.indexOf('=');
        properties.push([arg.slice(0, eq).trim(), arg.slice(eq + 1).trim()]);
      }
      if (imageFile === '') imageFile = args[0];
      const client = ctx.connect(remote || ctx.config.defaultRemote);
      if (imageFile.startsWith('http://')) throw new CubedError('Only https:// is supported for remote image import');

      const progress = ctx.progress((status) => `Transferring image: ${status}`);
      let response;
      let packed: string | undefined;
      try {
        if (imageFile.startsWith('https://')) {
          const request = {
            public: opts.public === true,
            properties: properties.length > 0 ? Object.fromEntries(properties) : null,
            source: { type: 'url', mode: 'pull', protocol: 'direct', url: imageFile },
          };
          response = await client.query('POST', '/1.0/images', toGoJson(request, ImagesPost));
        } else {
          if (fs.statSync(imageFile).isDirectory()) imageFile = packed = await packImageDirectory(imageFile);
          const headers: Record<string, string | number> = { 'X-LXD-filename': path.basename(imageFile) };
          if (opts.public) headers['X-LXD-public'] = 'true';
          if (properties.length > 0) {
            const encoded = new URLSearchParams(properties);
            encoded.sort();
            headers['X-LXD-properties'] = encoded.toString();
          }
          let body;
          let length: number;
          if (rootfsFile === '') {
            length = fs.statSync(imageFile).size;
            headers['Content-Type'] = 'application/octet-stream';
            body = fs.createReadStream(imageFile);
          } else {
            const field = isQcow2(rootfsFile) ? 'rootfs.img' : 'rootfs';
            const multipart = multipartBody([
              { field: 'metadata', filename: path.basename(imageFile), path: imageFile },
              { field, filename: path.basename(rootfsFile), path: rootfsFile },
            ]);
            length = multipart.length;
            headers['Content-Type'] = multipart.contentType;
            body = multipart.body;
          }
          headers['Content-Length'] = length;
          const tracker = new TransferProgress(length, (text) => progress.update(text));
          response = await client.upload<OperationInfo>(
            'POST',
            '/1.0/images',
            body.pipe(countedThrough(tracker)),
            headers,
          );
        }
      } catch (err) {
        progress.done();
        throw err;
      } finally {
        if (packed) fs.rmSync(path.dirname(packed), { recursive: true, force: true });
      }
      if (response.type !== 'async' || !response.operation) {
        progress.done();
        throw new CubedError('the daemon did not answer the import with an operation');
      }
      const op = await trackOperation(client, response.operation, { progress, terminal: ctx.terminal });
      const fingerprint = String(op.metadata?.fingerprint ?? '');
      if (!ctx.quiet) ctx.out(`Image imported with fingerprint: ${fingerprint}\n`);
      await ensureImageAliases(client, opts.alias ?? [], fingerprint);
    });
}

function isQcow2(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(QCOW2_MAGIC.length);
    const read = fs.readSync(fd, head, 0, head.length, 0);
    return read === head.length && head.equals(QCOW2_MAGIC);
  } finally {
    fs.closeSync(fd);
  }
}

/** lxc's packImageDir: rootfs, templates and metadata.yaml of a directory as a temporary xz tarball (as root). */
async function packImageDirectory(dir: string): Promise<string> {
  if (process.geteuid?.() !== 0) throw new CubedError('Must run as root to import from directory');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lxd_image_')), 'image.tar.xz');
  const args = ['-C', dir, '--numeric-owner', '--restrict', '--force-local', '--xattrs', '-cJf', out];
  await new Promise<void>((resolve, reject) => {
    execFile('tar', [...args, 'rootfs', 'templates', 'metadata.yaml'], (err, _stdout, stderr) => {
      if (err) reject(new CubedError(`tar: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });
  return out;
}
