import Fastify from 'fastify';
import { lazySchemaCompilers } from './lazy-schema-compilers';

describe('lazySchemaCompilers', () => {
  it('validates and serializes a route with a schema as Fastify does', async () => {
    const app = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers() } });
    app.post(
      '/x',
      {
        schema: {
          body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
          response: { 200: { type: 'object', properties: { name: { type: 'string' } } } },
        },
      },
      async (req) => ({ name: (req.body as { name: string }).name, secret: 'dropped by the serializer' }),
    );
    try {
      const bad = await app.inject({ method: 'POST', url: '/x', payload: { other: 1 } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toContain("must have required property 'name'");
      const good = await app.inject({ method: 'POST', url: '/x', payload: { name: 'a' } });
      expect(good.statusCode).toBe(200);
      expect(good.json()).toEqual({ name: 'a' });
    } finally {
      await app.close();
    }
  });
});
