/**
 * Where an exec starts, as LXD's forkexec decides: the requested directory, or else the home
 * directory from the command's environment (HOME) when the container has it, or else `/`.
 */

/**
 * The working directory to ask the runtime for; undefined for its default (`/`).
 * @param isDirectory whether a path is a directory inside the container
 */
export async function execWorkingDirectory(
  requested: string,
  environment: Readonly<Record<string, string>>,
  isDirectory: (path: string) => Promise<boolean>,
): Promise<string | undefined> {
  if (requested !== '') return requested;
  const home = environment.HOME;
  if (home === undefined || !home.startsWith('/')) return undefined;
  return (await isDirectory(home)) ? home : undefined;
}
