/**
 * A cluster of real `cubed` processes formed the way an operator forms one: every member starts
 * empty, the first is bootstrapped with `cubed init --preseed`, the others join with a join token
 * or with the trust password and the cluster certificate, each on its own loopback port.
 */
import { cleanupMemberContainers } from '../../../deploy/local-cluster/member-containers';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CUBED, freePort, MemberProcess, run, type RunResult, sleep } from './member-process';

export interface ClusterMemberView {
  server_name: string;
  url: string;
  roles: string[];
  status: string;
  message: string;
  database: boolean;
}

export interface TokenMetadata {
  serverName: string;
  fingerprint: string;
  addresses: string[];
  secret: string;
  expiresAt: string;
}

export function encodeJoinToken(m: TokenMetadata): string {
  return Buffer.from(JSON.stringify({ server_name: m.serverName, fingerprint: m.fingerprint, addresses: m.addresses, secret: m.secret, expires_at: m.expiresAt })).toString('base64');
}

export class DaemonCluster {
  readonly members: MemberProcess[] = [];
  readonly addresses: string[] = [];

  private constructor(readonly root: string) {}

  /**
   * `n` members on loopback ports; or, with `hosts`, each member in its own network namespace
   * (`hosts[i].netns`) on its own address there (port 8443).
   */
  static async create(n: number, env: NodeJS.ProcessEnv = {}, hosts?: ReadonlyArray<{ netns: string; address: string }>): Promise<DaemonCluster> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-daemons-'));
    // Unprivileged containers traverse the members' directories to their root filesystems.
    fs.chmodSync(root, 0o711);
    const c = new DaemonCluster(root);
    if (hosts) {
      hosts.slice(0, n).forEach((host, i) => {
        c.members.push(new MemberProcess(`m${i + 1}`, path.join(root, `m${i + 1}`), { ...process.env, ...env }, ['ip', 'netns', 'exec', host.netns]));
        c.addresses.push(`${host.address}:8443`);
      });
      return c;
    }
    const ports = new Set<number>();
    while (ports.size < n) ports.add(await freePort());
    [...ports].forEach((port, i) => {
      c.members.push(new MemberProcess(`m${i + 1}`, path.join(root, `m${i + 1}`), { ...process.env, ...env }));
      c.addresses.push(`127.0.0.1:${port}`);
    });
    return c;
  }

  member(i: number): MemberProcess {
    return this.members[i];
  }

  async startAll(): Promise<void> {
    await Promise.all(this.members.map((m) => m.start()));
  }

  /** `cubed init --preseed <file>` on member `i`. */
  async init(i: number, preseed: string): Promise<RunResult> {
    const file = path.join(this.root, `preseed-${this.members[i].name}-${Date.now()}.yaml`);
    fs.writeFileSync(file, preseed);
    return run(CUBED, ['init', '--preseed', file], this.members[i].clientEnv);
  }

  async bootstrap(i: number, extraConfig: Record<string, string> = {}): Promise<void> {
    const config = { 'core.https_address': this.addresses[i], 'core.trust_password': 'sekret', ...extraConfig };
    const r = await this.init(i, `config:\n${Object.entries(config).map(([k, v]) => `  ${k}: "${v}"`).join('\n')}\ncluster:\n  server_name: ${this.members[i].name}\n  enabled: true\n`);
    if (r.code !== 0) throw new Error(`bootstrap of ${this.members[i].name} failed: ${r.stderr}\n${this.members[i].log}`);
  }

  /** A join token for member `name`, issued by member `via`. */
  async token(via: number, name: string): Promise<TokenMetadata> {
    const r = await this.members[via].request('POST', '/1.0/cluster/members', { server_name: name });
    if (r.status !== 202) throw new Error(`token for ${name}: HTTP ${r.status}: ${r.json?.error}`);
    return r.json.metadata.metadata as TokenMetadata;
  }

  tokenPreseed(i: number, token: string): string {
    return `cluster:\n  server_name: ${this.members[i].name}\n  enabled: true\n  server_address: ${this.addresses[i]}\n  cluster_token: ${token}\n`;
  }

  passwordPreseed(i: number, via: number, password: string, certificate: string): string {
    const cert = certificate
      .trim()
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
    return `cluster:\n  server_name: ${this.members[i].name}\n  enabled: true\n  server_address: ${this.addresses[i]}\n  cluster_address: ${this.addresses[via]}\n  cluster_password: ${password}\n  cluster_certificate: |\n${cert}\n`;
  }

  clusterCertificate(i: number): string {
    return fs.readFileSync(path.join(this.members[i].dir, 'cluster.crt'), 'utf8');
  }

  async joinWithToken(i: number, via: number): Promise<void> {
    const token = encodeJoinToken(await this.token(via, this.members[i].name));
    const r = await this.init(i, this.tokenPreseed(i, token));
    if (r.code !== 0) throw new Error(`join of ${this.members[i].name} failed: ${r.stderr}\n${this.members[i].log}`);
  }

  async joinWithPassword(i: number, via: number, password = 'sekret'): Promise<void> {
    const r = await this.init(i, this.passwordPreseed(i, via, password, this.clusterCertificate(via)));
    if (r.code !== 0) throw new Error(`join of ${this.members[i].name} failed: ${r.stderr}\n${this.members[i].log}`);
  }

  /** The members as member `i` lists them. */
  async list(i: number): Promise<ClusterMemberView[]> {
    return this.members[i].api<ClusterMemberView[]>('GET', '/1.0/cluster/members?recursion=1');
  }

  /** The index of the database leader, as the running members see it. */
  async leader(timeoutMs = 15_000): Promise<number> {
    return this.waitFor(async () => {
      for (const m of this.members.filter((x) => x.running)) {
        const r = await m.request('GET', '/internal/database').catch(() => undefined);
        const name = r?.json?.metadata?.leader?.name;
        const i = this.members.findIndex((x) => x.name === name);
        if (i >= 0 && this.members[i].running) return i;
      }
      return undefined;
    }, timeoutMs, 'a database leader');
  }

  /** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
  async waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const v = await probe();
        if (v !== undefined) return v;
      } catch (err) {
        last = err;
      }
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
  }

  async destroy(): Promise<void> {
    await Promise.all(this.members.map((m) => m.kill()));
    for (const m of this.members) {
      m.close();
      cleanupMemberContainers(m.dir);
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
