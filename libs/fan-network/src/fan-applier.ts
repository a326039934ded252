/**
 * Runs rendered command steps in order through a command runner, stopping at the first failure
 * with an error that names the failing batch line and the tool's message.
 */
import { commandLine, CommandRunner } from './command-runner';
import { describeFanChange } from './fan-change';
import { CommandStep, invocationOf } from './fan-command-steps';
import { FanCommandError } from './fan-errors';

const BATCH_FAILED_LINE = /Command failed -:(\d+)/;

export class FanApplier {
  constructor(private readonly runner: CommandRunner) {}

  async apply(steps: readonly CommandStep[]): Promise<void> {
    for (const step of steps) {
      const invocation = invocationOf(step);
      const result = await this.runner.run(invocation.command, invocation.args, invocation.input);
      if (result.exitCode === 0) continue;
      const line = commandLine(invocation.command, invocation.args);
      const message = result.stderr.trim() || result.stdout.trim() || 'no output';
      let failedLine: string | undefined;
      let where = '';
      if (step.kind === 'ip' || step.kind === 'bridge') {
        const match = BATCH_FAILED_LINE.exec(result.stderr);
        const index = match ? Number(match[1]) - 1 : -1;
        if (index >= 0 && index < step.lines.length) {
          failedLine = step.lines[index];
          where = ` at line ${index + 1} "${failedLine}" (${describeFanChange(step.changes[index])})`;
        }
      }
      throw new FanCommandError(
        `${line} failed with exit code ${result.exitCode}${where}: ${message.replace(/\s*\n\s*/g, '; ')}`,
        line,
        result.exitCode,
        result.stderr,
        failedLine,
      );
    }
  }
}
