import type { InputSource } from './io';

/**
 * Standard input of the process as an InputSource. It is read only when a command asks for input, and paused in
 * between, so that a command that never reads it does not keep the process waiting.
 */
export class StreamInput implements InputSource {
  private buffer = '';
  private ended = false;
  private started = false;
  private failure: Error | undefined;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly stream: NodeJS.ReadStream) {}

  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }

  async readAll(): Promise<string> {
    await this.fill(() => false);
    const all = this.buffer;
    this.buffer = '';
    return all;
  }

  async readLine(): Promise<string | null> {
    await this.fill(() => this.buffer.includes('\n'));
    return this.takeLine();
  }

  async readSecret(): Promise<string | null> {
    if (!this.isTTY || typeof this.stream.setRawMode !== 'function') return this.readLine();
    this.stream.setRawMode(true);
    try {
      await this.fill(() => /[\r\n\u0003\u0004]/.test(this.buffer));
      const end = this.buffer.search(/[\r\n\u0003\u0004]/);
      if (end < 0) return this.takeLine();
      const typed = this.buffer.slice(0, end);
      const terminator = this.buffer[end];
      this.buffer = this.buffer.slice(end + 1).replace(/^\n/, '');
      if (terminator === '\u0003') throw new Error('interrupted');
      let secret = '';
      for (const c of typed) secret = c === '\u007f' || c === '\b' ? secret.slice(0, -1) : secret + c;
      return secret;
    } finally {
      this.stream.setRawMode(false);
    }
  }

  private takeLine(): string | null {
    if (this.failure) throw this.failure;
    if (this.buffer === '' && this.ended) return null;
    const i = this.buffer.indexOf('\n');
    const line = i < 0 ? this.buffer : this.buffer.slice(0, i);
    this.buffer = i < 0 ? '' : this.buffer.slice(i + 1);
    return line.replace(/\r$/, '');
  }

  private async fill(enough: () => boolean): Promise<void> {
    if (!this.started) {
      this.started = true;
      this.stream.setEncoding('utf8');
      this.stream.on('data', (chunk: string) => {
        this.buffer += chunk;
        this.wake();
      });
      this.stream.on('end', () => {
        this.ended = true;
        this.wake();
      });
      this.stream.on('error', (err) => {
        this.failure = err;
        this.ended = true;
        this.wake();
      });
    }
    this.stream.resume();
    while (!enough() && !this.ended) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.stream.pause();
    if (this.failure) throw this.failure;
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
