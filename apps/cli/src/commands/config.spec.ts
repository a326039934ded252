import * as fs from 'node:fs';
import { asyncOperation, lxdError, sync } from '../../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../../test/cube-env';
import { CERTIFICATES, SERVER } from '../../test/lxd-fixtures';

describe('cube config', () => {
  let t: CubeEnv;
  beforeEach(async () => {
    t = await startCubeEnv();
    t.fake.on('GET', '/1.0', sync(SERVER, { etag: 'srv-etag' })).on('PUT', '/1.0', sync({}));
  });
  afterEach(() => t.close());

  it('show prints the server config as YAML (a hidden trust password shows as true)', async () => {
    const r = await t.cube(['config', 'show']);
    expect(r.stdout).toBe(
      'config:\n  cluster.https_address: 10.210.0.1:8443\n  cluster.max_standby: "0"\n  core.https_address: 10.210.0.1:8443\n  core.trust_password: true\n',
    );
    expect(t.fake.sequence).toEqual(['GET /1.0']);
  });

  it('get prints a value, true for the hidden password and nothing for a missing key', async () => {
    expect((await t.cube(['config', 'get', 'core.https_address'])).stdout).toBe('10.210.0.1:8443\n');
    expect((await t.cube(['config', 'get', 'core.trust_password'])).stdout).toBe('true\n');
    expect((await t.cube(['config', 'get', 'local:', 'user.none'])).stdout).toBe('\n');
  });

  it('set PUTs the whole config with the new key and If-Match, as lxc 5.0.2 does', async () => {
    const r = await t.cube(['config', 'set', 'user.a', 'hello world']);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(t.fake.sequence).toEqual(['GET /1.0', 'PUT /1.0']);
    expect(t.fake.requests[1].headers['if-match']).toBe('"srv-etag"');
    expect(t.fake.requests[1].body).toEqual({
      config: {
        'cluster.https_address': '10.210.0.1:8443',
        'cluster.max_standby': '0',
        'core.https_address': '10.210.0.1:8443',
        'core.trust_password': true,
        'user.a': 'hello world',
      },
    });
  });

  it('set takes key=value pairs and a remote prefix; unset sets the empty string', async () => {
    await t.cube(['config', 'set', 'local:', 'user.a=1', 'user.b=2']);
    expect((t.fake.requests[1].body as { config: object }).config).toMatchObject({ 'user.a': '1', 'user.b': '2' });
    await t.cube(['config', 'unset', 'cluster.max_standby']);
    expect((t.fake.requests[3].body as { config: object }).config).toMatchObject({ 'cluster.max_standby': '' });
    await t.cube(['config', 'unset', 'local:', 'user.x']);
    expect((t.fake.requests[5].body as { config: object }).config).toMatchObject({ 'user.x': '' });
  });

  it('set reads a value of - from standard input', async () => {
    await t.cube(['config', 'set', 'user.motd', '-'], { stdin: 'line 1\nline 2\n' });
    expect((t.fake.requests[1].body as { config: object }).config).toMatchObject({ 'user.motd': 'line 1\nline 2\n' });
  });

  it('--target asks a member and needs a cluster', async () => {
    await t.cube(['config', 'set', 'core.https_address', ':9443', '--target', 'n2']);
    expect(t.fake.sequence).toEqual(['GET /1.0?target=n2', 'PUT /1.0?target=n2']);
    t.fake.on('GET', '/1.0', sync({ ...SERVER, environment: { ...SERVER.environment, server_clustered: false } }));
    const r = await t.cube(['config', 'show', '--target', 'n2']);
    expect(r).toMatchObject({ code: 1, stderr: 'Error: To use --target, the destination remote must be a cluster\n' });
  });

  it('reports the error of a rejected write', async () => {
    t.fake.on('PUT', '/1.0', lxdError(412, "ETag doesn't match: x vs srv-etag"));
    const r = await t.cube(['config', 'set', 'user.a=1']);
    expect(r).toMatchObject({ code: 1, stderr: "Error: ETag doesn't match: x vs srv-etag\n" });
  });

  describe('trust', () => {
    it('list shows the certificates with their subject and dates', async () => {
      t.fake.on('GET', '/1.0/certificates', sync(CERTIFICATES));
      const r = await t.cube(['config', 'trust', 'list']);
      expect(t.fake.sequence).toEqual(['GET /1.0/certificates?recursion=1']);
      expect(r.stdout).toBe(
        [
          '+--------+------+-------------+--------------+-------------------------------+-------------------------------+',
          '|  TYPE  | NAME | COMMON NAME | FINGERPRINT  |          ISSUE DATE           |          EXPIRY DATE          |',
          '+--------+------+-------------+--------------+-------------------------------+-------------------------------+',
          '| server | n1   | root@vm     | 005605e067cd | Nov 23, 2026 at 11:57am (UTC) | Nov 20, 2036 at 11:57am (UTC) |',
          '+--------+------+-------------+--------------+-------------------------------+-------------------------------+',
          '| server | n3   | root@vm     | 3c11c189f445 | Nov 23, 2026 at 11:57am (UTC) | Nov 20, 2036 at 11:57am (UTC) |',
          '+--------+------+-------------+--------------+-------------------------------+-------------------------------+',
          '',
        ].join('\n'),
      );
    });

    it('add without a certificate creates a token and prints it', async () => {
      const op = {
        id: 'cert-op',
        class: 'token',
        status: 'Running',
        status_code: 103,
        metadata: {
          request: {
            name: 'laptop',
            type: 'client',
            restricted: false,
            projects: null,
            certificate: '',
            password: '',
            token: true,
          },
          secret: 'f00d',
          fingerprint: 'ca4b84ca',
          addresses: ['10.210.0.1:8443'],
        },
      };
      t.fake.on('POST', '/1.0/certificates', asyncOperation(op));
      const r = await t.cube(['config', 'trust', 'add', '--name', 'laptop']);
      const token = {
        client_name: 'laptop',
        fingerprint: 'ca4b84ca',
        addresses: ['10.210.0.1:8443'],
        secret: 'f00d',
        expires_at: '0001-01-01T00:00:00Z',
      };
      expect(r).toMatchObject({
        code: 0,
        stderr: '',
        stdout: `Client laptop certificate add token:\n${Buffer.from(JSON.stringify(token)).toString('base64')}\n`,
      });
      expect(t.fake.requests[0].body).toEqual({
        name: 'laptop',
        type: 'client',
        restricted: false,
        projects: null,
        certificate: '',
        password: '',
        token: true,
      });
    });

    it('add with a certificate file sends it base64-encoded, named after the file', async () => {
      t.fake.on('POST', '/1.0/certificates', sync(null, { status: 201 }));
      const file = `${t.tmp}/laptop.crt`;
      fs.writeFileSync(file, CERTIFICATES[0].certificate);
      const r = await t.cube(['config', 'trust', 'add', file, '--projects', 'p1,p2', '--restricted']);
      expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
      const body = t.fake.requests[0].body as Record<string, unknown>;
      expect(body).toMatchObject({
        name: 'laptop.crt',
        type: 'client',
        restricted: true,
        projects: ['p1', 'p2'],
        token: false,
      });
      const pem = CERTIFICATES[0].certificate.replace(/-----[A-Z ]+-----|\n/g, '');
      expect(body.certificate).toBe(pem);
    });

    it('show, remove and a bad type', async () => {
      t.fake
        .on('GET', '/1.0/certificates/005605e067cd', sync(CERTIFICATES[0]))
        .on('DELETE', '/1.0/certificates/005605e067cd', sync({}));
      const shown = await t.cube(['config', 'trust', 'show', '005605e067cd']);
      expect(shown.stdout.split('\n').slice(0, 5)).toEqual([
        'name: n1',
        'type: server',
        'restricted: false',
        'projects: []',
        'certificate: |',
      ]);
      expect(
        shown.stdout.endsWith(
          '  -----END CERTIFICATE-----\nfingerprint: 005605e067cd27166ddde67d09993bcf34a4358494903439eb0bc509b3a745bd\n',
        ),
      ).toBe(true);
      expect((await t.cube(['config', 'trust', 'remove', '005605e067cd'])).code).toBe(0);
      expect(t.fake.sequence[1]).toBe('DELETE /1.0/certificates/005605e067cd');
      expect((await t.cube(['config', 'trust', 'add', '--type', 'admin'])).stderr).toBe(
        'Error: Unknown certificate type "admin"\n',
      );
    });
  });
});
