import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ConsistentReader, encodeTx, GlobalStateMachine, migrationTxs, type ProposedTx, TxFailedError } from '@app/db';
import { EntryType } from '@app/raft';
import type { Databases } from '../database/databases';
import { ProfileStore } from './profile-store';

/** A ProfileStore over a real global database, applied to directly (one member, no Raft). */
function store(): { profiles: ProfileStore; close: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-profiles-'));
  const sm = GlobalStateMachine.open(path.join(dir, 'global.db'));
  let index = 0;
  const apply = (tx: ProposedTx) => sm.apply([{ index: ++index, term: 1, type: EntryType.Normal, data: encodeTx(tx) }])[0];
  for (const tx of migrationTxs(0, new Date().toISOString())) apply(tx);
  const reader: ConsistentReader = { query: async (sql, params = []) => sm.query(sql, params) };
  const databases = {
    global: {
      read: <T>(fn: (r: ConsistentReader) => Promise<T>) => fn(reader),
      exec: async (tx: ProposedTx) => {
        const r = apply(tx);
        if (!r.ok) throw new TxFailedError(r.error, r.index);
        return r;
      },
    },
  } as unknown as Databases;
  return {
    profiles: new ProfileStore(databases),
    close: () => {
      sm.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('ProfileStore', () => {
  let s: ReturnType<typeof store>;
  beforeEach(() => (s = store()));
  afterEach(() => s.close());

  it('reads back the config and devices it wrote, ordered, with the state that guards writes', async () => {
    await s.profiles.create({
      name: 'web',
      description: 'web servers',
      config: { 'limits.memory': '1GiB', 'boot.autostart': 'true', 'user.empty': '' },
      devices: { root: { type: 'disk', path: '/', pool: 'default' }, eth0: { type: 'nic', nictype: 'bridged', parent: 'br0' } },
    });
    const web = await s.profiles.get('web');
    expect(web).toMatchObject({
      name: 'web',
      description: 'web servers',
      config: { 'boot.autostart': 'true', 'limits.memory': '1GiB' },
      devices: { eth0: { type: 'nic', nictype: 'bridged', parent: 'br0' }, root: { type: 'disk', path: '/', pool: 'default' } },
      used_by: [],
    });
    // As in LXD, a key set to "" is not stored.
    expect(Object.keys(web.config)).toEqual(['boot.autostart', 'limits.memory']);
    expect(Object.keys(web.devices)).toEqual(['eth0', 'root']);
    // The state is the guard of a write: a replace with it succeeds, with a stale one it is refused.
    await s.profiles.replace(web.id, web.state, { description: 'changed', config: {}, devices: { root: web.devices.root } });
    expect(await s.profiles.get('web')).toMatchObject({ description: 'changed', config: {}, devices: { root: web.devices.root } });
    await expect(s.profiles.replace(web.id, web.state, { description: 'lost update', config: {}, devices: {} })).rejects.toMatchObject({ statusCode: 412 });
  });

  it('unsets a config or device key that a replace sets to "", as `lxc profile unset` expects', async () => {
    await s.profiles.create({ name: 'p', description: '', config: { 'limits.cpu': '2', 'user.a': 'x' }, devices: { d1: { type: 'disk', path: '/x', source: '/y', readonly: 'true' } } });
    const before = await s.profiles.get('p');
    await s.profiles.replace(before.id, before.state, {
      description: '',
      config: { 'limits.cpu': '', 'user.a': 'x' },
      devices: { d1: { type: 'disk', path: '/x', source: '/y', readonly: '' } },
    });
    const after = await s.profiles.get('p');
    expect(after.config).toEqual({ 'user.a': 'x' });
    expect(after.devices).toEqual({ d1: { type: 'disk', path: '/x', source: '/y' } });
  });

  it('lists every profile of the project with its own rows', async () => {
    await s.profiles.create({ name: 'a', description: '', config: { 'user.a': '1' }, devices: {} });
    await s.profiles.create({ name: 'b', description: '', config: {}, devices: { data: { type: 'disk', source: '/srv', path: '/srv' } } });
    const all = await s.profiles.list();
    expect(all.map((p) => [p.name, p.config, p.devices])).toEqual([
      ['a', { 'user.a': '1' }, {}],
      ['b', {}, { data: { type: 'disk', source: '/srv', path: '/srv' } }],
      ['default', {}, {}],
    ]);
  });
});
