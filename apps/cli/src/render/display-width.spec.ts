import { displayWidth } from './display-width';

describe('displayWidth', () => {
  it('counts ASCII and other narrow characters as one column each', () => {
    expect(displayWidth('')).toBe(0);
    expect(displayWidth('n1')).toBe(2);
    expect(displayWidth('Ωmega…')).toBe(6);
  });

  it('counts wide East Asian characters as two columns', () => {
    expect(displayWidth('名前')).toBe(4);
    expect(displayWidth('コンテナ')).toBe(8);
    expect(displayWidth('한국')).toBe(4);
    expect(displayWidth('ＡＢ')).toBe(4);
    expect(displayWidth('𠀋')).toBe(2);
  });

  it('counts emoji as two columns, whole ZWJ sequences and flags included', () => {
    expect(displayWidth('🚀')).toBe(2);
    expect(displayWidth('👩‍💻')).toBe(2);
    expect(displayWidth('🇫🇷')).toBe(2);
    expect(displayWidth('ok✅')).toBe(4);
  });

  it('gives combining marks, format characters and ANSI colours no width', () => {
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('a\u200bb')).toBe(2);
    expect(displayWidth('\u001b[1;32mONLINE\u001b[0m')).toBe(6);
  });
});
