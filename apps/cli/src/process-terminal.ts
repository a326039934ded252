import type { Terminal } from './terminal';

/** The terminal of the `cube` process: its standard streams' TTYs and its signals. */
export function processTerminal(): Terminal {
  return {
    get stdinIsTerminal() {
      return process.stdin.isTTY === true;
    },
    get stdoutIsTerminal() {
      return process.stdout.isTTY === true;
    },
    get stderrIsTerminal() {
      return process.stderr.isTTY === true;
    },
    size: () =>
      process.stdout.isTTY ? { width: process.stdout.columns ?? 0, height: process.stdout.rows ?? 0 } : undefined,
    stderrWidth: () => (process.stderr.isTTY ? process.stderr.columns : undefined),
    makeRaw: () => {
      const stdin = process.stdin;
      if (!stdin.isTTY) return () => undefined;
      const wasRaw = stdin.isRaw;
      stdin.setRawMode(true);
      return () => {
        stdin.setRawMode(wasRaw);
      };
    },
    trapSignals: (signals, handler) => {
      const listeners = signals.map((signal) => [signal, () => handler(signal)] as const);
      for (const [signal, listener] of listeners) process.on(signal, listener);
      return () => {
        for (const [signal, listener] of listeners) process.off(signal, listener);
      };
    },
  };
}
