/**
 * Starting a program on a new pseudo-terminal, behind an interface like CommandRunner.
 */
import { ProcessExit } from './command-runner';

export interface PtySpawnOptions {
  env: Readonly<Record<string, string>>;
  cwd?: string;
  columns: number;
  rows: number;
}

export interface PtyProcess {
  readonly pid: number;
  write(data: Buffer | string): void;
  /** Receives everything the program writes to the terminal. */
  onData(listener: (chunk: Buffer) => void): void;
  /** Stops/starts reading the terminal (back-pressure). */
  pause(): void;
  resume(): void;
  resize(columns: number, rows: number): void;
  kill(signal?: NodeJS.Signals): void;
  readonly exit: Promise<ProcessExit>;
}

export interface PtySpawner {
  spawn(command: string, args: readonly string[], options: PtySpawnOptions): Promise<PtyProcess>;
}
