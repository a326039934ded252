import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isRuntimeError } from '../errors/runtime-error';
import { InMemoryFileTree } from '../fake/in-memory-file-tree';
import { PathLookup, resolveContainerPath } from './container-path';
import { HostPathLookup } from './host-path-lookup';

type Node = { file: string } | { dir: true } | { link: string };

/** A container tree with symlinks of every kind: inside, absolute, escaping, chained and looping. */
const TREE: Record<string, Node> = {
  '/etc': { dir: true },
  '/etc/passwd': { file: 'container passwd' },
  '/a': { dir: true },
  '/a/b': { dir: true },
  '/a/b/c': { dir: true },
  '/abs': { link: '/etc' },
  '/passwd-link': { link: '/etc/passwd' },
  '/up': { link: '../../..' },
  '/a/b/deep': { link: '../../../../etc' },
  '/a/b/ok': { link: '../../etc' },
  '/a/b/dot': { link: '.' },
  '/a/b/abs2': { link: '/etc/passwd' },
  '/a/b/absdir': { link: '/a' },
  '/chain1': { link: 'chain2' },
  '/chain2': { link: 'a/b/deep' },
  '/loop1': { link: 'loop2' },
  '/loop2': { link: 'loop1' },
  '/file': { file: 'x' },
  '/dangling': { link: '/nonexistent/x' },
  '/rootlink': { link: '/' },
};

async function hostTree(): Promise<{ lookup: PathLookup; cleanup: () => void; outside: string }> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-path-'));
  const root = path.join(base, 'root');
  fs.mkdirSync(root);
  const outside = path.join(base, 'outside-secret');
  fs.writeFileSync(outside, 'host secret');
  for (const [p, node] of Object.entries(TREE)) {
    if ('dir' in node) fs.mkdirSync(root + p);
    else if ('file' in node) fs.writeFileSync(root + p, node.file);
    else fs.symlinkSync(node.link, root + p);
  }
  fs.symlinkSync(outside, `${root}/hostabs`);
  return { lookup: new HostPathLookup(root), cleanup: () => fs.rmSync(base, { recursive: true, force: true }), outside };
}

async function memoryTree(): Promise<{ lookup: PathLookup; cleanup: () => void; outside: string }> {
  const tree = new InMemoryFileTree();
  for (const [p, node] of Object.entries(TREE)) {
    if ('dir' in node) await tree.write({ path: p, type: 'directory' });
    else if ('file' in node) await tree.write({ path: p, content: node.file });
    else await tree.write({ path: p, type: 'symlink', target: node.link });
  }
  const outside = '/tmp/cubed-outside-secret';
  await tree.write({ path: '/hostabs', type: 'symlink', target: outside });
  return { lookup: tree, cleanup: () => undefined, outside };
}

describe.each([
  ['a directory on the host', hostTree],
  ['an in-memory tree', memoryTree],
])('resolveContainerPath over %s', (_label, makeTree) => {
  let tree: Awaited<ReturnType<typeof hostTree>>;
  beforeAll(async () => {
    tree = await makeTree();
  });
  afterAll(() => tree.cleanup());

  const resolve = (p: string, follow = true) => resolveContainerPath(tree.lookup, p, { followFinalSymlink: follow });

  async function refusal(p: string, follow = true): Promise<Error> {
    try {
      await resolve(p, follow);
    } catch (error) {
      return error as Error;
    }
    throw new Error(`"${p}" was resolved`);
  }

  it('resolves plain paths and normalizes them', async () => {
    expect(await resolve('/etc/passwd')).toEqual({ path: '/etc/passwd', node: { type: 'file' } });
    expect(await resolve('/a/./b//c/')).toEqual({ path: '/a/b/c', node: { type: 'directory' } });
    expect(await resolve('/')).toEqual({ path: '/', node: { type: 'directory' } });
    expect(await resolve('/a/b/../b/c/..')).toEqual({ path: '/a/b', node: { type: 'directory' } });
  });

  it('refuses ".." above the container root', async () => {
    for (const p of ['/..', '/../etc/passwd', '/etc/../../x', '/a/b/c/../../../..']) {
      const error = await refusal(p);
      expect(isRuntimeError(error, 'InvalidArgument')).toBe(true);
      expect(error.message).toBe(`Path "${p}" escapes the container root`);
    }
  });

  it('resolves absolute symlinks inside the container root', async () => {
    expect(await resolve('/abs/passwd')).toEqual({ path: '/etc/passwd', node: { type: 'file' } });
    expect(await resolve('/passwd-link')).toEqual({ path: '/etc/passwd', node: { type: 'file' } });
    expect(await resolve('/rootlink/etc')).toEqual({ path: '/etc', node: { type: 'directory' } });
    expect(await resolve('/a/b/abs2')).toEqual({ path: '/etc/passwd', node: { type: 'file' } });
    expect(await resolve('/a/b/absdir/b/c')).toEqual({ path: '/a/b/c', node: { type: 'directory' } });
    expect(await resolve('/a/b/absdir/../etc')).toEqual({ path: '/etc', node: { type: 'directory' } });
    expect((await refusal('/a/b/absdir/../..')).message).toBe('Path "/a/b/absdir/../.." escapes the container root through the symbolic link "/a/b/absdir"');
  });

  it('never follows an absolute symlink to the host', async () => {
    // The target is looked up below the container root, where it does not exist.
    for (const p of ['/hostabs', '/hostabs/x']) {
      const error = await refusal(p);
      expect(isRuntimeError(error, 'NotFound')).toBe(true);
      expect(error.message).toContain(`"/${tree.outside.split('/')[1]}" is missing`);
    }
    expect(await resolve('/hostabs', false)).toEqual({ path: '/hostabs', node: { type: 'symlink', target: tree.outside } });
  });

  it('reports a symlink itself when the last step is not followed', async () => {
    expect(await resolve('/passwd-link', false)).toEqual({ path: '/passwd-link', node: { type: 'symlink', target: '/etc/passwd' } });
    expect(await resolve('/up', false)).toEqual({ path: '/up', node: { type: 'symlink', target: '../../..' } });
  });

  it('resolves relative symlinks that stay inside', async () => {
    expect(await resolve('/a/b/ok/passwd')).toEqual({ path: '/etc/passwd', node: { type: 'file' } });
    expect(await resolve('/a/b/dot/c')).toEqual({ path: '/a/b/c', node: { type: 'directory' } });
  });

  it('refuses relative symlinks and symlink chains that climb out', async () => {
    expect((await refusal('/up/etc/passwd')).message).toBe('Path "/up/etc/passwd" escapes the container root through the symbolic link "/up"');
    expect((await refusal('/up')).message).toMatch(/escapes the container root through the symbolic link "\/up"/);
    expect((await refusal('/a/b/deep/passwd')).message).toMatch(/through the symbolic link "\/a\/b\/deep"/);
    expect((await refusal('/chain1/x')).message).toMatch(/escapes the container root through the symbolic link "\/a\/b\/deep"/);
  });

  it('stops at symlink loops', async () => {
    expect((await refusal('/loop1')).message).toBe('Path "/loop1" has too many levels of symbolic links');
    expect(await resolve('/loop1', false)).toEqual({ path: '/loop1', node: { type: 'symlink', target: 'loop2' } });
  });

  it('tells missing and non-directory components apart', async () => {
    expect(await resolve('/missing')).toEqual({ path: '/missing', node: null });
    expect(isRuntimeError(await refusal('/missing/x'), 'NotFound')).toBe(true);
    expect(isRuntimeError(await refusal('/dangling'), 'NotFound')).toBe(true);
    expect((await refusal('/file/x')).message).toBe('Path "/file/x" is not valid: "/file" is not a directory');
  });

  it('wants absolute paths without NUL bytes', async () => {
    expect((await refusal('etc/passwd')).message).toBe('Path "etc/passwd" must be absolute');
    expect((await refusal('/etc/pa\0sswd')).message).toBe('Path must not contain NUL bytes');
  });
});
