import { byteSizeDecimal, byteSizeIec } from './byte-size';

describe('byteSizeIec', () => {
  it('writes sizes as LXD does', () => {
    expect(byteSizeIec(512, 2)).toBe('512B');
    expect(byteSizeIec(1536, 2)).toBe('1.50KiB');
    expect(byteSizeIec(32 * 1024 ** 3, 0)).toBe('32GiB');
    expect(byteSizeIec(2 ** 62, 2)).toBe('4.00EiB');
  });
});

describe('byteSizeDecimal', () => {
  it('writes sizes in powers of 1000 as LXD does', () => {
    expect(byteSizeDecimal(999, 2)).toBe('999B');
    expect(byteSizeDecimal(123456, 2)).toBe('123.46kB');
    expect(byteSizeDecimal(23_000_000, 2)).toBe('23.00MB');
    expect(byteSizeDecimal(5e18, 1)).toBe('5.0EB');
  });
});
