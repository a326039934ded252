import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeLxd, lxdError, sync } from '../test/fake-lxd';
import { SERVER } from '../test/lxd-fixtures';
import { runCube } from '../test/test-io';
import { packageVersion } from './version';

describe('cube', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let fake: FakeLxd | undefined;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cube-spec-'));
    env = { CUBED_DIR: path.join(tmp, 'state'), CUBE_CONF: path.join(tmp, 'conf'), HOME: tmp };
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('version and --version print the package version', async () => {
    for (const args of [['version'], ['--version']]) {
      const r = await runCube(args, env);
      expect(r).toMatchObject({ code: 0, stdout: `${packageVersion()}\n`, stderr: '' });
    }
  });

  it('fails with exit code 1 and Error: on stderr when the daemon is not running', async () => {
    const r = await runCube(['info'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `Error: cannot connect to the Cubed daemon at ${path.join(tmp, 'state', 'unix.socket')}: no such socket\n`,
    );
  });

  it('names a socket nobody listens on as refused', async () => {
    fs.mkdirSync(env.CUBED_DIR!, { recursive: true });
    fake = await FakeLxd.start(env.CUBED_DIR!);
    const socket = fake.socketPath;
    await fake.close();
    fake = undefined;
    fs.writeFileSync(socket, '');
    const r = await runCube(['info'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: cannot connect to the Cubed daemon at .*unix\.socket: connection refused\n$/);
  });

  it('info prints GET /1.0 as lxc info does: the whole server object in Go struct order', async () => {
    fake = await FakeLxd.start(env.CUBED_DIR!);
    fake.on('GET', '/1.0', sync(SERVER, { etag: 'abc' }));
    const r = await runCube(['info'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fake.sequence).toEqual(['GET /1.0']);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 16)).toEqual([
      'config:',
      '  cluster.https_address: 10.210.0.1:8443',
      '  cluster.max_standby: "0"',
      '  core.https_address: 10.210.0.1:8443',
      '  core.trust_password: true',
      'api_extensions:',
      '- etag',
      '- patch',
      '- clustering',
      '- projects',
      '- clustering_join_token',
      '- certificate_token',
      '- resources_v2',
      'api_status: stable',
      'api_version: "1.0"',
      'auth: trusted',
    ]);
    expect(r.stdout).toContain('\n  server_name: n1\n  server_pid: 16659\n  server_version: 5.0.2\n');
    expect(
      r.stdout.endsWith('  storage_supported_drivers:\n  - name: dir\n    version: "1"\n    remote: false\n'),
    ).toBe(true);
  });

  it('info fills the fields a server leaves out with Go zero values', async () => {
    fake = await FakeLxd.start(env.CUBED_DIR!);
    fake.on('GET', '/1.0', sync({ api_version: '1.0', environment: { server_name: 'c1' } }));
    const r = await runCube(['info'], env);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 12)).toEqual([
      'config: {}',
      'api_extensions: []',
      'api_status: ""',
      'api_version: "1.0"',
      'auth: ""',
      'public: false',
      'auth_methods: []',
      'environment:',
      '  addresses: []',
      '  architectures: []',
      '  certificate: ""',
      '  certificate_fingerprint: ""',
    ]);
  });

  it('prints the error of an error envelope', async () => {
    fake = await FakeLxd.start(env.CUBED_DIR!);
    fake.on('GET', '/1.0', lxdError(403, 'not authorized'));
    const r = await runCube(['info'], env);
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: 'Error: not authorized\n' });
  });

  it('rejects an unknown command with exit code 1', async () => {
    const r = await runCube(['frobnicate'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('rejects a missing argument with exit code 1', async () => {
    const r = await runCube(['cluster', 'show'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing required argument 'member'/);
  });

  it('rejects a remote prefix that is not configured', async () => {
    const r = await runCube(['cluster', 'list', 'nowhere:'], env);
    expect(r).toMatchObject({ code: 1, stderr: 'Error: The remote "nowhere" doesn\'t exist\n' });
  });
});
