import { yamlLibrary } from '../lazy-libraries';

/**
 * `raw` as a YAML document, like lxc's `--format yaml`: sequences inside mappings are not indented, long strings
 * are not folded, and strings that YAML 1.1 would read as something else (`yes`, `on`, `0x1F`, dates, …) are
 * quoted so that YAML 1.1 parsers read them back as strings. A missing value is `null`.
 */
export function yamlDocument(raw: unknown): string {
  return yamlLibrary().stringify(raw ?? null, { version: '1.1', indentSeq: false, lineWidth: 0 });
}
