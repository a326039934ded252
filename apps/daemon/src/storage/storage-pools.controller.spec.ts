import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Daemon, startDaemon } from '../server';
import { requestJson } from '../testing/instance-io-test-daemon';

describe('storage pools API: concurrent edits', () => {
  let tmp: string;
  let daemon: Daemon;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-pools-spec-'));
    fs.chmodSync(tmp, 0o711); // a pool's directory must be reachable by unprivileged containers
    daemon = await startDaemon({ stateDir: path.join(tmp, 'state') });
    const created = await send('POST', '/1.0/storage-pools', { name: 'p1', driver: 'dir' });
    expect(created.status).toBeLessThan(300);
  });

  afterAll(async () => {
    await daemon?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function send(method: string, urlPath: string, body?: unknown, headers = {}) {
    return requestJson(daemon.socketPath, method, urlPath, body, headers);
  }
  const config = async (): Promise<Record<string, string>> => (await send('GET', '/1.0/storage-pools/p1')).json.metadata.config;

  it('keeps every one of many concurrent PATCHes without If-Match', async () => {
    const n = 24;
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => send('PATCH', '/1.0/storage-pools/p1', { config: { [`user.k${i}`]: String(i) } })));
    expect(replies.map((r) => r.status)).toEqual(Array(n).fill(200));
    expect(Object.keys(await config()).filter((k) => k.startsWith('user.k'))).toHaveLength(n);
  });

  it('lets exactly one of two PATCHes from the same ETag win', async () => {
    const etag = String((await send('GET', '/1.0/storage-pools/p1')).headers.etag);
    const [a, b] = await Promise.all([
      send('PATCH', '/1.0/storage-pools/p1', { config: { 'user.race': 'a' } }, { 'If-Match': etag }),
      send('PATCH', '/1.0/storage-pools/p1', { config: { 'user.race': 'b' } }, { 'If-Match': etag }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const winner = a.status === 200 ? 'a' : 'b';
    expect((await config())['user.race']).toBe(winner);
  });
});
