/**
 * Remembered answers of Node's module resolution (`require('x')` from a directory → a file), kept
 * in the compile cache's file (compile-cache.ts). Resolving is a good part of the daemon's start:
 * several thousand requires, each trying files and reading package.json files on the way up to
 * node_modules; a remembered answer costs one stat (that the file is still there), or nothing when
 * the file is already loaded in this process (most requires are of modules loaded before).
 *
 * The answers hold as long as the installed files do: they are kept together with the identity
 * (inode, size, modification time) of anchor files, `main.js` next to the cache (rewritten by every
 * build, which also empties the directory) and node_modules/.package-lock.json (rewritten by every
 * npm install or npm ci), and with NODE_PATH. When any of them differs, every answer is dropped and
 * resolution starts over. Only plain requires are remembered: not the main module, not
 * `require.resolve` with options, not built-in modules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface StoredResolutions {
  /** Anchor file (or NODE_PATH) → its identity when the answers were recorded. */
  anchors: Record<string, string>;
  /** [directory of the requiring module, request, resolved file] */
  answers: [string, string, string][];
}

export type ResolveFilenameFn = (this: unknown, request: string, parent: NodeModule | undefined, isMain: boolean, options?: unknown) => string;

function identity(file: string): string {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : 'missing';
}

function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true;
}

/** The nearest node_modules/.package-lock.json from `dir` upwards (undefined when none). */
function packageLockOf(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const lock = path.join(d, 'node_modules', '.package-lock.json');
    if (fs.existsSync(lock)) return lock;
    if (path.dirname(d) === d) return undefined;
  }
}

export class ModuleResolutionCache {
  private readonly remembered = new Map<string, string>();
  private readonly learnt = new Map<string, string>();
  private anchorsNow?: Record<string, string>;
  /** A require was resolved that had no remembered answer. */
  missed = false;

  /** `dir`: where the cache file lives (its main.js is an anchor). */
  constructor(private readonly dir: string) {}

  /** Takes stored answers, unless their anchors changed since. */
  load(stored: StoredResolutions | undefined): void {
    if (!stored || !Array.isArray(stored.answers)) return;
    const now = this.anchors();
    const same = Object.keys(now).length === Object.keys(stored.anchors ?? {}).length && Object.entries(now).every(([k, v]) => stored.anchors[k] === v);
    if (!same) return;
    for (const answer of stored.answers) {
      if (!Array.isArray(answer) || !answer.every((part) => typeof part === 'string')) continue;
      const [dir, request, file] = answer;
      this.remembered.set(key(dir, request), file);
    }
  }

  /** The answers to store: the ones used or learnt by this process, and the other remembered ones. */
  toStored(): StoredResolutions {
    const answers: [string, string, string][] = [];
    const all = new Map([...this.remembered, ...this.learnt]);
    for (const [k, file] of all) {
      const [dir, request] = k.split('\0');
      answers.push([dir, request, file]);
    }
    return { anchors: this.anchors(), answers };
  }

  /** Wraps a `Module._resolveFilename`; `isLoaded`: whether a file is in the process's module cache. */
  wrap(resolve: ResolveFilenameFn, isLoaded: (file: string) => boolean): ResolveFilenameFn {
    const cache = this;
    return function (this: unknown, request: string, parent: NodeModule | undefined, isMain: boolean, options?: unknown): string {
      if (isMain || options !== undefined || !parent?.filename) return resolve.call(this, request, parent, isMain, options);
      const k = key(path.dirname(parent.filename), request);
      const known = cache.remembered.get(k);
      if (known !== undefined && (isLoaded(known) || isFile(known))) return known;
      const file = resolve.call(this, request, parent, isMain, options);
      if (path.isAbsolute(file)) {
        cache.learnt.set(k, file);
        cache.missed = true;
      }
      return file;
    };
  }

  private anchors(): Record<string, string> {
    if (this.anchorsNow) return this.anchorsNow;
    const main = path.join(this.dir, 'main.js');
    const lock = packageLockOf(this.dir);
    this.anchorsNow = { [main]: identity(main), 'node_modules lock': lock ? `${lock} ${identity(lock)}` : 'missing', NODE_PATH: process.env.NODE_PATH ?? '' };
    return this.anchorsNow;
  }
}

function key(dir: string, request: string): string {
  return `${dir}\0${request}`;
}
