import { displayWidth } from './render';

/** Where progress lines go: a terminal, whose width they must fit. */
export interface ProgressOutput {
  write(text: string): void;
  /** The terminal's width, if known. */
  width(): number | undefined;
}

/**
 * One progress line that keeps being rewritten in place (lxc's ProgressRenderer): every update returns to the
 * start of the line with `\r` and covers a longer previous text with spaces first; a text wider than the terminal
 * is not shown. `done` blanks the line, so that what is printed next starts on a clean line. Without an output
 * (quiet mode, or not a terminal) it shows nothing.
 */
export class ProgressRenderer {
  private longest = 0;
  private finished = false;
  private warningUntil = 0;

  constructor(
    private readonly output: ProgressOutput | undefined,
    /** Turns a status into the line shown (`Retrieving image: ${status}`). */
    private readonly format: (status: string) => string = (status) => status,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether anything is shown at all (there is an output). */
  get visible(): boolean {
    return this.output !== undefined;
  }

  /** Shows a new status (ignored while a warning is shown). */
  update(status: string): void {
    if (this.finished || this.now() < this.warningUntil) return;
    this.show(this.format(status));
  }

  /** Shows a message instead of the status for `durationMs`. */
  warn(message: string, durationMs: number): void {
    if (this.finished) return;
    this.warningUntil = this.now() + durationMs;
    this.show(message);
  }

  /** Blanks the line and stops showing anything. */
  done(): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.output || this.longest === 0) return;
    this.output.write(`\r${' '.repeat(this.longest)}\r`);
  }

  private show(message: string): void {
    if (!this.output) return;
    const width = this.output.width();
    const text = width !== undefined && width < displayWidth(message) ? '' : message;
    if (text === '' && this.longest === 0) return;
    const length = displayWidth(text);
    const blank = length < this.longest ? `\r${' '.repeat(this.longest)}` : '';
    this.longest = Math.max(this.longest, length);
    this.output.write(`${blank}\r${text}`);
  }
}
