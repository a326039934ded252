/**
 * How LXD reads an exec's exit status: 127 means the command was not found and 126 that it could not
 * be executed (the shell's and execvp's conventions), and then the operation fails with that error
 * while its metadata still carries the status as `return`.
 */

/** The operation's error for an exit status, or null when the command ran. */
export function execExitError(exitCode: number): string | null {
  if (exitCode === 127) return 'Command not found';
  if (exitCode === 126) return 'Command not executable';
  return null;
}
