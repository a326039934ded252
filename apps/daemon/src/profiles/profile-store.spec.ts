import { directGlobalDatabase } from '../testing/direct-global-database';
import { ProfileStore } from './profile-store';

/** A ProfileStore over a real global database, applied to directly (one member, no Raft). */
function store(): { profiles: ProfileStore; close: () => void } {
  const { databases, close } = directGlobalDatabase('cubed-profiles-');
  return { profiles: new ProfileStore(databases), close };
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
