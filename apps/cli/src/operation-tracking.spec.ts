import { lxdError, sync } from '../test/fake-lxd';
import { startCubeEnv, type CubeEnv } from '../test/cube-env';
import { UnixClient } from './client';
import { trackOperation } from './operation-tracking';
import { ProgressRenderer } from './progress-renderer';
import type { Terminal } from './terminal';

/** A terminal whose signals the test sends. */
function signalTerminal(): { terminal: Terminal; signal(name: NodeJS.Signals): void; trapped(): boolean } {
  let handler: ((signal: NodeJS.Signals) => void) | undefined;
  return {
    terminal: {
      stdinIsTerminal: true,
      stdoutIsTerminal: true,
      stderrIsTerminal: true,
      size: () => ({ width: 80, height: 24 }),
      stderrWidth: () => 80,
      makeRaw: () => () => undefined,
      trapSignals: (_signals, h) => {
        handler = h;
        return () => (handler = undefined);
      },
    },
    signal: (name) => handler?.(name),
    trapped: () => handler !== undefined,
  };
}

describe('trackOperation', () => {
  let t: CubeEnv;
  let client: UnixClient;
  let finish: () => void;
  beforeEach(async () => {
    t = await startCubeEnv();
    client = new UnixClient(t.fake.socketPath, 2000);
    const finished = new Promise<void>((resolve) => (finish = resolve));
    t.fake.on('GET', '/1.0/operations/op1/wait', async () => {
      await finished;
      return sync({ id: 'op1', status: 'Cancelled', status_code: 401 });
    });
  });
  afterEach(async () => {
    finish();
    client.close();
    await t.close();
  });

  it('cancels the operation on an interrupt', async () => {
    t.fake.on('DELETE', '/1.0/operations/op1', sync(null));
    const { terminal, signal, trapped } = signalTerminal();
    const waiting = trackOperation(client, '/1.0/operations/op1', { terminal });
    while (!trapped()) await new Promise((resolve) => setTimeout(resolve, 5));
    signal('SIGINT');
    await expect(waiting).rejects.toThrow('Remote operation canceled by user');
    expect(trapped()).toBe(false);
    expect(t.fake.sequence).toContain('DELETE /1.0/operations/op1');
  });

  it('warns when the operation cannot be cancelled, and gives up waiting at the third interrupt', async () => {
    t.fake.on('DELETE', '/1.0/operations/op1', lxdError(403, "This operation can't be cancelled"));
    const written: string[] = [];
    const progress = new ProgressRenderer({ write: (text) => void written.push(text), width: () => 200 });
    const { terminal, signal, trapped } = signalTerminal();
    const waiting = trackOperation(client, '/1.0/operations/op1', { terminal, progress });
    waiting.catch(() => undefined);
    while (!trapped()) await new Promise((resolve) => setTimeout(resolve, 5));
    for (let i = 0; i < 3; i++) {
      signal('SIGINT');
      while (t.fake.requests.filter((r) => r.method === 'DELETE').length <= i) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await expect(waiting).rejects.toThrow(
      'User signaled us three times, exiting. The remote operation will keep running',
    );
    expect(written[0]).toBe("\rThis operation can't be cancelled (interrupt two more times to force)");
  });
});
