/**
 * `npm run build` runs this (node dist/.../write-compile-cache.js): it loads the modules of the
 * daemon and of `cubed init` through the compile cache and writes it (compile-cache.ts), so that
 * the first start after a build does not compile them from source. Nothing is started.
 */
process.env.CUBED_COMPILE_CACHE_PRIME = '1';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compileCache } = require('./compile-cache') as typeof import('./compile-cache');

for (const m of ['./main', './daemon-logger', './server', './init/init-command']) require(m);
compileCache?.save(false);
