/** Time as the replication layer sees it: injectable so tests can drive it. */
export interface Clock {
  /** Milliseconds (any epoch; only differences matter). */
  now(): number;
  setInterval(fn: () => void, ms: number): ClockTimer;
  setTimeout(fn: () => void, ms: number): ClockTimer;
}

export interface ClockTimer {
  cancel(): void;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => performance.now(),
  setInterval: (fn, ms) => {
    const h = setInterval(fn, ms);
    return { cancel: () => clearInterval(h) };
  },
  setTimeout: (fn, ms) => {
    const h = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(h) };
  },
};
