/**
 * One member of the bench:db cluster, in its own process: the replicated global database
 * (ClusterDatabase, the code the daemon runs) on a loopback port, driven by the parent process
 * over IPC. `load` runs N concurrent writers calling exec() on this member for a while and reports
 * commits/s and latency percentiles.
 */
import { ClusterDatabase, type ClusterTls, type MemberRef } from '@app/db';
import { Role } from '@app/raft';
import { LatencyRecorder, nowMs } from './support/latency';
import { BENCH_INSERT_SQL, BENCH_TABLE_SQL, PAYLOAD } from './support/sqlite-baseline';

export interface MemberConfig {
  id: number;
  dir: string;
  address: string;
  peers: MemberRef[];
  tls: ClusterTls;
}

export type MemberCommand =
  | { cmd: 'status' }
  | { cmd: 'setup' }
  | { cmd: 'load'; writers: number; durationMs: number; warmupMs: number; writerBase: number }
  | { cmd: 'stop' };

export interface LoadResult {
  commits: number;
  errors: number;
  elapsed_ms: number;
  commits_per_s: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

async function load(cluster: ClusterDatabase, writers: number, durationMs: number, warmupMs: number, writerBase: number): Promise<LoadResult> {
  const lat = new LatencyRecorder();
  let errors = 0;
  const begin = nowMs();
  const measureFrom = begin + warmupMs;
  const end = measureFrom + durationMs;
  let firstMeasured = Infinity;
  let lastMeasured = 0;
  const writer = async (w: number): Promise<void> => {
    for (let seq = 0; nowMs() < end; seq++) {
      const t = nowMs();
      try {
        await cluster.db.exec({ statements: [{ sql: BENCH_INSERT_SQL, params: [writerBase + w, seq, PAYLOAD] }] });
      } catch {
        errors++;
        continue;
      }
      const done = nowMs();
      if (t >= measureFrom && done <= end) {
        lat.add(done - t);
        firstMeasured = Math.min(firstMeasured, t);
        lastMeasured = Math.max(lastMeasured, done);
      }
    }
  };
  await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
  const elapsed = lastMeasured > firstMeasured ? lastMeasured - firstMeasured : durationMs;
  return { commits: lat.count, errors, elapsed_ms: Math.round(elapsed), commits_per_s: Math.round((lat.count / elapsed) * 1000), ...lat.summary() };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.CUBED_BENCH_MEMBER ?? '') as MemberConfig;
  const cluster = await ClusterDatabase.open({
    dir: config.dir,
    id: config.id,
    peers: config.peers,
    bootstrap: config.peers.map((p) => ({ id: p.id, role: Role.Voter })),
    network: { address: config.address, tls: config.tls },
  });
  await cluster.ready(30_000);
  const reply = (m: unknown): void => {
    process.send!(m);
  };
  process.on('message', (m: MemberCommand) => {
    void (async () => {
      try {
        switch (m.cmd) {
          case 'status':
            reply({ ok: true, leader: cluster.driver.isLeader(), leaderId: cluster.driver.status().leaderId });
            break;
          case 'setup':
            await cluster.db.exec({ statements: [{ sql: BENCH_TABLE_SQL, params: [] }] });
            reply({ ok: true });
            break;
          case 'load':
            reply({ ok: true, result: await load(cluster, m.writers, m.durationMs, m.warmupMs, m.writerBase) });
            break;
          case 'stop':
            await cluster.close();
            reply({ ok: true });
            process.exit(0);
        }
      } catch (err) {
        reply({ ok: false, error: (err as Error).message });
      }
    })();
  });
  reply({ ok: true, ready: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench member: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
