/**
 * Helpers for the recovery specs: the global directories of a real three-member cluster (founded
 * with `bootstrap`, over gRPC with mutual TLS on 127.0.0.1), with rows written through it, then
 * stopped; and a way to start members again from such directories.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Role } from '@app/raft';
import { ClusterDatabase } from '../cluster-database';
import type { MemberRef } from '../replication/db-errors';
import type { ClusterTls } from '../transport/cluster-tls';
import { generateSelfSigned } from '../transport/self-signed';
import { tempDir } from './test-member-store';

export interface StoppedMember extends MemberRef {
  /** The member's global directory (global.db and raft/). */
  dir: string;
}

export interface StoppedCluster {
  root: string;
  tls: ClusterTls;
  members: StoppedMember[];
  /** Keys of the rows written before the members stopped, in order. */
  rows: string[];
}

/**
 * "host:port" free now on an address of its own in 127.0.0.0/8: the members stop and start again
 * on their addresses, and a port of 127.0.0.1 left free meanwhile may be taken by any other test's
 * connection (as its source port) or server.
 */
export async function freeLoopbackAddress(): Promise<string> {
  const byte = () => 1 + Math.floor(Math.random() * 254);
  const host = `127.${byte()}.${byte()}.${byte()}`;
  const srv = net.createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, host, resolve);
  });
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return `${host}:${port}`;
}

export function clusterTls(): Promise<ClusterTls> {
  return generateSelfSigned({ commonName: 'cubed-recovery-test', ipAddresses: ['127.0.0.1'] });
}

/** Opens one member with the given peers (itself included), listening on its own address. */
export function startMember(member: StoppedMember, peers: readonly MemberRef[], tls: ClusterTls): Promise<ClusterDatabase> {
  return ClusterDatabase.open({
    dir: member.dir,
    id: member.id,
    peers: peers.map((p) => ({ id: p.id, address: p.address, name: p.name })),
    network: { address: member.address, tls },
    driver: { tickMs: 20 },
  });
}

/**
 * Founds a three-member cluster in `dirOf(name)` (default: under a new temp directory), writes
 * `rowCount` rows into the global config table through every member in turn, and stops it.
 */
export async function stoppedThreeMemberCluster(
  rowCount: number,
  opts: { tls?: ClusterTls; root?: string; dirOf?: (root: string, name: string) => string } = {},
): Promise<StoppedCluster> {
  const root = opts.root ?? tempDir('cubed-recovery-cluster-');
  const tls = opts.tls ?? (await clusterTls());
  const members: StoppedMember[] = [];
  for (let id = 1; id <= 3; id++) {
    const name = `m${id}`;
    members.push({ id, name, address: await freeLoopbackAddress(), dir: (opts.dirOf ?? ((r, n) => path.join(r, n)))(root, name) });
  }
  const bootstrap = members.map((m) => ({ id: m.id, role: Role.Voter }));
  const open: ClusterDatabase[] = [];
  let written = false;
  try {
    for (const m of members) {
      fs.mkdirSync(m.dir, { recursive: true });
      open.push(
        await ClusterDatabase.open({
          dir: m.dir,
          id: m.id,
          peers: members,
          bootstrap,
          network: { address: m.address, tls },
          driver: { tickMs: 20 },
        }),
      );
    }
    await Promise.all(open.map((c) => c.ready(15_000)));
    const rows: string[] = [];
    for (let i = 0; i < rowCount; i++) {
      const key = `user.row${String(i).padStart(3, '0')}`;
      await open[i % 3].db.exec({ statements: [{ sql: 'INSERT INTO config (key, value) VALUES (?, ?)', params: [key, `value ${i}`] }] });
      rows.push(key);
    }
    written = true;
    return { root, tls, members, rows };
  } finally {
    for (const c of open) await c.close();
    if (!written && !opts.root) fs.rmSync(root, { recursive: true, force: true });
  }
}

/** Resolves with the leader once one of `dbs` leads, or rejects after `timeoutMs`. */
export async function waitForLeader(dbs: readonly ClusterDatabase[], timeoutMs = 15_000): Promise<ClusterDatabase> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leader = dbs.find((d) => d.driver.isLeader());
    if (leader) return leader;
    if (Date.now() > deadline) throw new Error(`no leader among members ${dbs.map((d) => d.driver.id).join(', ')} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Keys of the user rows of a member's replica, read locally. */
export function localRowKeys(db: ClusterDatabase): string[] {
  return db.db.stateMachine.query<{ key: string }>("SELECT key FROM config WHERE key LIKE 'user.row%' ORDER BY key").map((r) => r.key);
}
