/**
 * Renders a report into the page with DOM APIs only (text from files goes through textContent;
 * the charts are the CLI's SVG, shown as images so nothing in them can run).
 */
import { deltaLabel, fx, int, reportChart } from '../../src/cli/format.js';
import { barChart } from '../../src/cli/svg.js';
import type { Report } from './analyse.js';

type Child = Node | string;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function svgImage(svg: string, alt: string): HTMLImageElement {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  return el('img', { src: url, alt, class: 'chart' });
}

function table(head: string[], rows: Child[][], opts: { numeric?: boolean[]; testid?: string; foot?: Child[] } = {}): HTMLTableElement {
  const t = el('table', opts.testid ? { 'data-testid': opts.testid } : {});
  const cls = (i: number) => (opts.numeric?.[i] ?? i > 0 ? 'num' : '');
  t.append(el('thead', {}, el('tr', {}, ...head.map((h, i) => el('th', { class: cls(i) }, h)))));
  const body = el('tbody');
  for (const r of rows) body.append(el('tr', {}, ...r.map((c, i) => el('td', { class: cls(i) }, c))));
  t.append(body);
  if (opts.foot) t.append(el('tfoot', {}, el('tr', {}, ...opts.foot.map((c, i) => el('td', { class: cls(i) }, c)))));
  return t;
}

/** A ratio (%) cell coloured from structured (blue) to shuffled-like (white). */
function ratioCell(v: number, structured: boolean): HTMLElement {
  const s = el('span', { class: structured ? 'ratio structured' : 'ratio', title: structured ? 'structured plane (below the threshold, z < −3)' : '' }, fx(v, 1));
  const depth = Math.max(0, Math.min(1, (100 - v) / 40));
  s.style.background = `rgba(0, 114, 178, ${(0.08 + 0.6 * depth).toFixed(3)})`;
  return s;
}

export function renderReport(r: Report, into: HTMLElement): void {
  into.replaceChildren();
  const o = r.options;
  const T = r.totals;
  into.append(
    el('h2', {}, 'Report'),
    el(
      'p',
      { class: 'summary' },
      `${r.file}: ${r.format}, ${T.tensors} tensors, ${int(T.params)} parameters; QuBD b=${o.bits}, range ${o.range}` +
        `${o.percentile !== null ? ` ${o.percentile}` : ''}, CTM table ${o.table}; ` +
        (o.baseline === 'sampled' ? `ratio vs the mean of ${o.shuffles} shuffle(s), seed ${o.seed}.` : 'ratio vs the exact expectation over all shuffles.'),
    ),
  );
  const kv: [string, string][] = [
    ['QuBD (model)', T.analysed ? `${int(T.qubdBits)} bits` : '—'],
    ['ratio to shuffled', T.ratioTotal !== null ? `${fx(T.ratioTotal)} %` : '—'],
    ['suggested depth', T.suggestedBits !== null ? `${T.suggestedBits} bit(s)` : T.structure === false ? 'no structure detected' : '—'],
  ];
  if (o.compress && T.naiveBits !== null && T.coarse) {
    kv.push([`naive ${o.codec}`, `${int(T.naiveBits)} bits`]);
    for (const c of T.coarse) kv.push([`coarse Δ=${deltaLabel(c.delta)}`, `${int(c.bits)} bits (${c.bits <= T.naiveBits ? `${fx(T.naiveBits / c.bits, 1)}× smaller` : `${fx(c.bits / T.naiveBits, 1)}× larger`})`]);
  }
  into.append(el('dl', { class: 'totals' }, ...kv.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));

  if (T.analysed) {
    const planes = Array.from({ length: o.bits }, (_, i) => o.bits - 1 - i);
    into.append(
      el('div', { class: 'charts' },
        svgImage(reportChart(r), 'QuBD per-plane ratio to shuffled weights'),
        svgImage(
          barChart({
            title: 'Model QuBD per bit-plane vs the shuffled reference',
            subtitle: 'Σ over analysed tensors (bits); the gap is the structure BDM finds',
            xLabel: 'bit-plane (most significant first)',
            yLabel: 'BDM (bits)',
            categories: planes.map((p) => `b${p}`),
            series: [
              { name: 'weights', values: planes.map((p) => T.qubdPlanes[p]) },
              { name: 'shuffled (mean)', values: planes.map((p) => T.referencePlanes[p]), color: '#999999' },
            ],
          }),
          'Model QuBD per bit-plane',
        ),
      ),
    );
  }

  const dl = o.compress ? o.deltas.map((d) => `cg Δ=${deltaLabel(d)}`) : [];
  const head = ['tensor', 'shape', 'params', 'QuBD bits', 'ratio %', 'sugg. b', ...(o.spectral ? ['H (nats)', 'eff. rank', 'stable rank'] : []), ...(o.compress ? ['naive bits', ...dl] : [])];
  const rows = r.tensors.map((t) => [
    el('code', {}, t.name),
    (t.shape.join('×') || 'scalar') + (t.layout !== 'as stored' ? '*' : ''),
    int(t.params),
    t.qubd ? int(t.qubd.total) : '—',
    t.ratio ? fx(t.ratio.total) : '—',
    t.ratio ? (t.ratio.suggestedBits !== null ? String(t.ratio.suggestedBits) : t.ratio.structure ? '—' : 'none') : '—',
    ...(o.spectral ? [fx(t.spectral?.entropyNats, 3), fx(t.spectral?.effectiveRank, 1), fx(t.spectral?.stableRank, 2)] : []),
    ...(o.compress ? [t.compression ? int(t.compression.naiveBits) : '—', ...o.deltas.map((_, i) => (t.compression ? int(t.compression.coarse[i].bits) : '—'))] : []),
  ]);
  into.append(el('h3', {}, 'Per tensor'), table(head, rows, { testid: 'tensor-table', numeric: head.map((_, i) => i >= 2) }));
  if (r.tensors.some((t) => t.layout !== 'as stored')) into.append(el('p', { class: 'note' }, '* TensorFlow.js kernel analysed in PyTorch layout (Dense [in,out]→[out,in], Conv [kh,kw,in,out]→[out,in,kh,kw]).'));
  const skipped = r.tensors.filter((t) => t.skipped);
  if (skipped.length) into.append(el('p', { class: 'note' }, `QuBD and spectral measures skipped for ${skipped.length} tensor(s) (1-D, or a side < 4).`));

  if (T.analysed) {
    const planes = Array.from({ length: o.bits }, (_, i) => o.bits - 1 - i);
    const prow = r.tensors
      .filter((t) => t.qubd && t.ratio)
      .map((t) => [el('code', {}, t.name), ...planes.map((p) => el('span', {}, `${int(t.qubd!.planes[p])} `, ratioCell(t.ratio!.planes[p], t.ratio!.structured[p])))]);
    into.append(
      el('h3', {}, 'Per bit-plane'),
      el('p', { class: 'note' }, `Each cell: the plane's BDM (bits) and its ratio to the same weights shuffled (%), bluer when lower; a structured plane (bold) is below ${fx(T.threshold, 0)} % and, with an SD, at z < −${T.zThreshold}.`),
      table(['tensor', ...planes.map((p) => (p === o.bits - 1 ? `b${p} (MSB)` : `b${p}`))], prow, {
        testid: 'plane-table',
        foot: ['MODEL', ...planes.map((p) => el('span', {}, `${int(T.qubdPlanes[p])} `, ratioCell(T.ratioPlanes[p], T.structuredPlanes[p])))],
      }),
    );
  }
}
