import Fastify, { type FastifyInstance } from 'fastify';
import { hasRawBodyParser, registerRawBodyParser } from './raw-body-parser';

/** What a route got as its body: the bytes of a stream, or the parsed value. */
async function describeBody(body: unknown): Promise<unknown> {
  if (body && typeof (body as AsyncIterable<Buffer>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
    return { stream: Buffer.concat(chunks).toString('utf8') };
  }
  return { parsed: body ?? null };
}

describe('registerRawBodyParser', () => {
  let fastify: FastifyInstance;

  beforeEach(async () => {
    fastify = Fastify({ bodyLimit: 64 });
    registerRawBodyParser(fastify, { takesRawBody: (method, url) => method === 'POST' && url === '/upload' });
    fastify.post('/upload', async (request) => describeBody(request.body));
    fastify.post('/json', async (request) => describeBody(request.body));
    await fastify.ready();
  });

  afterEach(() => fastify.close());

  const octet = { 'content-type': 'application/octet-stream' };

  it('hands the named routes their application/octet-stream body as the request stream, unparsed', async () => {
    const r = await fastify.inject({ method: 'POST', url: '/upload', headers: octet, payload: 'not json, and longer than the body limit of the JSON routes' });
    expect(r.json()).toEqual({ stream: 'not json, and longer than the body limit of the JSON routes' });
  });

  it('decodes application/octet-stream bodies of other routes as JSON, as LXD does', async () => {
    expect((await fastify.inject({ method: 'POST', url: '/json', headers: octet, payload: '{"a":1}' })).json()).toEqual({ parsed: { a: 1 } });
    expect((await fastify.inject({ method: 'POST', url: '/json', headers: octet, payload: '  ' })).json()).toEqual({ parsed: null });
    expect((await fastify.inject({ method: 'POST', url: '/json', headers: octet, payload: '{"a":' })).statusCode).toBe(400);
    expect((await fastify.inject({ method: 'POST', url: '/json', headers: octet, payload: JSON.stringify({ a: 'x'.repeat(100) }) })).statusCode).toBe(413);
  });

  it('is registered once: again is a no-op, and another parser of the type first is an error', async () => {
    expect(hasRawBodyParser(fastify)).toBe(true);
    expect(() => registerRawBodyParser(fastify)).not.toThrow();
    const other = Fastify();
    other.addContentTypeParser('application/octet-stream', (_request, _payload, done) => done(null, undefined));
    expect(() => registerRawBodyParser(other)).toThrow(/Another parser already takes application\/octet-stream bodies/);
    expect(hasRawBodyParser(other)).toBe(false);
    await other.close();
  });
});
