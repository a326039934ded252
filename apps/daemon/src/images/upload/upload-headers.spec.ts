import { isTrue, parsePropertiesHeader, parseUploadHeaders } from './upload-headers';

describe('upload headers', () => {
  it('reads what lxc image import sends', () => {
    expect(
      parseUploadHeaders({
        'x-lxd-filename': 'busybox.tar.gz',
        'x-lxd-public': 'true',
        'x-lxd-properties': 'description=My+image&os=BusyBox',
        'x-lxd-fingerprint': 'ab'.repeat(32),
      }),
    ).toEqual({ filename: 'busybox.tar.gz', public: true, properties: { description: 'My image', os: 'BusyBox' }, expectedFingerprint: 'ab'.repeat(32) });
  });

  it('defaults to a private image without a name or properties', () => {
    expect(parseUploadHeaders({})).toEqual({ filename: '', public: false, properties: {} });
  });

  it('reads public as LXD does', () => {
    for (const yes of ['1', 'yes', 'TRUE', 'on', ' true ']) expect(isTrue(yes)).toBe(true);
    for (const no of ['0', 'no', 'false', '', 'y', undefined]) expect(isTrue(no)).toBe(false);
  });

  it('decodes properties like url.ParseQuery: percent escapes, plus signs, the first value of a key', () => {
    expect(parsePropertiesHeader('a=1&a=2&b=x%2Cy%26z&c=&d')).toEqual({ a: '1', b: 'x,y&z', c: '', d: '' });
  });

  it('merges repeated properties headers, later ones winning', () => {
    expect(parseUploadHeaders({ 'x-lxd-properties': ['os=One&a=1', 'os=Two'] }).properties).toEqual({ os: 'Two', a: '1' });
    // Node joins repeated headers with ", ".
    expect(parseUploadHeaders({ 'x-lxd-properties': 'os=One&a=1, os=Two' }).properties).toEqual({ os: 'Two', a: '1' });
  });
});
