/**
 * A small deterministic, box-constrained Nelder–Mead minimiser (Nelder & Mead 1965, with the
 * standard coefficients reflection 1, expansion 2, contraction ½, shrink ½). Every trial point is
 * clamped into the box, so the objective is only ever evaluated inside it. Used to fit GP
 * length-scales (maximise the log marginal likelihood) and to refine acquisition maxima — both
 * low-dimensional (1–2 dims here), where Nelder–Mead is robust and needs no gradient.
 * @internal
 */

export interface NelderMeadResult {
  x: Float64Array;
  f: number;
  evaluations: number;
}

/**
 * Minimises `f` from `x0` inside [lo, hi] (per coordinate). `step` is the initial simplex edge
 * per coordinate (clamped inward at the box edge). Stops after `maxEvals` evaluations or when the
 * simplex's value spread is ≤ `fTol` and its coordinate spread ≤ `xTol`. Non-finite values are
 * treated as +∞ (worse than anything).
 */
export function nelderMead(
  f: (x: Float64Array) => number,
  x0: Float64Array,
  lo: Float64Array,
  hi: Float64Array,
  step: Float64Array,
  maxEvals: number,
  fTol = 1e-10,
  xTol = 1e-8,
): NelderMeadResult {
  const d = x0.length;
  let evals = 0;
  const ev = (x: Float64Array): number => {
    for (let j = 0; j < d; j++) x[j] = x[j] < lo[j] ? lo[j] : x[j] > hi[j] ? hi[j] : x[j];
    evals++;
    const v = f(x);
    return v === v && v !== -Infinity ? v : Infinity;
  };
  const pts: Float64Array[] = [];
  const vals = new Float64Array(d + 1);
  pts.push(Float64Array.from(x0));
  vals[0] = ev(pts[0]);
  for (let i = 0; i < d; i++) {
    const p = Float64Array.from(pts[0]);
    // Step inward when the start sits on the upper edge, so the simplex is not degenerate.
    p[i] = p[i] + step[i] <= hi[i] ? p[i] + step[i] : p[i] - step[i];
    pts.push(p);
    vals[i + 1] = ev(p);
  }
  const order = new Int32Array(d + 1);
  const centroid = new Float64Array(d);
  const xr = new Float64Array(d);
  const xe = new Float64Array(d);
  const xc = new Float64Array(d);
  let anyFinite = false;
  for (let i = 0; i <= d; i++) if (vals[i] < Infinity) anyFinite = true;
  // A start where nothing is finite (e.g. a singular kernel) carries no information.
  if (!anyFinite) return { x: Float64Array.from(pts[0]), f: Infinity, evaluations: evals };
  const sort = (): void => {
    for (let i = 0; i <= d; i++) order[i] = i;
    // Insertion sort; ties broken by index for determinism.
    for (let i = 1; i <= d; i++) {
      const o = order[i];
      let j = i - 1;
      while (j >= 0 && (vals[order[j]] > vals[o] || (vals[order[j]] === vals[o] && order[j] > o))) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = o;
    }
  };
  while (evals < maxEvals) {
    sort();
    const best = order[0];
    const worst = order[d];
    const second = order[d - 1];
    // Convergence: value spread and coordinate spread both small.
    let xs = 0;
    for (let i = 1; i <= d; i++) for (let j = 0; j < d; j++) xs = Math.max(xs, Math.abs(pts[order[i]][j] - pts[best][j]));
    const fs = vals[worst] - vals[best];
    if ((fs <= fTol || fs !== fs) && xs <= xTol) break;
    if (xs <= xTol * 1e-3) break; // collapsed simplex: nothing left to explore
    centroid.fill(0);
    for (let i = 0; i < d; i++) {
      const p = pts[order[i]];
      for (let j = 0; j < d; j++) centroid[j] += p[j] / d;
    }
    const pw = pts[worst];
    for (let j = 0; j < d; j++) xr[j] = centroid[j] + (centroid[j] - pw[j]);
    const fr = ev(xr);
    if (fr < vals[best]) {
      for (let j = 0; j < d; j++) xe[j] = centroid[j] + 2 * (xr[j] - centroid[j]);
      const fe = ev(xe);
      if (fe < fr) {
        pw.set(xe);
        vals[worst] = fe;
      } else {
        pw.set(xr);
        vals[worst] = fr;
      }
      continue;
    }
    if (fr < vals[second]) {
      pw.set(xr);
      vals[worst] = fr;
      continue;
    }
    // Contraction: outside if the reflection improved on the worst, inside otherwise.
    const outside = fr < vals[worst];
    for (let j = 0; j < d; j++) xc[j] = outside ? centroid[j] + 0.5 * (xr[j] - centroid[j]) : centroid[j] + 0.5 * (pw[j] - centroid[j]);
    const fc = ev(xc);
    if (fc < (outside ? fr : vals[worst])) {
      pw.set(xc);
      vals[worst] = fc;
      continue;
    }
    // Shrink toward the best point.
    const pb = pts[best];
    for (let i = 0; i <= d; i++) {
      if (i === best) continue;
      const p = pts[i];
      for (let j = 0; j < d; j++) p[j] = pb[j] + 0.5 * (p[j] - pb[j]);
      vals[i] = ev(p);
      if (evals >= maxEvals) break;
    }
  }
  let bi = 0;
  for (let i = 1; i <= d; i++) if (vals[i] < vals[bi]) bi = i;
  return { x: Float64Array.from(pts[bi]), f: vals[bi], evaluations: evals };
}
