import { directGlobalDatabase } from '../testing/direct-global-database';
import { NetworkStore } from './network-store';

/** A NetworkStore over a real global database, applied to directly (one member, no Raft). */
function store(): { networks: NetworkStore; close: () => void } {
  const { databases, close } = directGlobalDatabase('cubed-networks-');
  return { networks: new NetworkStore(databases), close };
}

describe('NetworkStore.update', () => {
  let s: ReturnType<typeof store>;
  beforeEach(async () => {
    s = store();
    await s.networks.create({ name: 'fan0', project: 'default', description: 'd0', config: { 'fan.underlay_subnet': '10.0.0.0/16', 'user.a': '1' } }, []);
  });
  afterEach(() => s.close());

  it('writes when the network is as it was read, and refuses with a 412 once it changed', async () => {
    const read = await s.networks.get('default', 'fan0');
    await s.networks.update(read, 'd1', { ...read.config, 'user.b': '2' });
    // A second writer that read the same state lost the race: nothing of it is written.
    await expect(s.networks.update(read, 'd2', { ...read.config, 'user.c': '3' })).rejects.toMatchObject({ statusCode: 412 });
    expect(await s.networks.get('default', 'fan0')).toMatchObject({ description: 'd1', config: { 'fan.underlay_subnet': '10.0.0.0/16', 'user.a': '1', 'user.b': '2' } });
  });

  it('takes as expected state what this member wrote, to put it back', async () => {
    const read = await s.networks.get('default', 'fan0');
    const written = { description: 'd1', config: { ...read.config, 'user.b': '2', 'user.empty': '' } };
    await s.networks.update(read, written.description, written.config);
    await s.networks.update({ id: read.id, ...written }, read.description, read.config);
    expect(await s.networks.get('default', 'fan0')).toMatchObject({ description: 'd0', config: read.config });
    // Once someone else changed it, putting back is refused.
    await expect(s.networks.update({ id: read.id, ...written }, read.description, read.config)).rejects.toMatchObject({ statusCode: 412 });
  });
});
