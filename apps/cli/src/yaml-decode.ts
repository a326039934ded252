import type { Alias, Document, LineCounter, Node, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { CubedError } from './cubed-error';
import { GO_ZERO_TIME, normalizeRfc3339, parseRfc3339 } from './go-time';
import { goTypeName, sortKeysDeep, type Shape } from './go-shapes';
import { yamlLibrary } from './lazy-libraries';

const isAlias = (node: unknown): node is Alias => yamlLibrary().isAlias(node);
const isScalar = (node: unknown): node is Scalar => yamlLibrary().isScalar(node);
const isMap = (node: unknown): node is YAMLMap => yamlLibrary().isMap(node);
const isSeq = (node: unknown): node is YAMLSeq => yamlLibrary().isSeq(node);

/**
 * Reads YAML into a Go shape the way lxc's yaml.Unmarshal into an API struct does, and returns the struct as JSON
 * would carry it: unknown keys are ignored, a missing or null field takes its zero value, a scalar read into a
 * string keeps its text (`limits.cpu: 2` is "2", `1.50` stays "1.50"). A syntax error or a value of the wrong kind
 * throws a CubedError (`yaml: unmarshal errors:` with one line per bad value).
 */
export function decodeYaml(text: string, shape: Shape): unknown {
  const yaml = yamlLibrary();
  const lineCounter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { version: '1.1', lineCounter, uniqueKeys: false });
  if (doc.errors.length > 0) throw new CubedError(`yaml: ${doc.errors[0].message.split('\n')[0].replace(/:$/, '')}`);
  const errors: string[] = [];
  const decoder = new Decoder(doc, lineCounter, errors);
  const value = decoder.decode(doc.contents as Node | null, shape);
  if (errors.length > 0) throw new CubedError(`yaml: unmarshal errors:\n${errors.map((e) => `  ${e}`).join('\n')}`);
  return value;
}

class Decoder {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly errors: string[],
  ) {}

  decode(input: Node | null | undefined, shape: Shape): unknown {
    const node = isAlias(input) ? (input.resolve(this.doc) as Node | undefined) : input;
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return zero(shape);
    switch (shape.kind) {
      case 'any':
        return sortKeysDeep(node.toJS(this.doc));
      case 'string':
        if (!isScalar(node)) return this.mismatch(node, shape);
        if (typeof node.value === 'string') return node.value;
        return node.source ?? String(node.value);
      case 'bool':
        if (isScalar(node) && typeof node.value === 'boolean') return node.value;
        return this.mismatch(node, shape);
      case 'int':
        if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value)) return node.value;
        return this.mismatch(node, shape);
      case 'time': {
        const text = isScalar(node) ? (typeof node.value === 'string' ? node.value : node.source) : undefined;
        if (text !== undefined && parseRfc3339(text)) return normalizeRfc3339(text);
        return this.mismatch(node, shape);
      }
      case 'pointer':
        return this.decode(node, shape.to);
      case 'list':
        if (!isSeq(node)) return this.mismatch(node, shape);
        return node.items.map((item) => this.decode(item as Node, shape.of));
      case 'map': {
        if (!isMap(node)) return this.mismatch(node, shape);
        const out: Record<string, unknown> = {};
        for (const pair of node.items) out[this.keyText(pair.key)] = this.decode(pair.value as Node | null, shape.of);
        return out;
      }
      case 'struct': {
        if (!isMap(node)) return this.mismatch(node, shape);
        const keyed = new Map<string, Node | null>();
        for (const pair of node.items) keyed.set(this.keyText(pair.key), pair.value as Node | null);
        const out: Record<string, unknown> = {};
        for (const field of shape.fields) {
          out[field.json] = keyed.has(field.yaml) ? this.decode(keyed.get(field.yaml), field.shape) : zero(field.shape);
        }
        return out;
      }
    }
  }

  private keyText(key: unknown): string {
    if (isScalar(key)) return typeof key.value === 'string' ? key.value : (key.source ?? String(key.value));
    return String(key);
  }

  private mismatch(node: Node, shape: Shape): unknown {
    const line = node.range ? this.lines.linePos(node.range[0]).line : 0;
    const what = isMap(node)
      ? '!!map'
      : isSeq(node)
        ? '!!seq'
        : `${scalarTag(node)} \`${isScalar(node) ? (node.source ?? String(node.value)) : ''}\``;
    this.errors.push(`line ${line}: cannot unmarshal ${what} into ${goTypeName(shape)}`);
    return zero(shape);
  }
}

function scalarTag(node: Node): string {
  if (!isScalar(node)) return '!!str';
  switch (typeof node.value) {
    case 'boolean':
      return '!!bool';
    case 'number':
      return Number.isInteger(node.value) ? '!!int' : '!!float';
    default:
      return '!!str';
  }
}

/** Go's zero value of a shape, in its JSON form. */
function zero(shape: Shape): unknown {
  switch (shape.kind) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int':
      return 0;
    case 'time':
      return GO_ZERO_TIME;
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const field of shape.fields) out[field.json] = zero(field.shape);
      return out;
    }
    default:
      return null;
  }
}
