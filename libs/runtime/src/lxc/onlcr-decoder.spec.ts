import { OnlcrDecoder } from './onlcr-decoder';

function decode(chunks: string[]): string {
  const decoder = new OnlcrDecoder();
  const out = chunks.map((chunk) => decoder.decode(Buffer.from(chunk, 'latin1')).toString('latin1'));
  return out.join('') + decoder.flush().toString('latin1');
}

/** What the host pty makes of the container pty's output: ONLCR, "\n" becomes "\r\n". */
const onlcr = (text: string) => text.replace(/\n/g, '\r\n');

describe('OnlcrDecoder', () => {
  it.each([
    ['/dev/pts/0\r\n'],
    ['raw mode output\nwithout carriage returns\n'],
    ['\r\r\n\r'],
    ['progress 10%\rprogress 20%\rdone\r\n'],
    ['\x1b[2J\x1b[H\r\n$ '],
    [''],
  ])('restores exactly what the container pty wrote: %j', (original) => {
    expect(decode([onlcr(original)])).toBe(original);
    const split = onlcr(original);
    for (let i = 0; i <= split.length; i++) expect(decode([split.slice(0, i), split.slice(i)])).toBe(original);
  });
});
