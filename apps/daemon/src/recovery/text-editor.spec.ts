import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { editInTextEditor, editorCommand } from './text-editor';

describe('the text editor', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-editor-spec-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function script(name: string, body: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return file;
  }

  it('is $VISUAL, else $EDITOR (split at white space), else the first fallback on $PATH', () => {
    expect(editorCommand({ VISUAL: 'code -w', EDITOR: 'vi' })).toEqual(['code', '-w']);
    expect(editorCommand({ EDITOR: '  nano  -R ' })).toEqual(['nano', '-R']);
    script('vi', 'exit 0');
    script('nano', 'exit 0');
    expect(editorCommand({ PATH: dir })).toEqual(['vi']);
    expect(() => editorCommand({ PATH: path.join(dir, 'nothing-here') })).toThrow('No text editor found, please set the EDITOR environment variable');
  });

  it('runs the editor on a temporary .yaml file and returns what it saved', async () => {
    const editor = script('ed.sh', 'case "$2" in *.yaml) sed -i "s/voter/$1/" "$2";; *) exit 3;; esac');
    const text = await editInTextEditor('role: voter\n', { EDITOR: `${editor} spare`, PATH: process.env.PATH });
    expect(text).toBe('role: spare\n');
  });

  it('removes the temporary file and reports an editor that failed', async () => {
    const where = path.join(dir, 'where');
    const editor = script('fail.sh', `echo "$1" > ${where}; exit 4`);
    await expect(editInTextEditor('x', { EDITOR: editor, PATH: process.env.PATH })).rejects.toThrow(`the text editor ${editor} exited with status 4`);
    const file = fs.readFileSync(where, 'utf8').trim();
    expect(file).toMatch(/cluster\.yaml$/);
    expect(fs.existsSync(file)).toBe(false);
    await expect(editInTextEditor('x', { EDITOR: path.join(dir, 'absent'), PATH: process.env.PATH })).rejects.toThrow(/cannot run the text editor .*absent: .*ENOENT/);
  });
});
