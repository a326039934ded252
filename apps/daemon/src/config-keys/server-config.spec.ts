import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Daemon, startDaemon } from '../server';
import { requestJson } from '../testing/instance-io-test-daemon';
import { ServerConfig } from './server-config.service';

describe('server config: PATCH and PUT /1.0', () => {
  let tmp: string;
  let daemon: Daemon;
  const changes: string[][] = [];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-config-spec-'));
    daemon = await startDaemon({ stateDir: path.join(tmp, 'state') });
    daemon.app.get(ServerConfig).onChange((changed) => {
      changes.push([...changed].sort());
    });
  });

  afterAll(async () => {
    await daemon?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const config = async (): Promise<Record<string, unknown>> => (await requestJson(daemon.socketPath, 'GET', '/1.0')).json.metadata.config;
  const send = async (method: 'PATCH' | 'PUT', body: unknown) => requestJson(daemon.socketPath, method, '/1.0', body);

  beforeEach(async () => {
    expect((await send('PUT', { config: {} })).status).toBe(200);
    changes.length = 0;
  });

  it('PATCH sets and unsets keys and leaves the others alone; only the keys that changed are reported', async () => {
    expect((await send('PATCH', { config: { 'user.a': '1', 'user.b': '2' } })).status).toBe(200);
    expect((await send('PATCH', { config: { 'user.a': '1', 'user.b': '3' } })).status).toBe(200);
    expect((await send('PATCH', { config: { 'user.a': null } })).status).toBe(200);
    expect((await send('PATCH', { config: { 'user.a': '' } })).status).toBe(200);
    expect(await config()).toEqual({ 'user.b': '3' });
    expect(changes).toEqual([['user.a', 'user.b'], ['user.b'], ['user.a']]);
  });

  it('PUT replaces the whole config but keeps a trust password sent back as true', async () => {
    expect((await send('PATCH', { config: { 'user.a': '1', 'user.b': '2', 'core.trust_password': 'sekret' } })).status).toBe(200);
    expect(await config()).toEqual({ 'user.a': '1', 'user.b': '2', 'core.trust_password': true });
    changes.length = 0;
    expect((await send('PUT', { config: { 'user.b': '2', 'user.c': 'x', 'core.trust_password': true } })).status).toBe(200);
    expect(await config()).toEqual({ 'user.b': '2', 'user.c': 'x', 'core.trust_password': true });
    expect(changes).toEqual([['user.a', 'user.c']]);
    expect((await send('PUT', { config: { 'user.b': '2' } })).status).toBe(200);
    expect(await config()).toEqual({ 'user.b': '2' });
  });

  it('refuses a bad key or value with a clear error and writes nothing', async () => {
    expect((await send('PATCH', { config: { 'user.a': '1' } })).status).toBe(200);
    const unknown = await send('PATCH', { config: { 'user.a': '2', 'no.such.key': 'x' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ type: 'error', error_code: 400, error: 'Invalid option key "no.such.key"' });
    const badValue = await send('PUT', { config: { 'cluster.offline_threshold': 'soon' } });
    expect(badValue.status).toBe(400);
    expect(badValue.json.error).toMatch(/^Invalid value for "cluster.offline_threshold"/);
    expect((await send('PATCH', { config: { 'cluster.offline_threshold': '1' } })).json.error).toBe('Invalid value for "cluster.offline_threshold": Invalid value 1: must be at least 2');
    expect((await send('PATCH', { config: { 'cluster.max_standby': '6' } })).json.error).toBe('Invalid value for "cluster.max_standby": Invalid value 6: must be between 0 and 5');
    // As LXD: values are strings (or null to unset); a number, boolean, list or object is refused.
    for (const [value, kind] of [[12, 'float64'], [false, 'bool'], [['1'], 'slice'], [{ a: '1' }, 'map']] as const) {
      const badType = await send('PATCH', { config: { 'user.b': 'x', 'images.auto_update_interval': value } });
      expect(badType.status).toBe(400);
      expect(badType.json).toMatchObject({ type: 'error', error_code: 400, error: `cannot set 'images.auto_update_interval': invalid type ${kind}` });
    }
    const falsePassword = await send('PATCH', { config: { 'core.trust_password': false } });
    expect(falsePassword.json.error).toBe("cannot set 'core.trust_password': invalid type bool");
    expect(await config()).toEqual({ 'user.a': '1' });
  });
});
