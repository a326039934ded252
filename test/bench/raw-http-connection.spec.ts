import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { RawHttpConnection } from '../../bench/support/raw-http-connection';

describe('RawHttpConnection, the load generator\'s HTTP client', () => {
  let dir: string;
  let server: http.Server;
  let socketPath: string;
  let connections: number;
  let conn: RawHttpConnection;
  let handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-rawhttp-'));
    socketPath = path.join(dir, 'unix.socket');
    connections = 0;
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => handler(req, body, res));
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    conn = new RawHttpConnection(socketPath);
  });

  afterEach(async () => {
    conn.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends JSON bodies and reads answers by Content-Length, many over one connection', async () => {
    handler = (req, body, res) => {
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, type: req.headers['content-type'], got: JSON.parse(body || 'null') }));
    };
    for (let i = 0; i < 5; i++) {
      const r = await conn.request('POST', `/1.0/profiles?i=${i}`, { name: `p${i}`, ü: 'ß' }, 2000);
      expect(r.status).toBe(201);
      expect(JSON.parse(r.body)).toEqual({ method: 'POST', url: `/1.0/profiles?i=${i}`, type: 'application/json', got: { name: `p${i}`, ü: 'ß' } });
    }
    const get = await conn.request('GET', '/1.0', undefined, 2000);
    expect(JSON.parse(get.body)).toMatchObject({ method: 'GET', got: null });
    expect(connections).toBe(1);
  });

  it('reads chunked answers and answers without a body', async () => {
    handler = (req, _body, res) => {
      if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"a":');
      setTimeout(() => res.end(`"${'x'.repeat(100_000)}"}`), 5);
    };
    const r = await conn.request('GET', '/big', undefined, 2000);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).a).toHaveLength(100_000);
    expect(await conn.request('DELETE', '/empty', undefined, 2000)).toEqual({ status: 204, body: '' });
    expect((await conn.request('GET', '/big', undefined, 2000)).status).toBe(200);
    expect(connections).toBe(1);
  });

  it('dials again after the server closed the connection', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { Connection: 'close', 'Content-Length': '2' });
      res.end('ok');
    };
    expect(await conn.request('GET', '/a', undefined, 2000)).toEqual({ status: 200, body: 'ok' });
    expect(await conn.request('GET', '/b', undefined, 2000)).toEqual({ status: 200, body: 'ok' });
    expect(connections).toBe(2);
  });

  it('gives up on an answer that does not come, and the next request gets a new connection', async () => {
    let answer = false;
    handler = (_req, _body, res) => {
      if (!answer) return; // never answered
      res.writeHead(200, { 'Content-Length': '2' });
      res.end('ok');
    };
    await expect(conn.request('GET', '/slow', undefined, 100)).rejects.toThrow('GET /slow got no answer within 100 ms');
    answer = true;
    expect(await conn.request('GET', '/fast', undefined, 2000)).toEqual({ status: 200, body: 'ok' });
    expect(connections).toBe(2);
  });

  it('refuses a second request while one is in flight, and fails when nothing listens', async () => {
    handler = (_req, _body, res) => setTimeout(() => res.end('done'), 20);
    const first = conn.request('GET', '/1', undefined, 2000);
    await expect(conn.request('GET', '/2', undefined, 2000)).rejects.toThrow('already in flight');
    expect((await first).body).toBe('done');
    const nowhere = new RawHttpConnection(path.join(dir, 'missing.socket'));
    await expect(nowhere.request('GET', '/', undefined, 2000)).rejects.toThrow(/ENOENT/);
  });
});
