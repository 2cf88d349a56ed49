/**
 * A small SVG chart generator (line and grouped-bar charts with axes, ticks, labels and a
 * legend) so the CLI and the demo can draw without any dependency or browser. Output is a
 * self-contained SVG string (fonts: the viewer's sans-serif).
 */
import { escapeControl } from './escape.js';

/** One plotted series. `null` values leave a gap. */
export interface ChartSeries {
  readonly name: string;
  readonly values: readonly (number | null)[];
  /** CSS colour; default from a colour-blind-safe palette. */
  readonly color?: string;
  readonly dashed?: boolean;
  /** Plot against the right-hand axis (line charts only). */
  readonly axis?: 'left' | 'right';
  /** Line width in px (default 2). */
  readonly width?: number;
  /** Draw point markers (default true when ≤ 40 points). */
  readonly markers?: boolean;
  /** Leave the series out of the legend. */
  readonly hideInLegend?: boolean;
}

/** A horizontal reference line (e.g. 100 %). */
export interface ReferenceLine {
  readonly y: number;
  readonly label?: string;
  readonly axis?: 'left' | 'right';
  /** End of the line where the label sits (default 'right'). */
  readonly labelAt?: 'left' | 'right';
}

/** A shaded span of the x axis (e.g. "memorisation"). */
export interface XBand {
  readonly from: number;
  readonly to: number;
  readonly label?: string;
  readonly color?: string;
}

/** Line chart description. */
export interface LineChartSpec {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly yRightLabel?: string;
  /** x positions (numbers); with `xLabels` and `xScale: 'category'` they are just indices. */
  readonly x: readonly number[];
  /** Tick labels for 'category' scale (one per x). */
  readonly xLabels?: readonly string[];
  readonly xScale?: 'linear' | 'category';
  readonly series: readonly ChartSeries[];
  readonly yMin?: number;
  readonly yMax?: number;
  readonly yRightMin?: number;
  readonly yRightMax?: number;
  readonly referenceLines?: readonly ReferenceLine[];
  readonly bands?: readonly XBand[];
  readonly width?: number;
  readonly height?: number;
}

/** Grouped bar chart description. */
export interface BarChartSpec {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly categories: readonly string[];
  readonly series: readonly ChartSeries[];
  readonly yMin?: number;
  readonly yMax?: number;
  readonly referenceLines?: readonly ReferenceLine[];
  readonly width?: number;
  readonly height?: number;
}

/** Okabe–Ito palette (colour-blind safe), then greys. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442', '#999999'];

const FONT = 'font-family="Helvetica, Arial, sans-serif"';

/**
 * XML-escapes untrusted text for an element or attribute: control characters (not allowed in XML
 * 1.0), bidi controls and lone surrogates become visible `\xNN` / `\uNNNN` text first, so the SVG
 * stays well-formed whatever a tensor is called.
 */
export function esc(s: string): string {
  return escapeControl(String(s)).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/[\ufffe\uffff]/g, '\ufffd');
}

/** "Nice" tick values covering [lo, hi] with about `n` ticks (steps 1, 2, 2.5, 5 × 10^k). */
export function niceTicks(lo: number, hi: number, n = 6): number[] {
  if (!(hi > lo)) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= d;
    hi += d;
  }
  const raw = (hi - lo) / Math.max(1, n - 1);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  let step = mag;
  for (const m of [1, 2, 2.5, 5, 10]) {
    step = m * mag;
    if (step >= raw) break;
  }
  const start = Math.floor(lo / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = start; v <= hi + step * 1e-9 + step; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    if (v >= hi - step * 1e-9) break;
  }
  return ticks;
}

/** Short tick label: 12 000 → "12k", 0.25 → "0.25". */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return trim(v / 1e9) + 'G';
  if (a >= 1e6) return trim(v / 1e6) + 'M';
  if (a >= 1e4) return trim(v / 1e3) + 'k';
  if (a === 0) return '0';
  if (a < 1e-3) return v.toExponential(0);
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(4)));
}

function extent(values: Iterable<number | null>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? [0, 1] : [lo, hi];
}

interface Frame {
  w: number;
  h: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Approximate text width in px for an 11–12 px sans-serif font (for layout only). */
function textWidth(s: string, size = 11): number {
  return s.length * size * 0.56;
}

function header(f: Frame, title: string, subtitle?: string): string[] {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.w}" height="${f.h}" viewBox="0 0 ${f.w} ${f.h}" ${FONT}>`,
    `<rect x="0" y="0" width="${f.w}" height="${f.h}" fill="#ffffff"/>`,
    `<text x="${f.w / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" fill="#222">${esc(title)}</text>`,
  ];
  if (subtitle) out.push(`<text x="${f.w / 2}" y="40" text-anchor="middle" font-size="11" fill="#555">${esc(subtitle)}</text>`);
  return out;
}

function yAxis(f: Frame, ticks: number[], y: (v: number) => number, label: string, side: 'left' | 'right', grid: boolean): string[] {
  const out: string[] = [];
  const x0 = side === 'left' ? f.left : f.w - f.right;
  out.push(`<line x1="${x0}" y1="${f.top}" x2="${x0}" y2="${f.h - f.bottom}" stroke="#333" stroke-width="1"/>`);
  let widest = 0;
  for (const t of ticks) {
    const yy = y(t).toFixed(1);
    const lab = formatTick(t);
    widest = Math.max(widest, textWidth(lab));
    if (grid) out.push(`<line x1="${f.left}" y1="${yy}" x2="${f.w - f.right}" y2="${yy}" stroke="#e4e4e4" stroke-width="1"/>`);
    const dx = side === 'left' ? -5 : 5;
    out.push(`<line x1="${x0}" y1="${yy}" x2="${x0 + dx}" y2="${yy}" stroke="#333"/>`);
    out.push(
      `<text x="${x0 + (side === 'left' ? -8 : 8)}" y="${yy}" dy="0.35em" text-anchor="${side === 'left' ? 'end' : 'start'}" font-size="11" fill="#333">${esc(lab)}</text>`,
    );
  }
  const cy = (f.top + f.h - f.bottom) / 2;
  const lx = side === 'left' ? x0 - widest - 18 : x0 + widest + 18;
  const rot = side === 'left' ? -90 : 90;
  out.push(`<text transform="translate(${lx.toFixed(1)},${cy.toFixed(1)}) rotate(${rot})" text-anchor="middle" font-size="12" fill="#222">${esc(label)}</text>`);
  return out;
}

function legend(f: Frame, series: readonly ChartSeries[], colors: string[], kind: 'line' | 'bar'): string[] {
  const items = series.map((s, i) => ({ s, c: colors[i] })).filter((e) => !e.s.hideInLegend);
  if (items.length === 0) return [];
  // Legend below the x-axis label, wrapped into rows.
  const out: string[] = [];
  const rowH = 16;
  let x = f.left;
  let y = f.h - f.bottom + 50;
  for (const { s, c } of items) {
    const w = 28 + textWidth(s.name) + 14;
    if (x + w > f.w - 10 && x > f.left) {
      x = f.left;
      y += rowH;
    }
    if (kind === 'line') {
      out.push(
        `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${esc(c)}" stroke-width="${Number(s.width ?? 2)}"${s.dashed ? ' stroke-dasharray="5,3"' : ''}/>`,
      );
    } else {
      out.push(`<rect x="${x + 5}" y="${y - 5}" width="12" height="10" fill="${esc(c)}"/>`);
    }
    out.push(`<text x="${x + 28}" y="${y}" dy="0.35em" font-size="11" fill="#222">${esc(s.name)}</text>`);
    x += w;
  }
  return out;
}

/** Label of a reference line, above it at its left or right end, with a white halo. */
function refLabel(r: ReferenceLine, f: Frame, yy: string, fill: string): string {
  const left = r.labelAt === 'left';
  const x = left ? f.left + 4 : f.w - f.right - 4;
  return `<text x="${x}" y="${yy}" dy="${left ? 12 : -4}" text-anchor="${left ? 'start' : 'end'}" font-size="10" fill="${esc(fill)}" stroke="#ffffff" stroke-width="3" paint-order="stroke">${esc(r.label ?? '')}</text>`;
}

/** Height the legend needs below the plot for the given width. */
function legendRows(width: number, left: number, series: readonly ChartSeries[]): number {
  let rows = 0;
  let x = left;
  let any = false;
  for (const s of series) {
    if (s.hideInLegend) continue;
    const w = 28 + textWidth(s.name) + 14;
    if (!any) {
      rows = 1;
      any = true;
    } else if (x + w > width - 10 && x > left) {
      rows++;
      x = left;
    }
    x += w;
  }
  return rows;
}

function colorsOf(series: readonly ChartSeries[]): string[] {
  let k = 0;
  return series.map((s) => s.color ?? PALETTE[k++ % PALETTE.length]);
}

/**
 * Renders a line chart (one or two y axes) to an SVG string.
 *
 * @param spec - {@link LineChartSpec}.
 * @returns A standalone SVG document.
 * @example
 * ```ts
 * import { lineChart } from 'ockham/node';
 * const svg = lineChart({ title: 't', xLabel: 'step', yLabel: 'bits', x: [0, 1, 2], series: [{ name: 'a', values: [1, 3, 2] }] });
 * ```
 */
export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 820;
  const rightAxis = spec.series.some((s) => s.axis === 'right');
  const rows = legendRows(width, 80, spec.series);
  const height = (spec.height ?? 460) + rows * 16;
  const f: Frame = { w: width, h: height, left: 80, right: rightAxis ? 80 : 30, top: spec.subtitle ? 56 : 40, bottom: 60 + rows * 16 };
  const colors = colorsOf(spec.series);
  const category = spec.xScale === 'category';
  const n = spec.x.length;
  const [xlo0, xhi0] = category ? [0, Math.max(1, n - 1)] : extent(spec.x);
  const xPad = category ? 0.5 : 0;
  const xlo = xlo0 - xPad;
  const xhi = xhi0 === xlo0 ? xlo0 + 1 : xhi0 + xPad;
  const xs = (v: number) => f.left + ((v - xlo) / (xhi - xlo)) * (width - f.left - f.right);
  const xOf = (i: number) => xs(category ? i : spec.x[i]);

  const axisRange = (side: 'left' | 'right', mn?: number, mx?: number): { ticks: number[]; y: (v: number) => number } => {
    const vals: (number | null)[] = [];
    for (const s of spec.series) if ((s.axis ?? 'left') === side) vals.push(...s.values);
    for (const r of spec.referenceLines ?? []) if ((r.axis ?? 'left') === side) vals.push(r.y);
    let [lo, hi] = extent(vals);
    if (mn !== undefined) lo = mn;
    if (mx !== undefined) hi = mx;
    const ticks = niceTicks(lo, hi);
    const tlo = mn ?? Math.min(ticks[0], lo);
    const thi = mx ?? Math.max(ticks[ticks.length - 1], hi);
    const inside = ticks.filter((t) => t >= tlo - 1e-12 && t <= thi + 1e-12);
    const y = (v: number) => f.top + (1 - (v - tlo) / (thi - tlo || 1)) * (height - f.top - f.bottom);
    return { ticks: inside, y };
  };
  const L = axisRange('left', spec.yMin, spec.yMax);
  const R = rightAxis ? axisRange('right', spec.yRightMin, spec.yRightMax) : null;

  const out = header(f, spec.title, spec.subtitle);
  // Bands behind everything.
  for (const b of spec.bands ?? []) {
    const x1 = Math.max(f.left, xs(b.from));
    const x2 = Math.min(width - f.right, xs(b.to));
    if (x2 <= x1) continue;
    out.push(`<rect x="${x1.toFixed(1)}" y="${f.top}" width="${(x2 - x1).toFixed(1)}" height="${height - f.top - f.bottom}" fill="${esc(b.color ?? '#f2f2f2')}"/>`);
    if (b.label) {
      out.push(`<text x="${((x1 + x2) / 2).toFixed(1)}" y="${height - f.bottom - 8}" text-anchor="middle" font-size="11" fill="#666">${esc(b.label)}</text>`);
    }
  }
  out.push(...yAxis(f, L.ticks, L.y, spec.yLabel, 'left', true));
  if (R) out.push(...yAxis(f, R.ticks, R.y, spec.yRightLabel ?? '', 'right', false));
  // x axis
  const yb = height - f.bottom;
  out.push(`<line x1="${f.left}" y1="${yb}" x2="${width - f.right}" y2="${yb}" stroke="#333"/>`);
  const xt: { v: number; label: string }[] = [];
  if (category) {
    const labels = spec.xLabels ?? spec.x.map(String);
    const maxLab = Math.max(...labels.map((l) => textWidth(l)));
    const every = Math.max(1, Math.ceil((maxLab + 8) / ((width - f.left - f.right) / Math.max(1, n))));
    for (let i = 0; i < n; i += every) xt.push({ v: i, label: labels[i] });
  } else {
    for (const t of niceTicks(xlo, xhi, 8)) if (t >= xlo - 1e-9 && t <= xhi + 1e-9) xt.push({ v: t, label: formatTick(t) });
  }
  for (const t of xt) {
    const xx = xs(t.v).toFixed(1);
    out.push(`<line x1="${xx}" y1="${yb}" x2="${xx}" y2="${yb + 5}" stroke="#333"/>`);
    out.push(`<text x="${xx}" y="${yb + 18}" text-anchor="middle" font-size="11" fill="#333">${esc(t.label)}</text>`);
  }
  out.push(`<text x="${(f.left + width - f.right) / 2}" y="${yb + 38}" text-anchor="middle" font-size="12" fill="#222">${esc(spec.xLabel)}</text>`);
  // Reference lines.
  for (const r of spec.referenceLines ?? []) {
    const ax = (r.axis ?? 'left') === 'right' && R ? R : L;
    const yy = ax.y(r.y).toFixed(1);
    out.push(`<line x1="${f.left}" y1="${yy}" x2="${width - f.right}" y2="${yy}" stroke="#888" stroke-width="1" stroke-dasharray="2,3"/>`);
    if (r.label) out.push(refLabel(r, f, yy, '#555'));
  }
  // Series.
  spec.series.forEach((s, k) => {
    const ax = s.axis === 'right' && R ? R : L;
    const c = colors[k];
    let d = '';
    let pen = false;
    const pts: string[] = [];
    const markers = s.markers ?? n <= 40;
    for (let i = 0; i < n; i++) {
      const v = s.values[i];
      if (v === null || v === undefined || !Number.isFinite(v)) {
        pen = false;
        continue;
      }
      const px = xOf(i).toFixed(1);
      const py = ax.y(v).toFixed(1);
      d += `${pen ? 'L' : 'M'}${px},${py}`;
      pen = true;
      if (markers) pts.push(`<circle cx="${px}" cy="${py}" r="3" fill="${esc(c)}"/>`);
    }
    if (d) {
      out.push(
        `<path d="${d}" fill="none" stroke="${esc(c)}" stroke-width="${Number(s.width ?? 2)}" stroke-linejoin="round"${s.dashed ? ' stroke-dasharray="6,4"' : ''}/>`,
      );
    }
    out.push(...pts);
  });
  out.push(...legend(f, spec.series, colors, 'line'));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/**
 * Renders a grouped bar chart to an SVG string.
 *
 * @param spec - {@link BarChartSpec}.
 * @returns A standalone SVG document.
 * @example
 * ```ts
 * import { barChart } from 'ockham/node';
 * const svg = barChart({ title: 't', xLabel: 'plane', yLabel: '%', categories: ['b1', 'b0'], series: [{ name: 'w', values: [80, 100] }] });
 * ```
 */
export function barChart(spec: BarChartSpec): string {
  const width = spec.width ?? 820;
  const rows = legendRows(width, 80, spec.series);
  const height = (spec.height ?? 440) + rows * 16;
  const f: Frame = { w: width, h: height, left: 80, right: 30, top: spec.subtitle ? 56 : 40, bottom: 60 + rows * 16 };
  const colors = colorsOf(spec.series);
  const vals: (number | null)[] = [];
  for (const s of spec.series) vals.push(...s.values);
  for (const r of spec.referenceLines ?? []) vals.push(r.y);
  let [lo, hi] = extent(vals);
  lo = spec.yMin ?? Math.min(0, lo);
  hi = spec.yMax ?? hi;
  const ticks = niceTicks(lo, hi);
  const tlo = spec.yMin ?? Math.min(ticks[0], lo);
  const thi = spec.yMax ?? Math.max(ticks[ticks.length - 1], hi);
  const y = (v: number) => f.top + (1 - (Math.min(Math.max(v, tlo), thi) - tlo) / (thi - tlo || 1)) * (height - f.top - f.bottom);
  const out = header(f, spec.title, spec.subtitle);
  out.push(...yAxis(f, ticks.filter((t) => t >= tlo - 1e-12 && t <= thi + 1e-12), y, spec.yLabel, 'left', true));
  const yb = height - f.bottom;
  out.push(`<line x1="${f.left}" y1="${yb}" x2="${width - f.right}" y2="${yb}" stroke="#333"/>`);
  const nc = spec.categories.length;
  const slot = (width - f.left - f.right) / Math.max(1, nc);
  const ns = Math.max(1, spec.series.length);
  const bw = (slot * 0.8) / ns;
  for (let c = 0; c < nc; c++) {
    const x0 = f.left + c * slot + slot * 0.1;
    spec.series.forEach((s, k) => {
      const v = s.values[c];
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      const y0 = y(Math.max(tlo, Math.min(0, thi)));
      const y1 = y(v);
      out.push(
        `<rect x="${(x0 + k * bw).toFixed(1)}" y="${Math.min(y0, y1).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${Math.abs(y1 - y0).toFixed(1)}" fill="${esc(colors[k])}"/>`,
      );
    });
    out.push(`<text x="${(f.left + (c + 0.5) * slot).toFixed(1)}" y="${yb + 18}" text-anchor="middle" font-size="11" fill="#333">${esc(spec.categories[c])}</text>`);
  }
  out.push(`<text x="${(f.left + width - f.right) / 2}" y="${yb + 38}" text-anchor="middle" font-size="12" fill="#222">${esc(spec.xLabel)}</text>`);
  for (const r of spec.referenceLines ?? []) {
    const yy = y(r.y).toFixed(1);
    out.push(`<line x1="${f.left}" y1="${yy}" x2="${width - f.right}" y2="${yy}" stroke="#555" stroke-width="1" stroke-dasharray="4,3"/>`);
    if (r.label) out.push(refLabel(r, f, yy, '#444'));
  }
  out.push(...legend(f, spec.series, colors, 'bar'));
  out.push('</svg>');
  return out.join('\n') + '\n';
}
