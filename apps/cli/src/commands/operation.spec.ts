import { sync } from '../../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../../test/cube-env';
import { CREATE_OPERATION_DONE, OPERATIONS_WITH_TOKEN, SERVER } from '../../test/lxd-fixtures';

describe('cube operation', () => {
  let t: CubeEnv;
  beforeEach(async () => {
    t = await startCubeEnv();
    t.fake.on('GET', '/1.0', sync(SERVER)).on('GET', '/1.0/operations', sync(OPERATIONS_WITH_TOKEN));
  });
  afterEach(() => t.close());

  it('list shows every operation sorted by ID, with LOCATION on a cluster', async () => {
    const r = await t.cube(['operation', 'list']);
    expect(t.fake.sequence).toEqual(['GET /1.0', 'GET /1.0/operations?recursion=1']);
    expect(r.stdout).toBe(
      [
        '+--------------------------------------+-------+---------------------+---------+------------+----------------------+----------+',
        '|                  ID                  | TYPE  |     DESCRIPTION     | STATUS  | CANCELABLE |       CREATED        | LOCATION |',
        '+--------------------------------------+-------+---------------------+---------+------------+----------------------+----------+',
        '| 2f817be8-d4dc-4f9d-a51c-b620bf2ea384 | TASK  | Deleting instance   | SUCCESS | NO         | 2026/11/23 11:58 UTC | n2       |',
        '+--------------------------------------+-------+---------------------+---------+------------+----------------------+----------+',
        '| 646f763a-0791-4d1e-9b1e-bda0ada76110 | TASK  | Creating instance   | FAILURE | NO         | 2026/11/23 11:58 UTC | n1       |',
        '+--------------------------------------+-------+---------------------+---------+------------+----------------------+----------+',
        '| bac1dca5-46a0-4077-8424-348b6c44e6d6 | TOKEN | Executing operation | RUNNING | YES        | 2026/11/23 11:58 UTC | n1       |',
        '+--------------------------------------+-------+---------------------+---------+------------+----------------------+----------+',
        '| ce3905d4-b5c5-4adb-b057-8c48e10ac21b | TASK  | Creating instance   | SUCCESS | NO         | 2026/11/23 11:58 UTC | n2       |',
        '+--------------------------------------+-------+---------------------+---------+------------+----------------------+----------+',
        '',
      ].join('\n'),
    );
  });

  it('list leaves LOCATION out on a server that is not clustered; an empty list keeps the header', async () => {
    t.fake
      .on('GET', '/1.0', sync({ ...SERVER, environment: { ...SERVER.environment, server_clustered: false } }))
      .on('GET', '/1.0/operations', sync({}));
    const r = await t.cube(['operation', 'list', '-f', 'compact']);
    expect(r.stdout).toBe('  ID  TYPE  DESCRIPTION  STATUS  CANCELABLE  CREATED  \n');
    expect((await t.cube(['operation', 'list', '-f', 'json'])).stdout).toBe('[]\n');
  });

  it('list --format yaml writes timestamps as plain YAML timestamps, like Go time.Time', async () => {
    t.fake.on('GET', '/1.0/operations', sync({ success: [CREATE_OPERATION_DONE] }));
    const r = await t.cube(['operation', 'list', '-f', 'yaml']);
    expect(r.stdout.split('\n').slice(0, 5)).toEqual([
      '- id: ce3905d4-b5c5-4adb-b057-8c48e10ac21b',
      '  class: task',
      '  description: Creating instance',
      '  created_at: 2026-11-23T11:58:54.488942281Z',
      '  updated_at: 2026-11-23T11:58:54.488942281Z',
    ]);
  });

  it('show prints the operation as YAML, a null metadata as {}', async () => {
    t.fake.on('GET', `/1.0/operations/${CREATE_OPERATION_DONE.id}`, sync(CREATE_OPERATION_DONE));
    const r = await t.cube(['operation', 'show', CREATE_OPERATION_DONE.id]);
    expect(r.stdout).toBe(
      [
        'id: ce3905d4-b5c5-4adb-b057-8c48e10ac21b',
        'class: task',
        'description: Creating instance',
        'created_at: 2026-11-23T11:58:54.488942281Z',
        'updated_at: 2026-11-23T11:58:54.488942281Z',
        'status: Success',
        'status_code: 200',
        'resources:',
        '  containers:',
        '  - /1.0/containers/api-c1',
        '  instances:',
        '  - /1.0/instances/api-c1',
        'metadata: {}',
        'may_cancel: false',
        'err: ""',
        'location: n2',
        '',
      ].join('\n'),
    );
  });

  it('delete cancels the operation', async () => {
    t.fake.on('DELETE', '/1.0/operations/bac1', sync({}));
    const r = await t.cube(['operation', 'delete', 'bac1']);
    expect(r).toMatchObject({ code: 0, stdout: 'Operation bac1 deleted\n' });
    expect(t.fake.sequence).toEqual(['DELETE /1.0/operations/bac1']);
    expect((await t.cube(['operation', 'list', 'local:x'])).stderr).toBe("Error: Filtering isn't supported yet\n");
  });
});
