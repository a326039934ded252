/**
 * Whether an ELF executable is statically linked (has no PT_INTERP program header). A container root
 * filesystem made of a single binary has no dynamic loader or libc for it.
 */
const PT_INTERP = 3;

export function isStaticElf(image: Buffer): boolean {
  if (image.length < 64 || image.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  const is64 = image[4] === 2;
  const little = image[5] === 1;
  const u16 = (offset: number) => (little ? image.readUInt16LE(offset) : image.readUInt16BE(offset));
  const u32 = (offset: number) => (little ? image.readUInt32LE(offset) : image.readUInt32BE(offset));
  const u64 = (offset: number) => Number(little ? image.readBigUInt64LE(offset) : image.readBigUInt64BE(offset));
  const phoff = is64 ? u64(0x20) : u32(0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  for (let i = 0; i < phnum; i++) {
    const offset = phoff + i * phentsize;
    if (offset + 4 > image.length) throw new Error('truncated ELF program headers');
    if (u32(offset) === PT_INTERP) return false;
  }
  return true;
}
