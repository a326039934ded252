import { Transform } from 'node:stream';
import { byteSizeDecimal } from './byte-size';

/**
 * Progress of a byte transfer as LXD's ioprogress tracker reports it: with a known length, whenever another
 * percent went through (`45% (23.00MB/s)`); without one, at most once a second (`12.00MB (4.00MB/s)`). The
 * speed is the average since the first bytes.
 */
export class TransferProgress {
  private total = 0;
  private reportedPercentage = 0;
  private started: number | undefined;
  private lastReport = 0;

  constructor(
    private readonly length: number | undefined,
    private readonly report: (text: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts `bytes` more. */
  add(bytes: number): void {
    const time = this.now();
    if (this.started === undefined) {
      this.started = time;
      this.lastReport = time;
    }
    if (bytes <= 0) return;
    this.total += bytes;
    const known = this.length !== undefined && this.length > 0;
    const percentage = known ? (this.total / this.length!) * 100 : 0;
    if (known ? percentage - this.reportedPercentage < 0.9 : time - this.lastReport < 1000) return;
    const seconds = (time - this.started) / 1000;
    const speed = seconds > 0 ? Math.trunc(this.total / seconds) : 0;
    if (known) {
      this.reportedPercentage = percentage;
      this.report(`${Math.min(100, 1 + Math.trunc(percentage))}% (${byteSizeDecimal(speed, 2)}/s)`);
    } else {
      this.lastReport = time;
      this.report(`${byteSizeDecimal(this.total, 2)} (${byteSizeDecimal(speed, 2)}/s)`);
    }
  }
}

/** A pass-through stream that counts what goes through it into `progress`. */
export function countedThrough(progress: TransferProgress): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      progress.add(chunk.length);
      done(null, chunk);
    },
  });
}
