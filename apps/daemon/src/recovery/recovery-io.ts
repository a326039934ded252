/**
 * What the recovery commands need from their surroundings: the environment (CUBED_DIR), the
 * terminal and a text editor. processRecoveryIo() is the real one.
 */
export interface RecoveryIo {
  /** The environment; CUBED_DIR names the state directory. */
  readonly env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether standard input is a terminal (`cluster edit` opens an editor then). */
  stdinIsTerminal(): boolean;
  /** All of standard input. */
  readStdin(): Promise<string>;
  /** The next line of standard input, without its line break; undefined at the end of input. */
  readLine(): Promise<string | undefined>;
  /** Lets the user edit `text` in a text editor and returns what was saved. */
  editText(text: string): Promise<string>;
}
