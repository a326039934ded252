/**
 * Parsing of a mount table (`/proc/self/mounts`): one mount per line, fields separated by spaces, with
 * spaces, tabs, newlines and backslashes inside fields escaped as octal (`\040`).
 */
export interface MountEntry {
  source: string;
  mountPoint: string;
  fsType: string;
  options: string[];
}

function unescapeField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseMountTable(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    entries.push({
      source: unescapeField(fields[0]),
      mountPoint: unescapeField(fields[1]),
      fsType: fields[2],
      options: fields[3].split(','),
    });
  }
  return entries;
}
