import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { editInTerminal } from './text-editor';

describe('editInTerminal', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cube-editor-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs $VISUAL (or $EDITOR) with its arguments on a .yaml file and returns what it saved', async () => {
    const script = path.join(dir, 'edit.sh');
    fs.writeFileSync(
      script,
      '#!/bin/sh\ncase "$2" in *lxd_editor_*.yaml) ;; *) exit 3 ;; esac\nsed -i "s/old/$1/" "$2"\n',
      { mode: 0o755 },
    );
    const env = { ...process.env, VISUAL: `${script} new`, EDITOR: 'false' };
    expect(await editInTerminal('an old value\n', env)).toBe('an new value\n');
  });

  it('reports an editor that fails, and the lack of any editor', async () => {
    await expect(editInTerminal('x', { ...process.env, VISUAL: 'false' })).rejects.toThrow('exit status 1');
    await expect(editInTerminal('x', { PATH: dir })).rejects.toThrow(
      'No text editor found, please set the EDITOR environment variable',
    );
  });
});
