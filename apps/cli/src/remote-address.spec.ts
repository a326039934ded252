import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { normalizeRemoteAddress } from './remote-address';

describe('normalizeRemoteAddress', () => {
  it('writes https addresses with a port, as lxc stores them', () => {
    expect(normalizeRemoteAddress('10.0.0.1')).toBe('https://10.0.0.1:8443');
    expect(normalizeRemoteAddress('10.0.0.1:9443')).toBe('https://10.0.0.1:9443');
    expect(normalizeRemoteAddress('https://host.example')).toBe('https://host.example:8443');
    expect(normalizeRemoteAddress('https://host.example:8443/some/path')).toBe('https://host.example:8443');
    expect(normalizeRemoteAddress('https://[fd00::1]:8443')).toBe('https://[fd00::1]:8443');
    expect(normalizeRemoteAddress('fd00::1')).toBe('https://[fd00::1]:8443');
  });

  it('recognizes unix sockets', async () => {
    expect(normalizeRemoteAddress('unix:///run/cubed.socket')).toBe('unix:///run/cubed.socket');
    expect(normalizeRemoteAddress('/run/cubed.socket')).toBe('unix:///run/cubed.socket');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cube-addr-'));
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(path.join(dir, 's'), r));
    try {
      const relative = path.relative(process.cwd(), path.join(dir, 's'));
      expect(normalizeRemoteAddress(relative)).toBe(`unix://${relative}`);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses other schemes', () => {
    expect(() => normalizeRemoteAddress('http://host')).toThrow('Invalid URL scheme "http" in "http://host"');
  });
});
