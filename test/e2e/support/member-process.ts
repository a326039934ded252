/**
 * One `cubed` daemon process for end-to-end tests: its state directory, its unix socket, start
 * (waiting until GET /1.0 answers), kill, requests with a keep-alive agent, and its log.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../../..');
export const CUBED = path.join(repo, 'bin/cubed');
export const CUBE = path.join(repo, 'bin/cube');

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, checked by the assertions
  json: any;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, host, r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export function requestOn(socket: string, method: string, urlPath: string, body?: unknown, agent?: http.Agent, timeoutMs = 20_000, headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request(
      {
        socketPath: socket,
        method,
        path: urlPath,
        agent: agent ?? false,
        timeout: timeoutMs,
        headers: { ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : undefined });
          } catch {
            resolve({ status: res.statusCode ?? 0, headers: res.headers, json: { text } });
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

/** Runs a program to completion (never rejects). */
export function run(bin: string, args: string[], env: NodeJS.ProcessEnv, input?: string, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(bin, args, { env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

export class MemberProcess {
  proc?: ChildProcess;
  log = '';
  agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    readonly name: string,
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** Runs the daemon through this command (e.g. `ip netns exec <ns>`), in its network namespace. */
    private readonly commandPrefix: readonly string[] = [],
  ) {}

  get socket(): string {
    return path.join(this.dir, 'unix.socket');
  }

  /** The environment for commands aimed at this member (cubed, cube, lxc). */
  get clientEnv(): NodeJS.ProcessEnv {
    return { ...this.env, CUBED_DIR: this.dir, LXD_DIR: this.dir };
  }

  get running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    const [command, ...args] = [...this.commandPrefix, CUBED];
    const proc = spawn(command, args, { env: { ...this.env, CUBED_DIR: this.dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    const append = (d: Buffer): void => {
      this.log += d.toString();
      if (this.log.length > 200_000) this.log = this.log.slice(-100_000);
    };
    proc.stdout!.on('data', append);
    proc.stderr!.on('data', append);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${this.name} exited (${proc.exitCode ?? proc.signalCode}):\n${this.log}`);
      try {
        const r = await requestOn(this.socket, 'GET', '/1.0', undefined, undefined, 2000);
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.name} did not become ready within ${timeoutMs} ms:\n${this.log}`);
      await sleep(50);
    }
  }

  /** Stops the process where it is (SIGSTOP), as a hung member would be, or lets it go on (SIGCONT). */
  freeze(frozen: boolean): void {
    this.proc?.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Sends a signal (SIGKILL by default) and waits for the process to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill(signal);
    await exited;
    this.agent.destroy();
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  }

  request(method: string, urlPath: string, body?: unknown, timeoutMs?: number, headers?: http.OutgoingHttpHeaders): Promise<Reply> {
    return requestOn(this.socket, method, urlPath, body, this.agent, timeoutMs, headers);
  }

  /** An API call that must succeed: the envelope's metadata (waiting for an async operation). */
  async api<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<T> {
    const r = await this.request(method, urlPath, body);
    if (r.status >= 400) throw new Error(`${this.name}: ${method} ${urlPath}: HTTP ${r.status}: ${r.json?.error}`);
    if (r.json?.type === 'async') {
      const op = await this.request('GET', `${String(r.json.operation).split('?')[0]}/wait?timeout=60`, undefined, 70_000);
      if (op.json?.metadata?.status !== 'Success') throw new Error(`${this.name}: ${method} ${urlPath}: operation ${op.json?.metadata?.status}: ${op.json?.metadata?.err}`);
      return op.json.metadata.metadata as T;
    }
    return r.json.metadata as T;
  }

  close(): void {
    this.agent.destroy();
  }
}
