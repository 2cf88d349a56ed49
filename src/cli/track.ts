/** `ockham track` / `ockham compare`: reports over several checkpoints, a table and a line chart. */
import { reportFile, SMALL_FILE_PARAMS } from './report.js';
import { createNodePool, defaultJobs } from './pool-node.js';
import { readSafetensorsHeader } from '../io/node/index.js';
import type { Progress, Report, ReportOptions } from './report.js';
import { basename, deltaLabel, fx, int, table } from './format.js';
import { escapeControl } from './escape.js';
import { lineChart } from './svg.js';
import type { ChartSeries } from './svg.js';

/** One checkpoint's summary. */
export interface CheckpointSummary {
  file: string;
  label: string;
  /** x position: the metadata key's number (e.g. step), or the file's index. */
  x: number;
  metadata: Record<string, string>;
  params: number;
  qubdBits: number | null;
  /** Model-level ratio to the shuffled reference (%), whole QuBD and MSB plane. */
  ratioTotal: number | null;
  ratioMsb: number | null;
  suggestedBits: number | null;
  naiveBits: number | null;
  coarse: { delta: number; bits: number }[] | null;
  /** Mean effective rank over analysed matrices (null without spectral measures). */
  meanEffectiveRank: number | null;
}

/** `--json` output of `track` and `compare`. */
export interface Track {
  schema: 'ockham.track/1';
  /** The metadata key used for x, or null when x is the file index. */
  xKey: string | null;
  checkpoints: CheckpointSummary[];
  reports: Report[];
  seconds: number;
}

/** Summarises a report for the track table. */
export function summarise(r: Report, index: number, xKey: string | null): CheckpointSummary {
  const T = r.totals;
  const er = r.tensors.filter((t) => t.spectral).map((t) => t.spectral!.effectiveRank);
  const xv = xKey !== null ? Number(own(r.metadata, xKey)) : index;
  return {
    file: r.file,
    label: basename(r.file),
    x: xv,
    metadata: r.metadata,
    params: T.params,
    qubdBits: T.analysed ? T.qubdBits : null,
    ratioTotal: T.ratioTotal,
    ratioMsb: T.ratioPlanes.length ? T.ratioPlanes[T.ratioPlanes.length - 1] : null,
    suggestedBits: T.suggestedBits,
    naiveBits: T.naiveBits,
    coarse: T.coarse,
    meanEffectiveRank: er.length ? er.reduce((a, b) => a + b, 0) / er.length : null,
  };
}

/**
 * Reports every file and summarises. `xKey` 'auto' uses metadata 'step' when every file has a
 * numeric one, else the file index; a named key must be numeric in every file. The `ockham track`
 * command as a function (Node only).
 *
 * @example
 * ```ts
 * import { trackFiles } from 'ockham/node';
 * const t = await trackFiles(['examples/grokking/step-000200.safetensors', 'examples/grokking/step-004000.safetensors'], {}, 'auto');
 * console.log(t.checkpoints.map((c) => c.x));
 * ```
 */
export async function trackFiles(
  files: string[],
  o: Partial<ReportOptions>,
  xKey: string,
  progress?: (fileIndex: number) => Progress,
  jobs?: number,
): Promise<Track> {
  const t0 = performance.now();
  const reports: Report[] = [];
  // One pool of worker threads for all files (default: all cores, unless the files are small).
  let big = jobs !== undefined;
  if (!big && files.every((f) => /\.safetensors$/i.test(f))) {
    let params = 0;
    for (const f of files) params += (await readSafetensorsHeader(f)).entries.reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1), 0);
    big = params >= SMALL_FILE_PARAMS;
  } else if (!big) big = true;
  const n = jobs ?? defaultJobs();
  const pool = n > 1 && big ? createNodePool(n) : undefined;
  try {
    for (let i = 0; i < files.length; i++) {
      const onProgress = progress?.(i);
      reports.push(await reportFile(files[i], o, { ...(pool ? { pool } : { jobs: 1 }), ...(onProgress ? { onProgress } : {}) }));
    }
  } finally {
    await pool?.close();
  }
  let key: string | null = null;
  if (xKey === 'auto') {
    key = reports.every((r) => own(r.metadata, 'step') !== undefined && Number.isFinite(Number(own(r.metadata, 'step')))) ? 'step' : null;
  } else if (xKey !== 'index') {
    const bad = reports.find((r) => !(own(r.metadata, xKey) !== undefined && Number.isFinite(Number(own(r.metadata, xKey)))));
    if (bad) throw new TrackKeyError(`--x ${escapeControl(xKey)}: ${escapeControl(bad.file)} has no numeric metadata '${escapeControl(xKey)}'`);
    key = xKey;
  }
  return {
    schema: 'ockham.track/1',
    xKey: key,
    checkpoints: reports.map((r, i) => summarise(r, i, key)),
    reports,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Own-property lookup in file metadata (a key such as `constructor` is absent, not Object's). */
function own(m: Record<string, string>, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(m, key) ? m[key] : undefined;
}

/** A usage error found after reading the files (exit code 1). */
export class TrackKeyError extends Error {}

/** Text table of a track (and, for two checkpoints, the change). */
export function formatTrack(t: Track, compare: boolean): string {
  const o = t.reports[0].options;
  const deltas = o.compress ? o.deltas : [];
  const head = [
    escapeControl(t.xKey ?? '#'),
    'file',
    'QuBD bits',
    'ratio %',
    'MSB %',
    'sugg. b',
    ...(o.spectral ? ['mean eff.rank'] : []),
    ...(o.compress ? ['naive bits', ...deltas.map((d) => `cg Δ=${deltaLabel(d)}`)] : []),
  ];
  const rowOf = (c: CheckpointSummary): string[] => [
    String(c.x),
    escapeControl(c.label),
    c.qubdBits !== null ? int(c.qubdBits) : '—',
    fx(c.ratioTotal),
    fx(c.ratioMsb),
    c.suggestedBits !== null ? String(c.suggestedBits) : '—',
    ...(o.spectral ? [fx(c.meanEffectiveRank, 2)] : []),
    ...(o.compress ? [c.naiveBits !== null ? int(c.naiveBits) : '—', ...deltas.map((_, i) => (c.coarse ? int(c.coarse[i].bits) : '—'))] : []),
  ];
  const rows = t.checkpoints.map(rowOf);
  if (compare && t.checkpoints.length === 2) {
    const [a, b] = t.checkpoints;
    const pct = (x: number | null, y: number | null) => (x !== null && y !== null && x !== 0 ? `${y >= x ? '+' : ''}${fx((100 * (y - x)) / x, 1)}%` : '—');
    const pp = (x: number | null, y: number | null) => (x !== null && y !== null ? `${y >= x ? '+' : ''}${fx(y - x, 1)} pp` : '—');
    rows.push([
      'change',
      'b vs a',
      pct(a.qubdBits, b.qubdBits),
      pp(a.ratioTotal, b.ratioTotal),
      pp(a.ratioMsb, b.ratioMsb),
      a.suggestedBits !== null && b.suggestedBits !== null ? `${b.suggestedBits - a.suggestedBits >= 0 ? '+' : ''}${b.suggestedBits - a.suggestedBits}` : '—',
      ...(o.spectral ? [pct(a.meanEffectiveRank, b.meanEffectiveRank)] : []),
      ...(o.compress ? [pct(a.naiveBits, b.naiveBits), ...deltas.map((_, i) => pct(a.coarse?.[i].bits ?? null, b.coarse?.[i].bits ?? null))] : []),
    ]);
  }
  const align = head.map((_, i) => (i === 1 ? 'l' : 'r')) as ('l' | 'r')[];
  return (
    `ockham ${compare ? 'compare' : 'track'}: ${t.checkpoints.length} checkpoint(s); QuBD b=${o.bits}, range ${o.range}, CTM table ${escapeControl(String(o.table))}; ` +
    `ratios vs mean of ${o.shuffles} shuffle(s), seed ${o.seed}; compressed sizes ${o.codec}, sum of per-tensor streams\n\n` +
    table(head, rows, align) +
    `\n(${fx(t.seconds, 2)} s)\n`
  );
}

/** Complexity-vs-checkpoint chart: bits on the left axis, the MSB-plane ratio on the right. */
export function trackChart(t: Track): string {
  const o = t.reports[0].options;
  const cps = t.checkpoints;
  const numeric = t.xKey !== null;
  const series: ChartSeries[] = [{ name: 'QuBD total (bits)', values: cps.map((c) => c.qubdBits), width: 2.5 }];
  if (o.compress) {
    o.deltas.forEach((d, i) => series.push({ name: `coarse-grained ${o.codec}, Δ=${deltaLabel(d)} (bits)`, values: cps.map((c) => c.coarse?.[i].bits ?? null) }));
  }
  series.push({ name: 'MSB-plane ratio to shuffled (%, right axis)', values: cps.map((c) => c.ratioMsb), axis: 'right', dashed: true, color: '#000000' });
  return lineChart({
    title: 'Complexity across checkpoints',
    subtitle: `QuBD b=${o.bits} (${o.range}), CTM table ${o.table}; compressed sizes: ${o.codec}, sum of per-tensor streams`,
    xLabel: numeric ? t.xKey! : 'checkpoint',
    yLabel: 'bits',
    yRightLabel: 'MSB-plane ratio (%)',
    x: numeric ? cps.map((c) => c.x) : cps.map((_, i) => i),
    ...(numeric ? {} : { xLabels: cps.map((c) => c.label), xScale: 'category' as const }),
    series,
    yMin: 0,
  });
}
