import { ProgressRenderer } from './progress-renderer';

function renderer(width?: number, format?: (status: string) => string) {
  const written: string[] = [];
  let now = 0;
  const progress = new ProgressRenderer({ write: (t) => void written.push(t), width: () => width }, format, () => now);
  return { progress, written, advance: (ms: number) => (now += ms) };
}

describe('ProgressRenderer', () => {
  it('rewrites one line in place, covering a longer previous text, and blanks it when done', () => {
    const { progress, written } = renderer(80, (s) => `Retrieving image: ${s}`);
    progress.update('rootfs: 5% (1.00MB/s)');
    progress.update('Unpack: 9%');
    progress.done();
    progress.update('ignored');
    const first = 'Retrieving image: rootfs: 5% (1.00MB/s)';
    expect(written).toEqual([
      `\r${first}`,
      `\r${' '.repeat(first.length)}\rRetrieving image: Unpack: 9%`,
      `\r${' '.repeat(first.length)}\r`,
    ]);
  });

  it('does not show a line wider than the terminal, and writes nothing for nothing', () => {
    const { progress, written } = renderer(10);
    progress.update('a status longer than ten');
    progress.done();
    expect(written).toEqual([]);
  });

  it('shows a warning instead of updates for a while', () => {
    const { progress, written, advance } = renderer(80);
    progress.warn('Interrupt again', 5000);
    progress.update('hidden');
    advance(5000);
    progress.update('shown');
    expect(written).toEqual(['\rInterrupt again', `\r${' '.repeat(15)}\rshown`]);
  });

  it('shows nothing without an output', () => {
    const progress = new ProgressRenderer(undefined);
    expect(progress.visible).toBe(false);
    progress.update('x');
    progress.done();
  });
});
