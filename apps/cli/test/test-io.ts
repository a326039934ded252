import type { InputSource, Io } from '../src/io';
import { run } from '../src/cli';

/** Standard input made of a fixed text. */
export class TextInput implements InputSource {
  private rest: string;

  constructor(
    text = '',
    readonly isTTY = false,
  ) {
    this.rest = text;
  }

  async readAll(): Promise<string> {
    const all = this.rest;
    this.rest = '';
    return all;
  }

  async readLine(): Promise<string | null> {
    if (this.rest === '') return null;
    const i = this.rest.indexOf('\n');
    const line = i < 0 ? this.rest : this.rest.slice(0, i);
    this.rest = i < 0 ? '' : this.rest.slice(i + 1);
    return line;
  }

  readSecret(): Promise<string | null> {
    return this.readLine();
  }
}

export interface CubeRunOptions {
  stdin?: string;
  /** Standard input is a terminal (edit commands then use the editor). */
  tty?: boolean;
  /** Stands in for the user's editor: gets the text shown, returns the text saved. */
  editor?: (text: string) => string;
}

export interface CubeResult {
  code: number;
  stdout: string;
  stderr: string;
  /** What the editor was opened with, in order. */
  edited: string[];
}

/** Runs `cube` in-process with the environment and standard input given, and collects its output. */
export async function runCube(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: CubeRunOptions = {},
): Promise<CubeResult> {
  const out: string[] = [];
  const err: string[] = [];
  const edited: string[] = [];
  const io: Io = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env,
    stdin: new TextInput(options.stdin ?? '', options.tty ?? false),
    editor: async (text) => {
      edited.push(text);
      if (!options.editor) throw new Error('the test gave no editor');
      return options.editor(text);
    },
  };
  const code = await run(args, io);
  return { code, stdout: out.join(''), stderr: err.join(''), edited };
}
