import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import type { CliContext, Resource } from '../cli-context';
import type { LxdClient } from '../client';
import { CubedError } from '../cubed-error';
import { filePath, getInstanceFile, putInstanceFile, type FileWrite, type InstanceFile } from '../instance-files';
import { countedThrough, TransferProgress } from '../transfer-progress';

/** The mode of directories that file transfers create. */
const DIR_MODE = 0o755;

interface PushOptions {
  recursive?: boolean;
  createDirs?: boolean;
  uid: string;
  gid: string;
  mode?: string;
}

interface PullOptions {
  recursive?: boolean;
  createDirs?: boolean;
}

/** `[<remote>:]<instance>/<path>` split into the instance's resource and the path (absolute) inside it. */
function instanceFileArg(ctx: CliContext, arg: string, kind: string): { resource: Resource; file: string } {
  const resource = ctx.resource(arg);
  const slash = resource.name.indexOf('/');
  if (slash < 0) throw new CubedError(`Invalid ${kind} ${resource.name}`);
  const file = path.posix.normalize(`/${resource.name.slice(slash + 1)}`);
  return { resource: { ...resource, name: resource.name.slice(0, slash) }, file };
}

/**
 * `cube file push|pull|delete` (lxc file, LXD 5.0.2): files of an instance through /1.0/instances/<name>/files?path=
 * (raw GET and POST with X-LXD-uid, -gid, -mode and -type headers; DELETE). Pushed files keep the owner and mode of
 * the local file unless --uid, --gid or --mode say otherwise; -p creates missing parent directories, -r copies
 * directory trees (symlinks as symlinks). `-` is standard input for push and standard output for pull.
 */
export function registerFileCommands(program: Command, ctx: CliContext): void {
  const file = program.command('file').description('Manage files in instances');

  file
    .command('push')
    .description('Push files into instances')
    .argument('<source...>', '<source path>... [<remote>:]<instance>/<path>')
    .option('-r, --recursive', 'Recursively transfer files')
    .option('-p, --create-dirs', 'Create any directories necessary')
    .option('--uid <uid>', "Set the file's uid on push", '-1')
    .option('--gid <gid>', "Set the file's gid on push", '-1')
    .option('--mode <mode>', "Set the file's perms on push")
    .action(async (args: string[], opts: PushOptions) => {
      if (args.length < 2) throw new CubedError('Invalid number of arguments');
      await push(ctx, args.slice(0, -1), args[args.length - 1], opts);
    });

  file
    .command('pull')
    .description('Pull files from instances')
    .argument('<source...>', '[<remote>:]<instance>/<path> [[<remote>:]<instance>/<path>...] <target path>')
    .option('-r, --recursive', 'Recursively transfer files')
    .option('-p, --create-dirs', 'Create any directories necessary')
    .action(async (args: string[], opts: PullOptions) => {
      if (args.length < 2) throw new CubedError('Invalid number of arguments');
      await pull(ctx, args.slice(0, -1), args[args.length - 1], opts);
    });

  file
    .command('delete')
    .alias('rm')
    .description('Delete files in instances')
    .argument('<paths...>', '[<remote>:]<instance>/<path> [[<remote>:]<instance>/<path>...]')
    .action(async (args: string[]) => {
      for (const arg of args) {
        const { resource, file: target } = instanceFileArg(ctx, arg, 'path');
        await resource.client.request('DELETE', filePath(resource.name, target));
      }
    });
}

function parseFlagInteger(value: string, flag: string): number {
  if (!/^[-+]?\d+$/.test(value)) throw new CubedError(`invalid argument "${value}" for "${flag}" flag: invalid syntax`);
  return Number(value);
}

async function push(ctx: CliContext, sources: string[], targetArg: string, opts: PushOptions): Promise<void> {
  const slash = targetArg.indexOf('/');
  if (slash < 0) throw new CubedError(`Invalid target ${targetArg}`);
  let targetIsDir = targetArg.endsWith('/');
  const targetPath = path.posix.normalize(`/${targetArg.slice(slash + 1)}`);
  if (targetPath.endsWith('/')) targetIsDir = true;
  const { client, name: instance } = ctx.resource(targetArg.slice(0, slash));
  const flagUid = parseFlagInteger(opts.uid, '--uid');
  const flagGid = parseFlagInteger(opts.gid, '--gid');
  let flagMode: number | undefined;
  if (opts.mode !== undefined) {
    const text = opts.mode.length === 3 ? `0${opts.mode}` : opts.mode;
    flagMode = /^0[0-7]*$/.test(text) ? Number.parseInt(text, 8) : /^[1-9]\d*$/.test(text) ? Number(text) : NaN;
    if (Number.isNaN(flagMode)) throw new CubedError(`strconv.ParseInt: parsing "${text}": invalid syntax`);
  }

  if (opts.recursive) {
    if (flagUid !== -1 || flagGid !== -1 || opts.mode !== undefined) {
      throw new CubedError("Can't supply uid/gid/mode in recursive mode");
    }
    if (opts.createDirs) {
      const stat = fs.statSync(sources[0]);
      await makeDirectories(client, instance, targetPath, stat.mode & 0o777, stat.uid, stat.gid);
    }
    for (const source of sources) await pushTree(ctx, client, instance, source, targetPath);
    return;
  }

  if (sources.length > 1 && !targetIsDir) throw new CubedError('Missing target directory');
  const local = sources.map((source) => {
    if (source === '-') return { name: '/dev/stdin', stat: undefined };
    return { name: source, stat: fs.statSync(source) };
  });
  for (const { name, stat } of local) {
    const target = targetIsDir ? path.posix.join(targetPath, path.basename(name)) : targetPath;
    const uid = flagUid >= 0 ? flagUid : (stat?.uid ?? -1);
    const gid = flagGid >= 0 ? flagGid : (stat?.gid ?? -1);
    if (opts.createDirs) {
      await makeDirectories(client, instance, path.posix.dirname(target), -1, Math.max(uid, 0), Math.max(gid, 0));
    }
    const mode = flagMode ?? (stat ? stat.mode & 0o777 : -1);
    const progress = ctx.progress((status) => `Pushing ${name} to ${target}: ${status}`);
    const tracker = new TransferProgress(stat?.size, (text) => progress.update(text));
    const content = (stat ? fs.createReadStream(name) : ctx.streams.stdin).pipe(countedThrough(tracker));
    try {
      await putInstanceFile(client, instance, target, { type: 'file', uid, gid, mode, content, length: stat?.size });
    } finally {
      progress.done();
    }
  }
}

/** lxc's recursiveMkdir: creates the missing directories of `dir`, from the deepest one that exists. */
async function makeDirectories(
  client: LxdClient,
  instance: string,
  dir: string,
  mode: number,
  uid: number,
  gid: number,
): Promise<void> {
  const parts = dir.split('/').filter((part) => part !== '');
  let existing = 0;
  for (let i = parts.length; i >= 1; i--) {
    const current = `/${parts.slice(0, i).join('/')}`;
    let type: string;
    try {
      const found = await getInstanceFile(client, instance, current);
      found.body?.resume();
      type = found.type;
    } catch {
      continue;
    }
    if (type !== 'directory') throw new CubedError(`${current} is not a directory`);
    existing = i;
    break;
  }
  for (let i = existing + 1; i <= parts.length; i++) {
    await putInstanceFile(client, instance, `/${parts.slice(0, i).join('/')}`, { type: 'directory', uid, gid, mode });
  }
}

/** lxc's recursivePushFile: the tree at `source` (symlinks not followed) into the directory `target`. */
async function pushTree(
  ctx: CliContext,
  client: LxdClient,
  instance: string,
  source: string,
  target: string,
): Promise<void> {
  const root = path.normalize(source);
  const base = path.dirname(root);
  const visit = async (local: string): Promise<void> => {
    const stat = fs.lstatSync(local);
    const remote = path.posix.join(target, path.relative(base, local).split(path.sep).join('/'));
    const owner = { uid: stat.uid, gid: stat.gid, mode: stat.mode & 0o777 };
    if (stat.isDirectory()) {
      await putInstanceFile(client, instance, remote, { type: 'directory', ...owner });
      for (const entry of fs.readdirSync(local).sort()) await visit(path.join(local, entry));
      return;
    }
    let write: FileWrite;
    let length: number;
    if (stat.isSymbolicLink()) {
      const content = Buffer.from(fs.readlinkSync(local));
      write = { type: 'symlink', ...owner, content };
      length = content.length;
    } else if (stat.isFile()) {
      length = stat.size;
      write = { type: 'file', ...owner, length };
    } else {
      throw new CubedError(`'${local}' isn't a supported file type`);
    }
    const progress = ctx.progress((status) => `Pushing ${local} to ${remote}: ${status}`);
    const tracker = new TransferProgress(length, (text) => progress.update(text));
    const content: Buffer | Readable =
      write.type === 'file' ? fs.createReadStream(local).pipe(countedThrough(tracker)) : write.content!;
    try {
      await putInstanceFile(client, instance, remote, { ...write, content });
    } finally {
      progress.done();
    }
  };
  await visit(root);
}

async function pull(ctx: CliContext, sources: string[], targetArg: string, opts: PullOptions): Promise<void> {
  const target = targetArg === '-' ? '-' : path.normalize(targetArg);
  let targetIsDir = false;
  let stat: fs.Stats | undefined;
  try {
    stat = target === '-' ? undefined : fs.statSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (stat) {
    targetIsDir = stat.isDirectory();
    if (!targetIsDir && sources.length > 1) {
      throw new CubedError('More than one file to download, but target is not a directory');
    }
  } else if (targetArg.endsWith(path.sep) || sources.length > 1) {
    fs.mkdirSync(target, { recursive: true, mode: DIR_MODE });
    targetIsDir = true;
  } else if (opts.createDirs && target !== '-') {
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: DIR_MODE });
  }

  for (const source of sources) {
    const { resource, file: sourcePath } = instanceFileArg(ctx, source, 'source');
    const { client, name: instance } = resource;
    let found = await getInstanceFile(client, instance, sourcePath);
    if (found.type === 'directory') {
      if (!opts.recursive) throw new CubedError("Can't pull a directory without --recursive");
      if (!fs.existsSync(target)) {
        fs.mkdirSync(target, { recursive: true, mode: DIR_MODE });
        targetIsDir = true;
      }
      await pullTree(ctx, client, instance, sourcePath, target, found);
      continue;
    }
    const targetPath = targetIsDir ? path.join(target, path.posix.basename(sourcePath)) : target;
    if (found.type === 'symlink') {
      let link = (await readAll(found.body!)).toString('utf8');
      if (targetPath !== '-' && !opts.recursive) {
        fs.symlinkSync(link.trim(), targetPath);
        continue;
      }
      for (let hops = 0; ; hops++) {
        const next = link.replace(/\n$/, '');
        const resolved = next.startsWith('/') ? next : path.posix.join(path.posix.dirname(sourcePath), next);
        found = await getInstanceFile(client, instance, resolved);
        if (found.type !== 'symlink') break;
        if (hops + 1 > 255) throw new CubedError('Too many links');
        link = (await readAll(found.body!)).toString('utf8');
      }
    }
    if (targetPath === '-') {
      await copyInto(found.body!, ctx.streams.stdout);
      continue;
    }
    await pullFile(ctx, found.body!, found.mode, targetPath, `Pulling ${targetPath} from ${sourcePath}: `);
  }
}

/** lxc's recursivePullFile: the tree at `source` into the local directory `targetDir`. */
async function pullTree(
  ctx: CliContext,
  client: LxdClient,
  instance: string,
  source: string,
  targetDir: string,
  known?: InstanceFile,
): Promise<void> {
  const found = known ?? (await getInstanceFile(client, instance, source));
  const target = path.join(targetDir, path.posix.basename(source));
  if (found.type === 'directory') {
    fs.mkdirSync(target, { mode: found.mode >= 0 ? found.mode : DIR_MODE });
    for (const entry of found.entries) await pullTree(ctx, client, instance, path.posix.join(source, entry), target);
  } else if (found.type === 'file') {
    await pullFile(ctx, found.body!, found.mode, target, `Pulling ${source} from ${target}: `);
  } else if (found.type === 'symlink') {
    fs.symlinkSync((await readAll(found.body!)).toString('utf8').trim(), target);
  } else {
    throw new CubedError(`Unknown file type '${found.type}'`);
  }
}

/** Writes a pulled file with its mode, showing how much arrived. */
async function pullFile(ctx: CliContext, body: Readable, mode: number, file: string, label: string): Promise<void> {
  const out = fs.createWriteStream(file);
  await once(out, 'open');
  if (mode >= 0) fs.chmodSync(file, mode);
  const progress = ctx.progress((status) => `${label}${status}`);
  const tracker = new TransferProgress(undefined, (text) => progress.update(text));
  try {
    await copyInto(body.pipe(countedThrough(tracker)), out);
    out.end();
    await once(out, 'finish');
  } finally {
    progress.done();
    out.destroy();
  }
}

/** Copies a stream into a writable that stays open (standard output), waiting whenever it is full. */
async function copyInto(source: Readable, out: Writable): Promise<void> {
  for await (const chunk of source) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
}

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
