import { exportHeaders, imageFileExtension } from './image-export';

const withUstar = () => {
  const head = Buffer.alloc(263);
  head.write('ustar', 257, 'latin1');
  return head;
};

describe('image file names for export', () => {
  it.each([
    [Buffer.from([0x1f, 0x8b, 8]), '.tar.gz'],
    [Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]), '.tar.xz'],
    [Buffer.from('BZh9'), '.tar.bz2'],
    [Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), '.tar.zst'],
    [Buffer.from('hsqs'), '.squashfs'],
    [Buffer.from('QFI\xfb', 'latin1'), '.qcow2'],
    [withUstar(), '.tar'],
    [Buffer.from('plain'), ''],
    [Buffer.alloc(0), ''],
  ])('names %p %p', (head, extension) => {
    expect(imageFileExtension(head)).toBe(extension);
  });

  it('sends the headers lxc image export reads', () => {
    expect(exportHeaders('ab', 10, '.tar.gz')).toEqual({ 'Content-Type': 'application/octet-stream', 'Content-Length': '10', 'Content-Disposition': 'inline;filename=ab.tar.gz' });
  });
});
