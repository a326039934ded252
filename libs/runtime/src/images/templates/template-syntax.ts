/**
 * Parser for the subset of pongo2 (the Django-like template language LXD uses for image templates)
 * that image templates need:
 *
 * - `{{ expression }}` outputs a value; `{# ... #}` is a comment;
 * - `{% if %}`, `{% elif %}`, `{% else %}`, `{% endif %}`;
 * - expressions: variables with attribute access (`container.name`, `properties.default`), string and
 *   number literals, `true`/`false`, function calls (`config_get("key", "default")`), `==`, `!=`,
 *   `not`/`!`, `and`/`&&`, `or`/`||` and parentheses.
 *
 * Anything else (other tags, filters, whitespace control, arithmetic...) is refused with its line number,
 * so a template this renderer cannot render faithfully is never rendered into garbage.
 */
import { RuntimeError } from '../../errors/runtime-error';

export type Expression =
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'variable'; path: string[]; line: number }
  | { kind: 'call'; name: string; args: Expression[]; line: number }
  | { kind: 'not'; operand: Expression }
  | { kind: 'binary'; operator: '==' | '!=' | 'and' | 'or'; left: Expression; right: Expression };

export type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'output'; expression: Expression }
  | { kind: 'if'; branches: { condition: Expression; body: TemplateNode[] }[]; otherwise: TemplateNode[] };

export class TemplateSyntaxError extends RuntimeError {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super('InvalidArgument', `Template error on line ${line}: ${message}`);
    this.name = 'TemplateSyntaxError';
  }
}

type Segment =
  | { kind: 'text'; text: string; line: number }
  | { kind: 'output' | 'tag'; source: string; line: number };

function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

function segments(source: string): Segment[] {
  const result: Segment[] = [];
  let offset = 0;
  while (offset < source.length) {
    const start = source.indexOf('{', offset);
    const opener = start < 0 ? '' : source.slice(start, start + 2);
    if (start < 0 || (opener !== '{{' && opener !== '{%' && opener !== '{#')) {
      const end = start < 0 ? source.length : start + 1;
      result.push({ kind: 'text', text: source.slice(offset, end), line: lineAt(source, offset) });
      offset = end;
      continue;
    }
    if (start > offset) result.push({ kind: 'text', text: source.slice(offset, start), line: lineAt(source, offset) });
    const closer = opener === '{{' ? '}}' : opener === '{%' ? '%}' : '#}';
    const end = source.indexOf(closer, start + 2);
    const line = lineAt(source, start);
    if (end < 0) throw new TemplateSyntaxError(`"${opener}" is never closed with "${closer}"`, line);
    const inner = source.slice(start + 2, end);
    if (opener !== '{#') {
      if (inner.startsWith('-') || inner.endsWith('-')) {
        throw new TemplateSyntaxError('whitespace control ("{{-", "-}}", "{%-", "-%}") is not supported', line);
      }
      result.push({ kind: opener === '{{' ? 'output' : 'tag', source: inner.trim(), line });
    }
    offset = end + 2;
  }
  return result;
}

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'name'; value: string }
  | { kind: 'symbol'; value: string };

const SYMBOLS = ['==', '!=', '&&', '||', '(', ')', ',', '.', '!'];

function tokenize(source: string, line: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i];
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    if (char === '"' || char === "'") {
      let value = '';
      let j = i + 1;
      for (; j < source.length && source[j] !== char; j++) {
        if (source[j] === '\\' && j + 1 < source.length) {
          j++;
          const escaped = source[j];
          value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
        } else {
          value += source[j];
        }
      }
      if (j >= source.length) throw new TemplateSyntaxError('unterminated string literal', line);
      tokens.push({ kind: 'string', value });
      i = j + 1;
      continue;
    }
    const number = /^\d+(?:\.\d+)?/.exec(source.slice(i));
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
    if (name) {
      tokens.push({ kind: 'name', value: name[0] });
      i += name[0].length;
      continue;
    }
    const symbol = SYMBOLS.find((s) => source.startsWith(s, i));
    if (symbol) {
      tokens.push({ kind: 'symbol', value: symbol });
      i += symbol.length;
      continue;
    }
    if (char === '|') throw new TemplateSyntaxError('filters ("|") are not supported', line);
    throw new TemplateSyntaxError(`unexpected "${char}" in "${source}"`, line);
  }
  return tokens;
}

class ExpressionParser {
  private position = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly line: number,
    private readonly source: string,
  ) {}

  parse(): Expression {
    if (this.tokens.length === 0) throw new TemplateSyntaxError('empty expression', this.line);
    const expression = this.or();
    if (this.position < this.tokens.length) {
      throw new TemplateSyntaxError(`unsupported expression "${this.source}"`, this.line);
    }
    return expression;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private isWord(word: string): boolean {
    const token = this.peek();
    return token !== undefined && token.kind === 'name' && token.value === word;
  }

  private isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token !== undefined && token.kind === 'symbol' && token.value === symbol;
  }

  private expectSymbol(symbol: string): void {
    if (!this.isSymbol(symbol)) throw new TemplateSyntaxError(`expected "${symbol}" in "${this.source}"`, this.line);
    this.position++;
  }

  private or(): Expression {
    let left = this.and();
    while (this.isWord('or') || this.isSymbol('||')) {
      this.position++;
      left = { kind: 'binary', operator: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Expression {
    let left = this.not();
    while (this.isWord('and') || this.isSymbol('&&')) {
      this.position++;
      left = { kind: 'binary', operator: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): Expression {
    if (this.isWord('not') || this.isSymbol('!')) {
      this.position++;
      return { kind: 'not', operand: this.not() };
    }
    return this.comparison();
  }

  private comparison(): Expression {
    const left = this.primary();
    if (this.isSymbol('==') || this.isSymbol('!=')) {
      const operator = (this.tokens[this.position++] as { value: '==' | '!=' }).value;
      return { kind: 'binary', operator, left, right: this.primary() };
    }
    return left;
  }

  private primary(): Expression {
    const token = this.peek();
    if (token === undefined) throw new TemplateSyntaxError(`incomplete expression "${this.source}"`, this.line);
    this.position++;
    if (token.kind === 'string' || token.kind === 'number') return { kind: 'literal', value: token.value };
    if (token.kind === 'symbol') {
      if (token.value === '(') {
        const inner = this.or();
        this.expectSymbol(')');
        return inner;
      }
      throw new TemplateSyntaxError(`unexpected "${token.value}" in "${this.source}"`, this.line);
    }
    if (['true', 'True'].includes(token.value)) return { kind: 'literal', value: true };
    if (['false', 'False'].includes(token.value)) return { kind: 'literal', value: false };
    if (['and', 'or', 'not', 'in'].includes(token.value)) {
      throw new TemplateSyntaxError(`unexpected "${token.value}" in "${this.source}"`, this.line);
    }
    if (this.isSymbol('(')) {
      this.position++;
      const args: Expression[] = [];
      if (!this.isSymbol(')')) {
        args.push(this.or());
        while (this.isSymbol(',')) {
          this.position++;
          args.push(this.or());
        }
      }
      this.expectSymbol(')');
      return { kind: 'call', name: token.value, args, line: this.line };
    }
    const path = [token.value];
    while (this.isSymbol('.')) {
      this.position++;
      const next = this.peek();
      if (next === undefined || next.kind !== 'name') throw new TemplateSyntaxError(`expected an attribute name in "${this.source}"`, this.line);
      this.position++;
      path.push(next.value);
    }
    return { kind: 'variable', path, line: this.line };
  }
}

function parseExpression(source: string, line: number): Expression {
  return new ExpressionParser(tokenize(source, line), line, source).parse();
}

type OpenIf = { branches: { condition: Expression; body: TemplateNode[] }[]; otherwise: TemplateNode[] | null; line: number };

export function parseTemplate(source: string): TemplateNode[] {
  const root: TemplateNode[] = [];
  const stack: OpenIf[] = [];
  const current = (): TemplateNode[] => {
    const top = stack[stack.length - 1];
    if (!top) return root;
    return top.otherwise ?? top.branches[top.branches.length - 1].body;
  };
  for (const segment of segments(source)) {
    if (segment.kind === 'text') {
      current().push({ kind: 'text', text: segment.text });
      continue;
    }
    if (segment.kind === 'output') {
      current().push({ kind: 'output', expression: parseExpression(segment.source, segment.line) });
      continue;
    }
    const match = /^([A-Za-z_]+)\s*([\s\S]*)$/.exec(segment.source);
    const tag = match?.[1] ?? '';
    const rest = match?.[2] ?? '';
    const top = stack[stack.length - 1];
    switch (tag) {
      case 'if': {
        const open: OpenIf = { branches: [{ condition: parseExpression(rest, segment.line), body: [] }], otherwise: null, line: segment.line };
        current().push({ kind: 'if', branches: open.branches, otherwise: [] });
        stack.push(open);
        break;
      }
      case 'elif':
        if (!top || top.otherwise !== null) throw new TemplateSyntaxError('"elif" without a matching "if"', segment.line);
        top.branches.push({ condition: parseExpression(rest, segment.line), body: [] });
        break;
      case 'else':
        if (!top || top.otherwise !== null || rest !== '') throw new TemplateSyntaxError('"else" without a matching "if"', segment.line);
        top.otherwise = [];
        break;
      case 'endif': {
        if (!top || rest !== '') throw new TemplateSyntaxError('"endif" without a matching "if"', segment.line);
        stack.pop();
        const parent = current();
        const node = parent[parent.length - 1];
        if (node.kind === 'if') node.otherwise = top.otherwise ?? [];
        break;
      }
      default:
        throw new TemplateSyntaxError(
          `unsupported tag "${tag || segment.source}" (supported: if, elif, else, endif)`,
          segment.line,
        );
    }
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed) throw new TemplateSyntaxError('"if" is never closed with "endif"', unclosed.line);
  return root;
}
