import { asyncOperation, lxdError, sync } from '../../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../../test/cube-env';

const done = (id: string) => sync({ id, status: 'Success', status_code: 200 });

describe('cube snapshot, restore and delete of snapshots', () => {
  let t: CubeEnv;
  beforeEach(async () => {
    t = await startCubeEnv();
    t.fake
      .on('POST', '/1.0/instances/c1/snapshots', asyncOperation({ id: 'op-snap' }))
      .on('GET', '/1.0/operations/op-snap/wait', done('op-snap'))
      .on('PUT', '/1.0/instances/c1', asyncOperation({ id: 'op-restore' }))
      .on('GET', '/1.0/operations/op-restore/wait', done('op-restore'))
      .on('GET', '/1.0/instances/c1/snapshots/snap0', sync({ name: 'snap0' }))
      .on('DELETE', '/1.0/instances/c1/snapshots/snap0', asyncOperation({ id: 'op-delete' }))
      .on('GET', '/1.0/operations/op-delete/wait', done('op-delete'));
  });
  afterEach(() => t.close());

  it('snapshot creates a named snapshot, or lets the server name it', async () => {
    expect(await t.cube(['snapshot', 'c1', 'snap0'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await t.cube(['snapshot', 'c1', '--stateful', '--no-expiry'])).toMatchObject({ code: 0 });
    expect(t.fake.sequence).toEqual([
      'POST /1.0/instances/c1/snapshots',
      'GET /1.0/operations/op-snap/wait',
      'POST /1.0/instances/c1/snapshots',
      'GET /1.0/operations/op-snap/wait',
    ]);
    expect(t.fake.requests[0].body).toEqual({ name: 'snap0', stateful: false, expires_at: null });
    expect(t.fake.requests[2].body).toEqual({ name: '', stateful: true, expires_at: '0001-01-01T00:00:00Z' });
  });

  it('snapshot takes <instance>/<snapshot>, and --reuse deletes an existing snapshot first', async () => {
    await t.cube(['snapshot', 'c1/snap0', '--reuse']);
    expect(t.fake.sequence).toEqual([
      'GET /1.0/instances/c1/snapshots/snap0',
      'DELETE /1.0/instances/c1/snapshots/snap0',
      'GET /1.0/operations/op-delete/wait',
      'POST /1.0/instances/c1/snapshots',
      'GET /1.0/operations/op-snap/wait',
    ]);
    expect((await t.cube(['snapshot', 'c1/snap0', 'snap1'])).stderr).toBe('Error: Invalid instance name: c1/snap0\n');
  });

  it('restore puts the instance back to a snapshot', async () => {
    expect(await t.cube(['restore', 'c1', 'snap0'])).toMatchObject({ code: 0, stdout: '' });
    await t.cube(['restore', 'c1', 'c1/snap0', '--stateful']);
    expect(t.fake.sequence).toEqual([
      'PUT /1.0/instances/c1',
      'GET /1.0/operations/op-restore/wait',
      'PUT /1.0/instances/c1',
      'GET /1.0/operations/op-restore/wait',
    ]);
    expect(t.fake.requests[0].body).toEqual({
      architecture: '',
      config: null,
      devices: null,
      ephemeral: false,
      profiles: null,
      restore: 'c1/snap0',
      stateful: false,
      description: '',
    });
    expect(t.fake.requests[2].body).toMatchObject({ restore: 'c1/snap0', stateful: true });
  });

  it('delete <instance>/<snapshot> deletes the snapshot after checking it exists', async () => {
    expect(await t.cube(['delete', 'c1/snap0'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(t.fake.sequence).toEqual([
      'GET /1.0/instances/c1/snapshots/snap0',
      'DELETE /1.0/instances/c1/snapshots/snap0',
      'GET /1.0/operations/op-delete/wait',
    ]);
    t.fake.on('GET', '/1.0/instances/c1/snapshots/snap9', lxdError(404, 'Snapshot not found'));
    expect(await t.cube(['rm', 'c1/snap9'])).toMatchObject({
      code: 1,
      stderr: 'Error: Failed checking instance snapshot exists "local:c1/snap9": Snapshot not found\n',
    });
  });

  it('reports a failed snapshot operation', async () => {
    t.fake.on('GET', '/1.0/operations/op-snap/wait', sync({ id: 'op-snap', status: 'Failure', err: 'No space left' }));
    expect(await t.cube(['snapshot', 'c1'])).toMatchObject({ code: 1, stderr: 'Error: No space left\n' });
  });
});
