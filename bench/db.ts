/**
 * npm run bench:db — commits/s and latency of the replicated global database against the
 * physical baseline, in one run on this machine.
 *
 * 1. Baseline: a local better-sqlite3 database, WAL + synchronous=FULL, one durable commit per
 *    insert (measured before and after the cluster runs; their mean is the baseline).
 * 2. Three member processes (bench/db-member.ts: ClusterDatabase over gRPC + mutual TLS on
 *    127.0.0.1), then for 1, 8 and 64 concurrent writers, through the leader and through a
 *    follower, the same insert as one replicated transaction each.
 * Prints one JSON line per measurement and a final summary line with the ratios.
 *   --duration <s>   measuring time per configuration (default 3)
 *   --warmup <s>     unmeasured writes before each configuration (default 2): the members' code
 *                    is compiled and optimised as it runs, so the first second or so after a start
 *                    is slower than what a running member does
 *   --writers a,b,c  writer counts (default 1,8,64)
 */
import { type ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSelfSigned } from '@app/db';
import type { LoadResult, MemberCommand, MemberConfig } from './db-member';
import { nonNegativeOption } from './support/option-number';
import { sqliteFullSyncBaseline } from './support/sqlite-baseline';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

class MemberProcess {
  private waiting?: (m: { ok: boolean; error?: string } & Record<string, unknown>) => void;
  private readonly ready: Promise<void>;

  constructor(readonly config: MemberConfig, readonly proc: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      proc.once('exit', (code) => reject(new Error(`member ${config.id} exited with ${code}`)));
      proc.on('message', (m: { ok: boolean; ready?: boolean; error?: string }) => {
        if (m.ready) return resolve();
        const w = this.waiting;
        this.waiting = undefined;
        w?.(m as never);
      });
    });
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  async call<T = Record<string, unknown>>(cmd: MemberCommand): Promise<T> {
    const reply = await new Promise<{ ok: boolean; error?: string } & Record<string, unknown>>((resolve) => {
      this.waiting = resolve;
      this.proc.send(cmd);
    });
    if (!reply.ok) throw new Error(`member ${this.config.id}: ${reply.error}`);
    return reply as T;
  }
}

async function main(): Promise<void> {
  const durationMs = nonNegativeOption('duration', arg('duration', '3'), 3) * 1000;
  const warmupMs = nonNegativeOption('warmup', arg('warmup', '2'), 2) * 1000;
  const writerCounts = arg('writers', '1,8,64').split(',').map(Number);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-bench-db-'));
  const members: MemberProcess[] = [];
  const emit = (o: Record<string, unknown>): void => console.log(JSON.stringify(o));
  try {
    const before = sqliteFullSyncBaseline(durationMs, root);
    emit({ bench: 'db', what: 'baseline: local better-sqlite3 WAL synchronous=FULL, 1 writer, 1 commit per insert', phase: 'before', ...before });

    const tls = await generateSelfSigned({ commonName: 'cubed-bench', ipAddresses: ['127.0.0.1'] });
    const peers = [];
    for (let id = 1; id <= 3; id++) peers.push({ id, address: `127.0.0.1:${await freePort()}`, name: `m${id}` });
    for (const p of peers) {
      const config: MemberConfig = { id: p.id, dir: path.join(root, p.name), address: p.address, peers, tls };
      const profile = process.env.CUBED_BENCH_CPU_PROFILE_DIR; // a V8 CPU profile per member, for looking into results
      const proc = fork(path.join(__dirname, 'db-member.js'), [], {
        env: { ...process.env, CUBED_BENCH_MEMBER: JSON.stringify(config) },
        execArgv: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
        stdio: 'inherit',
      });
      members.push(new MemberProcess(config, proc));
    }
    await Promise.all(members.map((m) => m.whenReady()));
    let leader: MemberProcess | undefined;
    for (let i = 0; i < 200 && !leader; i++) {
      for (const m of members) if ((await m.call<{ leader: boolean }>({ cmd: 'status' })).leader) leader = m;
      if (!leader) await new Promise((r) => setTimeout(r, 50));
    }
    if (!leader) throw new Error('no leader was elected');
    const follower = members.find((m) => m !== leader)!;
    await leader.call({ cmd: 'setup' });

    const results: Record<string, LoadResult> = {};
    let writerBase = 0;
    for (const via of ['leader', 'follower'] as const) {
      for (const writers of writerCounts) {
        const target = via === 'leader' ? leader : follower;
        const { result } = await target.call<{ result: LoadResult }>({ cmd: 'load', writers, durationMs, warmupMs, writerBase });
        writerBase += writers;
        results[`${via}/${writers}`] = result;
        emit({ bench: 'db', what: `replicated commits, 3 members, ${writers} concurrent writer(s) through the ${via}`, via, writers, ...result });
      }
    }

    for (const m of members) await m.call({ cmd: 'stop' }).catch(() => undefined);
    const after = sqliteFullSyncBaseline(durationMs, root);
    emit({ bench: 'db', what: 'baseline: local better-sqlite3 WAL synchronous=FULL, 1 writer, 1 commit per insert', phase: 'after', ...after });
    const baseline = (before.commits_per_s + after.commits_per_s) / 2;
    const top = writerCounts[writerCounts.length - 1];
    emit({
      bench: 'db',
      what: 'summary',
      baseline_commits_per_s: Math.round(baseline),
      ratios_to_baseline: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, Math.round((r.commits_per_s / baseline) * 1000) / 1000])),
      [`leader_${top}_writers_ratio`]: Math.round(((results[`leader/${top}`]?.commits_per_s ?? 0) / baseline) * 1000) / 1000,
      leader_1_writer_p50_ms: results['leader/1']?.p50_ms,
    });
  } finally {
    for (const m of members) if (m.proc.exitCode === null) m.proc.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench:db failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
