import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { API_EXTENSIONS } from './api-extensions';
import { AppModule } from './app.module';
import { syncResponse } from './envelope';
import { Daemon, startDaemon } from './server';
import { packageVersion } from './version';

// Extra routes, only for this test, to exercise body parsing and error mapping on real handlers.
@Controller('/1.0/test')
class TestController {
  @Post('echo')
  @HttpCode(200) // Nest answers POST with 201 by default; LXD uses 200 for sync answers
  echo(@Body() body: unknown) {
    return syncResponse({ body: body ?? null });
  }

  @Get('boom')
  boom(): never {
    throw new Error('boom: something broke');
  }
}

@Module({ imports: [AppModule], controllers: [TestController] })
class TestModule {}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, checked by the assertions
  json: any;
}

function request(socketPath: string, method: string, urlPath: string, body?: string, headers: http.OutgoingHttpHeaders = {}) {
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request({ socketPath, method, path: urlPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const errorEnvelope = (code: number, error: string) => ({
  type: 'error',
  status: '',
  status_code: 0,
  operation: '',
  error_code: code,
  error,
  metadata: null,
});

describe('daemon API on the unix socket', () => {
  let tmp: string;
  let daemon: Daemon;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-spec-'));
    daemon = await startDaemon({ stateDir: path.join(tmp, 'state'), module: TestModule });
  });

  afterAll(async () => {
    await daemon?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('creates the state dir 0711 and the socket 0660', () => {
    expect(fs.statSync(daemon.stateDir).mode & 0o777).toBe(0o711);
    expect(daemon.socketPath).toBe(path.join(tmp, 'state', 'unix.socket'));
    const st = fs.statSync(daemon.socketPath);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o660);
  });

  it('GET / lists the API versions', async () => {
    const r = await request(daemon.socketPath, 'GET', '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.json).toEqual({
      type: 'sync',
      status: 'Success',
      status_code: 200,
      operation: '',
      error_code: 0,
      error: '',
      metadata: ['/1.0'],
    });
    // As LXD's, the body ends with a newline.
    expect(r.text).toBe(`${JSON.stringify(r.json)}\n`);
  });

  it('GET /1.0 describes the server', async () => {
    const r = await request(daemon.socketPath, 'GET', '/1.0');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ type: 'sync', status_code: 200, error_code: 0 });
    const m = r.json.metadata;
    expect(m).toMatchObject({
      api_extensions: [...API_EXTENSIONS],
      api_status: 'stable',
      api_version: '1.0',
      auth: 'trusted',
      public: false,
      auth_methods: ['tls'],
      config: {},
    });
    expect(m.environment).toMatchObject({
      server: 'cubed',
      server_name: os.hostname(),
      server_version: packageVersion(),
      server_pid: process.pid,
      server_clustered: false,
      kernel: os.type(),
      kernel_version: os.release(),
      kernel_architecture: os.machine(),
      driver: 'lxc',
      storage: 'dir',
      project: 'default',
    });
    expect(m.environment.architectures[0]).toBe(os.machine());
    expect(typeof m.environment.os_name).toBe('string');
    expect(packageVersion()).toBe(JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')).version);
  });

  it('answers an unknown path with a 404 error envelope', async () => {
    const r = await request(daemon.socketPath, 'GET', '/1.0/no-such-endpoint');
    expect(r.status).toBe(404);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.json).toEqual(errorEnvelope(404, 'not found'));
    expect(r.text.endsWith('}\n')).toBe(true);
  });

  it('answers a POST with a broken JSON body with a 400 error envelope', async () => {
    const r = await request(daemon.socketPath, 'POST', '/1.0/test/echo', '{"name": "broken",', {
      'Content-Type': 'application/json',
    });
    expect(r.status).toBe(400);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.json).toEqual(errorEnvelope(400, expect.stringMatching(/^The request body is not valid JSON: .*JSON/)));
    // curl's default Content-Type: the error does not claim it was application/json.
    const form = await request(daemon.socketPath, 'POST', '/1.0/test/echo', '{bad', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(form.json).toEqual(errorEnvelope(400, expect.stringMatching(/^The request body is not valid JSON: .*position 1/)));
    const poisoned = await request(daemon.socketPath, 'POST', '/1.0/test/echo', '{"__proto__": {"admin": true}}', { 'Content-Type': 'application/json' });
    expect(poisoned.json).toEqual(errorEnvelope(400, 'The request body must not set "__proto__" or "constructor.prototype"'));
  });

  it('parses JSON bodies whatever the Content-Type, like LXD', async () => {
    const r = await request(daemon.socketPath, 'POST', '/1.0/test/echo', '{"name":"p1"}', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(r.status).toBe(200);
    expect(r.json.metadata).toEqual({ body: { name: 'p1' } });
    const empty = await request(daemon.socketPath, 'POST', '/1.0/test/echo');
    expect(empty.status).toBe(200);
    expect(empty.json.metadata).toEqual({ body: null });
  });

  it('turns a thrown error into a 500 error envelope with its message', async () => {
    const r = await request(daemon.socketPath, 'GET', '/1.0/test/boom');
    expect(r.status).toBe(500);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.json).toEqual(errorEnvelope(500, 'boom: something broke'));
  });

  it('refuses to start a second daemon on a live socket', async () => {
    await expect(startDaemon({ stateDir: daemon.stateDir })).rejects.toThrow(/already listening/);
  });
});

describe('daemon lifecycle', () => {
  it('replaces a stale socket and removes its socket on close', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-spec-'));
    try {
      // A socket file whose server is gone, as after a crash: keep a hard link while the server
      // closes (closing unlinks the socket path), then put it back.
      const sock = path.join(tmp, 'unix.socket');
      const srv = net.createServer();
      await new Promise<void>((r) => srv.listen(sock, r));
      fs.linkSync(sock, `${sock}.keep`);
      await new Promise<void>((r) => srv.close(() => r()));
      fs.renameSync(`${sock}.keep`, sock);
      expect(fs.lstatSync(sock).isSocket()).toBe(true);

      const d = await startDaemon({ stateDir: tmp });
      const r = await request(d.socketPath, 'GET', '/');
      expect(r.status).toBe(200);
      await d.close();
      await d.close(); // idempotent
      expect(fs.existsSync(d.socketPath)).toBe(false);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
