/** The last lines of a log file, for error messages. */
import * as fs from 'node:fs';

export function logTail(file: string, lines = 15): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return `(no log at ${file})`;
  }
  const tail = text.trimEnd().split('\n').slice(-lines);
  return tail.length && tail[0] !== '' ? tail.map((l) => `    ${l}`).join('\n') : `(${file} is empty)`;
}
