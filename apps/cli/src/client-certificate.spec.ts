import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateClientCertificate, readClientCertificate } from './client-certificate';

describe('client certificate', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cube-cert-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('generates an ECDSA P-384 client certificate like lxc and reads it back', async () => {
    const cert = path.join(dir, 'conf', 'client.crt');
    const key = path.join(dir, 'conf', 'client.key');
    expect(readClientCertificate(cert, key)).toBeUndefined();
    const identity = await generateClientCertificate(cert, key);

    const x509 = new X509Certificate(identity.cert);
    expect(x509.subject).toBe(`O=linuxcontainers.org\nCN=${os.userInfo().username}@${os.hostname()}`);
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.ca).toBe(false);
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(x509.publicKey.asymmetricKeyType).toBe('ec');
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    expect(x509.checkPrivateKey(createPrivateKey(identity.key))).toBe(true);
    const days = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000;
    expect(Math.round(days)).toBe(3650);
    expect(x509.serialNumber).toMatch(/^[0-9A-F]{32}$/);
    expect(parseInt(x509.serialNumber.slice(0, 2), 16)).toBeLessThan(0x80);

    expect(identity.key.startsWith('-----BEGIN EC PRIVATE KEY-----\n')).toBe(true);
    expect(identity.cert.startsWith('-----BEGIN CERTIFICATE-----\n')).toBe(true);
    expect(fs.statSync(key).mode & 0o077).toBe(0);
    expect(readClientCertificate(cert, key)).toEqual(identity);
  });
});
