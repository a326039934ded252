import { CubedError } from './cubed-error';
import type { InputSource } from './io';

/**
 * The configuration keys and values of `set` commands (lxc's getConfig): `<key> <value>` (two arguments, the first
 * without `=`) or `<key>=<value>...`. A value of `-` is read from standard input when it is not a terminal.
 */
export async function configValues(args: readonly string[], stdin: InputSource): Promise<Map<string, string>> {
  const fromStdin = async (value: string) => (value === '-' && !stdin.isTTY ? await stdin.readAll() : value);
  if (args.length === 2 && !args[0].includes('=')) return new Map([[args[0], await fromStdin(args[1])]]);
  const values = new Map<string, string>();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq < 0) throw new CubedError(`Invalid key=value configuration: ${arg}`);
    values.set(arg.slice(0, eq), await fromStdin(arg.slice(eq + 1)));
  }
  return values;
}
