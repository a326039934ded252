/** LXD's architecture ids (nodes.arch) and names. */
const NAMES: Record<number, string> = {
  1: 'i686',
  2: 'x86_64',
  3: 'armv7l',
  4: 'aarch64',
  5: 'ppc',
  6: 'ppc64',
  7: 'ppc64le',
  8: 's390x',
  9: 'mips',
  10: 'mips64',
  11: 'riscv32',
  12: 'riscv64',
};

export function architectureName(id: number): string {
  return NAMES[id] ?? 'unknown';
}

export function architectureId(name: string): number {
  for (const [id, n] of Object.entries(NAMES)) if (n === name) return Number(id);
  return 0;
}
