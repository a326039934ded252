/** A recovery command refused to run on this state directory; nothing was written. */
export class RecoveryRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecoveryRefusedError';
  }
}
