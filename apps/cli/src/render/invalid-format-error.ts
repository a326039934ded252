/** A `--format` value that the command does not support. */
export class InvalidFormatError extends Error {
  constructor(readonly format: string) {
    super(`Invalid format "${format}"`);
    this.name = 'InvalidFormatError';
  }
}
