/** Text tables and charts of reports (used by `ockham report`, `compare`, `track` and the demo). */
import type { Report } from './report.js';
import { lineChart } from './svg.js';
import type { ChartSeries } from './svg.js';
import { escapeControl } from './escape.js';

/** Renders rows as a fixed-width table; columns whose `align` is 'r' are right-aligned. */
/** "2.6× smaller" or, when coarse-graining made the stream bigger, "2.0× larger". */
function sizeVs(naive: number, coarse: number): string {
  return coarse <= naive ? `${fx(naive / coarse, 1)}× smaller` : `${fx(coarse / naive, 1)}× larger`;
}

export function table(head: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const a = align ?? head.map((_, i) => (i === 0 ? 'l' : 'r'));
  const line = (r: string[]) =>
    r
      .map((c, i) => (a[i] === 'r' ? (c ?? '').padStart(w[i]) : (c ?? '').padEnd(w[i])))
      .join('  ')
      .trimEnd();
  return [line(head), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

/** 12345.6 → "12,346". */
export function int(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

/** Fixed decimals, or '—' for null/NaN. */
export function fx(v: number | null | undefined, d = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d);
}

/** Δ as written on the command line: 0.001 → "1e-3", 0.05 → "5e-2". */
export function deltaLabel(d: number): string {
  return Number(d.toPrecision(6)).toExponential().replace('e+', 'e');
}

/** What the naive sizes compressed: "stored BF16, F32" or "float32". */
function naiveOf(r: Report): string {
  const kinds = [...new Set(r.tensors.flatMap((t) => (t.compression ? [t.compression.naiveOf ?? 'float32'] : [])))];
  return kinds.length === 1 && kinds[0] === 'float32' ? 'float32' : `stored ${kinds.join(', ')}`;
}

/** Human-readable `ockham report`. */
export function formatReport(r: Report): string {
  const o = r.options;
  const out: string[] = [];
  out.push(`ockham report  ${escapeControl(r.file)}`);
  out.push(
    `format ${r.format}, ${r.totals.tensors} tensors, ${int(r.totals.params)} parameters; QuBD b=${o.bits}, range ${o.range}` +
      `${o.percentile !== null ? ` ${o.percentile}` : ''}, CTM table ${escapeControl(String(o.table))}; ratio vs ${baselineLabel(r.options)}`,
  );
  out.push('');
  const dl = o.compress ? o.deltas.map((d) => `cg Δ=${deltaLabel(d)}`) : [];
  const head = ['tensor', 'shape', 'dtype', 'layout', 'QuBD bits', 'ratio %', 'MSB %', 'sugg. b', ...(o.spectral ? ['H (nats)', 'eff.rank', 'stable rk'] : []), ...(o.compress ? ['naive bits', ...dl] : [])];
  const rows = r.tensors.map((t) => {
    const shape = t.shape.join('×') + (t.layout !== 'as stored' ? '*' : '');
    return [
      escapeControl(t.name),
      shape || 'scalar',
      t.dtype,
      t.storedLayout ?? '',
      t.qubd ? int(t.qubd.total) : '—',
      t.ratio ? fx(t.ratio.total) : '—',
      t.ratio ? fx(t.ratio.planes[t.ratio.planes.length - 1]) : '—',
      t.ratio ? suggestedCell(t.ratio.suggestedBits, t.ratio.structure) : '—',
      ...(o.spectral ? [fx(t.spectral?.entropyNats, 3), fx(t.spectral?.effectiveRank, 1), fx(t.spectral?.stableRank, 2)] : []),
      ...(o.compress ? [t.compression ? int(t.compression.naiveBits) : '—', ...o.deltas.map((_, i) => (t.compression ? int(t.compression.coarse[i].bits) : '—'))] : []),
    ];
  });
  const T = r.totals;
  rows.push([
    'TOTAL',
    int(T.params),
    '',
    '',
    T.analysed ? int(T.qubdBits) : '—',
    fx(T.ratioTotal),
    T.ratioPlanes.length ? fx(T.ratioPlanes[T.ratioPlanes.length - 1]) : '—',
    T.analysed ? suggestedCell(T.suggestedBits, T.structure) : '—',
    ...(o.spectral ? ['', '', ''] : []),
    ...(o.compress ? [int(T.naiveBits ?? 0), ...(T.coarse ?? []).map((c) => int(c.bits))] : []),
  ]);
  out.push(table(head, rows));
  if (r.tensors.some((t) => t.layout !== 'as stored')) {
    out.push('* TensorFlow.js kernel analysed in PyTorch layout (Dense [in,out]→[out,in], Conv [kh,kw,in,out]→[out,in,kh,kw]); --layout keep to disable');
  }
  const skipped = r.tensors.filter((t) => t.skipped);
  if (skipped.length) out.push(`QuBD/spectral skipped for ${skipped.length} tensor(s): ${summariseSkips(skipped.map((t) => t.skipped!))}`);
  if (r.tensors.some((t) => t.ratio && !t.ratio.structure)) out.push('sugg. b "none": no structure detected (no plane differs from its shuffled baseline beyond the noise band)');
  if (r.tensors.some((t) => t.ratio && t.ratio.structure && t.ratio.suggestedBits === null)) {
    out.push('sugg. b "—" (analysed tensor): structured plane(s) only below an unstructured MSB plane, no depth suggested (see the per-plane table)');
  }
  if (T.analysed) {
    out.push('');
    const zRule = T.zPlanes ? ` and z < −${fx(T.zThreshold, 0)}` : '';
    out.push(`Per-plane QuBD ratio to the shuffled reference (%), MSB first (* = structured: < ${fx(T.threshold, 0)} %${zRule}):`);
    const planes = Array.from({ length: o.bits }, (_, i) => o.bits - 1 - i);
    const ph = ['tensor', ...planes.map((p) => `b${p}`)];
    const analysed = r.tensors.filter((t) => t.ratio);
    const pr = analysed.map((t) => [escapeControl(t.name), ...planes.map((p) => fx(t.ratio!.planes[p], 1) + (t.ratio!.structured[p] ? '*' : ''))]);
    pr.push(['MODEL', ...planes.map((p) => fx(T.ratioPlanes[p], 1) + (T.structuredPlanes[p] ? '*' : ''))]);
    out.push(table(ph, pr));
    if (analysed.some((t) => t.ratio!.zScores)) {
      out.push('');
      out.push('Per-plane z-score, (BDM − baseline) / baseline SD, MSB first (negative = more regular than shuffled):');
      const zr = analysed.map((t) => [escapeControl(t.name), ...planes.map((p) => zCell(t.ratio!.zScores, p))]);
      zr.push(['MODEL', ...planes.map((p) => zCell(T.zPlanes, p))]);
      out.push(table(ph, zr));
    }
    out.push(`Model QuBD bits per plane, MSB first: ${planes.map((p) => int(T.qubdPlanes[p])).join(' ')}`);
    out.push(`Suggested quantization depth (model): ${modelSuggestion(r)}`);
  }
  if (o.compress && T.naiveBits !== null && T.coarse) {
    out.push(
      `Compressed (${o.codec}, sum of per-tensor streams): naive (${naiveOf(r)}) ${int(T.naiveBits)} bits; coarse-grained ` +
        T.coarse.map((c) => `Δ=${deltaLabel(c.delta)}: ${int(c.bits)} (${sizeVs(T.naiveBits!, c.bits)})`).join(', '),
    );
  }
  out.push(`(${fx(r.seconds, 2)} s)`);
  return out.join('\n') + '\n';
}

/** The baseline of the ratios, as the headers say it. */
export function baselineLabel(o: { baseline?: string; shuffles: number; seed: number }): string {
  return o.baseline === 'sampled' ? `mean of ${o.shuffles} sampled shuffle(s), seed ${o.seed}` : 'exact shuffle baseline (mean and SD over all shuffles)';
}

/** The "sugg. b" cell: the depth, "none" when no plane is structured, '—' when structure is only below the MSB plane. */
function suggestedCell(bits: number | null, structure: boolean | null): string {
  return bits !== null ? String(bits) : structure === false ? 'none' : '—';
}

/** A z-score cell: one decimal, '—' without an SD, 'inf' for a plane off a zero-SD reference. */
function zCell(z: (number | null)[] | null, p: number): string {
  if (!z) return '—';
  const v = z[p];
  return v === null ? 'inf' : fx(v, 1);
}

/** The model-level suggestion line, never a depth when no plane is structured. */
function modelSuggestion(r: Report): string {
  const T = r.totals;
  if (T.suggestedBits !== null) return `${T.suggestedBits} bit(s)`;
  const zRule = T.zPlanes ? ` and z < −${fx(T.zThreshold, 0)}` : '';
  if (!T.structure) return `no structure detected (no plane below ${fx(T.threshold, 0)} %${zRule} against its shuffled baseline)`;
  const planes = T.structuredPlanes.flatMap((s, p) => (s ? [`b${p}`] : [])).reverse();
  return `none from the MSB (the most significant plane shows no structure; structured plane(s): ${planes.join(', ')})`;
}

function summariseSkips(reasons: string[]): string {
  const m = new Map<string, number>();
  for (const r of reasons) m.set(r.replace(/\(\d+, \d+\)/, '(…)'), (m.get(r.replace(/\(\d+, \d+\)/, '(…)')) ?? 0) + 1);
  return [...m].map(([k, v]) => `${v}× ${k}`).join('; ');
}

/** Per-plane ratio chart of a report: one line per analysed tensor plus the model. */
export function reportChart(r: Report): string {
  const b = r.options.bits;
  const planes = Array.from({ length: b }, (_, i) => b - 1 - i);
  const analysed = r.tensors.filter((t) => t.ratio);
  const maxNamed = 8;
  // Largest tensors get their own colour; the rest are drawn thin and grey.
  const byParams = analysed.slice().sort((a, c) => c.params - a.params);
  const named = new Set(byParams.slice(0, maxNamed).map((t) => t.name));
  const series: ChartSeries[] = [];
  let greyShown = false;
  for (const t of analysed) {
    const isNamed = named.has(t.name);
    series.push({
      name: isNamed ? `${t.name} (${t.shape.join('×')})` : `other tensors (${analysed.length - named.size})`,
      values: planes.map((p) => t.ratio!.planes[p]),
      width: isNamed ? 1.5 : 1,
      ...(isNamed ? {} : { color: '#bbbbbb', hideInLegend: greyShown }),
    });
    if (!isNamed) greyShown = true;
  }
  series.push({ name: 'model (Σ over tensors)', values: planes.map((p) => r.totals.ratioPlanes[p]), color: '#000000', width: 3 });
  return lineChart({
    title: `QuBD per-plane ratio to shuffled weights — ${basename(r.file)}`,
    subtitle: `b=${b}, range ${r.options.range}, ${baselineLabel(r.options)}; below 100 % = more regular than the same values shuffled`,
    xLabel: 'bit-plane (most significant first)',
    yLabel: 'BDM(plane) / BDM(shuffled plane)  (%)',
    x: planes.map((_, i) => i),
    xLabels: planes.map((p) => (p === b - 1 ? `b${p} MSB` : p === 0 ? `b0 LSB` : `b${p}`)),
    xScale: 'category',
    series,
    yMin: 0,
    referenceLines: [
      { y: 100, label: '100 % (no structure)' },
      { y: r.totals.threshold, label: `threshold ${fx(r.totals.threshold, 0)} %`, labelAt: 'left' },
    ],
  });
}

/** Last path component. */
export function basename(p: string): string {
  const s = p.replace(/[\\/]+$/, '');
  return s.slice(s.lastIndexOf('/') + 1) || s;
}
