/**
 * bench:runtime's summary: Cubed's medians against the goal (targets.md: `lxc launch` busybox,
 * image present, ≤ 0.3 s, and faster than LXD measured in the same run), Cubed/LXD ratios of
 * medians and p90s from this run when LXD ran, and LXD 5.0.2's reference figures (labelled: not
 * from this run). As one JSON object, and as a table for people.
 */
import { LXD_REFERENCE_SOURCE } from './reference-figures';
import type { Measurement, MeasurementKey, RuntimeResults } from './runtime-measurements';

export const LAUNCH_GOAL_S = 0.3;

const LXD_REFERENCE: Partial<Record<MeasurementKey, string>> = {
  'image-import': '0.19 / 0.20 s (1 MB busybox tarball, 1 per pass)',
  launch: '0.274–0.357 s (pass 2), 0.286–0.348 s (pass 1); no NIC, image imported, placed on any member; 10 + 10',
  exec: '36–83 ms, whole CLI process; 4 + 4',
  stop: '2.66–2.80 s (busybox init); 1 per pass',
  'stop-force': '0.62–0.63 s; 1 per pass',
};

const ORDER: MeasurementKey[] = ['launch', 'first-launch-copied', 'first-launch-held', 'exec', 'stop', 'stop-force', 'delete-running', 'delete-stopped', 'image-import'];

type Figure = number | null;

const ratio = (a: Figure | undefined, b: Figure | undefined): Figure => (typeof a !== 'number' || typeof b !== 'number' || b === 0 ? null : Math.round((a / b) * 1000) / 1000);

export interface RuntimeSummaryInput {
  cubed: RuntimeResults;
  lxd: RuntimeResults | { skipped: string };
  errors: string[];
}

interface Row {
  key: MeasurementKey;
  what: string;
  cubed?: Measurement;
  lxd?: Measurement;
}

function rowsOf(s: RuntimeSummaryInput): Row[] {
  const lxd = s.lxd instanceof Map ? s.lxd : undefined;
  return ORDER.filter((k) => s.cubed.has(k) || lxd?.has(k)).map((key) => ({ key, what: (s.cubed.get(key) ?? lxd!.get(key))!.what, cubed: s.cubed.get(key), lxd: lxd?.get(key) }));
}

function goals(s: RuntimeSummaryInput): { goal: string; measured: Record<string, Figure>; met: boolean }[] {
  const cubed = s.cubed.get('launch')?.summary.median_s ?? null;
  const out: { goal: string; measured: Record<string, Figure>; met: boolean }[] = [{ goal: `lxc launch median ≤ ${LAUNCH_GOAL_S} s`, measured: { cubed_median_s: cubed }, met: cubed !== null && cubed <= LAUNCH_GOAL_S }];
  if (s.lxd instanceof Map) {
    const lxd = s.lxd.get('launch')?.summary.median_s ?? null;
    out.push({ goal: "lxc launch median below LXD's in this run", measured: { cubed_median_s: cubed, lxd_median_s: lxd, ratio: ratio(cubed, lxd) }, met: cubed !== null && lxd !== null && cubed < lxd });
  }
  return out;
}

export function runtimeSummary(s: RuntimeSummaryInput): Record<string, unknown> {
  const rows = rowsOf(s);
  const g = goals(s);
  return {
    bench: 'runtime',
    what: 'summary',
    goals_met: g.filter((x) => x.met).length,
    goals_not_met: g.filter((x) => !x.met).map((x) => `${x.goal}: ${JSON.stringify(x.measured)}`),
    goals: g,
    vs_lxd_same_run:
      s.lxd instanceof Map
        ? {
            ratio: 'Cubed / LXD, both measured in this run (lower is better)',
            rows: rows.map((r) => ({
              what: r.what,
              cubed_median_s: r.cubed?.summary.median_s ?? null,
              lxd_median_s: r.lxd?.summary.median_s ?? null,
              ratio_median: ratio(r.cubed?.summary.median_s, r.lxd?.summary.median_s),
              cubed_p90_s: r.cubed?.summary.p90_s ?? null,
              lxd_p90_s: r.lxd?.summary.p90_s ?? null,
              ratio_p90: ratio(r.cubed?.summary.p90_s, r.lxd?.summary.p90_s),
              n: [r.cubed?.summary.n ?? 0, r.lxd?.summary.n ?? 0],
              ...(r.cubed?.unavailable ? { cubed_unavailable: r.cubed.unavailable } : {}),
              ...(r.lxd?.unavailable ? { lxd_unavailable: r.lxd.unavailable } : {}),
            })),
          }
        : { skipped: s.lxd.skipped },
    vs_lxd_reference: {
      source: LXD_REFERENCE_SOURCE,
      rows: rows.filter((r) => LXD_REFERENCE[r.key]).map((r) => ({ what: r.what, cubed_median_s: r.cubed?.summary.median_s ?? null, lxd_reference: LXD_REFERENCE[r.key] })),
    },
    errors: s.errors,
  };
}

const cell = (m: Measurement | undefined): string => {
  if (!m) return 'not measured';
  if (m.unavailable) return 'unavailable';
  const x = m.summary;
  return x.n === 0 ? 'no sample' : `${x.median_s} (p90 ${x.p90_s}, ${x.min_s}–${x.max_s}, n ${x.n})`;
};

/** The summary as aligned text lines: measurement, Cubed, LXD this run, ratio of medians, LXD reference. */
export function runtimeSummaryTable(s: RuntimeSummaryInput): string[] {
  const sameRun = s.lxd instanceof Map;
  const header = ['measurement (s: median (p90, min–max, n))', 'Cubed', ...(sameRun ? ['LXD this run', 'Cubed/LXD'] : []), 'LXD reference (not this run)'];
  const cells = rowsOf(s).map((r) => [
    r.what,
    cell(r.cubed),
    ...(sameRun ? [cell(r.lxd), String(ratio(r.cubed?.summary.median_s, r.lxd?.summary.median_s) ?? '-')] : []),
    LXD_REFERENCE[r.key] ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string =>
    c
      .map((x, i) => x.padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  const goalLines = goals(s).map((x) => `goal: ${x.goal}: ${x.met ? 'met' : 'NOT met'} ${JSON.stringify(x.measured)}`);
  return [
    line(header),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...cells.map(line),
    ...goalLines,
    ...(sameRun ? [] : [`LXD in this run: skipped (${(s.lxd as { skipped: string }).skipped})`]),
  ];
}
