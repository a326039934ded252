import type * as YAML from 'yaml';
import { yamlLibrary } from './lazy-libraries';

/**
 * A time.Time field of a Go struct on its way to YAML: yaml.v2 writes it as a plain timestamp scalar, where a
 * string that looks like a timestamp would be quoted.
 */
export class GoTime {
  constructor(readonly text: string) {}
}

const timestampTag = {
  tag: 'tag:yaml.org,2002:timestamp',
  default: true,
  identify: (value: unknown) => value instanceof GoTime,
  resolve: (text: string) => text,
  stringify: (item: { value?: unknown }) => (item.value as GoTime).text,
} as unknown as YAML.ScalarTag;

const OPTIONS = {
  version: '1.1',
  indentSeq: false,
  lineWidth: 0,
  customTags: (tags: YAML.Tags) => [timestampTag, ...tags],
} as const;

/**
 * `value` as lxc prints YAML (gopkg.in/yaml.v2, block style): sequences not indented under their key, no folding,
 * GoTime values as plain timestamps, and strings quoted the way yaml.v2 quotes them: "double" when YAML 1.1 would
 * read the text as something else (`"yes"`, `"0"`, `""`, dates), 'single' when the text is a string but cannot be
 * written plain (`'@'`, `' x'`, `'a: b'`). A missing value is `null`.
 */
export function goYamlDocument(value: unknown): string {
  const yaml = yamlLibrary();
  const doc = new yaml.Document(value ?? null, OPTIONS);
  yaml.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && needsSingleQuotes(node.value)) node.type = 'QUOTE_SINGLE';
    },
  });
  return doc.toString(OPTIONS);
}

/** A one-line string that yaml.v2 resolves as a string but cannot emit plain, and that single quotes can carry. */
function needsSingleQuotes(text: string): boolean {
  if (text.includes('\n') || /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufeff]/.test(text)) return false;
  if (resolvesAsNonString(text)) return false;
  const alone = yamlLibrary().stringify(text, OPTIONS);
  return alone.startsWith('"') || alone.startsWith("'");
}

const NULLS = /^(?:~|null|Null|NULL)?$/;
const BOOLS = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|[0-9]+)$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?$/;

/** Whether yaml.v2's resolver (YAML 1.1) reads the plain text as null, a bool, a number or a timestamp. */
function resolvesAsNonString(text: string): boolean {
  if (NULLS.test(text) || BOOLS.test(text) || SPECIAL_FLOAT.test(text)) return true;
  if (!/^[-+.0-9]/.test(text)) return false;
  const plain = text.replace(/_/g, '');
  return INT.test(plain) || FLOAT.test(plain) || BASE60_FLOAT.test(text) || TIMESTAMP.test(text);
}
