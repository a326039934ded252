import { asyncOperation, lxdError, sync } from '../../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../../test/cube-env';
import {
  CLUSTER,
  CLUSTER_MEMBER_N1,
  CLUSTER_MEMBERS,
  CREATE_OPERATION_DONE,
  CREATE_OPERATION_FAILED,
  JOIN_TOKEN_OPERATION,
  OPERATIONS_WITH_TOKEN,
} from '../../test/lxd-fixtures';

/** `lxc cluster list` of LXD 5.0.2 on the captured cluster. */
const LXC_TABLE = [
  '+------+-------------------------+------------------+--------------+----------------+-------------+--------+-------------------+',
  '| NAME |           URL           |      ROLES       | ARCHITECTURE | FAILURE DOMAIN | DESCRIPTION | STATE  |      MESSAGE      |',
  '+------+-------------------------+------------------+--------------+----------------+-------------+--------+-------------------+',
  '| n1   | https://10.210.0.1:8443 | database         | x86_64       | default        |             | ONLINE | Fully operational |',
  '+------+-------------------------+------------------+--------------+----------------+-------------+--------+-------------------+',
  '| n2   | https://10.210.0.2:8443 | database-standby | x86_64       | default        |             | ONLINE | Fully operational |',
  '+------+-------------------------+------------------+--------------+----------------+-------------+--------+-------------------+',
  '| n3   | https://10.210.0.3:8443 | database         | x86_64       | default        |             | ONLINE | Fully operational |',
  '+------+-------------------------+------------------+--------------+----------------+-------------+--------+-------------------+',
  '| n4   | https://10.210.0.4:8443 | database-leader  | x86_64       | default        |             | ONLINE | Fully operational |',
  '|      |                         | database         |              |                |             |        |                   |',
  '+------+-------------------------+------------------+--------------+----------------+-------------+--------+-------------------+',
];

/** LXC_TABLE with a column inserted after ROLES: `cells` gives its header and the cell of each text line. */
function withColumnAfterRoles(cells: string[]): string {
  return (
    LXC_TABLE.map((line, i) => {
      const end = nthIndexOf(line, line[0], 4);
      return line.slice(0, end + 1) + cells[i] + line.slice(end + 1);
    }).join('\n') + '\n'
  );
}

function nthIndexOf(text: string, c: string, n: number): number {
  let at = -1;
  for (let k = 0; k < n; k++) at = text.indexOf(c, at + 1);
  return at;
}

const BORDER = '----------+';
const TOKEN_JSON = {
  server_name: 'nX',
  fingerprint: 'ca4b84caf235e1e4acb66cd3fb4e6b366e4749fc2eb3ae47d99881058767408f',
  addresses: ['10.210.0.1:8443', '10.210.0.2:8443', '10.210.0.3:8443', '10.210.0.4:8443'],
  secret: '25375a56c64e2c012ad169a8a64014f9de0e574dc24bb88e5a496c3a611c4097',
  expires_at: '2026-11-23T14:58:56.078571972Z',
};
const TOKEN = Buffer.from(JSON.stringify(TOKEN_JSON)).toString('base64');

describe('cube cluster', () => {
  let t: CubeEnv;
  beforeEach(async () => {
    t = await startCubeEnv();
  });
  afterEach(() => t.close());

  describe('list', () => {
    beforeEach(() => {
      t.fake
        .on('GET', '/1.0/cluster', sync(CLUSTER, { etag: 'c1' }))
        .on('GET', '/1.0/cluster/members', sync(CLUSTER_MEMBERS));
    });

    it("prints lxc's table with a DATABASE column (YES for voters and stand-bys) after ROLES", async () => {
      const r = await t.cube(['cluster', 'list']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(t.fake.sequence).toEqual(['GET /1.0/cluster', 'GET /1.0/cluster/members?recursion=1']);
      const cells = [
        BORDER,
        ' DATABASE |',
        BORDER,
        ' YES      |',
        BORDER,
        ' YES      |',
        BORDER,
        ' YES      |',
        BORDER,
        ' YES      |',
        '          |',
        BORDER,
      ];
      expect(r.stdout).toBe(withColumnAfterRoles(cells));
    });

    it('shows NO for a member that holds no database (a spare) and sorts members by name', async () => {
      const spare = {
        ...CLUSTER_MEMBERS[0],
        server_name: 'n10',
        roles: [],
        database: false,
        status: 'Offline',
        message: 'No heartbeat',
      };
      t.fake.on('GET', '/1.0/cluster/members', sync([spare, CLUSTER_MEMBERS[1]]));
      const r = await t.cube(['cluster', 'list', '--format', 'csv']);
      expect(r.stdout).toBe(
        'n2,https://10.210.0.2:8443,database-standby,YES,x86_64,default,,ONLINE,Fully operational\n' +
          'n10,https://10.210.0.1:8443,,NO,x86_64,default,,OFFLINE,No heartbeat\n',
      );
    });

    it('joins roles with a comma in csv', async () => {
      const r = await t.cube(['cluster', 'list', '-f', 'csv']);
      expect(r.stdout.split('\n')[3]).toBe(
        'n4,https://10.210.0.4:8443,"database-leader,database",YES,x86_64,default,,ONLINE,Fully operational',
      );
    });

    it('prints the members as JSON and YAML in the API field order', async () => {
      const json = await t.cube(['cluster', 'list', '--format', 'json']);
      expect(JSON.parse(json.stdout)).toEqual(CLUSTER_MEMBERS);
      expect(
        json.stdout.startsWith(
          '[{"roles":["database"],"failure_domain":"default","description":"","config":{},"groups":["default"],"server_name":"n1",',
        ),
      ).toBe(true);
      const yaml = await t.cube(['cluster', 'list', '--format', 'yaml']);
      expect(yaml.stdout.split('\n').slice(0, 15)).toEqual([
        '- roles:',
        '  - database',
        '  failure_domain: default',
        '  description: ""',
        '  config: {}',
        '  groups:',
        '  - default',
        '  server_name: n1',
        '  url: https://10.210.0.1:8443',
        '  database: true',
        '  status: Online',
        '  message: Fully operational',
        '  architecture: x86_64',
        '- roles:',
        '  - database-standby',
      ]);
    });

    it('refuses a server that is not clustered, in lxc words', async () => {
      t.fake.on('GET', '/1.0/cluster', sync({ server_name: '', enabled: false, member_config: null }));
      const r = await t.cube(['cluster', 'list']);
      expect(r).toMatchObject({ code: 1, stdout: '', stderr: "Error: LXD server isn't part of a cluster\n" });
      expect(t.fake.sequence).toEqual(['GET /1.0/cluster']);
    });

    it('rejects an unknown format after fetching, as lxc does', async () => {
      const r = await t.cube(['cluster', 'list', '--format', 'xml']);
      expect(r).toMatchObject({ code: 1, stderr: 'Error: Invalid format "xml"\n' });
    });
  });

  it('show prints the member as YAML', async () => {
    t.fake.on('GET', '/1.0/cluster/members/n1', sync(CLUSTER_MEMBER_N1, { etag: 'm1' }));
    const r = await t.cube(['cluster', 'show', 'n1']);
    expect(r.stdout).toBe(
      [
        'roles:',
        '- database',
        'failure_domain: default',
        'description: ""',
        'config: {}',
        'groups:',
        '- default',
        'server_name: n1',
        'url: https://10.210.0.1:8443',
        'database: true',
        'status: Online',
        'message: Fully operational',
        'architecture: x86_64',
        '',
      ].join('\n'),
    );
    const missing = await t.cube(['cluster', 'show', 'n9']);
    expect(missing).toMatchObject({ code: 1, stderr: 'Error: not found\n' });
  });

  describe('member configuration', () => {
    const member = { ...CLUSTER_MEMBER_N1, config: { 'scheduler.instance': 'manual' } };
    beforeEach(() => {
      t.fake
        .on('GET', '/1.0/cluster/members/n1', sync(member, { etag: 'etag-n1' }))
        .on('PUT', '/1.0/cluster/members/n1', sync({}));
    });

    it('get prints a key, and names a missing one', async () => {
      expect((await t.cube(['cluster', 'get', 'n1', 'scheduler.instance'])).stdout).toBe('manual\n');
      const r = await t.cube(['cluster', 'get', 'n1', 'user.x']);
      expect(r).toMatchObject({ code: 1, stderr: 'Error: The key "user.x" does not exist on cluster member "n1"\n' });
    });

    it('set PUTs the writable member with the new keys and the ETag it read', async () => {
      const r = await t.cube(['cluster', 'set', 'n1', 'user.a=1', 'user.b=two words']);
      expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
      const put = t.fake.requests[1];
      expect(put).toMatchObject({ method: 'PUT', path: '/1.0/cluster/members/n1' });
      expect(put.headers['if-match']).toBe('"etag-n1"');
      expect(put.body).toEqual({
        roles: ['database'],
        failure_domain: 'default',
        description: '',
        config: { 'scheduler.instance': 'manual', 'user.a': '1', 'user.b': 'two words' },
        groups: ['default'],
      });
      await t.cube(['cluster', 'set', 'n1', 'user.c', 'x=y']);
      expect((t.fake.requests[3].body as { config: object }).config).toEqual({
        'scheduler.instance': 'manual',
        'user.c': 'x=y',
      });
    });

    it('unset sets the key to the empty string, as lxc does', async () => {
      await t.cube(['cluster', 'unset', 'n1', 'scheduler.instance']);
      expect((t.fake.requests[1].body as { config: object }).config).toEqual({ 'scheduler.instance': '' });
    });

    it('refuses an argument that is not key=value', async () => {
      const r = await t.cube(['cluster', 'set', 'n1', 'a=1', 'b']);
      expect(r).toMatchObject({ code: 1, stderr: 'Error: Invalid key=value configuration: b\n' });
    });

    it('role add and remove change the roles with the ETag', async () => {
      expect((await t.cube(['cluster', 'role', 'add', 'n1', 'event-hub, ovn-chassis'])).code).toBe(0);
      expect(t.fake.requests[1].body).toMatchObject({ roles: ['database', 'event-hub', 'ovn-chassis'] });
      expect(t.fake.requests[1].headers['if-match']).toBe('"etag-n1"');
      expect((await t.cube(['cluster', 'role', 'remove', 'n1', 'database'])).code).toBe(0);
      expect(t.fake.requests[3].body).toMatchObject({ roles: [] });
      const dup = await t.cube(['cluster', 'role', 'add', 'n1', 'database']);
      expect(dup).toMatchObject({ code: 1, stderr: 'Error: Member "n1" already has role "database"\n' });
      const absent = await t.cube(['cluster', 'role', 'remove', 'n1', 'event-hub']);
      expect(absent).toMatchObject({ code: 1, stderr: 'Error: Member "n1" does not have role "event-hub"\n' });
    });
  });

  describe('edit', () => {
    const yaml =
      'roles:\n- database\nfailure_domain: rack2\ndescription: edited\nconfig:\n  user.n: 2\ngroups:\n- default\n';

    it('reads YAML from standard input when it is not a terminal and PUTs it without an ETag', async () => {
      t.fake.on('PUT', '/1.0/cluster/members/n1', sync({}));
      const r = await t.cube(['cluster', 'edit', 'n1'], { stdin: yaml });
      expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
      expect(t.fake.sequence).toEqual(['PUT /1.0/cluster/members/n1']);
      expect(t.fake.requests[0].headers['if-match']).toBeUndefined();
      expect(t.fake.requests[0].body).toEqual({
        roles: ['database'],
        failure_domain: 'rack2',
        description: 'edited',
        config: { 'user.n': '2' },
        groups: ['default'],
      });
    });

    it('round-trips show | edit', async () => {
      t.fake
        .on('GET', '/1.0/cluster/members/n1', sync(CLUSTER_MEMBER_N1))
        .on('PUT', '/1.0/cluster/members/n1', sync({}));
      const shown = await t.cube(['cluster', 'show', 'n1']);
      await t.cube(['cluster', 'edit', 'n1'], { stdin: shown.stdout });
      expect(t.fake.requests[1].body).toEqual({
        roles: ['database'],
        failure_domain: 'default',
        description: '',
        config: {},
        groups: ['default'],
      });
    });

    it('on a terminal opens the editor on the writable member and PUTs the result with If-Match', async () => {
      t.fake
        .on('GET', '/1.0/cluster/members/n1', sync(CLUSTER_MEMBER_N1, { etag: 'e1' }))
        .on('PUT', '/1.0/cluster/members/n1', sync({}));
      const r = await t.cube(['cluster', 'edit', 'n1'], {
        tty: true,
        editor: (text) => text.replace('description: ""', 'description: from editor'),
      });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.edited).toEqual([
        "### This is a yaml representation of the cluster member.\n### Any line starting with a '# will be ignored.\n\n" +
          'roles:\n- database\nfailure_domain: default\ndescription: ""\nconfig: {}\ngroups:\n- default\n',
      ]);
      expect(t.fake.requests[1].headers['if-match']).toBe('"e1"');
      expect(t.fake.requests[1].body).toMatchObject({ description: 'from editor' });
    });

    it('reopens the editor after an error and stops at the end of input', async () => {
      let puts = 0;
      t.fake
        .on('GET', '/1.0/cluster/members/n1', sync(CLUSTER_MEMBER_N1, { etag: 'e1' }))
        .on('PUT', '/1.0/cluster/members/n1', () =>
          ++puts === 1 ? lxdError(412, "ETag doesn't match: e2 vs e1") : sync({}),
        );
      const r = await t.cube(['cluster', 'edit', 'n1'], { tty: true, stdin: '\n', editor: (text) => text });
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("Config parsing error: ETag doesn't match: e2 vs e1\n");
      expect(r.stdout).toBe('Press enter to open the editor again or ctrl+c to abort change\n');
      expect(r.edited).toHaveLength(2);
      expect(puts).toBe(2);

      const bad = await t.cube(['cluster', 'edit', 'n1'], { tty: true, editor: () => 'roles: {a: b}\n' });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toBe(
        'Config parsing error: yaml: unmarshal errors:\n  line 1: cannot unmarshal !!map into []string\n' +
          'Error: yaml: unmarshal errors:\n  line 1: cannot unmarshal !!map into []string\n',
      );
    });
  });

  it('rename POSTs the new name', async () => {
    t.fake.on('POST', '/1.0/cluster/members/n4', sync({}));
    const r = await t.cube(['cluster', 'rename', 'n4', 'n5']);
    expect(r).toMatchObject({ code: 0, stdout: 'Member n4 renamed to n5\n' });
    expect(t.fake.requests[0].body).toEqual({ server_name: 'n5' });
    expect((await t.cube(['-q', 'cluster', 'rename', 'n4', 'n5'])).stdout).toBe('');
  });

  describe('remove', () => {
    it('DELETEs the member and waits for an async answer (the operation URL loses its query before /wait)', async () => {
      const op = { ...CREATE_OPERATION_DONE, id: 'op-rm', description: 'Removing member' };
      t.fake.on(
        'DELETE',
        '/1.0/cluster/members/n4',
        asyncOperation({ ...op, status: 'Running', status_code: 103 }, '/1.0/operations/op-rm?project=default'),
      );
      t.fake.on('GET', '/1.0/operations/op-rm/wait', sync(op));
      const r = await t.cube(['cluster', 'remove', 'n4']);
      expect(r).toMatchObject({ code: 0, stdout: 'Member n4 removed\n', stderr: '' });
      expect(t.fake.sequence).toEqual(['DELETE /1.0/cluster/members/n4', 'GET /1.0/operations/op-rm/wait']);
    });

    it('reports the error of a failed operation', async () => {
      t.fake.on(
        'DELETE',
        '/1.0/cluster/members/n4',
        asyncOperation({ ...CREATE_OPERATION_FAILED, status: 'Running', status_code: 103 }),
      );
      t.fake.on('GET', `/1.0/operations/${CREATE_OPERATION_FAILED.id}/wait`, sync(CREATE_OPERATION_FAILED));
      const r = await t.cube(['cluster', 'remove', 'n4']);
      expect(r).toMatchObject({ code: 1, stdout: '', stderr: `Error: ${CREATE_OPERATION_FAILED.err}\n` });
    });

    it('asks before a forced removal and sends force=1 only on yes', async () => {
      t.fake.on('DELETE', '/1.0/cluster/members/n4', sync({}));
      const no = await t.cube(['cluster', 'remove', 'n4', '--force'], { stdin: 'no\n' });
      expect(no.code).toBe(1);
      expect(no.stdout).toContain(
        'Forcefully removing a server from the cluster should only be done as a last\nresort.\n',
      );
      expect(no.stdout.endsWith('Are you really sure you want to force removing n4? (yes/no): ')).toBe(true);
      expect(no.stderr).toBe('Error: User aborted delete operation\n');
      expect(t.fake.requests).toHaveLength(0);

      const yes = await t.cube(['cluster', 'remove', 'n4', '--force'], { stdin: 'YES\n' });
      expect(yes.code).toBe(0);
      expect(t.fake.sequence).toEqual(['DELETE /1.0/cluster/members/n4?force=1']);

      const unattended = await t.cube(['cluster', 'rm', 'n4', '-f', '--yes']);
      expect(unattended).toMatchObject({ code: 0, stdout: 'Member n4 removed\n' });
    });
  });

  describe('join tokens', () => {
    it('add prints the base64 JSON token built from the operation metadata', async () => {
      t.fake.on('POST', '/1.0/cluster/members', asyncOperation(JOIN_TOKEN_OPERATION));
      const r = await t.cube(['cluster', 'add', 'nX']);
      expect(r).toMatchObject({ code: 0, stderr: '', stdout: `Member nX join token:\n${TOKEN}\n` });
      expect(t.fake.sequence).toEqual(['POST /1.0/cluster/members']);
      expect(t.fake.requests[0].body).toEqual({ server_name: 'nX' });
      expect(JSON.parse(Buffer.from(r.stdout.split('\n')[1], 'base64').toString())).toEqual(TOKEN_JSON);
    });

    it('add asks for the name when none is given', async () => {
      t.fake.on('POST', '/1.0/cluster/members', asyncOperation(JOIN_TOKEN_OPERATION));
      const r = await t.cube(['cluster', 'add', 'local:'], { stdin: '\nnX\n' });
      expect(r.stdout).toBe(
        `Please provide cluster member name: Please provide cluster member name: Member nX join token:\n${TOKEN}\n`,
      );
      expect(r.stderr).toBe('Invalid input, try again.\n\n');
      const named = await t.cube(['cluster', 'add', '--name', 'nX', 'local:']);
      expect(named.code).toBe(0);
    });

    it('add reports an operation that is not a join token', async () => {
      t.fake.on(
        'POST',
        '/1.0/cluster/members',
        asyncOperation({ ...JOIN_TOKEN_OPERATION, metadata: { serverName: 'nX' } }),
      );
      const r = await t.cube(['cluster', 'add', 'nX']);
      expect(r.stderr).toBe(
        'Error: Failed converting token operation to join token: Operation secret is type <nil> not string\n',
      );
    });

    it('list-tokens shows the running token operations', async () => {
      t.fake.on('GET', '/1.0/cluster', sync(CLUSTER)).on('GET', '/1.0/operations', sync(OPERATIONS_WITH_TOKEN));
      const r = await t.cube(['cluster', 'list-tokens', '--format', 'csv']);
      expect(r).toMatchObject({ code: 0, stderr: '', stdout: `nX,${TOKEN},2026/11/23 14:58 UTC\n` });
      expect(t.fake.sequence).toEqual(['GET /1.0/cluster', 'GET /1.0/operations?recursion=1']);
      const json = await t.cube(['cluster', 'list-tokens', '--format', 'json']);
      expect(json.stdout).toBe(`[{"ServerName":"nX","Token":"${TOKEN}","ExpiresAt":"2026/11/23 14:58 UTC"}]\n`);
      const yaml = await t.cube(['cluster', 'list-tokens', '--format', 'yaml']);
      expect(yaml.stdout).toBe(`- servername: nX\n  token: ${TOKEN}\n  expiresat: 2026/11/23 14:58 UTC\n`);
    });

    it('revoke-token deletes the token operation of the member', async () => {
      t.fake
        .on('GET', '/1.0/cluster', sync(CLUSTER))
        .on('GET', '/1.0/operations', sync(OPERATIONS_WITH_TOKEN))
        .on('DELETE', '/1.0/operations/bac1dca5-46a0-4077-8424-348b6c44e6d6', sync({}));
      const r = await t.cube(['cluster', 'revoke-token', 'nX']);
      expect(r).toMatchObject({ code: 0, stdout: 'Cluster join token for local:nX deleted\n' });
      expect(t.fake.sequence[2]).toBe('DELETE /1.0/operations/bac1dca5-46a0-4077-8424-348b6c44e6d6');
      const none = await t.cube(['cluster', 'revoke-token', 'nY']);
      expect(none).toMatchObject({ code: 1, stderr: 'Error: No cluster join token for member nY on remote: local\n' });
    });
  });
});
