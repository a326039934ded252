import { GoTime } from './go-yaml';
import { GO_ZERO_TIME, normalizeRfc3339 } from './go-time';

/**
 * The shape of a Go value of LXD's API (shared/api): what lxc decodes a JSON answer into before it prints it.
 * Printing through a shape gives lxc's output whatever the server sent: struct fields in declaration order,
 * missing fields as zero values, map keys sorted, and (in YAML) nil maps and slices as `{}` and `[]`.
 */
export type Shape =
  | { kind: 'string' }
  | { kind: 'bool' }
  | { kind: 'int' }
  | { kind: 'time' }
  | { kind: 'any' }
  | { kind: 'list'; of: Shape }
  | { kind: 'map'; of: Shape }
  | { kind: 'pointer'; to: Shape }
  | { kind: 'struct'; name: string; fields: readonly Field[] };

/** A struct field: its JSON and YAML keys (yaml.v2 lower-cases untagged Go names) and `omitempty`. */
export interface Field {
  json: string;
  yaml: string;
  shape: Shape;
  omitEmpty: boolean;
}

export const str: Shape = { kind: 'string' };
export const bool: Shape = { kind: 'bool' };
export const int: Shape = { kind: 'int' };
export const time: Shape = { kind: 'time' };
export const any: Shape = { kind: 'any' };
export const list = (of: Shape): Shape => ({ kind: 'list', of });
export const map = (of: Shape): Shape => ({ kind: 'map', of });
export const pointer = (to: Shape): Shape => ({ kind: 'pointer', to });

/** A field written `[json, shape]`, `[json, shape, 'omitempty']` or `[json, shape, {yaml, omitEmpty}]`. */
export type FieldSpec = [string, Shape] | [string, Shape, 'omitempty' | { yaml?: string; omitEmpty?: boolean }];

export function struct(name: string, fields: readonly FieldSpec[]): Shape {
  return {
    kind: 'struct',
    name,
    fields: fields.map(([json, shape, extra]) => {
      const options = extra === 'omitempty' ? { omitEmpty: true } : (extra ?? {});
      return { json, yaml: options.yaml ?? json, shape, omitEmpty: options.omitEmpty ?? false };
    }),
  };
}

/** A struct made of other structs' fields (Go's embedded structs) plus more. */
export function extend(name: string, base: Shape, fields: readonly FieldSpec[]): Shape {
  if (base.kind !== 'struct') throw new TypeError(`${name}: only structs can be embedded`);
  const more = struct(name, fields) as Extract<Shape, { kind: 'struct' }>;
  return { kind: 'struct', name, fields: [...base.fields, ...more.fields] };
}

/** The Go type name of a shape, as yaml.v2 names it in its errors. */
export function goTypeName(shape: Shape): string {
  switch (shape.kind) {
    case 'list':
      return `[]${goTypeName(shape.of)}`;
    case 'map':
      return `map[string]${goTypeName(shape.of)}`;
    case 'pointer':
      return `*${goTypeName(shape.to)}`;
    case 'struct':
      return shape.name;
    case 'any':
      return 'interface {}';
    case 'time':
      return 'time.Time';
    default:
      return shape.kind;
  }
}

/** The value as Go's encoding/json writes the decoded struct (for `--format json` and request bodies). */
export function toGoJson(value: unknown, shape: Shape): unknown {
  return convert(value, shape, 'json');
}

/** The value as gopkg.in/yaml.v2 writes the decoded struct; print it with goYamlDocument. */
export function toGoYaml(value: unknown, shape: Shape): unknown {
  return convert(value, shape, 'yaml');
}

/** A JSON value with the keys of every object sorted, as Go writes a map[string]interface{}. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeysDeep(value[key]);
    return out;
  }
  return value ?? null;
}

/** Whether a converted value is what `omitempty` leaves out. */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '' || value === false || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value) && !(value instanceof GoTime)) return Object.keys(value).length === 0;
  return false;
}

function convert(value: unknown, shape: Shape, target: 'json' | 'yaml'): unknown {
  switch (shape.kind) {
    case 'string':
      return typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
    case 'bool':
      return value === true;
    case 'int':
      return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0;
    case 'time': {
      const text = typeof value === 'string' ? normalizeRfc3339(value) : GO_ZERO_TIME;
      return target === 'yaml' ? new GoTime(text) : text;
    }
    case 'any':
      return sortKeysDeep(value);
    case 'list':
      if (!Array.isArray(value)) return target === 'yaml' ? [] : null;
      return value.map((v) => convert(v, shape.of, target));
    case 'map': {
      if (!isObject(value)) return target === 'yaml' ? {} : null;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) out[key] = convert(value[key], shape.of, target);
      return out;
    }
    case 'pointer':
      return value === null || value === undefined ? null : convert(value, shape.to, target);
    case 'struct': {
      const source = isObject(value) ? value : {};
      const out: Record<string, unknown> = {};
      for (const field of shape.fields) {
        const converted = convert(source[field.json], field.shape, target);
        if (field.omitEmpty && isEmpty(converted)) continue;
        out[target === 'json' ? field.json : field.yaml] = converted;
      }
      return out;
    }
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
