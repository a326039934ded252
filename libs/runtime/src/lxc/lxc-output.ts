/**
 * Parsing of what the lxc-* tools print: `lxc-info` state lines and the errors in an lxc-start log.
 */
export interface LxcInfo {
  /** LXC's state name: RUNNING, STOPPED, FROZEN, STARTING, STOPPING, ABORTING, FREEZING, THAWING. */
  state: string;
  pid: number | null;
}

/** Parses `lxc-info -s -p -H` (`State:   RUNNING` / `PID:   1234`). */
export function parseLxcInfo(stdout: string): LxcInfo {
  let state = '';
  let pid: number | null = null;
  for (const line of stdout.split('\n')) {
    const match = /^([A-Za-z ]+):\s*(\S+)/.exec(line.trim());
    if (!match) continue;
    if (match[1] === 'State') state = match[2];
    if (match[1] === 'PID' && /^\d+$/.test(match[2])) pid = Number(match[2]);
  }
  return { state, pid };
}

/** LXC 5 logs this on every start, whether or not seccomp is used; it means nothing. */
const HARMLESS = [/Unsupported config key "lxc\.seccomp"/];

/** The meaningful ERROR lines of an LXC log (or its WARN lines when there are none), last ones first kept. */
export function lxcLogErrors(log: string, maxLines = 8): string[] {
  const lines = log.split('\n').filter((line) => !HARMLESS.some((pattern) => pattern.test(line)));
  const shorten = (line: string) => line.replace(/^\S+ \S+ \d+\.\d+ /, '').trim();
  const errors = lines.filter((line) => /\sERROR\s/.test(line)).map(shorten);
  const chosen = errors.length > 0 ? errors : lines.filter((line) => /\sWARN\s/.test(line)).map(shorten);
  return chosen.slice(-maxLines);
}
