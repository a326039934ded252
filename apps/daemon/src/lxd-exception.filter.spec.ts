import { type ArgumentsHost, Logger } from '@nestjs/common';
import { DbClosedError } from '@app/db';
import { LxdExceptionFilter } from './lxd-exception.filter';
import { badRequest } from './http/lxd-error';

/** Runs the filter on `exception` for a request, and returns the status and envelope it answered. */
function answer(exception: unknown): { status: number; body: { error_code: number; error: string; type: string } } {
  const sent: { status: number; body: string } = { status: 0, body: '' };
  const reply = {
    sent: false,
    raw: { headersSent: false },
    status(code: number) {
      sent.status = code;
      return reply;
    },
    header: () => reply,
    type: () => reply,
    send(body: string) {
      sent.body = body;
      return reply;
    },
  };
  const host = { switchToHttp: () => ({ getRequest: () => ({ method: 'POST', url: '/1.0/profiles', is404: false }), getResponse: () => reply }) };
  new LxdExceptionFilter().catch(exception, host as unknown as ArgumentsHost);
  return { status: sent.status, body: JSON.parse(sent.body) };
}

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('LxdExceptionFilter', () => {
  // The internal errors it logs are the point of two cases here: not worth printing.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  it("answers in LXD's error envelope with the error's status", () => {
    expect(answer(badRequest('bad name'))).toEqual({ status: 400, body: expect.objectContaining({ type: 'error', error_code: 400, error: 'bad name' }) });
    expect(answer(new DbClosedError('the cluster database stopped: x'))).toMatchObject({ status: 503, body: { error: 'the cluster database stopped: x' } });
    expect(answer(new Error('boom'))).toMatchObject({ status: 500, body: { error_code: 500, error: 'boom' } });
  });

  it('answers a write that found the disk full with 503 and what SQLite or the file system said', () => {
    expect(answer(withCode('database or disk is full', 'SQLITE_FULL'))).toMatchObject({ status: 503, body: { error_code: 503, error: 'database or disk is full' } });
    expect(answer(withCode('ENOSPC: no space left on device, write', 'ENOSPC'))).toMatchObject({ status: 503, body: { error: 'ENOSPC: no space left on device, write' } });
    expect(answer(withCode('constraint failed', 'SQLITE_CONSTRAINT'))).toMatchObject({ status: 500 });
  });
});
