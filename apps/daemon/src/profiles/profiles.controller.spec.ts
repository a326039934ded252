import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Daemon, startDaemon } from '../server';
import { requestJson } from '../testing/instance-io-test-daemon';

describe('profiles API: what a profile may hold', () => {
  let tmp: string;
  let daemon: Daemon;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-profiles-spec-'));
    daemon = await startDaemon({ stateDir: path.join(tmp, 'state') });
  });

  afterAll(async () => {
    await daemon?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const send = (method: string, urlPath: string, body?: unknown) => requestJson(daemon.socketPath, method, urlPath, body);
  const show = async (name: string) => (await send('GET', `/1.0/profiles/${name}`)).json.metadata;

  it('stores config and devices an instance can use, and unsets a key set to ""', async () => {
    const created = await send('POST', '/1.0/profiles', {
      name: 'good',
      config: { 'limits.cpu': '2', 'limits.memory': '256MiB', 'user.note': 'x' },
      devices: { eth0: { type: 'nic', network: 'cubedfan0' }, root: { type: 'disk', path: '/', pool: 'default' } },
    });
    expect(created.status).toBe(201);
    expect((await send('PATCH', '/1.0/profiles/good', { config: { 'limits.cpu': '' } })).status).toBe(200);
    expect(await show('good')).toMatchObject({ config: { 'limits.memory': '256MiB', 'user.note': 'x' } });
    expect(Object.keys((await show('good')).config)).not.toContain('limits.cpu');
  });

  it.each([
    ['an unknown key', { config: { 'no.such.key': '1' } }, 'Unknown configuration key: no.such.key'],
    ['a bad CPU limit', { config: { 'limits.cpu': 'abc' } }, 'limits.cpu'],
    ['a bad boolean', { config: { 'security.privileged': 'maybe' } }, 'expected a boolean'],
    ['a volatile key', { config: { 'volatile.uuid': 'x' } }, 'Volatile keys can only be set on instances'],
    ['a disk other than the root disk', { devices: { data: { type: 'disk', path: '/data', source: '/srv' } } }, 'unsupported disk option "source"'],
    ['a NIC without a network or parent', { devices: { eth1: { type: 'nic', nictype: 'bridged' } } }, 'a NIC needs a network or a parent bridge'],
  ])('refuses %s with a 400 and stores nothing', async (_what, content, message) => {
    const name = `bad-${Math.random().toString(36).slice(2, 8)}`;
    const create = await send('POST', '/1.0/profiles', { name, ...content });
    expect(create.status).toBe(400);
    expect(create.json).toMatchObject({ type: 'error', error_code: 400, error: expect.stringContaining(message) });
    expect((await send('GET', `/1.0/profiles/${name}`)).status).toBe(404);

    const before = await show('good');
    for (const method of ['PUT', 'PATCH']) {
      const update = await send(method, '/1.0/profiles/good', { description: 'changed', ...content });
      expect(update.status).toBe(400);
      expect(update.json.error).toContain(message);
    }
    expect(await show('good')).toEqual(before);
  });

  it('refuses a body that is not a JSON object, and keeps the profile as it was', async () => {
    const before = await show('good');
    for (const method of ['PUT', 'PATCH']) {
      for (const body of [[], 'text', 5]) {
        const r = await send(method, '/1.0/profiles/good', body);
        expect(r.status).toBe(400);
        expect(r.json).toMatchObject({ type: 'error', error_code: 400, error: 'The request body must be a JSON object' });
      }
    }
    expect(await show('good')).toEqual(before);
  });

  it('takes any name LXD takes, spaces and non-ASCII letters too, and refuses slashes, "." and ".."', async () => {
    const odd = ['with space', 'ünïcode', 'a?b', '100%', 'x'.repeat(70)];
    for (const name of odd) expect((await send('POST', '/1.0/profiles', { name })).status).toBe(201);
    const urls = (await send('GET', '/1.0/profiles')).json.metadata as string[];
    for (const name of odd) {
      const url = `/1.0/profiles/${encodeURIComponent(name)}`;
      expect(urls).toContain(url);
      expect((await send('GET', url)).json.metadata).toMatchObject({ name });
    }
    expect((await send('POST', `/1.0/profiles/${encodeURIComponent('with space')}`, { name: 'still spaced' })).status).toBe(201);
    expect((await send('GET', `/1.0/profiles/${encodeURIComponent('still spaced')}`)).json.metadata).toMatchObject({ name: 'still spaced' });
    for (const name of odd.slice(1).concat('still spaced')) expect((await send('DELETE', `/1.0/profiles/${encodeURIComponent(name)}`)).status).toBe(200);

    for (const [name, error] of [['a/b', 'Profile names may not contain slashes'], ['.', 'Invalid profile name "."'], ['..', 'Invalid profile name ".."'], ['', 'No name provided']]) {
      const r = await send('POST', '/1.0/profiles', { name });
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ type: 'error', error_code: 400, error });
      expect((await send('POST', '/1.0/profiles/good', { name })).json).toMatchObject({ error_code: 400, error });
    }
    expect(await show('good')).toMatchObject({ name: 'good' });
  });

  it('keeps the default profile: deleting or renaming it is forbidden (403, as LXD)', async () => {
    const del = await send('DELETE', '/1.0/profiles/default');
    expect(del.status).toBe(403);
    expect(del.json).toMatchObject({ type: 'error', error_code: 403, error: 'The "default" profile cannot be deleted' });
    const rename = await send('POST', '/1.0/profiles/default', { name: 'other' });
    expect(rename.json).toMatchObject({ error_code: 403, error: 'The "default" profile cannot be renamed' });
    expect(await show('default')).toMatchObject({ name: 'default' });
  });

  it('applies every one of many concurrent PATCHes without If-Match: none lost, none refused', async () => {
    expect((await send('POST', '/1.0/profiles', { name: 'busy' })).status).toBe(201);
    const n = 32;
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => send('PATCH', '/1.0/profiles/busy', { config: { [`user.k${i}`]: String(i) } })));
    expect(replies.map((r) => r.status)).toEqual(Array(n).fill(200));
    expect(Object.keys((await show('busy')).config)).toHaveLength(n);
  });
});
