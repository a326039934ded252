import * as fs from 'node:fs';
import * as path from 'node:path';

let cached: string | undefined;

/**
 * The version from the repository's package.json. It is looked up at run time by walking up from this
 * file, so it works from the sources (jest) and from any dist layout without copying package.json.
 */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cubed' && typeof pkg.version === 'string') return (cached = pkg.version);
    }
    if (path.dirname(dir) === dir) return (cached = '0.0.0-unknown');
  }
}
