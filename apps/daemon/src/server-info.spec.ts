import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorResponse, syncResponse } from './envelope';
import { hostArchitectures, readOsRelease } from './server-info';

describe('envelopes', () => {
  it('have LXD field values', () => {
    expect(syncResponse({ a: 1 })).toEqual({
      type: 'sync',
      status: 'Success',
      status_code: 200,
      operation: '',
      error_code: 0,
      error: '',
      metadata: { a: 1 },
    });
    expect(errorResponse(412, 'ETag mismatch')).toEqual({
      type: 'error',
      status: '',
      status_code: 0,
      operation: '',
      error_code: 412,
      error: 'ETag mismatch',
      metadata: null,
    });
  });
});

describe('host facts', () => {
  it('names the 32-bit personality after the native architecture', () => {
    expect(hostArchitectures('x86_64')).toEqual(['x86_64', 'i686']);
    expect(hostArchitectures('aarch64')).toEqual(['aarch64', 'armv7l']);
    expect(hostArchitectures('riscv64')).toEqual(['riscv64']);
  });

  it('reads NAME and VERSION_ID from os-release', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-osr-'));
    try {
      const file = path.join(tmp, 'os-release');
      fs.writeFileSync(file, 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n');
      expect(readOsRelease([path.join(tmp, 'missing'), file])).toEqual({ name: 'Debian GNU/Linux', version: '12' });
      expect(readOsRelease([path.join(tmp, 'missing')])).toEqual({ name: '', version: '' });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
