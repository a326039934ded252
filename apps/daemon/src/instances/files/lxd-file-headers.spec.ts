import { LxdError } from '../../http/lxd-error';
import { parsePushHeaders, pullHeaders } from './lxd-file-headers';

function refusal(headers: Record<string, string>): string {
  try {
    parsePushHeaders(headers);
  } catch (err) {
    expect((err as LxdError).statusCode).toBe(400);
    return (err as LxdError).message;
  }
  throw new Error('accepted');
}

describe('LXD file headers', () => {
  it('reads what lxc sends, and defaults to overwriting a file', () => {
    expect(parsePushHeaders({ 'x-lxd-uid': '1000', 'x-lxd-gid': '1001', 'x-lxd-mode': '0640', 'x-lxd-type': 'file' })).toEqual({ type: 'file', write: 'overwrite', uid: 1000, gid: 1001, mode: 0o640 });
    expect(parsePushHeaders({})).toEqual({ type: 'file', write: 'overwrite', uid: undefined, gid: undefined, mode: undefined });
    expect(parsePushHeaders({ 'x-lxd-type': 'directory', 'x-lxd-write': 'append' })).toMatchObject({ type: 'directory', write: 'append' });
  });

  it('reads modes as LXD does: octal with a leading 0, decimal without, permission bits only', () => {
    expect(parsePushHeaders({ 'x-lxd-mode': '0755' }).mode).toBe(0o755);
    expect(parsePushHeaders({ 'x-lxd-mode': '420' }).mode).toBe(0o644);
    expect(parsePushHeaders({ 'x-lxd-mode': '04755' }).mode).toBe(0o755);
    expect(parsePushHeaders({ 'x-lxd-mode': '0' }).mode).toBe(0);
    expect(parsePushHeaders({ 'x-lxd-mode': '-1', 'x-lxd-uid': '-1' })).toMatchObject({ mode: undefined, uid: undefined });
  });

  it('refuses malformed values', () => {
    expect(refusal({ 'x-lxd-type': 'socket' })).toBe('Bad file type: socket');
    expect(refusal({ 'x-lxd-write': 'truncate' })).toBe('Bad file write mode: truncate');
    expect(refusal({ 'x-lxd-mode': '0x1ff' })).toMatch(/^Invalid X-LXD-mode header "0x1ff"/);
    expect(refusal({ 'x-lxd-mode': '0789' })).toMatch(/^Invalid X-LXD-mode header "0789"/);
    expect(refusal({ 'x-lxd-gid': '1.5' })).toMatch(/^Invalid X-LXD-gid header "1.5"/);
    expect(refusal({ 'x-lxd-uid': '4294967295' })).toMatch(/^Invalid X-LXD-uid header/);
  });

  it('answers a pull with the owner, the mode in four octal digits and the type', () => {
    expect(pullHeaders({ type: 'file', uid: 0, gid: 5, mode: 0o4755 })).toEqual({ 'X-LXD-uid': '0', 'X-LXD-gid': '5', 'X-LXD-mode': '0755', 'X-LXD-type': 'file' });
    expect(pullHeaders({ type: 'directory', uid: 1, gid: 1, mode: 0o700 })['X-LXD-mode']).toBe('0700');
  });
});
