import type { Io } from './io';
import { processTerminal } from './process-terminal';
import { StreamInput } from './stream-input';
import { editInTerminal } from './text-editor';

/** The Io of the `cube` process: its standard streams, environment, terminal and the user's editor. */
export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    stdin: new StreamInput(process.stdin),
    editor: (text) => editInTerminal(text, process.env),
    streams: { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
    terminal: processTerminal(),
  };
}
