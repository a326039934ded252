import { parseMountTable } from './mount-table';

describe('parseMountTable', () => {
  it('reads entries and unescapes octal escapes', () => {
    expect(parseMountTable('overlay /var/lib/cubed/lxc/my\\040c1/rootfs overlay rw,lowerdir=/a 0 0\n\ngarbage\n')).toEqual([
      { source: 'overlay', mountPoint: '/var/lib/cubed/lxc/my c1/rootfs', fsType: 'overlay', options: ['rw', 'lowerdir=/a'] },
    ]);
  });
});
