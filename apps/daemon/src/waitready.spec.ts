import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { probe, waitReady } from './waitready';

describe('waitReady', () => {
  let tmp: string;
  let sock: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-wait-'));
    sock = path.join(tmp, 'unix.socket');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('gives up after the timeout when nothing listens', async () => {
    const t0 = Date.now();
    expect(await waitReady(sock, 300, 50)).toBe(false);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2000);
  });

  it('returns once GET /1.0 answers 200, even if the server starts late', async () => {
    const server = http.createServer((req, res) => {
      res.statusCode = req.url === '/1.0' ? 200 : 404;
      res.end('{}');
    });
    const started = new Promise<void>((r) => setTimeout(() => server.listen(sock, r), 200));
    try {
      expect(await waitReady(sock, 5000, 50)).toBe(true);
    } finally {
      await started;
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('does not count a non-200 answer as ready', async () => {
    const server = http.createServer((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      expect(await probe(sock)).toBe(false);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
