/**
 * A V8 code cache for the CommonJS modules `cubed` loads (Node 20 has no built-in one): loading
 * NestJS, fastify, gRPC and the app modules is most of the daemon's start, and a good part of that
 * is compiling them. Imported first by main.ts; active only when main.js is the program.
 *
 * The cache is one file next to this module (dist/.../compile-cache.bin): for every module its
 * file name, a SHA-1 of its source and V8's cached data. A module whose source changed, or whose
 * data V8 refuses (another node or V8 flags), is compiled as usual; anything unexpected falls back
 * to Node's own compilation. `npm run build` primes the file by loading the modules
 * (write-compile-cache.ts); a daemon that found it missing, incomplete or stale rewrites it a few
 * seconds after it is ready, by then with the functions its start compiled too. Writing is atomic
 * and its failure (a read-only install) is ignored. CUBED_COMPILE_CACHE=0 turns it off.
 *
 * The same file keeps the answers of module resolution (module-resolution-cache.ts).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { ModuleResolutionCache, type ResolveFilenameFn, type StoredResolutions } from './module-resolution-cache';

export const COMPILE_CACHE_FILE = path.join(__dirname, 'compile-cache.bin');
const MAGIC = 'CUBEDCC1';

interface Header {
  node: string;
  arch: string;
  /** Written by a daemon after its start (not only by loading the modules). */
  complete: boolean;
  /** [file name, source hash, offset in the data, length] */
  entries: [string, string, number, number][];
  resolutions?: StoredResolutions;
}

interface Compiled {
  script: vm.Script;
  hash: string;
}

type CompileFn = (this: NodeModule, content: string, filename: string, format?: string) => unknown;
interface ModuleInternals {
  prototype: { _compile: CompileFn };
  wrap(content: string): string;
  _resolveFilename: ResolveFilenameFn;
  _resolveLookupPaths(request: string, parent: NodeModule): string[] | null;
  _extensions: unknown;
  _cache: unknown;
}

export class CompileCache {
  private readonly compiled = new Map<string, Compiled>();
  private readonly stored = new Map<string, { hash: string; data: Buffer }>();
  private complete = false;
  /** A module was compiled without usable cached data. */
  private missed = false;
  private saveTimer?: NodeJS.Timeout;
  private readonly resolutions: ModuleResolutionCache;

  constructor(private readonly file = COMPILE_CACHE_FILE) {
    this.resolutions = new ModuleResolutionCache(path.dirname(file));
    this.read();
  }

  /** Compiles every CommonJS module loaded from now on through the cache; returns the undo. */
  install(): () => void {
    const M = Module as unknown as ModuleInternals;
    const original = M.prototype._compile;
    const originalResolve = M._resolveFilename;
    const importModuleDynamically = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
    if (!importModuleDynamically) return () => undefined; // without it, import() in a cached module would fail
    const cache = this;
    M.prototype._compile = function (this: NodeModule, content: string, filename: string, format?: string): unknown {
      // import() in a script made from cached data finds no loader (Node 20's V8): such modules, few, are left to Node.
      if ((format !== undefined && format !== 'commonjs') || !filename.endsWith('.js') || content.includes('import(')) return original.call(this, content, filename, format);
      const hash = crypto.createHash('sha1').update(content).digest('base64');
      const hit = cache.stored.get(filename);
      const cachedData = hit && hit.hash === hash ? hit.data : undefined;
      let script: vm.Script;
      try {
        script = new vm.Script(M.wrap(content), { filename, cachedData, importModuleDynamically });
      } catch {
        return original.call(this, content, filename, format); // e.g. ES module syntax: Node decides
      }
      if (!cachedData || script.cachedDataRejected) cache.missed = true;
      cache.compiled.set(filename, { script, hash });
      const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
      return fn.call(this.exports, this.exports, makeRequire(this, M), this, filename, path.dirname(filename));
    };
    const loaded = M._cache as Record<string, unknown>;
    M._resolveFilename = this.resolutions.wrap(originalResolve, (file) => loaded[file] !== undefined);
    return () => {
      M.prototype._compile = original;
      M._resolveFilename = originalResolve;
    };
  }

  /** Whether the daemon should rewrite the file: missing, only primed, or a module or a require missed it. */
  get stale(): boolean {
    return !this.complete || this.missed || this.resolutions.missed;
  }

  /** Rewrites the file `delayMs` from now (once, in the background) if it is stale. */
  saveLaterIfStale(delayMs: number): void {
    if (!this.stale || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.save(true), delayMs);
    this.saveTimer.unref();
  }

  /** Writes the cached data of every module compiled so far (and the stored data of the others). */
  save(complete: boolean): void {
    try {
      const entries: Header['entries'] = [];
      const chunks: Buffer[] = [];
      let offset = 0;
      const add = (name: string, hash: string, data: Buffer) => {
        entries.push([name, hash, offset, data.length]);
        chunks.push(data);
        offset += data.length;
      };
      for (const [name, c] of this.compiled) add(name, c.hash, c.script.createCachedData());
      for (const [name, s] of this.stored) if (!this.compiled.has(name)) add(name, s.hash, s.data);
      const header = Buffer.from(JSON.stringify({ node: process.version, arch: process.arch, complete, entries, resolutions: this.resolutions.toStored() } satisfies Header));
      const len = Buffer.alloc(4);
      len.writeUInt32LE(header.length);
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, Buffer.concat([Buffer.from(MAGIC), len, header, ...chunks]));
      fs.renameSync(tmp, this.file);
    } catch {
      // a read-only install, a full disk: the cache is only an optimisation
    }
  }

  private read(): void {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.file);
    } catch {
      return;
    }
    try {
      if (buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return;
      const len = buf.readUInt32LE(MAGIC.length);
      const start = MAGIC.length + 4;
      const header = JSON.parse(buf.toString('utf8', start, start + len)) as Header;
      if (header.node !== process.version || header.arch !== process.arch) return;
      const base = start + len;
      for (const [name, hash, off, length] of header.entries) this.stored.set(name, { hash, data: buf.subarray(base + off, base + off + length) });
      this.complete = header.complete;
      this.resolutions.load(header.resolutions);
    } catch {
      this.stored.clear();
    }
  }
}

/** The `require` Node gives a module (lib/internal/modules/helpers.js makeRequireFunction). */
function makeRequire(mod: NodeModule, M: ModuleInternals): NodeJS.Require {
  const require = function require(id: string) {
    return mod.require(id);
  } as NodeJS.Require;
  const resolve = ((request: string, options?: unknown) => M._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => M._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = M._extensions as NodeJS.RequireExtensions;
  require.cache = M._cache as NodeJS.Dict<NodeModule>;
  return require;
}

/** The cache of this process when main.js is the program (not under tests), else undefined. */
export const compileCache: CompileCache | undefined = (() => {
  if (process.env.CUBED_COMPILE_CACHE === '0') return undefined;
  if (require.main?.filename !== path.join(__dirname, 'main.js') && process.env.CUBED_COMPILE_CACHE_PRIME !== '1') return undefined;
  const cache = new CompileCache();
  cache.install();
  return cache;
})();
