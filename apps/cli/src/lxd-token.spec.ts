import { certificateAddToken, clusterJoinToken, decodeCertificateAddToken, encodeToken, TokenError } from './lxd-token';

describe('LXD tokens', () => {
  const token = {
    client_name: 'laptop',
    fingerprint: 'ca4b84ca',
    addresses: ['10.0.0.1:8443'],
    secret: 's3',
    expires_at: '2026-11-23T14:58:56.078571972Z',
  };
  const encoded = Buffer.from(JSON.stringify(token)).toString('base64');

  it('encodes the token struct as base64 of Go JSON (HTML characters escaped)', () => {
    expect(encodeToken(token)).toBe(encoded);
    const html = { ...token, client_name: 'a<b>&c' };
    expect(Buffer.from(encodeToken(html), 'base64').toString()).toContain('"client_name":"a\\u003cb\\u003e\\u0026c"');
  });

  it('decodes a certificate add token and refuses what is not one', () => {
    expect(decodeCertificateAddToken(encoded)).toEqual(token);
    expect(() => decodeCertificateAddToken('https://10.0.0.1:8443')).toThrow(TokenError);
    expect(() => decodeCertificateAddToken('10.0.0.1')).toThrow(TokenError);
    const noSecret = Buffer.from(JSON.stringify({ ...token, secret: '' })).toString('base64');
    expect(() => decodeCertificateAddToken(noSecret)).toThrow('No secret in certificate add token');
    const noAddress = Buffer.from(JSON.stringify({ ...token, addresses: [] })).toString('base64');
    expect(() => decodeCertificateAddToken(noAddress)).toThrow('No server addresses in certificate add token');
    const noExpiry = Buffer.from(JSON.stringify({ ...token, expires_at: undefined })).toString('base64');
    expect(decodeCertificateAddToken(noExpiry).expires_at).toBe('0001-01-01T00:00:00Z');
  });

  it('reads join and add tokens from their operations, with Go-style errors', () => {
    const joinOp = {
      metadata: {
        serverName: 'n5',
        secret: 's',
        fingerprint: 'f',
        addresses: ['a:1'],
        expiresAt: '2026-01-01T00:00:00.500000Z',
      },
    };
    expect(clusterJoinToken(joinOp)).toEqual({
      server_name: 'n5',
      fingerprint: 'f',
      addresses: ['a:1'],
      secret: 's',
      expires_at: '2026-01-01T00:00:00.5Z',
    });
    expect(() => clusterJoinToken({ metadata: { ...joinOp.metadata, addresses: 'a:1' } })).toThrow(
      'Operation addresses is type string not []any',
    );
    expect(() => clusterJoinToken({ metadata: { ...joinOp.metadata, addresses: [1] } })).toThrow(
      'Operation address index 0 is type float64 not string',
    );
    expect(() => certificateAddToken(joinOp)).toThrow('Operation request is type <nil> not map[string]any');
    const addOp = { metadata: { request: { name: 'laptop' }, secret: 's', fingerprint: 'f', addresses: ['a:1'] } };
    expect(certificateAddToken(addOp)).toEqual({
      client_name: 'laptop',
      fingerprint: 'f',
      addresses: ['a:1'],
      secret: 's',
      expires_at: '0001-01-01T00:00:00Z',
    });
    expect(() => clusterJoinToken(addOp)).toThrow('Operation serverName is type <nil> not string');
  });
});
