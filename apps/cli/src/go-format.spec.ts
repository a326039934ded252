import { goFloat, goQuote, goTimeValue, goValue } from './go-format';

describe('Go fmt values', () => {
  it('%v of decoded JSON values', () => {
    expect(goValue({ b: [1, 'x'], a: { c: true } })).toBe('map[a:map[c:true] b:[1 x]]');
    expect(goValue(null)).toBe('<nil>');
    expect(goValue({})).toBe('map[]');
  });

  it('%v of floats', () => {
    expect([0, 1, 1.5, 123456, 1e6, 1234567, 0.0001, 0.00001, -2e21].map(goFloat)).toEqual([
      '0',
      '1',
      '1.5',
      '123456',
      '1e+06',
      '1.234567e+06',
      '0.0001',
      '1e-05',
      '-2e+21',
    ]);
  });

  it('%v of a time and %q of a string', () => {
    expect(goTimeValue('2026-11-23T11:59:13.039507559Z')).toBe('2026-11-23 11:59:13.039507559 +0000 UTC');
    expect(goTimeValue('2026-11-23T11:59:13+02:00')).toBe('2026-11-23 11:59:13 +0200 +0200');
    expect(goQuote('say "hi"\n\u0001')).toBe('"say \\"hi\\"\\n\\x01"');
  });
});
