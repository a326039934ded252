/** The recovery commands' surroundings in a real process: its environment, stdio and $EDITOR. */
import { readOneLine } from './line-reader';
import type { RecoveryIo } from './recovery-io';
import { editInTextEditor } from './text-editor';

export function processRecoveryIo(): RecoveryIo {
  return {
    env: process.env,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stdinIsTerminal: () => process.stdin.isTTY === true,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    readLine: () => readOneLine(process.stdin),
    editText: (text) => editInTextEditor(text, process.env),
  };
}
