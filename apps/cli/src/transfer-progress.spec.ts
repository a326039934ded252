import { Readable } from 'node:stream';
import { countedThrough, TransferProgress } from './transfer-progress';

describe('TransferProgress', () => {
  it('reports each percent with the average speed when the length is known', () => {
    const reports: string[] = [];
    let now = 0;
    const progress = new TransferProgress(
      10_000_000,
      (text) => reports.push(text),
      () => now,
    );
    progress.add(0);
    now = 1000;
    progress.add(5_000_000);
    now = 1500;
    progress.add(50_000);
    now = 2000;
    progress.add(4_950_000);
    expect(reports).toEqual(['51% (5.00MB/s)', '100% (5.00MB/s)']);
  });

  it('reports the bytes so far at most once a second without a length', () => {
    const reports: string[] = [];
    let now = 0;
    const progress = new TransferProgress(
      undefined,
      (text) => reports.push(text),
      () => now,
    );
    progress.add(500);
    now = 500;
    progress.add(500);
    now = 1000;
    progress.add(2000);
    expect(reports).toEqual(['3.00kB (3.00kB/s)']);
  });

  it('counts what flows through countedThrough', async () => {
    const reports: string[] = [];
    const progress = new TransferProgress(4, (text) => reports.push(text));
    const chunks: Buffer[] = [];
    for await (const chunk of Readable.from([Buffer.from('ab'), Buffer.from('cd')]).pipe(countedThrough(progress))) {
      chunks.push(chunk as Buffer);
    }
    expect(Buffer.concat(chunks).toString()).toBe('abcd');
    expect(reports.map((r) => r.split(' ')[0])).toEqual(['51%', '100%']);
  });
});
