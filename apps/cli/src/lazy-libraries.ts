/**
 * Packages that only some commands need, loaded on first use: `yaml` (YAML output, editing,
 * config.yml) and `ws` (exec, console, events). Loading them is a good part of a command's start,
 * and `cube cluster list` or `cube profile list` need neither.
 */
import type * as Yaml from 'yaml';
import type WebSocketClass from 'ws';

let yaml: typeof Yaml | undefined;
let webSocket: typeof WebSocketClass | undefined;

/** The `yaml` package. */
export function yamlLibrary(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yaml ??= require('yaml') as typeof Yaml);
}

/** The `ws` package's WebSocket class. */
export function webSocketClass(): typeof WebSocketClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (webSocket ??= require('ws') as typeof WebSocketClass);
}
