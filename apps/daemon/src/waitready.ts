import * as http from 'node:http';

/** One GET /1.0 on the unix socket: true when the daemon answers 200. */
export function probe(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/1.0', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode === 200));
      res.once('error', () => resolve(false));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => resolve(false));
  });
}

/**
 * Polls GET /1.0 on the daemon's unix socket until it answers 200 (true) or `timeoutMs` has passed
 * (false). Without a timeout it waits forever, like `lxd waitready`.
 */
export async function waitReady(socketPath: string, timeoutMs?: number, intervalMs = 100): Promise<boolean> {
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (await probe(socketPath, Math.max(1, Math.min(2000, left)))) return true;
    const wait = Math.min(intervalMs, deadline - Date.now());
    if (wait <= 0) return false;
    await new Promise((r) => setTimeout(r, wait));
  }
}
