import { PassThrough } from 'node:stream';
import { StreamInput } from './stream-input';

function input(): { stream: PassThrough; source: StreamInput } {
  const stream = new PassThrough();
  return { stream, source: new StreamInput(stream as unknown as NodeJS.ReadStream) };
}

describe('StreamInput', () => {
  it('reads lines as they arrive, then the rest', async () => {
    const { stream, source } = input();
    const first = source.readLine();
    stream.write('ye');
    stream.write('s\r\nsecond');
    expect(await first).toBe('yes');
    stream.end('\nrest\n');
    expect(await source.readLine()).toBe('second');
    expect(await source.readAll()).toBe('rest\n');
    expect(await source.readLine()).toBeNull();
    expect(source.isTTY).toBe(false);
  });

  it('reads a secret as a line when not a terminal', async () => {
    const { stream, source } = input();
    stream.end('p4ss\n');
    expect(await source.readSecret()).toBe('p4ss');
  });
});
