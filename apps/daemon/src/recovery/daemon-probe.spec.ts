import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { daemonAnswers } from './daemon-probe';

describe('daemonAnswers', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-probe-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is true while something listens on the socket, false once it stopped', async () => {
    const socket = path.join(dir, 'unix.socket');
    const server = net.createServer((c) => c.end());
    await new Promise<void>((r) => server.listen(socket, r));
    try {
      expect(await daemonAnswers(socket)).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await daemonAnswers(socket)).toBe(false);
  });

  it('is false without a socket file, or for a socket nobody listens on', async () => {
    expect(await daemonAnswers(path.join(dir, 'missing.socket'))).toBe(false);
    // A socket file left behind by a process that died: connections are refused.
    const stale = path.join(dir, 'stale.socket');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(stale, r));
    const copy = path.join(dir, 'copy.socket');
    fs.linkSync(stale, copy);
    await new Promise((r) => server.close(r));
    expect(fs.existsSync(copy)).toBe(true);
    expect(await daemonAnswers(copy)).toBe(false);
  });

  it('is false for a file that is not a socket', async () => {
    const file = path.join(dir, 'unix.socket');
    fs.writeFileSync(file, '');
    expect(await daemonAnswers(file)).toBe(false);
  });
});
