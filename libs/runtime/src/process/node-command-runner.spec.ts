import { assertSucceeded, describeCommand, outputExcerpt } from './command-runner';
import { NodeCommandRunner } from './node-command-runner';
import { netnsCommandPrefix } from './netns-command-prefix';
import { PrefixedCommandRunner } from './prefixed-command-runner';

describe('NodeCommandRunner', () => {
  const runner = new NodeCommandRunner();

  it('collects output, feeds input and reports the exit status', async () => {
    const result = await runner.run('sh', ['-c', 'read line; echo "out:$line"; echo err >&2; exit 3'], { timeoutMs: 5000, input: 'hello\n' });
    expect(result).toEqual({ exitCode: 3, signal: null, stdout: 'out:hello\n', stderr: 'err\n', timedOut: false });
    expect(() => assertSucceeded(result, 'Cannot greet', 'sh')).toThrow('Cannot greet: exit status 3 (sh): err');
  });

  it('uses exactly the environment it is given', async () => {
    const result = await runner.run('/bin/sh', ['-c', 'echo "$ONLY|$HOME"'], { timeoutMs: 5000, env: { ONLY: 'this' } });
    expect(result.stdout).toBe('this|\n');
  });

  it('kills a command that runs past its timeout', async () => {
    const result = await runner.run('sleep', ['30'], { timeoutMs: 100 });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(() => assertSucceeded(result, 'Cannot sleep')).toThrow(/^Cannot sleep: timed out/);
  });

  it('rejects when the program does not exist', async () => {
    await expect(runner.run('/nonexistent/tool', [], { timeoutMs: 1000 })).rejects.toThrow(/Cannot run \/nonexistent\/tool: spawn .*ENOENT/);
    await expect(runner.spawn('/nonexistent/tool', [], {})).rejects.toThrow(/ENOENT/);
  });

  it('spawns with piped stdio', async () => {
    const child = await runner.spawn('cat', [], {});
    expect(child.pid).toBeGreaterThan(0);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdin.end('echo');
    expect(await child.exit).toEqual({ exitCode: 0, signal: null });
    expect(Buffer.concat(chunks).toString()).toBe('echo');
  });

  it('describes commands and trims output for messages', () => {
    expect(describeCommand('lxc-attach', ['-n', 'c1', '--', 'sh', '-c', "echo 'hi' there"])).toBe(`lxc-attach -n c1 -- sh -c 'echo '\\''hi'\\'' there'`);
    expect(outputExcerpt('a\n\n b \nc\n', 2)).toBe(' b\nc');
  });
});

describe('PrefixedCommandRunner with netnsCommandPrefix', () => {
  it('wraps each command so that it runs in the namespace with the cgroup mounts carried over', async () => {
    const calls: { command: string; args: readonly string[] }[] = [];
    const recorder = new PrefixedCommandRunner(
      {
        run: async (command, args) => {
          calls.push({ command, args });
          return { exitCode: 0, signal: null, stdout: '', stderr: '', timedOut: false };
        },
        spawn: async () => {
          throw new Error('not used');
        },
      },
      netnsCommandPrefix('cubedtest', '/tmp/scratch'),
    );
    await recorder.run('lxc-info', ['-n', 'c1'], { timeoutMs: 1000 });
    expect(calls[0].command).toBe('nsenter');
    expect(calls[0].args.slice(0, 8)).toEqual(['--net=/run/netns/cubedtest', '--', 'unshare', '--mount', '--propagation', 'slave', '--', 'sh']);
    expect(calls[0].args.slice(-5)).toEqual(['netns-exec', '/tmp/scratch', 'lxc-info', '-n', 'c1']);
    const script = calls[0].args[9];
    expect(script).toContain('mount -t sysfs sysfs /sys');
    expect(script.indexOf('mount --rbind /sys/fs/cgroup "$scratch"')).toBeLessThan(script.indexOf('mount -t sysfs'));
    expect(script.trimEnd().endsWith('exec "$@"')).toBe(true);
  });
});
