import { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { Io } from './io';

/** Standard input, output and error as byte streams: what exec and file transfers read and write. */
export interface StandardStreams {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/**
 * The byte streams of an Io: its own when it has them (the process), else streams over its text functions:
 * standard input read whole on first read, output and error decoded as UTF-8.
 */
export function standardStreamsOf(io: Io): StandardStreams {
  if (io.streams) return io.streams;
  let requested = false;
  const stdin = new Readable({
    read() {
      if (requested) return;
      requested = true;
      io.stdin.readAll().then(
        (text) => {
          if (text !== '') this.push(Buffer.from(text, 'utf8'));
          this.push(null);
        },
        (err: Error) => this.destroy(err),
      );
    },
  });
  return { stdin, stdout: textWriter(io.stdout), stderr: textWriter(io.stderr) };
}

function textWriter(write: (text: string) => void): Writable {
  const decoder = new StringDecoder('utf8');
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = decoder.write(chunk);
      if (text !== '') write(text);
      done();
    },
    final(done) {
      const rest = decoder.end();
      if (rest !== '') write(rest);
      done();
    },
  });
}
