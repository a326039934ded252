import { isRuntimeError } from '../errors/runtime-error';
import { parseByteSize, parseMemoryLimit } from './memory-limit';

const GiB = 1024 ** 3;

describe('parseMemoryLimit', () => {
  it.each([
    ['64MiB', 64 * 1024 * 1024],
    ['1GB', 1_000_000_000],
    ['1GiB', GiB],
    ['512kB', 512_000],
    ['2KiB', 2048],
    ['100B', 100],
    ['4096', 4096],
    ['1TB', 1e12],
    ['1TiB', 1024 ** 4],
    [' 8 MiB ', 8 * 1024 * 1024],
  ])('reads %s as %d bytes', (value, bytes) => {
    expect(parseMemoryLimit(value, 16 * GiB)).toBe(bytes);
  });

  it('reads percentages of the host memory, rounded down', () => {
    expect(parseMemoryLimit('50%', 16 * GiB)).toBe(8 * GiB);
    expect(parseMemoryLimit('100%', 1001)).toBe(1001);
    expect(parseMemoryLimit('33%', 1000)).toBe(330);
  });

  it.each(['', 'abc', '64mb', '64 MB B', '1.5GB', '-1', '64M', '64Mi', '10 %', '0%', '101%', '0', '0MiB'])('refuses "%s"', (value) => {
    let error: unknown;
    try {
      parseMemoryLimit(value, 16 * GiB);
    } catch (caught) {
      error = caught;
    }
    expect(isRuntimeError(error, 'InvalidArgument')).toBe(true);
    expect((error as Error).message).toContain('limits.memory');
  });

  it('refuses sizes beyond what is exactly representable', () => {
    expect(() => parseByteSize('16EiB')).toThrow(/too large/);
  });
});
