/**
 * Runs the reconciler the way the daemon will in tests: as a separate node process started
 * inside the member's network namespace (`ip netns exec <ns> node ...`), with no namespace given
 * to the library, so every command it runs acts on the namespace it is in.
 *
 * The library is transpiled once with @swc/core into a scratch directory for that process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { transformFileSync } from '@swc/core';
import type { FanApplyReport, FanNetworkConfig, FanReconcileRequest } from '@app/fan-network';
import { ExecCommandRunner, outputOf } from '@app/fan-network';

const LIBRARY_SOURCE = path.resolve(__dirname, '../../libs/fan-network/src');

const CHILD_SCRIPT = `
const { FanReconciler } = require(process.argv[1]);
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', async () => {
  try {
    const job = JSON.parse(input);
    const reconciler = FanReconciler.forNetns(undefined);
    const report = job.op === 'teardown' ? await reconciler.teardown(job.network) : await reconciler.reconcile(job.request);
    process.stdout.write(JSON.stringify(report));
  } catch (err) {
    process.stderr.write(String((err && err.stack) || err));
    process.exit(1);
  }
});
`;

export class InNamespaceReconciler {
  private readonly runner = new ExecCommandRunner({ timeoutMs: 30_000 });

  private constructor(
    private readonly libraryDir: string,
    readonly namespace: string,
  ) {}

  /** Transpiles the library into a fresh scratch directory; remove it with `removeLibrary`. */
  static compileLibrary(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cubed-fan-lib-'));
    for (const file of fs.readdirSync(LIBRARY_SOURCE)) {
      if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
      const { code } = transformFileSync(path.join(LIBRARY_SOURCE, file), {
        swcrc: false,
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
        module: { type: 'commonjs' },
      });
      fs.writeFileSync(path.join(dir, file.replace(/\.ts$/, '.js')), code);
    }
    return dir;
  }

  static removeLibrary(dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  static in(libraryDir: string, namespace: string): InNamespaceReconciler {
    return new InNamespaceReconciler(libraryDir, namespace);
  }

  reconcile(request: FanReconcileRequest): Promise<FanApplyReport> {
    return this.runJob({ op: 'reconcile', request });
  }

  teardown(network: FanNetworkConfig): Promise<FanApplyReport> {
    return this.runJob({ op: 'teardown', network });
  }

  private async runJob(job: unknown): Promise<FanApplyReport> {
    const args = ['netns', 'exec', this.namespace, process.execPath, '-e', CHILD_SCRIPT, path.join(this.libraryDir, 'index.js')];
    const result = await this.runner.run('ip', args, JSON.stringify(job));
    return JSON.parse(outputOf('ip', ['netns', 'exec', this.namespace, 'node', '<reconciler>'], result)) as FanApplyReport;
  }
}
