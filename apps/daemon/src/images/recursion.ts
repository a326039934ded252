/** LXD's `?recursion=`: an integer of at least 1 asks for objects instead of URLs. */
export function wantsObjects(recursion: string | undefined): boolean {
  const n = Number.parseInt(recursion ?? '', 10);
  return Number.isFinite(n) && n >= 1;
}
