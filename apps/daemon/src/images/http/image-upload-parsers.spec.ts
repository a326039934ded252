import type { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerImageUploadParsers, takesRawImageBody } from './image-upload-parsers';

/** A Fastify instance with the daemon's catch-all JSON parser, then the image parsers. */
async function server(): Promise<FastifyInstance> {
  const fastify = Fastify({ bodyLimit: 64 });
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    if ((body as string).trim() === '') return done(null, undefined);
    parseJson(request, body as string, done);
  });
  registerImageUploadParsers(fastify);
  // Registering twice (a restart of the app in tests) changes nothing.
  registerImageUploadParsers(fastify);
  fastify.post('/1.0/images', async (request) => {
    const body = request.body as Readable;
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return { stream: typeof body.pipe === 'function', bytes: Buffer.concat(chunks).toString('latin1') };
  });
  fastify.post('/1.0/profiles', async (request) => ({ body: request.body ?? null }));
  await fastify.ready();
  return fastify;
}

describe('registerImageUploadParsers', () => {
  let fastify: FastifyInstance;
  beforeAll(async () => {
    fastify = await server();
  });
  afterAll(() => fastify.close());

  it('hands POST /1.0/images an octet-stream body as the unread stream, however large', async () => {
    const payload = 'x'.repeat(1000);
    const r = await fastify.inject({ method: 'POST', url: '/1.0/images', payload, headers: { 'content-type': 'application/octet-stream' } });
    expect(r.json()).toEqual({ stream: true, bytes: payload });
  });

  it('hands it a multipart body as the stream too', async () => {
    const r = await fastify.inject({ method: 'POST', url: '/1.0/images?project=default', payload: '--b\r\n\r\nx\r\n--b--', headers: { 'content-type': 'multipart/form-data; boundary=b' } });
    expect(r.json()).toEqual({ stream: true, bytes: '--b\r\n\r\nx\r\n--b--' });
  });

  it('decodes such bodies as JSON on every other route, as LXD does', async () => {
    const r = await fastify.inject({ method: 'POST', url: '/1.0/profiles', payload: '{"name":"p"}', headers: { 'content-type': 'application/octet-stream' } });
    expect(r.json()).toEqual({ body: { name: 'p' } });
    const empty = await fastify.inject({ method: 'POST', url: '/1.0/profiles', payload: '', headers: { 'content-type': 'multipart/form-data; boundary=b' } });
    expect(empty.json()).toEqual({ body: null });
  });

  it('answers invalid JSON with 400 and an oversized body with 413 on other routes', async () => {
    const bad = await fastify.inject({ method: 'POST', url: '/1.0/profiles', payload: '{nope', headers: { 'content-type': 'application/octet-stream' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^The request body is not valid JSON: /);
    const big = await fastify.inject({ method: 'POST', url: '/1.0/profiles', payload: `{"a":"${'x'.repeat(100)}"}`, headers: { 'content-type': 'application/octet-stream' } });
    expect(big.statusCode).toBe(413);
  });

  it('leaves JSON requests to the JSON parser', async () => {
    const r = await fastify.inject({ method: 'POST', url: '/1.0/profiles', payload: '{"name":"q"}', headers: { 'content-type': 'application/json' } });
    expect(r.json()).toEqual({ body: { name: 'q' } });
  });

  it('takes raw bodies only on the image upload route', () => {
    expect(takesRawImageBody('POST', '/1.0/images')).toBe(true);
    expect(takesRawImageBody('post', '/1.0/images')).toBe(true);
    expect(takesRawImageBody('PUT', '/1.0/images')).toBe(false);
    expect(takesRawImageBody('POST', '/1.0/images/aliases')).toBe(false);
    expect(takesRawImageBody('POST', undefined)).toBe(false);
  });
});
