/**
 * Editing text in the user's editor, as lxc does: $VISUAL, else $EDITOR, else the first of
 * `editor`, `vi`, `emacs`, `nano` found on $PATH. The command is split at white space and run on a
 * temporary `.yaml` file with the terminal attached; the file is read back once it exits.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const FALLBACK_EDITORS = ['editor', 'vi', 'emacs', 'nano'];

/** The editor command line to run (its words), or an error when there is none. */
export function editorCommand(env: NodeJS.ProcessEnv): string[] {
  const configured = (env.VISUAL || env.EDITOR || '').trim();
  if (configured) return configured.split(/\s+/);
  const found = FALLBACK_EDITORS.find((e) => onPath(e, env.PATH ?? ''));
  if (!found) throw new Error('No text editor found, please set the EDITOR environment variable');
  return [found];
}

function onPath(command: string, searchPath: string): boolean {
  return searchPath
    .split(path.delimiter)
    .filter((d) => d !== '')
    .some((d) => {
      try {
        fs.accessSync(path.join(d, command), fs.constants.X_OK);
        return fs.statSync(path.join(d, command)).isFile();
      } catch {
        return false;
      }
    });
}

export async function editInTextEditor(text: string, env: NodeJS.ProcessEnv): Promise<string> {
  const [command, ...args] = editorCommand(env);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-editor-'));
  const file = path.join(dir, 'cluster.yaml');
  try {
    fs.writeFileSync(file, text, { mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, [...args, file], { stdio: 'inherit', env });
      child.once('error', (err) => reject(new Error(`cannot run the text editor ${command}: ${err.message}`)));
      child.once('exit', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`the text editor ${command} ${signal ? `was killed by ${signal}` : `exited with status ${code}`}`));
      });
    });
    return fs.readFileSync(file, 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
