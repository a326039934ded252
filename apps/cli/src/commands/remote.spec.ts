import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lxdError, sync, type RecordedRequest } from '../../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../../test/cube-env';
import { CLUSTER, CLUSTER_MEMBERS, SERVER } from '../../test/lxd-fixtures';
import { serverIdentity, type ServerIdentity } from '../../test/server-identity';

const GENERATING = 'Generating a client certificate. This may take a minute...\n';

function fingerprintOf(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

function certificateAddToken(fields: { fingerprint: string; addresses: string[]; secret?: string }): string {
  const token = {
    client_name: 'cube-test',
    fingerprint: fields.fingerprint,
    addresses: fields.addresses,
    secret: fields.secret ?? 'b1e7c0ffee',
    expires_at: '2026-11-23T14:58:56.078571972Z',
  };
  return Buffer.from(JSON.stringify(token)).toString('base64');
}

/** The secret inside a certificate add token, as the daemon reads it from the password. */
function secretOf(password: string | undefined): string | undefined {
  try {
    return (JSON.parse(Buffer.from(password ?? '', 'base64').toString()) as { secret?: string }).secret;
  } catch {
    return undefined;
  }
}

describe('cube remote', () => {
  let identity: ServerIdentity;
  let other: ServerIdentity;
  let t: CubeEnv;
  let trusted: Set<string>;
  let conf: string;

  beforeAll(async () => {
    identity = await serverIdentity();
    other = await serverIdentity('root@elsewhere');
  });

  beforeEach(async () => {
    t = await startCubeEnv(identity);
    conf = t.env.CUBE_CONF!;
    trusted = new Set();
    const auth = (req: RecordedRequest) =>
      req.via === 'unix' || trusted.has(req.clientFingerprint ?? '') ? 'trusted' : 'untrusted';
    t.fake
      .on('GET', '/1.0', (req) => sync({ ...SERVER, auth: auth(req) }, { etag: 'srv' }))
      .on('GET', '/1.0/projects', sync(['/1.0/projects/default']))
      .on('GET', '/1.0/cluster', sync(CLUSTER))
      .on('GET', '/1.0/cluster/members', (req) =>
        auth(req) === 'trusted' ? sync(CLUSTER_MEMBERS) : lxdError(403, 'not authorized'),
      )
      .on('POST', '/1.0/certificates', (req) => {
        const body = req.body as { password?: string };
        if (body.password !== 's3cret' && secretOf(body.password) !== 'b1e7c0ffee')
          return lxdError(403, 'not authorized');
        trusted.add(req.clientFingerprint!);
        return sync(null, { status: 201 });
      });
  });
  afterEach(() => t.close());

  /** The token the fake daemon accepts: its own fingerprint and HTTPS address. */
  const tokenFor = () =>
    certificateAddToken({ fingerprint: identity.fingerprint, addresses: ['127.0.0.1:1', t.fake.httpsHostPort] });
  const clientFingerprint = () => fingerprintOf(fs.readFileSync(path.join(conf, 'client.crt'), 'utf8'));
  const configFile = () => fs.readFileSync(path.join(conf, 'config.yml'), 'utf8');

  describe('add with a certificate add token', () => {
    it('checks the server certificate against the token, pins it and trusts the client certificate with the token', async () => {
      const token = tokenFor();
      const r = await t.cube(['remote', 'add', 'r1', token]);
      expect(r).toMatchObject({ code: 0, stdout: '', stderr: GENERATING });

      expect(t.fake.sequence).toEqual(['GET /1.0', 'POST /1.0/certificates', 'GET /1.0/projects']);
      expect(t.fake.requests.every((q) => q.via === 'https' && q.clientFingerprint === clientFingerprint())).toBe(true);
      expect(t.fake.requests[1].body).toEqual({
        name: '',
        type: '',
        restricted: false,
        projects: null,
        certificate: '',
        password: token,
        token: false,
      });
      expect(t.fake.requests[0].headers['user-agent']).toMatch(/^Cube \S+ \(Linux; \S+\)$/);

      expect(fingerprintOf(fs.readFileSync(path.join(conf, 'servercerts', 'r1.crt'), 'utf8'))).toBe(
        identity.fingerprint,
      );
      expect(configFile()).toBe(
        [
          'default-remote: local',
          'remotes:',
          '  local:',
          '    addr: unix://',
          '    public: false',
          '  r1:',
          `    addr: ${t.fake.httpsAddress}`,
          '    project: default',
          '    protocol: lxd',
          '    public: false',
          'aliases: {}',
          '',
        ].join('\n'),
      );

      const connections = t.fake.connectionsSeen;
      const list = await t.cube(['cluster', 'list', 'r1:', '--format', 'csv']);
      expect(t.fake.connectionsSeen - connections).toBe(1);
      expect(list.stderr).toBe('');
      expect(list.stdout.split('\n')).toHaveLength(5);
      expect(t.fake.requests.slice(3).map((q) => [q.via, q.method, q.url, q.clientFingerprint])).toEqual([
        ['https', 'GET', '/1.0/cluster', clientFingerprint()],
        ['https', 'GET', '/1.0/cluster/members?recursion=1', clientFingerprint()],
      ]);
    });

    it('rejects a server whose certificate is not the one in the token, and keeps nothing', async () => {
      const token = certificateAddToken({ fingerprint: other.fingerprint, addresses: [t.fake.httpsHostPort] });
      const r = await t.cube(['remote', 'add', 'r1', token]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `${GENERATING}Error: Certificate fingerprint mismatch between certificate token and server "${t.fake.httpsAddress}"\n`,
      );
      expect(t.fake.requests).toHaveLength(0);
      expect(fs.existsSync(path.join(conf, 'config.yml'))).toBe(false);
      expect(fs.existsSync(path.join(conf, 'servercerts', 'r1.crt'))).toBe(false);
    });

    it('asks for another address when none of the token addresses answers', async () => {
      const token = certificateAddToken({ fingerprint: identity.fingerprint, addresses: ['127.0.0.1:1'] });
      const aborted = await t.cube(['remote', 'add', 'r1', token], { stdin: '\n' });
      expect(aborted).toMatchObject({
        code: 1,
        stdout: 'All server addresses are unavailable\nPlease provide an alternate server address (empty to abort): ',
      });
      expect(aborted.stderr.endsWith('Error: Failed to add remote\n')).toBe(true);

      const rescued = await t.cube(['remote', 'add', 'r1', token], { stdin: `${t.fake.httpsHostPort}\n` });
      expect(rescued).toMatchObject({
        code: 0,
        stderr: '',
        stdout: 'All server addresses are unavailable\nPlease provide an alternate server address (empty to abort): ',
      });
      expect(configFile()).toContain(`  r1:\n    addr: ${t.fake.httpsAddress}\n`);
    });

    it('reports a token the server does not accept', async () => {
      const token = certificateAddToken({
        fingerprint: identity.fingerprint,
        addresses: [t.fake.httpsHostPort],
        secret: 'wrong',
      });
      const r = await t.cube(['remote', 'add', 'r1', token]);
      expect(r.code).toBe(1);
      expect(r.stderr.endsWith('Error: Failed to create certificate: not authorized\n')).toBe(true);
      expect(fs.existsSync(path.join(conf, 'config.yml'))).toBe(false);
    });
  });

  describe('add with an address', () => {
    it('asks to accept the certificate fingerprint, then sends the trust password', async () => {
      const r = await t.cube(['remote', 'add', 'r2', t.fake.httpsAddress, '--password', 's3cret'], { stdin: 'y\n' });
      expect(r.stderr).toBe(GENERATING);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        `Certificate fingerprint: ${identity.fingerprint}\nok (y/n/[fingerprint])? Client certificate now trusted by server: r2\n`,
      );
      expect(t.fake.sequence).toEqual(['GET /1.0', 'POST /1.0/certificates', 'GET /1.0', 'GET /1.0/projects']);
      expect(t.fake.requests[1].body).toEqual({
        name: '',
        type: 'client',
        restricted: false,
        projects: null,
        certificate: '',
        password: 's3cret',
        token: false,
      });
      expect(configFile()).toContain(
        `  r2:\n    addr: ${t.fake.httpsAddress}\n    auth_type: tls\n    project: default\n    protocol: lxd\n    public: false\n`,
      );
      expect(fingerprintOf(fs.readFileSync(path.join(conf, 'servercerts', 'r2.crt'), 'utf8'))).toBe(
        identity.fingerprint,
      );
    });

    it('accepts the fingerprint typed in full, asks for the password, and normalizes the address', async () => {
      const port = t.fake.httpsHostPort.split(':')[1];
      const r = await t.cube(['remote', 'add', 'r2', `127.0.0.1:${port}`], {
        stdin: `${identity.fingerprint}\ns3cret\n`,
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        `Certificate fingerprint: ${identity.fingerprint}\nok (y/n/[fingerprint])? Admin password (or token) for r2: \nClient certificate now trusted by server: r2\n`,
      );
      expect(configFile()).toContain(`    addr: https://127.0.0.1:${port}\n`);
    });

    it('stops when the user refuses the certificate', async () => {
      const r = await t.cube(['remote', 'add', 'r2', t.fake.httpsAddress], { stdin: 'n\n' });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`${GENERATING}Error: Server certificate NACKed by user\n`);
      const other = await t.cube(['remote', 'add', 'r2', t.fake.httpsAddress], { stdin: 'maybe\n' });
      expect(other.stderr).toBe("Error: Please type 'y', 'n' or the fingerprint:\n");
      expect(t.fake.requests).toHaveLength(0);
      expect(fs.existsSync(path.join(conf, 'servercerts', 'r2.crt'))).toBe(false);
    });

    it('with --accept-certificate asks nothing; a wrong password is the server error', async () => {
      const r = await t.cube([
        'remote',
        'add',
        'r2',
        t.fake.httpsAddress,
        '--accept-certificate',
        '--password',
        'nope',
      ]);
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(r.stderr.endsWith('Error: not authorized\n')).toBe(true);
      expect(fs.existsSync(path.join(conf, 'config.yml'))).toBe(false);
    });

    it('asks which project to use when the client may use several and not default', async () => {
      t.fake.on('GET', '/1.0/projects', sync(['/1.0/projects/blue', '/1.0/projects/red']));
      const r = await t.cube(
        ['remote', 'add', 'r2', t.fake.httpsAddress, '--accept-certificate', '--password', 's3cret'],
        { stdin: 'green\nred\n' },
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        'Client certificate now trusted by server: r2\nAvailable projects:\n - blue\n - red\n' +
          'Name of the project to use for this remote: Name of the project to use for this remote: ',
      );
      expect(r.stderr).toBe(`${GENERATING}Invalid input, try again.\n\n`);
      expect(configFile()).toContain('    project: red\n');
    });

    it('refuses a name in use, a name with a colon and an unknown scheme', async () => {
      expect((await t.cube(['remote', 'add', 'local', 'https://x'])).stderr).toBe(
        'Error: Remote local exists as <unix://>\n',
      );
      expect((await t.cube(['remote', 'add', 'a:b', 'https://x'])).stderr).toBe(
        'Error: Remote names may not contain colons\n',
      );
      expect((await t.cube(['remote', 'add', 'r', 'http://x'])).stderr).toBe(
        'Error: Invalid URL scheme "http" in "http://x"\n',
      );
    });
  });

  describe('using remotes', () => {
    beforeEach(async () => {
      expect((await t.cube(['remote', 'add', 'r1', tokenFor()])).code).toBe(0);
      t.fake.requests.length = 0;
    });

    it('list shows the remotes, the default one marked current', async () => {
      const r = await t.cube(['remote', 'list']);
      const width = t.fake.httpsAddress.length;
      const pad = (s: string, w: number) => s + ' '.repeat(w - s.length);
      const url = (s: string) => pad(s, width);
      const line = `+-----------------+${'-'.repeat(width + 2)}+----------+-------------+--------+--------+--------+`;
      const urlHeader = ' '.repeat(Math.floor((width - 3) / 2)) + 'URL' + ' '.repeat(Math.ceil((width - 3) / 2));
      expect(r.stdout).toBe(
        [
          line,
          `|      NAME       | ${urlHeader} | PROTOCOL |  AUTH TYPE  | PUBLIC | STATIC | GLOBAL |`,
          line,
          `| local (current) | ${url('unix://')} | lxd      | file access | NO     | YES    | NO     |`,
          line,
          `| r1              | ${url(t.fake.httpsAddress)} | lxd      | tls         | NO     | NO     | NO     |`,
          line,
          '',
        ].join('\n'),
      );
      const yaml = await t.cube(['remote', 'list', '--format', 'yaml']);
      expect(yaml.stdout).toBe(
        `local:\n  addr: unix://\n  public: false\nr1:\n  addr: ${t.fake.httpsAddress}\n  auth_type: tls\n  project: default\n  protocol: lxd\n  public: false\n`,
      );
      const json = await t.cube(['remote', 'list', '--format', 'json']);
      expect(JSON.parse(json.stdout).local).toEqual({
        Addr: 'unix://',
        AuthType: '',
        Domain: '',
        Project: '',
        Protocol: '',
        Public: false,
        Global: false,
        Static: true,
      });
    });

    it('switch changes the default remote that commands without a prefix use', async () => {
      expect((await t.cube(['remote', 'switch', 'r1'])).code).toBe(0);
      expect((await t.cube(['remote', 'get-default'])).stdout).toBe('r1\n');
      expect(configFile().startsWith('default-remote: r1\n')).toBe(true);
      await t.cube(['cluster', 'list']);
      expect(t.fake.requests.map((q) => q.via)).toEqual(['https', 'https']);
      expect((await t.cube(['remote', 'remove', 'r1'])).stderr).toBe("Error: Can't remove the default remote\n");
      expect((await t.cube(['remote', 'get-default'], {})).stdout).toBe('r1\n');
      expect((await t.cube(['remote', 'switch', 'nowhere'])).stderr).toBe("Error: Remote nowhere doesn't exist\n");
    });

    it('$CUBE_REMOTE overrides the default remote', async () => {
      const r = await t.cube(['remote', 'get-default']);
      expect(r.stdout).toBe('local\n');
      t.env.CUBE_REMOTE = 'r1';
      expect((await t.cube(['remote', 'get-default'])).stdout).toBe('r1\n');
    });

    it('remove forgets the remote and its certificate; local cannot be removed', async () => {
      expect((await t.cube(['remote', 'remove', 'local'])).stderr).toBe(
        'Error: Remote local is static and cannot be modified\n',
      );
      expect((await t.cube(['remote', 'remove', 'r1'])).code).toBe(0);
      expect(fs.existsSync(path.join(conf, 'servercerts', 'r1.crt'))).toBe(false);
      expect(configFile()).toBe(
        'default-remote: local\nremotes:\n  local:\n    addr: unix://\n    public: false\naliases: {}\n',
      );
      expect((await t.cube(['cluster', 'list', 'r1:'])).stderr).toBe('Error: The remote "r1" doesn\'t exist\n');
    });

    it('rename moves the pinned certificate', async () => {
      expect((await t.cube(['remote', 'rename', 'r1', 'r9'])).code).toBe(0);
      expect(fs.existsSync(path.join(conf, 'servercerts', 'r9.crt'))).toBe(true);
      expect((await t.cube(['cluster', 'list', 'r9:', '-f', 'csv'])).code).toBe(0);
    });

    it('refuses a server whose certificate is not the pinned one', async () => {
      fs.writeFileSync(path.join(conf, 'servercerts', 'r1.crt'), other.cert);
      const r = await t.cube(['cluster', 'list', 'r1:']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `Error: cannot connect to the Cubed daemon at ${t.fake.httpsAddress}: the server's certificate is not the one trusted for this remote (self-signed certificate)\n`,
      );
      expect(t.fake.requests).toHaveLength(0);
    });

    it('an unreachable remote is a clear error', async () => {
      expect((await t.cube(['remote', 'set-url', 'r1', 'https://127.0.0.1:1'])).code).toBe(0);
      const r = await t.cube(['cluster', 'list', 'r1:']);
      expect(r).toMatchObject({
        code: 1,
        stderr: 'Error: cannot connect to the Cubed daemon at https://127.0.0.1:1: connection refused\n',
      });
    });
  });
});
