/** Questions at a terminal (or answers piped in), as `lxd init` asks them. */
import * as readline from 'node:readline';

export interface Prompter {
  /** Asks `question`; an empty answer gives `def`. */
  ask(question: string, def?: string): Promise<string>;
  /** yes/no (also y/n), with a default. */
  confirm(question: string, def: boolean): Promise<boolean>;
  /** Asks twice without echo when on a terminal; both answers must match. */
  secret(question: string): Promise<string>;
  close(): void;
}

export class ReadlinePrompter implements Prompter {
  private readonly rl: readline.Interface;
  private readonly lines: string[] = [];
  private waiting?: (line: string | undefined) => void;
  private ended = false;

  constructor(
    input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
  ) {
    this.rl = readline.createInterface({ input, terminal: false });
    this.rl.on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      } else {
        this.lines.push(line);
      }
    });
    this.rl.on('close', () => {
      this.ended = true;
      this.waiting?.(undefined);
    });
  }

  private next(): Promise<string | undefined> {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async ask(question: string, def?: string): Promise<string> {
    this.output.write(def !== undefined && def !== '' ? `${question} [default=${def}]: ` : `${question}: `);
    const line = await this.next();
    if (line === undefined) throw new Error('no more answers on standard input');
    const answer = line.trim();
    return answer === '' ? (def ?? '') : answer;
  }

  async confirm(question: string, def: boolean): Promise<boolean> {
    for (;;) {
      const a = (await this.ask(`${question} (yes/no)`, def ? 'yes' : 'no')).toLowerCase();
      if (['yes', 'y'].includes(a)) return true;
      if (['no', 'n'].includes(a)) return false;
      this.output.write('Invalid input, try again.\n\n');
    }
  }

  async secret(question: string): Promise<string> {
    for (;;) {
      const first = await this.ask(question);
      const again = await this.ask('Again');
      if (first === again) return first;
      this.output.write('Passwords did not match, try again.\n\n');
    }
  }

  close(): void {
    this.rl.close();
  }
}
