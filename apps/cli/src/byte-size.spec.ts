import { byteSizeIec } from './byte-size';

describe('byteSizeIec', () => {
  it('writes sizes as LXD does', () => {
    expect(byteSizeIec(512, 2)).toBe('512B');
    expect(byteSizeIec(1536, 2)).toBe('1.50KiB');
    expect(byteSizeIec(32 * 1024 ** 3, 0)).toBe('32GiB');
    expect(byteSizeIec(2 ** 62, 2)).toBe('4.00EiB');
  });
});
