import { limitEntries, parseInstanceLimits } from './instance-limits';

const host = 4 * 1024 ** 3;

describe('parseInstanceLimits', () => {
  it('types every supported key', () => {
    expect(
      parseInstanceLimits(
        {
          'limits.memory': '64MiB',
          'limits.memory.enforce': 'soft',
          'limits.memory.swap': 'false',
          'limits.cpu': '0-1',
          'limits.cpu.allowance': '20ms/100ms',
          'limits.processes': '100',
          'user.comment': 'ignored: not a limit',
        },
        host,
      ),
    ).toEqual({
      memory: { bytes: 64 * 1024 * 1024, enforce: 'soft', swap: false },
      cpu: { kind: 'set', cpus: [0, 1] },
      cpuAllowance: { kind: 'quota', quotaMicros: 20_000, periodMicros: 100_000 },
      processes: 100,
    });
  });

  it('has hard enforcement and swap allowed by default, and nothing set for an empty config', () => {
    expect(parseInstanceLimits({ 'limits.memory': '50%' }, host)).toEqual({ memory: { bytes: 2 * 1024 ** 3, enforce: 'hard', swap: true } });
    expect(parseInstanceLimits({}, host)).toEqual({});
  });

  it('treats empty values as unset, like LXD', () => {
    expect(parseInstanceLimits({ 'limits.memory': '', 'limits.processes': '' }, host)).toEqual({});
    expect(limitEntries({ 'limits.memory': '', 'limits.cpu': '1', 'boot.autostart': 'true' })).toEqual({ 'limits.cpu': '1' });
  });

  it('refuses limits it cannot apply instead of ignoring them', () => {
    expect(() => parseInstanceLimits({ 'limits.kernel.nofile': '1024', 'limits.disk.priority': '5' }, host)).toThrow(
      /Unsupported limits "limits.kernel.nofile", "limits.disk.priority" \(supported: limits.cpu, /,
    );
  });

  it.each([
    [{ 'limits.processes': '0' }, /limits.processes/],
    [{ 'limits.processes': '12abc' }, /limits.processes/],
    [{ 'limits.memory.enforce': 'strict' }, /limits.memory.enforce/],
    [{ 'limits.memory.swap': 'yes' }, /limits.memory.swap/],
    [{ 'limits.memory': '64 parsecs' }, /limits.memory/],
  ])('refuses invalid values: %p', (config, message) => {
    expect(() => parseInstanceLimits(config, host)).toThrow(message);
  });
});
