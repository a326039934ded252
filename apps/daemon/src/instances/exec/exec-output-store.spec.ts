import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LxdError } from '../../http/lxd-error';
import { StateDir } from '../../identity/state-dir';
import { ExecOutputStore, isExecOutputFileName } from './exec-output-store';

function written(stream: fs.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => stream.end(text, () => resolve()));
}

function read(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

describe('ExecOutputStore', () => {
  let tmp: string;
  let store: ExecOutputStore;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-exec-output-'));
    store = new ExecOutputStore(new StateDir(tmp));
  });

  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('keeps the output files of an instance, lists, serves and deletes them', async () => {
    const files = await store.create('default', 'c1', 'op1');
    expect([files.stdout.name, files.stderr.name]).toEqual(['exec_op1.stdout', 'exec_op1.stderr']);
    await written(files.stdout.stream, 'out\n');
    await written(files.stderr.stream, 'err\n');
    expect(fs.statSync(path.join(tmp, 'exec-output', 'default', 'c1', 'exec_op1.stdout')).mode & 0o777).toBe(0o600);
    expect(await store.list('default', 'c1')).toEqual(['exec_op1.stderr', 'exec_op1.stdout']);
    expect(await store.list('default', 'other')).toEqual([]);
    const opened = await store.open('default', 'c1', 'exec_op1.stdout');
    expect(opened.size).toBe(4);
    expect(await read(opened.stream)).toBe('out\n');
    await store.delete('default', 'c1', 'exec_op1.stdout');
    expect(await store.list('default', 'c1')).toEqual(['exec_op1.stderr']);
    await expect(store.open('default', 'c1', 'exec_op1.stdout')).rejects.toMatchObject({ statusCode: 404 });
    await expect(store.delete('default', 'c1', 'exec_op1.stdout')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('follows an instance that is renamed, and forgets one that is deleted', async () => {
    const files = await store.create('p1', 'old', 'op2');
    await written(files.stdout.stream, 'x');
    await written(files.stderr.stream, '');
    await store.renameInstance('p1', 'old', 'new');
    expect(await store.list('p1', 'old')).toEqual([]);
    expect(await store.list('p1', 'new')).toEqual(['exec_op2.stderr', 'exec_op2.stdout']);
    await store.renameInstance('p1', 'never-had-output', 'other');
    await store.removeInstance('p1', 'new');
    expect(await store.list('p1', 'new')).toEqual([]);
  });

  it('refuses names that are not exec-output files or that would leave its directory', async () => {
    for (const name of ['lxc.log', 'exec_x.txt', '../exec_x.stdout', 'exec_a/b.stdout']) expect(isExecOutputFileName(name)).toBe(false);
    await expect(store.open('default', 'c1', 'lxc.log')).rejects.toMatchObject({ statusCode: 400, message: 'Exec record-output file name "lxc.log" not valid' });
    expect(() => store.directory('default', '..')).toThrow(LxdError);
    expect(() => store.directory('a/b', 'c1')).toThrow('Invalid project name "a/b"');
  });
});
