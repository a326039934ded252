import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { transformSync } from '@swc/core';

// Node's own module loader is what the cache hooks into (Jest has its own), so the cache runs in
// child processes: compile-cache.ts compiled to CommonJS, loading modules from a temporary directory.
describe('CompileCache', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-compile-cache-'));
    for (const name of ['compile-cache', 'module-resolution-cache']) {
      const source = fs.readFileSync(path.join(__dirname, `${name}.ts`), 'utf8');
      const { code } = transformSync(source, { filename: `${name}.ts`, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
      fs.writeFileSync(path.join(dir, `${name}.js`), code);
    }
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** In a new node: loads ./b.js through the cache; prints its exports and whether the cache was stale; saves it. */
  function run(): { exports: Record<string, unknown>; staleAfter: boolean } {
    const script = `
      const { CompileCache } = require('./compile-cache.js');
      const cache = new CompileCache(${JSON.stringify(path.join(dir, 'cache.bin'))});
      cache.install();
      const loaded = require('./b.js');
      process.stdout.write(JSON.stringify({ exports: loaded, staleAfter: cache.stale }));
      cache.save(true);`;
    fs.writeFileSync(path.join(dir, 'run.js'), script);
    return JSON.parse(execFileSync(process.execPath, [path.join(dir, 'run.js')], { cwd: dir, env: { ...process.env, CUBED_COMPILE_CACHE: '' } }).toString());
  }

  it('runs modules as Node does, reuses its data once saved, and recompiles a changed module', () => {
    fs.writeFileSync(path.join(dir, 'a.js'), 'module.exports = { v: 42 };\n');
    fs.writeFileSync(path.join(dir, 'c.js'), "module.exports = typeof import('node:fs').then;\n"); // left to Node
    fs.writeFileSync(
      path.join(dir, 'b.js'),
      "const a = require('./a');\nmodule.exports = { v: a.v, dir: __dirname, file: __filename, resolved: require.resolve('./a'), self: module.id === __filename, exportsIsThis: this === module.exports, dynamicImport: require('./c') };\n",
    );
    const want = { v: 42, dir, file: path.join(dir, 'b.js'), resolved: path.join(dir, 'a.js'), self: true, exportsIsThis: true, dynamicImport: 'function' };
    expect(run()).toEqual({ exports: want, staleAfter: true }); // no cache yet
    expect(run()).toEqual({ exports: want, staleAfter: false }); // everything from the cache

    // Same length, other source: V8 alone would take the old data; the hash makes it recompile.
    fs.writeFileSync(path.join(dir, 'a.js'), 'module.exports = { v: 43 };\n');
    expect(run()).toEqual({ exports: { ...want, v: 43 }, staleAfter: true });
    expect(run()).toEqual({ exports: { ...want, v: 43 }, staleAfter: false });
  });

  it('ignores a corrupt file', () => {
    fs.writeFileSync(path.join(dir, 'cache.bin'), 'not a cache at all');
    fs.writeFileSync(path.join(dir, 'a.js'), 'module.exports = 7;\n');
    fs.writeFileSync(path.join(dir, 'b.js'), "module.exports = { v: require('./a') };\n");
    expect(run()).toEqual({ exports: { v: 7 }, staleAfter: true });
    expect(run()).toEqual({ exports: { v: 7 }, staleAfter: false });
  });

  it('remembers where requires led, and resolves again once the file is gone', () => {
    fs.writeFileSync(path.join(dir, 'a.js'), 'module.exports = "a.js";\n');
    fs.writeFileSync(path.join(dir, 'b.js'), "module.exports = { v: require('./a') };\n");
    expect(run()).toEqual({ exports: { v: 'a.js' }, staleAfter: true });
    expect(run()).toEqual({ exports: { v: 'a.js' }, staleAfter: false }); // resolved from the cache too

    fs.rmSync(path.join(dir, 'a.js'));
    fs.mkdirSync(path.join(dir, 'a'));
    fs.writeFileSync(path.join(dir, 'a', 'index.js'), 'module.exports = "a/index.js";\n');
    expect(run()).toEqual({ exports: { v: 'a/index.js' }, staleAfter: true });
    expect(run()).toEqual({ exports: { v: 'a/index.js' }, staleAfter: false });
  });

  it('answers a require of a module loaded before from the cache, without looking for its file', () => {
    fs.writeFileSync(path.join(dir, 'a.js'), 'module.exports = { n: 1 };\n');
    fs.writeFileSync(path.join(dir, 'b.js'), "module.exports = { v: require('./a') };\n");
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'sub', 'c.js'), "module.exports = require('../a');\n");
    // Once with the file there (the answers are stored), once with a.js deleted after it was loaded.
    const script = `
      const fs = require('node:fs');
      const { CompileCache } = require('./compile-cache.js');
      const cache = new CompileCache(${JSON.stringify(path.join(dir, 'cache.bin'))});
      cache.install();
      const b = require('./b.js');
      if (process.argv[2] === 'delete') fs.rmSync(${JSON.stringify(path.join(dir, 'a.js'))});
      const c = require('./sub/c.js');
      process.stdout.write(JSON.stringify({ same: b.v === c, n: c.n }));
      cache.save(true);`;
    fs.writeFileSync(path.join(dir, 'twice.js'), script);
    const twice = (arg: string) => JSON.parse(execFileSync(process.execPath, [path.join(dir, 'twice.js'), arg], { cwd: dir, env: { ...process.env, CUBED_COMPILE_CACHE: '' } }).toString());
    expect(twice('keep')).toEqual({ same: true, n: 1 });
    expect(twice('delete')).toEqual({ same: true, n: 1 });
  });

  it('forgets every answer once npm rewrote node_modules', () => {
    const pkg = path.join(dir, 'node_modules', 'pkg');
    fs.mkdirSync(pkg, { recursive: true });
    const lock = path.join(dir, 'node_modules', '.package-lock.json');
    fs.writeFileSync(lock, '{"lockfileVersion":3}\n');
    fs.writeFileSync(path.join(pkg, 'package.json'), '{"name":"pkg","main":"index.js"}\n');
    fs.writeFileSync(path.join(pkg, 'index.js'), 'module.exports = "index";\n');
    fs.writeFileSync(path.join(pkg, 'lib.js'), 'module.exports = "lib";\n');
    fs.writeFileSync(path.join(dir, 'b.js'), "module.exports = { v: require('pkg') };\n");
    expect(run()).toEqual({ exports: { v: 'index' }, staleAfter: true });
    expect(run()).toEqual({ exports: { v: 'index' }, staleAfter: false });

    // An update of the package: npm writes the package and its lock file again.
    fs.writeFileSync(path.join(pkg, 'package.json'), '{"name":"pkg","main":"lib.js"}\n');
    fs.writeFileSync(lock, '{"lockfileVersion":3,"packages":{}}\n');
    expect(run()).toEqual({ exports: { v: 'lib' }, staleAfter: true });
    expect(run()).toEqual({ exports: { v: 'lib' }, staleAfter: false });
  });
});
