/** ANSI colour and erase-line sequences (`ESC [ … m` / `ESC [ … K`), which take no room on a terminal. */
const ANSI_SEQUENCE = /\u001b\[[0-9;]*[mK]/g;

/** Text made only of printable ASCII, where every character takes one column. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]$/u;
const EMOJI_PRESENTATION = /^\p{Emoji_Presentation}$/u;

/** East Asian Wide and Fullwidth blocks: CJK, Hangul syllables, kana, fullwidth forms, ideographic planes. */
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f200, 0x1f265],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

/** Made on first use: creating a segmenter takes about as long as the rest of a command's start. */
let graphemes: Intl.Segmenter | undefined;

/**
 * The number of terminal columns `text` takes: ANSI sequences take none; each grapheme cluster takes the width
 * of its first code point that has a width (so a base letter with combining marks takes 1, and an emoji ZWJ
 * sequence or a flag takes 2); wide East Asian characters and emoji shown as emoji take 2, combining marks,
 * format and control characters 0, everything else 1.
 */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  for (const { segment } of graphemes.segment(text.replace(ANSI_SEQUENCE, ''))) width += clusterWidth(segment);
  return width;
}

function clusterWidth(cluster: string): number {
  for (const char of cluster) {
    const width = codePointWidth(char);
    if (width > 0) return width;
  }
  return 0;
}

function codePointWidth(char: string): number {
  const code = char.codePointAt(0)!;
  if (ZERO_WIDTH.test(char) || (code >= 0x1160 && code <= 0x11ff)) return 0;
  if (EMOJI_PRESENTATION.test(char)) return 2;
  for (const [low, high] of WIDE_RANGES) {
    if (code < low) break;
    if (code <= high) return 2;
  }
  return 1;
}
