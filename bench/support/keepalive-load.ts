/**
 * A closed-loop HTTP load over a unix socket: `clients` concurrent clients, each with its own
 * keep-alive connection, each sending its next request as soon as the previous one is answered.
 * The first `warmupMs` are not counted; then every request completed within the next `durationMs`
 * counts, as a success (the expected status) with its latency, or as an error. Clients speak
 * HTTP/1.1 through RawHttpConnection, which costs the shared cores little.
 */
import { RawHttpConnection } from './raw-http-connection';
import { LatencyRecorder, nowMs } from './latency';

export interface LoadRequest {
  method: string;
  path: string;
  body?: unknown;
}

export interface LoadSpec {
  socketPath: string;
  clients: number;
  warmupMs: number;
  durationMs: number;
  expectStatus: number;
  /** The `seq`-th request of client `client`. */
  next(client: number, seq: number): LoadRequest;
}

export interface LoadResult {
  requests: number;
  errors: number;
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** The first unexpected answer, when there were errors. */
  first_error?: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies = new LatencyRecorder();
  let errors = 0;
  let firstError: string | undefined;
  const start = nowMs();
  const countFrom = start + spec.warmupMs;
  const countUntil = countFrom + spec.durationMs;
  const runClient = async (client: number): Promise<void> => {
    const http = new RawHttpConnection(spec.socketPath);
    try {
      for (let seq = 0; nowMs() < countUntil; seq++) {
        const r = spec.next(client, seq);
        const sent = nowMs();
        let failure: string | undefined;
        try {
          const reply = await http.request(r.method, r.path, r.body, REQUEST_TIMEOUT_MS);
          if (reply.status !== spec.expectStatus) failure = `${r.method} ${r.path}: HTTP ${reply.status}: ${reply.body.slice(0, 300)}`;
        } catch (err) {
          failure = `${r.method} ${r.path}: ${(err as Error).message}`;
        }
        const done = nowMs();
        if (done < countFrom || done > countUntil) continue;
        if (failure === undefined) {
          latencies.add(done - sent);
        } else {
          errors++;
          firstError ??= failure;
        }
      }
    } finally {
      http.close();
    }
  };
  await Promise.all(Array.from({ length: spec.clients }, (_, i) => runClient(i)));
  return {
    requests: latencies.count,
    errors,
    req_per_s: Math.round((latencies.count / spec.durationMs) * 1000 * 10) / 10,
    ...latencies.summary(),
    ...(firstError ? { first_error: firstError } : {}),
  };
}
