import { bool, list, map, str, struct, time } from './go-shapes';
import { ProfilePut } from './lxd-shapes';
import { decodeYaml } from './yaml-decode';

describe('decodeYaml', () => {
  it('reads into the struct: unknown keys ignored, missing ones zero, scalars kept as text in strings', () => {
    const text =
      'name: shown-but-ignored\nconfig:\n  limits.cpu: 2\n  a: yes\n  b: 1.50\n  c:\n  d: "quoted"\n  e: 0x1F\n';
    expect(decodeYaml(text, ProfilePut)).toEqual({
      config: { 'limits.cpu': '2', a: 'yes', b: '1.50', c: '', d: 'quoted', e: '0x1F' },
      description: '',
      devices: null,
    });
  });

  it('follows aliases and keeps null maps and lists null', () => {
    const shape = struct('t', [
      ['l', list(str)],
      ['m', map(str)],
      ['b', bool],
      ['at', time],
    ]);
    expect(decodeYaml('l: ~\nm: null\n', shape)).toEqual({ l: null, m: null, b: false, at: '0001-01-01T00:00:00Z' });
    expect(decodeYaml('x: &a [p, q]\nl: *a\nb: true\nat: 2026-01-01T00:00:00.50Z\n', shape)).toEqual({
      l: ['p', 'q'],
      m: null,
      b: true,
      at: '2026-01-01T00:00:00.5Z',
    });
  });

  it('lists every value of the wrong kind with its line, like yaml.v2', () => {
    const shape = struct('t', [
      ['l', list(str)],
      ['m', map(str)],
      ['b', bool],
    ]);
    expect(() => decodeYaml('l: {a: 1}\nm:\n  k: [1]\nb: maybe\n', shape)).toThrow(
      'yaml: unmarshal errors:\n  line 1: cannot unmarshal !!map into []string\n  line 3: cannot unmarshal !!seq into string\n  line 4: cannot unmarshal !!str `maybe` into bool',
    );
  });

  it('reports a syntax error', () => {
    expect(() => decodeYaml('a: [b\n', ProfilePut)).toThrow(/^yaml: /);
  });
});
