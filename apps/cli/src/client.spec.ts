import { asyncOperation, sync } from '../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../test/cube-env';
import { UnixClient } from './client';
import { CubedError } from './cubed-error';

describe('LxdClient', () => {
  let t: CubeEnv;
  let client: UnixClient;
  beforeEach(async () => {
    t = await startCubeEnv();
    client = new UnixClient(t.fake.socketPath, 2000, { project: 'blue' });
  });
  afterEach(async () => {
    client.close();
    await t.close();
  });

  it('sends JSON with the user agent, If-Match and ?project=, and returns metadata and ETag', async () => {
    t.fake.on('PUT', '/1.0/profiles/p', sync({ ok: true }, { etag: 'e2' }));
    const response = await client.query('PUT', '/1.0/profiles/p?recursion=1', { a: 1 }, { etag: '"e1"' });
    expect(response).toEqual({ type: 'sync', status: 200, metadata: { ok: true }, etag: '"e2"' });
    const req = t.fake.requests[0];
    expect(req.url).toBe('/1.0/profiles/p?project=blue&recursion=1');
    expect(req.headers).toMatchObject({
      'content-type': 'application/json',
      'if-match': '"e1"',
      connection: 'keep-alive',
    });
    expect(req.headers['user-agent']).toMatch(/^Cube \S+ \(Linux; \S+\)$/);
    expect(req.body).toEqual({ a: 1 });
  });

  it('keeps the project the path names, leaves it out for all projects and for default', async () => {
    t.fake.on('GET', '/1.0/x', sync(null));
    await client.get('/1.0/x?project=red');
    await client.get('/1.0/x?all-projects=true');
    await client.withProject('default').get('/1.0/x');
    expect(t.fake.sequence).toEqual(['GET /1.0/x?project=red', 'GET /1.0/x?all-projects=true', 'GET /1.0/x']);
  });

  it('waits for an async answer until the operation is final', async () => {
    let waits = 0;
    t.fake
      .on('POST', '/1.0/things', asyncOperation({ id: 'op1' }, '/1.0/operations/op1?project=default'))
      .on('GET', '/1.0/operations/op1/wait', () =>
        ++waits < 2
          ? sync({ id: 'op1', status: 'Running', status_code: 103 })
          : sync({ id: 'op1', status: 'Success', status_code: 200 }),
      );
    const op = await client.perform('POST', '/1.0/things', {});
    expect(op).toEqual({ id: 'op1', status: 'Success', status_code: 200 });
    expect(t.fake.sequence).toEqual([
      'POST /1.0/things?project=blue',
      'GET /1.0/operations/op1/wait?project=blue',
      'GET /1.0/operations/op1/wait?project=blue',
    ]);
  });

  it('throws CubedError for error envelopes and for answers that are not JSON', async () => {
    await expect(client.get('/1.0/nothing')).rejects.toEqual(new CubedError('not found', 404));
    t.fake.on('GET', '/1.0/text', { status: 200, body: 'plain' });
    await expect(client.get('/1.0/text')).rejects.toThrow(
      'unexpected response from the daemon (HTTP 200, not an LXD envelope)',
    );
  });

  it('reuses one connection for a command', async () => {
    t.fake.on('GET', '/1.0', sync({}));
    await client.get('/1.0');
    await client.get('/1.0');
    expect(t.fake.connectionsSeen).toBe(1);
  });
});
