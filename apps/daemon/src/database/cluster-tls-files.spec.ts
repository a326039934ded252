import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomically } from '../identity/server-certificate';
import { CLUSTER_CERT_FILE, CLUSTER_KEY_FILE, readClusterTls } from './cluster-tls-files';

describe('readClusterTls', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-tls-files-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (cert: string, key: string): void => {
    writeFileAtomically(path.join(dir, CLUSTER_KEY_FILE), key, 0o600);
    writeFileAtomically(path.join(dir, CLUSTER_CERT_FILE), cert, 0o644);
  };

  it('returns the certificate and key in the state directory', () => {
    write('CERT-1', 'KEY-1');
    expect(readClusterTls(dir)).toEqual({ certPem: 'CERT-1', keyPem: 'KEY-1' });
  });

  it('reads the files again once clustering replaced them', () => {
    write('CERT-1', 'KEY-1');
    expect(readClusterTls(dir).certPem).toBe('CERT-1');
    write('CERT-2', 'KEY-2');
    expect(readClusterTls(dir)).toEqual({ certPem: 'CERT-2', keyPem: 'KEY-2' });
  });

  it('sees a file rewritten in place with the same size', () => {
    write('CERT-1', 'KEY-1');
    readClusterTls(dir);
    const certFile = path.join(dir, CLUSTER_CERT_FILE);
    const later = new Date(Date.now() + 5000);
    fs.writeFileSync(certFile, 'CERT-9');
    fs.utimesSync(certFile, later, later);
    expect(readClusterTls(dir).certPem).toBe('CERT-9');
  });

  it('names both files when they are missing, also after they were read once', () => {
    expect(() => readClusterTls(dir)).toThrow(/cannot read the cluster certificate \(.*cluster\.crt, .*cluster\.key\)/);
    write('CERT-1', 'KEY-1');
    readClusterTls(dir);
    fs.rmSync(path.join(dir, CLUSTER_KEY_FILE));
    expect(() => readClusterTls(dir)).toThrow(/cannot read the cluster certificate/);
  });
});
