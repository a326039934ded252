/**
 * A cluster of real `cubed` processes on loopback whose founding members are written straight
 * into their state directories: the cluster certificate, a local database naming the member's
 * cluster address and every Raft member, and a Raft log holding the founding membership. Started
 * with bin/cubed like any daemon; driven through each member's unix socket.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSelfSigned, LocalDatabase, RaftDriver, RaftLogStore, RaftNodeRole } from '@app/db';
import { Role } from '@app/raft';

const repo = path.resolve(__dirname, '../../..');
export const CUBED = path.join(repo, 'bin/cubed');

export interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, checked by the assertions
  json: any;
}

export interface Member {
  id: number;
  name: string;
  dir: string;
  address: string;
  socket: string;
  agent: http.Agent;
  proc?: ChildProcess;
  log: string;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, host, r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export function requestOn(socket: string, method: string, urlPath: string, body?: unknown, agent?: http.Agent, timeoutMs = 20_000): Promise<Reply> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request(
      {
        socketPath: socket,
        method,
        path: urlPath,
        agent: agent ?? false,
        timeout: timeoutMs,
        headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
          } catch {
            reject(new Error(`not JSON (HTTP ${res.statusCode}): ${text.slice(0, 200)}`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export class StaticCluster {
  readonly members: Member[] = [];

  private constructor(
    readonly root: string,
    private readonly env: NodeJS.ProcessEnv,
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
        c.members.push({
          id: node.id,
          name: node.name,
          dir,
          address: node.address,
          socket: path.join(dir, 'unix.socket'),
          agent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
          log: '',
        });
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
    return this.members.filter((m) => m.proc && m.proc.exitCode === null && m.proc.signalCode === null);
  }

  /** Starts a member's daemon and waits until it answers GET /1.0. */
  async start(i: number, timeoutMs = 20_000): Promise<void> {
    const m = this.member(i);
    const proc = spawn(CUBED, [], { env: { ...this.env, CUBED_DIR: m.dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    m.proc = proc;
    const append = (d: Buffer): void => {
      m.log += d.toString();
      if (m.log.length > 200_000) m.log = m.log.slice(-100_000);
    };
    proc.stdout!.on('data', append);
    proc.stderr!.on('data', append);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${m.name} exited (${proc.exitCode ?? proc.signalCode}):\n${m.log}`);
      try {
        const r = await requestOn(m.socket, 'GET', '/1.0', undefined, undefined, 2000);
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${m.name} did not become ready within ${timeoutMs} ms:\n${m.log}`);
      await sleep(50);
    }
  }

  async startAll(): Promise<void> {
    await Promise.all(this.members.map((_, i) => this.start(i)));
  }

  /** Sends a signal (SIGKILL by default) and waits for the process to exit. */
  async kill(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const m = this.member(i);
    const proc = m.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill(signal);
    await exited;
    m.agent.destroy();
    m.agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  request(i: number, method: string, urlPath: string, body?: unknown, timeoutMs?: number): Promise<Reply> {
    const m = this.member(i);
    return requestOn(m.socket, method, urlPath, body, m.agent, timeoutMs);
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
    for (const m of this.members) m.agent.destroy();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
