/**
 * `npm run build` runs this (node dist/.../write-compile-cache.js): it loads the modules of the
 * daemon and of `cubed init` through the compile cache, then starts a daemon in a temporary state
 * directory (no network ports: a fresh member listens only on its unix socket), asks it GET /1.0
 * and stops it, so that the cache also holds the functions a start compiles; then it writes the
 * cache (compile-cache.ts). The first start after a build then compiles nearly nothing from
 * source. Should the trial start fail, the cache of the loaded modules is written all the same.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

process.env.CUBED_COMPILE_CACHE_PRIME = '1';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compileCache } = require('./compile-cache') as typeof import('./compile-cache');

for (const m of ['./main', './daemon-logger', './server', './init/init-command']) require(m);

async function startOnce(): Promise<boolean> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-compile-cache-'));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startDaemon } = require('./server') as typeof import('./server');
    const daemon = await startDaemon({ stateDir: dir, logger: false });
    try {
      const reply = await daemon.app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/1.0' });
      return reply.statusCode === 200;
    } finally {
      await daemon.close();
    }
  } catch (err) {
    console.error(`write-compile-cache: a trial start failed (${(err as Error).message}); writing the cache of the loaded modules only`);
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void startOnce().then((started) => {
  compileCache?.save(started);
  process.exit(0);
});
