import type { CommandResult, CommandRunner } from './command-runner';
import { FanApplier } from './fan-applier';
import { renderCommandSteps } from './fan-command-steps';
import { FanCommandError } from './fan-errors';

class ScriptedRunner implements CommandRunner {
  readonly calls: string[] = [];
  constructor(private readonly respond: (command: string, input?: string) => CommandResult) {}
  async run(command: string, args: readonly string[], input?: string): Promise<CommandResult> {
    this.calls.push([command, ...args].join(' '));
    return this.respond(command, input);
  }
}

const steps = renderCommandSteps([
  { kind: 'set-sysctl', key: 'net.ipv4.ip_forward', value: '1' },
  { kind: 'replace-fdb', device: 'vx', mac: '0e:fa:c0:a8:00:2f', dst: '192.168.0.47' },
  { kind: 'replace-neighbour', device: 'vx', address: '240.0.47.0', mac: '0e:fa:c0:a8:00:2f' },
  { kind: 'replace-route', device: 'vx', destination: '240.0.47.0/24', gateway: '240.0.47.0', protocol: 250 },
]);

describe('FanApplier', () => {
  it('runs the steps in order', async () => {
    const runner = new ScriptedRunner(() => ({ exitCode: 0, stdout: '', stderr: '' }));
    await new FanApplier(runner).apply(steps);
    expect(runner.calls).toEqual(['sysctl -w net.ipv4.ip_forward=1', 'bridge -batch -', 'ip -batch -']);
  });

  it('stops at the first failure and names the failing batch line', async () => {
    const runner = new ScriptedRunner((command) =>
      command === 'ip'
        ? { exitCode: 1, stdout: '', stderr: 'Error: Nexthop has invalid gateway.\nCommand failed -:2\n' }
        : { exitCode: 0, stdout: '', stderr: '' },
    );
    const err = await new FanApplier(runner).apply([...steps, ...renderCommandSteps([{ kind: 'delete-link', name: 'vx' }])]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FanCommandError);
    const failure = err as FanCommandError;
    expect(failure.failedLine).toBe('route replace 240.0.47.0/24 via 240.0.47.0 dev vx onlink proto 250 table main');
    expect(failure.message).toBe(
      'ip -batch - failed with exit code 1 at line 2 "route replace 240.0.47.0/24 via 240.0.47.0 dev vx onlink proto 250 table main" ' +
        '(route 240.0.47.0/24 via 240.0.47.0 on vx): Error: Nexthop has invalid gateway.; Command failed -:2',
    );
    expect(runner.calls).toHaveLength(3);
  });

  it('reports a failing sysctl or nft step with the tool message', async () => {
    const runner = new ScriptedRunner(() => ({ exitCode: 255, stdout: '', stderr: 'sysctl: permission denied on key "net.ipv4.ip_forward"\n' }));
    await expect(new FanApplier(runner).apply(steps)).rejects.toThrow(
      'sysctl -w net.ipv4.ip_forward=1 failed with exit code 255: sysctl: permission denied on key "net.ipv4.ip_forward"',
    );
  });
});
