import { PassThrough } from 'node:stream';
import { readOneLine } from './line-reader';

describe('readOneLine', () => {
  it('returns the first line without its line break', async () => {
    const input = new PassThrough();
    const line = readOneLine(input);
    input.write('yes\r\nmore\n');
    expect(await line).toBe('yes');
  });

  it('returns the last line without a line break, and undefined at the end of input', async () => {
    const input = new PassThrough();
    const line = readOneLine(input);
    input.end('no');
    expect(await line).toBe('no');
    const empty = new PassThrough();
    const none = readOneLine(empty);
    empty.end();
    expect(await none).toBeUndefined();
  });
});
