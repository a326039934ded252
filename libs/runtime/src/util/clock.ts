/**
 * The current time, injectable so that code recording timestamps can be tested deterministically.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
