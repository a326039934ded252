/** A broken invariant: thrown by the checker (and the disk/state machine models); ends the seed. */
export class Violation extends Error {
  constructor(
    readonly invariant: string,
    readonly details: string,
  ) {
    super(`${invariant}: ${details}`);
    this.name = 'Violation';
  }
}
