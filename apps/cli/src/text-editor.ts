import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CubedError } from './cubed-error';

/** Editors tried when neither $VISUAL nor $EDITOR is set, as lxc does. */
const FALLBACK_EDITORS = ['editor', 'vi', 'emacs', 'nano'];

/**
 * Opens `text` in the user's editor like lxc's shared.TextEditor: $VISUAL, else $EDITOR (split on white space into
 * a command and its arguments), else the first of editor, vi, emacs and nano found on $PATH. The text is put in a
 * private temporary `lxd_editor_*.yaml` file, the editor runs on the terminal, and the file's content is returned
 * (the file is removed).
 */
export async function editInTerminal(text: string, env: NodeJS.ProcessEnv): Promise<string> {
  const editor = env.VISUAL || env.EDITOR || FALLBACK_EDITORS.find((name) => onPath(name, env));
  if (!editor) throw new CubedError('No text editor found, please set the EDITOR environment variable');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxd_editor_'));
  const file = path.join(dir, `${path.basename(dir)}.yaml`);
  try {
    fs.writeFileSync(file, text, { mode: 0o600 });
    const [command, ...args] = editor.split(/\s+/).filter((part) => part !== '');
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, [...args, file], { stdio: 'inherit', env });
      child.once('error', (err) => reject(new CubedError(`${command}: ${err.message}`)));
      child.once('exit', (code, signal) => {
        if (code === 0) resolve();
        else reject(new CubedError(signal ? `${command}: killed by ${signal}` : `exit status ${code}`));
      });
    });
    return fs.readFileSync(file, 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}
