/**
 * Header values of the form `type; key=value; key="quoted value"` (Content-Type,
 * Content-Disposition), parsed the way Go's mime.ParseMediaType reads them: the type lower-cased,
 * parameter names lower-cased, quoted values unescaped.
 */
export interface MediaType {
  type: string;
  params: Record<string, string>;
}

export class MediaTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaTypeError';
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

export function parseMediaType(value: string): MediaType {
  let rest = value.trim();
  const semicolon = rest.indexOf(';');
  const type = (semicolon < 0 ? rest : rest.slice(0, semicolon)).trim().toLowerCase();
  if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+(\/[!#$%&'*+\-.^_`|~0-9a-z]+)?$/.test(type)) throw new MediaTypeError(`invalid media type "${value}"`);
  rest = semicolon < 0 ? '' : rest.slice(semicolon + 1);
  const params: Record<string, string> = {};
  for (;;) {
    rest = rest.replace(/^[\s;]+/, '');
    if (rest === '') break;
    const name = TOKEN.exec(rest)?.[0];
    if (!name) throw new MediaTypeError(`invalid parameter in "${value}"`);
    rest = rest.slice(name.length).trimStart();
    if (!rest.startsWith('=')) throw new MediaTypeError(`parameter "${name}" has no value in "${value}"`);
    rest = rest.slice(1).trimStart();
    let parsed: string;
    if (rest.startsWith('"')) {
      let i = 1;
      parsed = '';
      for (; i < rest.length && rest[i] !== '"'; i++) {
        if (rest[i] === '\\' && i + 1 < rest.length) i++;
        parsed += rest[i];
      }
      if (i >= rest.length) throw new MediaTypeError(`unterminated quoted value in "${value}"`);
      rest = rest.slice(i + 1);
    } else {
      const token = TOKEN.exec(rest)?.[0];
      if (!token) throw new MediaTypeError(`parameter "${name}" has an invalid value in "${value}"`);
      parsed = token;
      rest = rest.slice(token.length);
    }
    const key = name.toLowerCase();
    if (key in params) throw new MediaTypeError(`duplicate parameter "${key}" in "${value}"`);
    params[key] = parsed;
  }
  return { type, params };
}
