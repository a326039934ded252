import type { StandardStreams } from './standard-streams';
import type { Terminal } from './terminal';

/** What a `cube` command reads from and writes to: the process in main.ts, fakes in tests. */

/** Standard input. */
export interface InputSource {
  /** Whether it is a terminal (edit commands read YAML from standard input when it is not, as lxc does). */
  readonly isTTY: boolean;
  /** Everything left on it. */
  readAll(): Promise<string>;
  /** The next line without its line ending; null at the end of input. */
  readLine(): Promise<string | null>;
  /** The next line, not echoed when it is a terminal (passwords); null at the end of input. */
  readSecret(): Promise<string | null>;
}

/** Lets the user edit `text` (lxc's shared.TextEditor) and returns the result. */
export type TextEditor = (text: string) => Promise<string>;

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  stdin: InputSource;
  editor: TextEditor;
  /**
   * Standard input, output and error as bytes (exec, file transfers). Without them, those commands read `stdin`
   * whole and write their output through `stdout` and `stderr` as UTF-8 text.
   */
  streams?: StandardStreams;
  /** The terminal (interactive exec, progress lines). Without one, only `stdin.isTTY` says what is a terminal. */
  terminal?: Terminal;
}
