import * as crypto from 'node:crypto';
import { generateSelfSigned } from './self-signed';

describe('generateSelfSigned', () => {
  it('makes an ECDSA P-384 / SHA-384 certificate for TLS server and client authentication, signed by its own key', async () => {
    const before = Date.now();
    const tls = await generateSelfSigned({ commonName: 'root@host1', dnsNames: ['host1'], ipAddresses: ['127.0.0.1', '::1', '2001:db8::ffff:10.1.2.3'] });
    const cert = new crypto.X509Certificate(tls.certPem);
    const key = crypto.createPrivateKey(tls.keyPem);
    expect(tls.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails).toEqual({ namedCurve: 'secp384r1' });
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.subject).toBe('CN=root@host1\nO=Cubed');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(cert.subjectAltName).toBe('DNS:host1, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:2001:DB8:0:0:0:FFFF:A01:203');
    expect(cert.checkHost('host1')).toBe('host1');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(Date.parse(cert.validFrom)).toBeLessThanOrEqual(before);
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365 * 86_400_000);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
    expect(cert.serialNumber).not.toBe(new crypto.X509Certificate((await generateSelfSigned({ commonName: 'x' })).certPem).serialNumber);
  });

  it('writes dates from 2050 on as GeneralizedTime and omits the subjectAltName without names', async () => {
    const tls = await generateSelfSigned({ commonName: 'long', organization: 'Org', validDays: 365 * 40 });
    const cert = new crypto.X509Certificate(tls.certPem);
    expect(cert.subject).toBe('CN=long\nO=Org');
    expect(new Date(cert.validTo).getUTCFullYear()).toBeGreaterThanOrEqual(2050);
    expect(cert.subjectAltName).toBeUndefined();
  });
});
