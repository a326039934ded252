import type { Io } from './io';

/** Columns and rows of a terminal. */
export interface TerminalSize {
  width: number;
  height: number;
}

/** The terminal `cube` runs in: what interactive exec and progress lines need from it. */
export interface Terminal {
  readonly stdinIsTerminal: boolean;
  readonly stdoutIsTerminal: boolean;
  readonly stderrIsTerminal: boolean;
  /** The size of the terminal on standard output (where lxc reads it); undefined when it is not a terminal. */
  size(): TerminalSize | undefined;
  /** The width of the terminal on standard error, where progress lines go; undefined when it is not one. */
  stderrWidth(): number | undefined;
  /** Puts standard input into raw mode; returns the function that restores the mode it had. */
  makeRaw(): () => void;
  /** Handles the signals, instead of their default action, until the returned function is called. */
  trapSignals(signals: readonly NodeJS.Signals[], handler: (signal: NodeJS.Signals) => void): () => void;
}

/**
 * The terminal of an Io: its own, or, for an Io without one, a terminal that is only standard input when
 * `stdin.isTTY` says so, has no size and receives no signals.
 */
export function terminalOf(io: Io): Terminal {
  if (io.terminal) return io.terminal;
  return {
    stdinIsTerminal: io.stdin.isTTY,
    stdoutIsTerminal: false,
    stderrIsTerminal: false,
    size: () => undefined,
    stderrWidth: () => undefined,
    makeRaw: () => () => undefined,
    trapSignals: () => () => undefined,
  };
}
