import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Daemon, startDaemon } from '../server';
import { requestJson } from '../testing/instance-io-test-daemon';
import { WarningStore } from './warning-store';
import { OFFLINE_CLUSTER_MEMBER } from './warning-types';

const LXC = '/usr/bin/lxc';

describe('warnings API', () => {
  let tmp: string;
  let daemon: Daemon;
  let store: WarningStore;
  let nodeId: number;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-warnings-spec-'));
    daemon = await startDaemon({ stateDir: path.join(tmp, 'state') });
    store = daemon.app.get(WarningStore);
    const [node] = await daemon.databases.global.query<{ id: number }>('SELECT id FROM nodes ORDER BY id LIMIT 1');
    nodeId = node.id;
  });

  afterAll(async () => {
    await daemon?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const send = (method: string, urlPath: string, body?: unknown) => requestJson(daemon.socketPath, method, urlPath, body);

  it('lists nothing at first, and the server names the warnings extension', async () => {
    expect((await send('GET', '/1.0/warnings')).json.metadata).toEqual([]);
    expect((await send('GET', '/1.0')).json.metadata.api_extensions).toContain('warnings');
  });

  it('counts a warning raised again, resolves it, and brings it back as new when it happens again', async () => {
    await store.raise(nodeId, OFFLINE_CLUSTER_MEMBER, 'first failure');
    await store.raise(nodeId, OFFLINE_CLUSTER_MEMBER, 'second failure');
    const [w] = (await send('GET', '/1.0/warnings?recursion=1')).json.metadata;
    expect(w).toMatchObject({ status: 'new', type: 'Offline cluster member', count: 2, last_message: 'second failure', severity: 'low', project: '', entity_url: '' });
    expect(w.location).not.toBe('');
    expect(Date.parse(w.first_seen_at)).toBeLessThanOrEqual(Date.parse(w.last_seen_at));
    expect((await send('GET', '/1.0/warnings')).json.metadata).toEqual([`/1.0/warnings/${w.uuid}`]);

    await store.resolve(nodeId, OFFLINE_CLUSTER_MEMBER);
    expect((await send('GET', `/1.0/warnings/${w.uuid}`)).json.metadata).toMatchObject({ status: 'resolved', count: 2 });
    await store.raise(nodeId, OFFLINE_CLUSTER_MEMBER, 'third failure');
    expect((await send('GET', `/1.0/warnings/${w.uuid}`)).json.metadata).toMatchObject({ status: 'new', count: 3, last_message: 'third failure' });
  });

  it('acknowledges, resets and deletes a warning; refuses other statuses and unknown UUIDs', async () => {
    const [w] = (await send('GET', '/1.0/warnings?recursion=1')).json.metadata;
    expect((await send('PUT', `/1.0/warnings/${w.uuid}`, { status: 'acknowledged' })).status).toBe(200);
    expect((await send('GET', `/1.0/warnings/${w.uuid}`)).json.metadata.status).toBe('acknowledged');
    // Raised again, an acknowledged warning stays acknowledged (counted).
    await store.raise(nodeId, OFFLINE_CLUSTER_MEMBER, 'fourth failure');
    expect((await send('GET', `/1.0/warnings/${w.uuid}`)).json.metadata).toMatchObject({ status: 'acknowledged', count: 4 });
    expect((await send('PATCH', `/1.0/warnings/${w.uuid}`, { status: 'new' })).status).toBe(200);
    expect((await send('GET', `/1.0/warnings/${w.uuid}`)).json.metadata.status).toBe('new');

    const resolved = await send('PUT', `/1.0/warnings/${w.uuid}`, { status: 'resolved' });
    expect(resolved.json).toMatchObject({ type: 'error', error_code: 400, error: 'Status may only be set to "acknowledged" or "new"' });
    expect((await send('PUT', `/1.0/warnings/${w.uuid}`, { status: 'gone' })).json).toMatchObject({ error_code: 400, error: 'Invalid warning status "gone"' });
    expect((await send('PUT', `/1.0/warnings/${w.uuid}`, [])).json.error_code).toBe(400);
    for (const [method, body] of [['GET'], ['PUT', { status: 'new' }], ['DELETE']] as const) {
      expect((await send(method, '/1.0/warnings/00000000-0000-0000-0000-000000000000', body)).json).toMatchObject({ error_code: 404, error: 'Warning not found' });
    }

    expect((await send('DELETE', `/1.0/warnings/${w.uuid}`)).status).toBe(200);
    expect((await send('GET', '/1.0/warnings')).json.metadata).toEqual([]);
  });

  it('works with the real lxc client: warning list, show, ack and delete', async () => {
    if (!fs.existsSync(LXC)) throw new Error(`${LXC} is missing (lxd-client)`);
    const lxc = (...args: string[]) => promisify(execFile)(LXC, args, { env: { ...process.env, LXD_DIR: daemon.stateDir, HOME: tmp } });
    await store.raise(nodeId, OFFLINE_CLUSTER_MEMBER, 'Failed to send heartbeat request to member m2');
    const [w] = (await send('GET', '/1.0/warnings?recursion=1')).json.metadata;
    expect((await lxc('warning', 'list', '--format', 'csv')).stdout).toContain(`${w.uuid},Offline cluster member,NEW,LOW,1`);
    expect((await lxc('warning', 'show', w.uuid)).stdout).toContain('last_message: Failed to send heartbeat request to member m2');
    await lxc('warning', 'ack', w.uuid);
    expect((await send('GET', `/1.0/warnings/${w.uuid}`)).json.metadata.status).toBe('acknowledged');
    await lxc('warning', 'delete', w.uuid);
    expect((await send('GET', '/1.0/warnings')).json.metadata).toEqual([]);
  });
});
