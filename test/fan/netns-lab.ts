/**
 * Network namespaces for the multi-host Fan test. Every namespace name carries a per-run prefix
 * with the owning process id ("cubedfan-<pid>-<tag>-<role>") and every device a short per-run
 * prefix, so parallel runs cannot collide. Nothing is created in the namespace the test runs in:
 * veth pairs are created inside one lab namespace with their peer placed directly in another.
 *
 * Cleanup happens three ways: `destroy()` (the test's afterAll); a watchdog process started with
 * the lab that deletes the lab's namespaces as soon as the test process is gone, whatever ended it
 * (SIGTERM, SIGKILL, a crash); and `removeAbandoned()`, which deletes namespaces of earlier runs
 * whose process no longer exists.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { CommandResult, CommandRunner, ExecCommandRunner, NetnsCommandRunner, runChecked } from '@app/fan-network';

const NETNS_DIR = '/run/netns';
const LAB_NAMESPACE = /^cubedfan-(\d+)-[a-z0-9]+-/;
const WATCHDOG_SCRIPT = [
  'while kill -0 "$1" 2>/dev/null; do sleep 0.2; done',
  `for ns in ${NETNS_DIR}/"$2"*; do [ -e "$ns" ] && ip netns delete "\${ns##*/}"; done`,
].join('\n');

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function listNamespaces(): string[] {
  try {
    return fs.readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class NetnsLab {
  /** Prefix for device names: five characters, so names stay within 15. */
  readonly devicePrefix: string;
  private readonly namespacePrefix: string;
  private readonly created: string[] = [];
  private readonly host = new ExecCommandRunner({ timeoutMs: 20_000 });
  private watchdog?: ChildProcess;

  constructor() {
    const tag = Math.floor(Math.random() * 36 ** 4)
      .toString(36)
      .padStart(4, '0');
    this.devicePrefix = `f${tag}`;
    this.namespacePrefix = `cubedfan-${process.pid}-${tag}-`;
  }

  /** Deletes lab namespaces whose owning process has exited. */
  static removeAbandoned(): string[] {
    const removed: string[] = [];
    for (const name of listNamespaces()) {
      const match = LAB_NAMESPACE.exec(name);
      if (match && !processAlive(Number(match[1]))) {
        execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
        removed.push(name);
      }
    }
    return removed;
  }

  async addNamespace(role: string): Promise<string> {
    this.watchdog ??= this.startWatchdog();
    const name = `${this.namespacePrefix}${role}`;
    await runChecked(this.host, 'ip', ['netns', 'add', name]);
    this.created.push(name);
    await this.ip(name, 'link', 'set', 'dev', 'lo', 'up');
    return name;
  }

  runner(namespace: string): CommandRunner {
    return new NetnsCommandRunner(namespace, this.host);
  }

  run(namespace: string, command: string, ...args: string[]): Promise<CommandResult> {
    return this.runner(namespace).run(command, args);
  }

  /** Runs `ip -n <namespace> ...` and fails on a non-zero exit. */
  ip(namespace: string, ...args: string[]): Promise<string> {
    return runChecked(this.host, 'ip', ['-n', namespace, ...args]);
  }

  /** Runs `ip -n <namespace> -j ...` and parses the JSON. */
  async ipJson<T>(namespace: string, ...args: string[]): Promise<T[]> {
    const out = await runChecked(this.host, 'ip', ['-n', namespace, '-j', ...args]);
    return out.trim() === '' ? [] : (JSON.parse(out) as T[]);
  }

  /** A veth pair: `name` inside `namespace`, `peer` inside `peerNamespace`. */
  async addVeth(namespace: string, name: string, peerNamespace: string, peer: string, mtu?: number): Promise<void> {
    const mtuArgs = mtu === undefined ? [] : ['mtu', String(mtu)];
    await this.ip(namespace, 'link', 'add', name, ...mtuArgs, 'type', 'veth', 'peer', 'name', peer, ...mtuArgs, 'netns', peerNamespace);
  }

  /**
   * Deletes one namespace. The kernel destroys it (and the veth peers it held elsewhere)
   * asynchronously after `ip netns delete` returns, so this polls until each device in
   * `peers` has disappeared from its namespace.
   */
  async deleteNamespace(name: string, peers: readonly { namespace: string; device: string }[] = []): Promise<void> {
    const index = this.created.indexOf(name);
    if (index < 0) throw new Error(`namespace ${name} does not belong to this lab`);
    await runChecked(this.host, 'ip', ['netns', 'delete', name]);
    this.created.splice(index, 1);
    for (const peer of peers) {
      for (let attempt = 0; ; attempt++) {
        const result = await this.host.run('ip', ['-n', peer.namespace, 'link', 'show', 'dev', peer.device]);
        if (result.exitCode !== 0) break;
        if (attempt >= 100) throw new Error(`device ${peer.device} in ${peer.namespace} still exists after deleting ${name}`);
        await sleep(20);
      }
    }
  }

  /** Deletes every namespace of this lab, newest first, and stops the watchdog; throws if any is left. */
  async destroy(): Promise<void> {
    const names = this.created.splice(0).reverse();
    for (const name of names) await this.host.run('ip', ['netns', 'delete', name]);
    if (this.watchdog?.pid !== undefined && this.watchdog.exitCode === null) process.kill(this.watchdog.pid, 'SIGTERM');
    this.watchdog = undefined;
    const present = new Set(listNamespaces());
    const left = names.filter((n) => present.has(n));
    if (left.length > 0) throw new Error(`could not delete namespaces: ${left.join(', ')}`);
  }

  /** A detached shell that outlives this process and deletes the lab's namespaces once it exits. */
  private startWatchdog(): ChildProcess {
    const child = spawn('sh', ['-c', WATCHDOG_SCRIPT, 'fan-lab-watchdog', String(process.pid), this.namespacePrefix], {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
    return child;
  }
}
