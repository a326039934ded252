import { lxcLogErrors, parseLxcInfo } from './lxc-output';

describe('parseLxcInfo', () => {
  it('reads state and pid', () => {
    expect(parseLxcInfo('State:          RUNNING\nPID:            5683\n')).toEqual({ state: 'RUNNING', pid: 5683 });
    expect(parseLxcInfo('State:          STOPPED\n')).toEqual({ state: 'STOPPED', pid: null });
    expect(parseLxcInfo('')).toEqual({ state: '', pid: null });
  });
});

describe('lxcLogErrors', () => {
  const log = [
    'lxc-start u1 20261201183617.700 INFO     conf - ../src/lxc/conf.c:run_script_argv:340 - Executing script',
    'lxc-start u1 20261201183617.701 ERROR    confile - ../src/lxc/confile.c:get_config_unsupported_key:170 - Unsupported config key "lxc.seccomp"',
    'lxc-start u1 20261201183617.746 ERROR    conf - ../src/lxc/conf.c:lxc_map_ids:3708 - newuidmap failed to write mapping',
    'lxc-start u1 20261201183617.746 ERROR    start - ../src/lxc/start.c:lxc_spawn:1788 - Failed to set up id mapping.',
    'lxc-start u1 20261201183617.747 WARN     start - ../src/lxc/start.c:lxc_abort:1036 - No such process',
  ].join('\n');

  it('keeps the meaningful errors without their timestamps and drops the seccomp noise', () => {
    expect(lxcLogErrors(log)).toEqual([
      'ERROR    conf - ../src/lxc/conf.c:lxc_map_ids:3708 - newuidmap failed to write mapping',
      'ERROR    start - ../src/lxc/start.c:lxc_spawn:1788 - Failed to set up id mapping.',
    ]);
    expect(lxcLogErrors(log, 1)).toHaveLength(1);
  });

  it('falls back to warnings', () => {
    const warnings = 'lxc-start c1 20261201183617.747 WARN     cgfsng - cgfsng_setup_limits:3232 - Ignoring cgroup2 limits on legacy cgroup system\n';
    expect(lxcLogErrors(warnings)).toEqual(['WARN     cgfsng - cgfsng_setup_limits:3232 - Ignoring cgroup2 limits on legacy cgroup system']);
    expect(lxcLogErrors('')).toEqual([]);
  });
});
