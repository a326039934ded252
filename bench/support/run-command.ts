/** Running a command to completion: its output, or an error with its standard error. */
import { execFile } from 'node:child_process';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

export function runCommand(file: string, args: string[], o: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env: o.env ?? process.env, timeout: o.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const why = err.killed ? `killed after ${(o.timeoutMs ?? 30_000) / 1000} s` : `exit ${err.code ?? err.signal}`;
      reject(new Error(`${file} ${args.join(' ')} failed (${why}): ${stderr.trim() || err.message}`));
    });
    child.stdin?.end(o.input);
  });
}
