import { COMMAND_NOT_FOUND, commandLine, CommandResult, CommandRunner, commandRunnerFor, ExecCommandRunner, NetnsCommandRunner, runChecked } from './command-runner';
import { FanCommandError } from './fan-errors';

class RecordingRunner implements CommandRunner {
  readonly calls: { command: string; args: readonly string[]; input?: string }[] = [];
  constructor(private readonly result: CommandResult) {}
  async run(command: string, args: readonly string[], input?: string): Promise<CommandResult> {
    this.calls.push({ command, args, ...(input !== undefined ? { input } : {}) });
    return this.result;
  }
}

describe('ExecCommandRunner', () => {
  const runner = new ExecCommandRunner({ timeoutMs: 5_000 });

  it('passes standard input and collects output and exit code', async () => {
    const result = await runner.run('sh', ['-c', 'cat; echo err >&2; exit 3'], 'line one\n');
    expect(result).toEqual({ exitCode: 3, stdout: 'line one\n', stderr: 'err\n' });
  });

  it('runs with a C locale', async () => {
    expect((await runner.run('sh', ['-c', 'echo $LC_ALL'])).stdout).toBe('C\n');
  });

  it('reports a missing program as exit code 127', async () => {
    const result = await runner.run('cubed-no-such-program', []);
    expect(result.exitCode).toBe(COMMAND_NOT_FOUND);
  });

  it('kills a command that runs past its timeout', async () => {
    const quick = new ExecCommandRunner({ timeoutMs: 100 });
    await expect(quick.run('sleep', ['5'])).rejects.toThrow('sleep 5: killed after the 100 ms timeout');
  });

  it('tolerates programs that ignore their input', async () => {
    const result = await runner.run('true', [], 'x'.repeat(1 << 20));
    expect(result.exitCode).toBe(0);
  });
});

describe('NetnsCommandRunner', () => {
  it('runs every command through ip netns exec', async () => {
    const inner = new RecordingRunner({ exitCode: 0, stdout: 'ok', stderr: '' });
    const runner = new NetnsCommandRunner('host1', inner);
    await runner.run('ip', ['-batch', '-'], 'link set dev lo up\n');
    expect(inner.calls).toEqual([
      { command: 'ip', args: ['netns', 'exec', 'host1', 'ip', '-batch', '-'], input: 'link set dev lo up\n' },
    ]);
  });

  it('reports a program missing inside the namespace as exit code 127', async () => {
    const inner = new RecordingRunner({ exitCode: 1, stdout: '', stderr: 'exec of "nft" failed: No such file or directory\n' });
    expect((await new NetnsCommandRunner('host1', inner).run('nft', ['list', 'tables'])).exitCode).toBe(COMMAND_NOT_FOUND);
  });

  it('keeps other failures as they are', async () => {
    const inner = new RecordingRunner({ exitCode: 1, stdout: '', stderr: 'Cannot open network namespace "x"\n' });
    expect((await new NetnsCommandRunner('x', inner).run('ip', ['link'])).exitCode).toBe(1);
  });

  it('is chosen by commandRunnerFor only when a namespace is named', () => {
    const inner = new RecordingRunner({ exitCode: 0, stdout: '', stderr: '' });
    expect(commandRunnerFor(undefined, inner)).toBe(inner);
    expect(commandRunnerFor('ns1', inner)).toBeInstanceOf(NetnsCommandRunner);
  });
});

describe('runChecked', () => {
  it('returns the output of a successful command', async () => {
    expect(await runChecked(new RecordingRunner({ exitCode: 0, stdout: 'out', stderr: '' }), 'ip', ['-j', 'link'])).toBe('out');
  });

  it('throws a FanCommandError naming the command, exit code and message', async () => {
    const failing = new RecordingRunner({ exitCode: 2, stdout: '', stderr: 'Error: argument "x" is wrong\n' });
    const err = await runChecked(failing, 'ip', ['link', 'show', 'dev', 'x']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FanCommandError);
    expect((err as FanCommandError).message).toBe('ip link show dev x failed with exit code 2: Error: argument "x" is wrong');
    expect((err as FanCommandError).exitCode).toBe(2);
  });

  it('quotes arguments in command lines', () => {
    expect(commandLine('sh', ['-c', "echo 'hi' there"])).toBe(`sh -c 'echo '\\''hi'\\'' there'`);
  });
});
