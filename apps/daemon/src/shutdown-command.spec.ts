import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { processExists, shutdownDaemon } from './shutdown-command';

/**
 * A stand-in daemon: answers PUT /internal/shutdown with its pid, closes its socket at once and
 * exits `lingerMs` later (as the daemon does while it closes its databases).
 */
const FAKE_DAEMON = `
const http = require('node:http');
const [socketPath, lingerMs] = process.argv.slice(1);
const server = http.createServer((req, res) => {
  if (req.method === 'PUT' && req.url === '/internal/shutdown') {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ type: 'sync', status: 'Success', status_code: 200, metadata: { pid: process.pid } }));
    setImmediate(() => server.close());
    setTimeout(() => process.exit(0), Number(lingerMs));
    return;
  }
  res.end(JSON.stringify({ type: 'sync', metadata: {} }));
});
server.listen(socketPath, () => process.stdout.write('listening\\n'));
`;

describe('cubed shutdown', () => {
  let tmp: string;
  let sock: string;
  let child: ChildProcess | undefined;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-shutdown-'));
    sock = path.join(tmp, 'unix.socket');
  });
  afterEach(() => {
    if (child?.pid && processExists(child.pid)) child.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function startFake(lingerMs: number): Promise<ChildProcess> {
    const c = spawn(process.execPath, ['-e', FAKE_DAEMON, sock, String(lingerMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      c.stdout!.once('data', () => resolve());
      c.once('exit', (code) => reject(new Error(`the stand-in daemon exited with ${code}`)));
    });
    return c;
  }

  it('returns only once the daemon process has exited, not when its socket closes', async () => {
    child = await startFake(600);
    const askedAt = Date.now();
    await shutdownDaemon({ socketPath: sock, timeoutMs: 10_000 });
    const waited = Date.now() - askedAt;
    // The socket closed at once; the process lived on for 600 ms (the timer may fire a little early).
    expect(processExists(child.pid!)).toBe(false);
    expect(waited).toBeGreaterThanOrEqual(590);
  });

  it('says which pid is still running when the daemon does not exit in time', async () => {
    child = await startFake(60_000);
    const t0 = Date.now();
    await expect(shutdownDaemon({ socketPath: sock, timeoutMs: 400 })).rejects.toThrow(`the daemon (pid ${child.pid}) is still running 0.4 s after it was asked to stop`);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('fails when no daemon answers', async () => {
    await expect(shutdownDaemon({ socketPath: sock, timeoutMs: 1000 })).rejects.toThrow();
  });
});
