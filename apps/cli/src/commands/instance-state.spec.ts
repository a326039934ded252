import { asyncOperation, lxdError, sync } from '../../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../../test/cube-env';

const instance = (name: string, status: string, status_code: number, extra: Record<string, unknown> = {}) => ({
  name,
  status,
  status_code,
  ...extra,
});

describe('cube start, stop, restart, pause and delete', () => {
  let t: CubeEnv;
  beforeEach(async () => {
    t = await startCubeEnv();
    t.fake
      .on('GET', '/1.0/instances/c1', sync(instance('c1', 'Stopped', 102)))
      .on('GET', '/1.0/instances/c2', sync(instance('c2', 'Frozen', 110)))
      .on('PUT', '/1.0/instances/c1/state', asyncOperation({ id: 'op1' }))
      .on('PUT', '/1.0/instances/c2/state', asyncOperation({ id: 'op2' }))
      .on('GET', '/1.0/operations/op1/wait', sync({ id: 'op1', status: 'Success', status_code: 200 }))
      .on('GET', '/1.0/operations/op2/wait', sync({ id: 'op2', status: 'Success', status_code: 200 }));
  });
  afterEach(() => t.close());

  it('start sends the start action, and unfreezes a frozen instance', async () => {
    expect(await t.cube(['start', 'c1', 'c2'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const puts = t.fake.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => [r.path, r.body])).toEqual(
      expect.arrayContaining([
        ['/1.0/instances/c1/state', { action: 'start', timeout: -1, force: false, stateful: false }],
        ['/1.0/instances/c2/state', { action: 'unfreeze', timeout: -1, force: false, stateful: false }],
      ]),
    );
  });

  it('stop, restart and pause send their actions with --force, --timeout and --stateful', async () => {
    await t.cube(['stop', 'c1', '-f', '--timeout', '30', '--stateful']);
    await t.cube(['restart', 'c1', '--timeout', '10']);
    await t.cube(['pause', 'c1']);
    const bodies = t.fake.requests.filter((r) => r.method === 'PUT').map((r) => r.body);
    expect(bodies).toEqual([
      { action: 'stop', timeout: 30, force: true, stateful: true },
      { action: 'restart', timeout: 10, force: false, stateful: false },
      { action: 'freeze', timeout: -1, force: false, stateful: false },
    ]);
  });

  it('reports a failed action with the hint of lxc, and lists the failures of a batch', async () => {
    t.fake.on('GET', '/1.0/operations/op1/wait', sync({ id: 'op1', status: 'Failure', err: 'Failed to start' }));
    expect(await t.cube(['start', 'c1'])).toMatchObject({
      code: 1,
      stderr: 'Error: Failed to start\nTry `cube info --show-log c1` for more info\n',
    });
    const r = await t.cube(['stop', 'c1', 'c2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'c1: error: Failed to start\nc1: Try `cube info --show-log c1` for more info\n\nError: Some instances failed to stop\n',
    );
  });

  it('--all uses the bulk API when the server has it, else acts on each instance that needs it', async () => {
    t.fake
      .on('GET', '/1.0', sync({ api_extensions: ['instance_bulk_state_change'] }))
      .on('PUT', '/1.0/instances', asyncOperation({ id: 'op1' }));
    expect((await t.cube(['stop', '--all'])).code).toBe(0);
    expect(t.fake.sequence).toEqual(['GET /1.0', 'PUT /1.0/instances', 'GET /1.0/operations/op1/wait']);
    expect(t.fake.requests[1].body).toEqual({ state: { action: 'stop', timeout: -1, force: false, stateful: false } });

    t.fake
      .on('GET', '/1.0', sync({ api_extensions: [] }))
      .on('GET', '/1.0/instances', sync([instance('c1', 'Stopped', 102), instance('c2', 'Running', 103)]));
    const before = t.fake.requests.length;
    expect((await t.cube(['start', '--all'])).code).toBe(0);
    expect(t.fake.sequence.slice(before)).toEqual([
      'GET /1.0',
      'GET /1.0/instances?recursion=1',
      'GET /1.0/instances/c1',
      'PUT /1.0/instances/c1/state',
      'GET /1.0/operations/op1/wait',
    ]);
    expect((await t.cube(['start', '--all', 'c1'])).stderr).toBe('Error: Both --all and instance name given\n');
  });

  it('delete removes a stopped instance, and a running one only with --force (stopping it first)', async () => {
    t.fake
      .on('DELETE', '/1.0/instances/c1', asyncOperation({ id: 'op1' }))
      .on('GET', '/1.0/instances/c3', sync(instance('c3', 'Running', 103)))
      .on('PUT', '/1.0/instances/c3/state', asyncOperation({ id: 'op2' }))
      .on('DELETE', '/1.0/instances/c3', asyncOperation({ id: 'op1' }))
      .on('GET', '/1.0/instances/ghost', lxdError(404, 'Instance not found'));
    expect(await t.cube(['delete', 'c1'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await t.cube(['delete', 'c3'])).toMatchObject({
      code: 1,
      stderr: 'Error: The instance is currently running, stop it first or pass --force\n',
    });
    const before = t.fake.requests.length;
    expect((await t.cube(['rm', '-f', 'c3'])).code).toBe(0);
    expect(t.fake.sequence.slice(before)).toEqual([
      'GET /1.0/instances/c3',
      'GET /1.0/instances/c3',
      'PUT /1.0/instances/c3/state',
      'GET /1.0/operations/op2/wait',
      'DELETE /1.0/instances/c3',
      'GET /1.0/operations/op1/wait',
    ]);
    expect(t.fake.requests[before + 2].body).toEqual({ action: 'stop', timeout: -1, force: true, stateful: false });
    expect(await t.cube(['delete', 'c1', 'ghost'])).toMatchObject({
      code: 1,
      stderr: 'Error: Failed checking instance exists "local:ghost": Instance not found\n',
    });
  });

  it('delete -i asks first', async () => {
    t.fake.on('DELETE', '/1.0/instances/c1', asyncOperation({ id: 'op1' }));
    expect(await t.cube(['delete', '-i', 'c1'], { stdin: 'no\n' })).toMatchObject({
      code: 1,
      stdout: 'Remove c1 (yes/no): ',
      stderr: 'Error: User aborted delete operation\n',
    });
    expect((await t.cube(['delete', '-i', 'c1'], { stdin: 'yes\n' })).code).toBe(0);
    expect(t.fake.sequence).toContain('DELETE /1.0/instances/c1');
  });
});
