import {
  lxcAttachCommand,
  lxcFreezeCommand,
  lxcInfoCommand,
  lxcStartCommand,
  lxcStopCommand,
  lxcUnfreezeCommand,
} from './lxc-commands';

const P = '/var/lib/cubed/lxc';

describe('lxc-* command lines', () => {
  it('starts daemonized with a log file', () => {
    expect(lxcStartCommand(P, 'c1', '/var/lib/cubed/lxc/c1/lxc.log', 'INFO')).toEqual({
      command: 'lxc-start',
      args: ['-P', P, '-n', 'c1', '-d', '-o', '/var/lib/cubed/lxc/c1/lxc.log', '-l', 'INFO'],
    });
    expect(lxcStartCommand(P, 'c1', '/l', 'DEBUG', { lxcStartPath: '/usr/bin/lxc-start', path: '/usr/sbin:/sbin' })).toEqual({
      command: 'env',
      args: ['PATH=/usr/sbin:/sbin', '/usr/bin/lxc-start', '-P', P, '-n', 'c1', '-d', '-o', '/l', '-l', 'DEBUG'],
    });
  });

  it('stops with a grace period without killing, or kills', () => {
    expect(lxcStopCommand(P, 'c1', { kill: false, timeoutSeconds: 10 }).args).toEqual(['-P', P, '-n', 'c1', '-t', '10', '--nokill']);
    expect(lxcStopCommand(P, 'c1', { kill: true }).args).toEqual(['-P', P, '-n', 'c1', '-k']);
  });

  it('reads state and pid unhumanized, and freezes', () => {
    expect(lxcInfoCommand(P, 'c1')).toEqual({ command: 'lxc-info', args: ['-P', P, '-n', 'c1', '-s', '-p', '-H'] });
    expect(lxcFreezeCommand(P, 'c1')).toEqual({ command: 'lxc-freeze', args: ['-P', P, '-n', 'c1'] });
    expect(lxcUnfreezeCommand(P, 'c1')).toEqual({ command: 'lxc-unfreeze', args: ['-P', P, '-n', 'c1'] });
  });

  it('attaches with a clean environment, ids, and argv passed through untouched', () => {
    expect(
      lxcAttachCommand(P, 'c1', { command: ['sh', '-c', 'echo "$A" $1', 'x y'], environment: { A: 'a=b c', TERM: 'xterm' }, uid: 1000, gid: 100 }).args,
    ).toEqual(['-P', P, '-n', 'c1', '--clear-env', '-v', 'A=a=b c', '-v', 'TERM=xterm', '-u', '1000', '-g', '100', '--', 'sh', '-c', 'echo "$A" $1', 'x y']);
    expect(lxcAttachCommand(P, 'c1', { command: ['id'] }).args).toEqual(['-P', P, '-n', 'c1', '--clear-env', '-u', '0', '-g', '0', '--', 'id']);
  });

  it('changes into a working directory through the container shell', () => {
    expect(lxcAttachCommand(P, 'c1', { command: ['pwd'], cwd: '/root' }).args.slice(-6)).toEqual([
      '/bin/sh',
      '-c',
      'cd -- "$1" || exit 127; shift; exec "$@"',
      'sh',
      '/root',
      'pwd',
    ]);
    expect(lxcAttachCommand(P, 'c1', { command: ['pwd'], cwd: '/' }).args.slice(-2)).toEqual(['--', 'pwd']);
  });

  it.each([
    [{ command: [] }, /needs a command/],
    [{ command: [''] }, /command name is empty/],
    [{ command: ['a\0b'] }, /without NUL/],
    [{ command: ['id'], environment: { 'BAD=NAME': 'x' } }, /Invalid environment variable name/],
    [{ command: ['id'], uid: -1 }, /Invalid uid/],
    [{ command: ['id'], cwd: 'relative' }, /must be an absolute path/],
  ])('refuses %p', (request, message) => {
    expect(() => lxcAttachCommand(P, 'c1', request)).toThrow(message);
  });
});
