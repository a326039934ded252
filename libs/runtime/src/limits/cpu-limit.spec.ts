import { formatCpuList, parseCpuAllowance, parseCpuLimit, parseCpuList, selectCpus, sharesForPercent } from './cpu-limit';

describe('limits.cpu', () => {
  it('reads a plain number as a CPU count', () => {
    expect(parseCpuLimit('2')).toEqual({ kind: 'count', count: 2 });
    expect(parseCpuLimit('1')).toEqual({ kind: 'count', count: 1 });
  });

  it('reads ranges and lists as a CPU set', () => {
    expect(parseCpuLimit('0-1')).toEqual({ kind: 'set', cpus: [0, 1] });
    expect(parseCpuLimit('1-1')).toEqual({ kind: 'set', cpus: [1] });
    expect(parseCpuLimit('0,2-3,2')).toEqual({ kind: 'set', cpus: [0, 2, 3] });
  });

  it.each(['0', '', 'a', '1-', '3-1', '1,,2', '-1'])('refuses "%s"', (value) => {
    expect(() => parseCpuLimit(value)).toThrow(/limits\.cpu/);
  });

  it('formats CPU ids the way the kernel prints cpusets', () => {
    expect(formatCpuList([3, 0, 1, 5, 6, 7])).toBe('0-1,3,5-7');
    expect(formatCpuList([2])).toBe('2');
    expect(formatCpuList([])).toBe('');
    expect(parseCpuList('0-1,3,5-7\n')).toEqual([0, 1, 3, 5, 6, 7]);
  });

  it('picks the first CPUs of the host for a count and checks a set against the host', () => {
    expect(selectCpus({ kind: 'count', count: 2 }, [2, 3, 5])).toEqual([2, 3]);
    expect(() => selectCpus({ kind: 'count', count: 4 }, [0, 1])).toThrow(/asks for 4 CPUs but the host has 2 \(0-1\)/);
    expect(selectCpus({ kind: 'set', cpus: [1] }, [0, 1])).toEqual([1]);
    expect(() => selectCpus({ kind: 'set', cpus: [1, 7, 8] }, [0, 1])).toThrow(/does not have: 7-8/);
  });
});

describe('limits.cpu.allowance', () => {
  it('reads a percentage as a soft share', () => {
    expect(parseCpuAllowance('50%')).toEqual({ kind: 'share', percent: 50 });
    expect(sharesForPercent(50)).toBe(512);
    expect(sharesForPercent(100)).toBe(1024);
    expect(sharesForPercent(1)).toBe(10);
  });

  it('reads a time slice as a hard quota in microseconds', () => {
    expect(parseCpuAllowance('25ms/100ms')).toEqual({ kind: 'quota', quotaMicros: 25_000, periodMicros: 100_000 });
    expect(parseCpuAllowance('200ms/100ms')).toEqual({ kind: 'quota', quotaMicros: 200_000, periodMicros: 100_000 });
  });

  it.each(['0%', '150%', '50', '25ms', '0ms/100ms', '10ms/2000ms', '10ms/0ms', '1s/2s'])('refuses "%s"', (value) => {
    expect(() => parseCpuAllowance(value)).toThrow(/limits\.cpu\.allowance/);
  });
});
