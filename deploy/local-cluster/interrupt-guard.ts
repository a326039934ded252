/**
 * Cleaning up when the script is interrupted (Ctrl-C, SIGTERM, a closed terminal): the cleanup
 * runs once, then the process exits with 128 + the signal's number. A second signal while it runs
 * is reported and ignored; a third exits at once.
 */
import * as os from 'node:os';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface InterruptGuard {
  release(): void;
}

export function guardInterrupts(cleanup: () => Promise<void>, log: (line: string) => void): InterruptGuard {
  let received = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    received++;
    const code = 128 + (os.constants.signals[sig] ?? 0);
    if (received === 1) {
      log(`${sig}: cleaning up before exiting`);
      cleanup().then(
        () => process.exit(code),
        (err: unknown) => {
          log(`cleanup after ${sig} failed: ${(err as Error).message}`);
          process.exit(code);
        },
      );
    } else if (received === 2) {
      log(`${sig}: still cleaning up (once more to exit without cleaning up)`);
    } else {
      process.exit(code);
    }
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  return { release: () => SIGNALS.forEach((s) => process.off(s, onSignal)) };
}
