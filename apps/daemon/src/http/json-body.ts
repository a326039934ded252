/**
 * How a request body's text becomes its value, as LXD decodes bodies: empty (or blank) is
 * `undefined`; anything else must be JSON, or the request is a 400 that says what is wrong with it
 * and where (Fastify's own error names neither, and names application/json whatever was sent).
 * Bodies that try prototype poisoning (`__proto__`, `constructor.prototype`) are refused too.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from './lxd-error';

export type JsonTextParser = (request: FastifyRequest, text: string, done: (err: Error | null, body?: unknown) => void) => void;

export function jsonBodyParser(fastify: FastifyInstance): JsonTextParser {
  const parseSafely = fastify.getDefaultJsonParser('error', 'error');
  return (request, text, done) => {
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseSafely(request, text, (err, body) => {
      if (!err) {
        done(null, body);
        return;
      }
      let syntax: string | undefined;
      try {
        JSON.parse(text);
      } catch (e) {
        syntax = (e as Error).message;
      }
      // Valid JSON that the safe parser refused: it sets a prototype.
      done(badRequest(syntax === undefined ? 'The request body must not set "__proto__" or "constructor.prototype"' : `The request body is not valid JSON: ${syntax}`));
    });
  };
}
