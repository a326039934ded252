/**
 * Groups an ordered change list into the fewest command invocations that keep the order:
 * consecutive ip changes become one `ip -batch -`, consecutive bridge changes one
 * `bridge -batch -`, consecutive sysctls one `sysctl -w`, consecutive NAT changes one `nft -f -`.
 */
import type { FanChange } from './fan-change';
import { renderBatchLine } from './ip-batch';
import { renderNatApplyScript, renderNatDeleteScript } from './nft-masquerade';

export type CommandStep =
  | { readonly kind: 'ip' | 'bridge'; readonly lines: readonly string[]; readonly changes: readonly FanChange[] }
  | {
      readonly kind: 'sysctl';
      readonly settings: readonly { readonly key: string; readonly value: string }[];
      readonly changes: readonly FanChange[];
    }
  | { readonly kind: 'nft'; readonly script: string; readonly changes: readonly FanChange[] };

/** A program to run, its arguments, and what to write to its standard input. */
export interface CommandInvocation {
  readonly command: string;
  readonly args: readonly string[];
  readonly input?: string;
}

type MutableStep =
  | { kind: 'ip' | 'bridge'; lines: string[]; changes: FanChange[] }
  | { kind: 'sysctl'; settings: { key: string; value: string }[]; changes: FanChange[] }
  | { kind: 'nft'; script: string; changes: FanChange[] };

export function renderCommandSteps(changes: readonly FanChange[]): CommandStep[] {
  const steps: MutableStep[] = [];
  for (const change of changes) {
    const last = steps[steps.length - 1];
    if (change.kind === 'set-sysctl') {
      if (last?.kind === 'sysctl') {
        last.settings.push({ key: change.key, value: change.value });
        last.changes.push(change);
      } else {
        steps.push({ kind: 'sysctl', settings: [{ key: change.key, value: change.value }], changes: [change] });
      }
      continue;
    }
    if (change.kind === 'apply-nat' || change.kind === 'delete-nat') {
      const script = change.kind === 'apply-nat' ? renderNatApplyScript(change.table, change.rule) : renderNatDeleteScript(change.table);
      if (last?.kind === 'nft') {
        last.script += script;
        last.changes.push(change);
      } else {
        steps.push({ kind: 'nft', script, changes: [change] });
      }
      continue;
    }
    const rendered = renderBatchLine(change);
    if (last?.kind === rendered.tool) {
      last.lines.push(rendered.line);
      last.changes.push(change);
    } else {
      steps.push({ kind: rendered.tool, lines: [rendered.line], changes: [change] });
    }
  }
  return steps;
}

/** How a step is run. */
export function invocationOf(step: CommandStep): CommandInvocation {
  switch (step.kind) {
    case 'ip':
    case 'bridge':
      return { command: step.kind, args: ['-batch', '-'], input: `${step.lines.join('\n')}\n` };
    case 'sysctl':
      return { command: 'sysctl', args: ['-w', ...step.settings.map((s) => `${s.key}=${s.value}`)] };
    case 'nft':
      return { command: 'nft', args: ['-f', '-'], input: step.script };
  }
}
