/**
 * A cluster of real `cubed` processes on loopback whose founding members are written straight
 * into their state directories: the cluster certificate, a local database naming the member's
 * cluster address and every Raft member, and a Raft log holding the founding membership. Started
 * with bin/cubed like any daemon; driven through each member's unix socket.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSelfSigned, LocalDatabase, RaftDriver, RaftLogStore, RaftNodeRole } from '@app/db';
import { Role } from '@app/raft';
import { freePort, MemberProcess, type Reply, sleep } from './member-process';

export { freePort, sleep } from './member-process';

export interface Member {
  id: number;
  name: string;
  dir: string;
  address: string;
  process: MemberProcess;
}

export class StaticCluster {
  readonly members: Member[] = [];

  private constructor(
    readonly root: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Writes the state directories of `n` founding members (all voters). */
  static async create(n: number, env: NodeJS.ProcessEnv = {}): Promise<StaticCluster> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-cluster-'));
    const c = new StaticCluster(root, { ...process.env, ...env });
    try {
      const tls = await generateSelfSigned({ commonName: 'cubed-test-cluster', ipAddresses: ['127.0.0.1'] });
      const ports: number[] = [];
      while (ports.length < n) {
        const p = await freePort();
        if (!ports.includes(p)) ports.push(p);
      }
      const nodes = ports.map((port, i) => ({ id: i + 1, address: `127.0.0.1:${port}`, role: RaftNodeRole.Voter, name: `m${i + 1}` }));
      for (const node of nodes) {
        const dir = path.join(root, node.name);
        fs.mkdirSync(path.join(dir, 'database'), { recursive: true, mode: 0o711 });
        fs.writeFileSync(path.join(dir, 'cluster.crt'), tls.certPem, { mode: 0o644 });
        fs.writeFileSync(path.join(dir, 'cluster.key'), tls.keyPem, { mode: 0o600 });
        const local = LocalDatabase.open(path.join(dir, 'database', 'local.db'));
        local.setConfig('cluster.https_address', node.address);
        local.replaceRaftNodes(nodes);
        local.close();
        const store = RaftLogStore.open(path.join(dir, 'database', 'global', 'raft'));
        RaftDriver.bootstrap(
          store,
          nodes.map((x) => ({ id: x.id, role: Role.Voter })),
        );
        store.close();
        c.members.push({ id: node.id, name: node.name, dir, address: node.address, process: new MemberProcess(node.name, dir, c.env) });
      }
      return c;
    } catch (err) {
      fs.rmSync(root, { recursive: true, force: true });
      throw err;
    }
  }

  member(i: number): Member {
    const m = this.members[i];
    if (!m) throw new Error(`no member ${i}`);
    return m;
  }

  running(): Member[] {
    return this.members.filter((m) => m.process.running);
  }

  /** Starts a member's daemon and waits until it answers GET /1.0. */
  start(i: number, timeoutMs = 20_000): Promise<void> {
    return this.member(i).process.start(timeoutMs);
  }

  async startAll(): Promise<void> {
    await Promise.all(this.members.map((_, i) => this.start(i)));
  }

  /** Sends a signal (SIGKILL by default) and waits for the process to exit. */
  kill(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return this.member(i).process.kill(signal);
  }

  request(i: number, method: string, urlPath: string, body?: unknown, timeoutMs?: number): Promise<Reply> {
    return this.member(i).process.request(method, urlPath, body, timeoutMs);
  }

  /** POST /internal/sql against the global database; throws on an error envelope. */
  async sql(i: number, query: string): Promise<{ type: string; columns: string[] | null; rows: unknown[][] | null; rows_affected: number }[]> {
    const r = await this.request(i, 'POST', '/internal/sql', { database: 'global', query });
    if (r.status !== 200) throw new Error(`${this.member(i).name}: HTTP ${r.status}: ${r.json?.error}`);
    return r.json.metadata.results;
  }

  async status(i: number): Promise<{ state: string; leader?: { id: number; name: string }; applied: number; commit: number; firstIndex: number; members: { id: number; reachable: boolean; role: string }[] }> {
    const r = await this.request(i, 'GET', '/internal/database');
    if (r.status !== 200) throw new Error(`${this.member(i).name}: HTTP ${r.status}: ${r.json?.error}`);
    return r.json.metadata;
  }

  /** The index of the member every running member names as leader. */
  async leader(timeoutMs = 15_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const running = this.running();
        const statuses = await Promise.all(running.map((m) => this.status(this.members.indexOf(m))));
        const ids = new Set(statuses.map((s) => s.leader?.id ?? 0));
        const [id] = [...ids];
        if (ids.size === 1 && id && running.some((m) => m.id === id)) return this.members.findIndex((m) => m.id === id);
      } catch {
        // a member is starting or stopping
      }
      await sleep(50);
    }
    throw new Error('the running members did not agree on a leader');
  }

  /** Per-table checksums of a member's replica (after a read barrier). */
  async checksums(i: number): Promise<string> {
    const r = await this.request(i, 'GET', '/internal/sql?database=global&checksums=1');
    if (r.status !== 200) throw new Error(`${this.member(i).name}: HTTP ${r.status}: ${r.json?.error}`);
    return r.json.metadata.text;
  }

  /** Waits until every running member reports the same checksums for every table; returns them. */
  async convergedChecksums(timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last: string[] = [];
    while (Date.now() < deadline) {
      last = await Promise.all(this.running().map((m) => this.checksums(this.members.indexOf(m))));
      if (last.every((s) => s === last[0])) return last[0];
      await sleep(100);
    }
    throw new Error(`replicas did not converge:\n${last.join('\n---\n')}`);
  }

  async destroy(): Promise<void> {
    await Promise.all(this.members.map((_, i) => this.kill(i)));
    for (const m of this.members) m.process.close();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
