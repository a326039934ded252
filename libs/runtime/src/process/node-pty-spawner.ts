/**
 * PtySpawner with node-pty (forkpty in a native addon).
 */
import * as os from 'node:os';
import * as pty from 'node-pty';
import { ProcessExit } from './command-runner';
import { PtyProcess, PtySpawner, PtySpawnOptions } from './pty-spawner';

function signalName(signal: number | undefined): NodeJS.Signals | null {
  if (!signal) return null;
  const entry = Object.entries(os.constants.signals).find(([, value]) => value === signal);
  return entry ? (entry[0] as NodeJS.Signals) : null;
}

export class NodePtySpawner implements PtySpawner {
  async spawn(command: string, args: readonly string[], options: PtySpawnOptions): Promise<PtyProcess> {
    const terminal = pty.spawn(command, [...args], {
      cols: options.columns,
      rows: options.rows,
      cwd: options.cwd ?? '/',
      env: { ...options.env },
      // Raw bytes: the program's output is not necessarily UTF-8.
      encoding: null,
    });
    const exit = new Promise<ProcessExit>((resolve) => {
      terminal.onExit(({ exitCode, signal }) => {
        const name = signalName(signal);
        resolve(name ? { exitCode: null, signal: name } : { exitCode, signal: null });
      });
    });
    return {
      pid: terminal.pid,
      write: (data) => terminal.write(data),
      onData: (listener) => {
        terminal.onData((data: string | Buffer) => listener(typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
      },
      pause: () => terminal.pause(),
      resume: () => terminal.resume(),
      resize: (columns, rows) => terminal.resize(columns, rows),
      kill: (signal) => terminal.kill(signal),
      exit,
    };
  }
}
