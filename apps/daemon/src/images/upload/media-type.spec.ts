import { MediaTypeError, parseMediaType } from './media-type';

describe('parseMediaType', () => {
  it('reads the type and parameters, lower-casing type and names', () => {
    expect(parseMediaType('Multipart/Form-Data; Boundary=abc123')).toEqual({ type: 'multipart/form-data', params: { boundary: 'abc123' } });
  });

  it('unquotes quoted values, with escapes and spaces', () => {
    expect(parseMediaType('form-data; name="metadata"; filename="my \\"image\\".tar.xz"')).toEqual({
      type: 'form-data',
      params: { name: 'metadata', filename: 'my "image".tar.xz' },
    });
  });

  it('takes a type without parameters', () => {
    expect(parseMediaType('application/octet-stream')).toEqual({ type: 'application/octet-stream', params: {} });
  });

  it.each(['', 'a b', 'form-data; name', 'form-data; name="open', 'form-data; a=1; A=2', 'text/plain; =x'])('refuses %p', (value) => {
    expect(() => parseMediaType(value)).toThrow(MediaTypeError);
  });
});
