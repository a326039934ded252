/**
 * Fastify's schema compilers (ajv for validation, fast-json-stringify for serialization), loaded the
 * first time a route with a schema needs one instead of when the server is built: the API declares no
 * route schemas, and loading ajv is about 35 ms of the daemon's start. Passed as Fastify's
 * `schemaController.compilersFactory`; each factory is Fastify's own (required from where fastify
 * is installed), called with the same arguments.
 */
import type { FastifyServerOptions } from 'fastify';
import { createRequire } from 'node:module';

type CompilerFactory = (...args: unknown[]) => unknown;
type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

function loadedOnFirstUse(load: () => CompilerFactory): CompilerFactory {
  let factory: CompilerFactory | undefined;
  return (...args) => (factory ??= load())(...args);
}

export function lazySchemaCompilers(): CompilersFactory {
  const fromFastify = (name: string) => () => (createRequire(require.resolve('fastify'))(name) as () => CompilerFactory)();
  return {
    buildValidator: loadedOnFirstUse(fromFastify('@fastify/ajv-compiler')),
    buildSerializer: loadedOnFirstUse(fromFastify('@fastify/fast-json-stringify-compiler')),
  } as CompilersFactory;
}
