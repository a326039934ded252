/**
 * bench:api's summary: Cubed's figures against its goals, against LXD 5.0.2's reference figures
 * (labelled as such: not from this run), and, when LXD ran in the same invocation, Cubed/LXD ratios
 * from this run. As one JSON object, and as a table for people.
 */
import type { Metric, SystemResults, Via } from './api-metrics';
import { GOALS, LXD_REFERENCE, LXD_REFERENCE_SOURCE } from './reference-figures';

type Where = Via | 'cluster';
type Figure = number | null | undefined;

const ratio = (a: Figure, b: Figure): number | null => (typeof a !== 'number' || typeof b !== 'number' || b === 0 ? null : Math.round((a / b) * 1000) / 1000);
const wheresOf = (m: Metric): Where[] => (m.perVia ? ['leader', 'non-leader'] : ['cluster']);
const pickAt = (m: Metric, r: SystemResults, where: Where): Figure => m.pick(r, where === 'cluster' ? 'leader' : where);
const shown = (v: Figure): string => (v === undefined ? 'not measured' : v === null ? 'not reached' : String(v));
// At most 3 decimals: a median of an even count is a mean of two figures, with binary fractions.
const withUnit = (v: Figure, unit: string): string => (typeof v === 'number' ? `${Number(v.toFixed(3))} ${unit}` : shown(v));

export interface SummaryInput {
  metrics: Metric[];
  cubed: SystemResults;
  offlineThresholdMs: number;
  /** Results of LXD in this run, or why it did not run. */
  lxd: SystemResults | { skipped: string };
}

interface Row {
  metric: Metric;
  where: Where;
  cubed: Figure;
  goal?: { text: string; met: boolean };
  reference?: { text: string; note: string; ratio: number | null | [number | null, number | null] };
  lxd?: Figure;
}

function goalOf(m: Metric, value: Figure, offlineThresholdMs: number): Row['goal'] {
  const goal = GOALS[m.key];
  if (!goal || value === undefined) return undefined;
  const bound = goal.bound === 'offline_threshold' ? offlineThresholdMs : goal.bound;
  const met = value !== null && (m.better === 'higher' ? value >= bound : value <= bound);
  return { text: goal.bound === 'offline_threshold' ? `${goal.text} (${offlineThresholdMs / 1000} s)` : goal.text, met };
}

function referenceOf(m: Metric, value: Figure): Row['reference'] {
  const ref = LXD_REFERENCE[m.key];
  if (!ref || value === undefined) return undefined;
  const single = ref.low === ref.high;
  return {
    text: single ? `${ref.low} ${m.unit}` : `${ref.low}–${ref.high} ${m.unit}`,
    note: ref.note,
    ratio: single ? ratio(value, ref.low) : [ratio(value, ref.high), ratio(value, ref.low)],
  };
}

function rowsOf(s: SummaryInput): Row[] {
  const lxd = 'skipped' in s.lxd ? undefined : s.lxd;
  return s.metrics.flatMap((m) =>
    wheresOf(m).map((where) => {
      const cubed = pickAt(m, s.cubed, where);
      return { metric: m, where, cubed, goal: goalOf(m, cubed, s.offlineThresholdMs), reference: referenceOf(m, cubed), lxd: lxd ? pickAt(m, lxd, where) : undefined };
    }),
  );
}

export function apiSummary(s: SummaryInput): Record<string, unknown> {
  const rows = rowsOf(s);
  const withGoal = rows.filter((r) => r.goal);
  return {
    bench: 'api',
    what: 'summary',
    goals_met: withGoal.filter((r) => r.goal!.met).length,
    goals_not_met: withGoal.filter((r) => !r.goal!.met).map((r) => `${r.metric.label} (${r.where}): ${withUnit(r.cubed, r.metric.unit)}, goal ${r.goal!.text}`),
    goals: withGoal.map((r) => ({ metric: r.metric.label, via: r.where, measured: r.cubed ?? null, unit: r.metric.unit, goal: r.goal!.text, met: r.goal!.met })),
    vs_lxd_reference: {
      source: LXD_REFERENCE_SOURCE,
      ratio: 'Cubed (this run) / LXD reference; for a range [Cubed / its high end, Cubed / its low end]; "better" says which way is good',
      rows: rows
        .filter((r) => r.reference)
        .map((r) => ({
          metric: r.metric.label,
          via: r.where,
          cubed: r.cubed ?? null,
          lxd_reference: r.reference!.text,
          note: r.reference!.note,
          ratio: r.reference!.ratio,
          better: r.metric.better,
        })),
    },
    vs_lxd_same_run:
      'skipped' in s.lxd
        ? { skipped: s.lxd.skipped }
        : {
            ratio: 'Cubed / LXD, both measured in this run; "better" says which way is good',
            rows: rows.map((r) => ({
              metric: r.metric.label,
              via: r.where,
              cubed: r.cubed ?? null,
              lxd: r.lxd ?? null,
              unit: r.metric.unit,
              ratio: ratio(r.cubed, r.lxd),
              better: r.metric.better,
            })),
          },
  };
}

/** The summary as aligned text lines: metric, where, Cubed, goal, LXD reference (and ratio), LXD this run (and ratio). */
export function summaryTable(s: SummaryInput): string[] {
  const rows = rowsOf(s);
  const sameRun = !('skipped' in s.lxd);
  const header = ['metric', 'via', 'Cubed', 'goal', 'LXD reference (not this run)', 'Cubed/ref', ...(sameRun ? ['LXD this run', 'Cubed/LXD'] : [])];
  const fmtRatio = (x: number | null | [number | null, number | null] | undefined): string =>
    x === undefined ? '' : Array.isArray(x) ? `${x[0] ?? '-'}–${x[1] ?? '-'}` : String(x ?? '-');
  const cells = rows.map((r) => [
    r.metric.label,
    r.where,
    withUnit(r.cubed, r.metric.unit),
    r.goal ? `${r.goal.text}: ${r.goal.met ? 'met' : 'NOT met'}` : '',
    r.reference?.text ?? '',
    fmtRatio(r.reference?.ratio),
    ...(sameRun ? [withUnit(r.lxd, r.metric.unit), String(ratio(r.cubed, r.lxd) ?? '-')] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string =>
    c
      .map((x, i) => x.padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line), ...('skipped' in s.lxd ? [`LXD in this run: skipped (${s.lxd.skipped})`] : [])];
}
