/**
 * Suffix sorting by induced sorting (SA-IS; Nong, Zhang & Chan, "Two Efficient Algorithms for
 * Linear Time Suffix Array Construction", IEEE Trans. Computers 60(10), 2011), and the
 * Burrows–Wheeler transform built on it.
 *
 * SA-IS runs in O(n) time whatever the input — highly repetitive blocks (all-same bytes,
 * short periods) cost the same per byte as random ones. bwtEncode tries the faster two-stage
 * sort of bwt-sort.ts first and falls back to SA-IS when that sort's work budget runs out.
 */
import { sortLyndon, sortWork, type SortWork } from './bwt-sort.js';

/** Bucket starts (or ends) from symbol counts. */
function fillBuckets(cnt: Int32Array, K: number, bkt: Int32Array, ends: boolean): void {
  let sum = 0;
  for (let c = 0; c < K; c++) {
    const k = cnt[c];
    sum += k;
    bkt[c] = ends ? sum : sum - k;
  }
}

function induce(T: Int32Array, SA: Int32Array, t: Uint8Array, n: number, K: number, cnt: Int32Array, bkt: Int32Array): void {
  // L-type suffixes, left to right from bucket starts.
  fillBuckets(cnt, K, bkt, false);
  for (let i = 0; i < n; i++) {
    const j = SA[i] - 1;
    if (j >= 0 && t[j] === 0) SA[bkt[T[j]]++] = j;
  }
  // S-type suffixes, right to left from bucket ends.
  fillBuckets(cnt, K, bkt, true);
  for (let i = n - 1; i >= 0; i--) {
    const j = SA[i] - 1;
    if (j >= 0 && t[j] === 1) SA[--bkt[T[j]]] = j;
  }
}

/**
 * Suffix array of `T[0..n)` into `SA[0..n)`. Requires `T[n-1]` to be the unique smallest
 * symbol (a sentinel, 0) and all symbols in `[0, K)`. `T` and `SA` must not overlap.
 */
export function sais(T: Int32Array, SA: Int32Array, n: number, K: number): void {
  if (n === 1) {
    SA[0] = 0;
    return;
  }
  // t[i] = 1 for S-type (suffix i < suffix i+1), 0 for L-type.
  const t = new Uint8Array(n);
  t[n - 1] = 1;
  for (let i = n - 2; i >= 0; i--) {
    const a = T[i];
    const b = T[i + 1];
    t[i] = a < b || (a === b && t[i + 1] === 1) ? 1 : 0;
  }
  const bkt = new Int32Array(K);
  const cnt = new Int32Array(K);
  for (let i = 0; i < n; i++) cnt[T[i]]++;

  // Stage 1: sort LMS substrings by inducing from LMS positions dropped at bucket ends.
  SA.fill(-1, 0, n);
  fillBuckets(cnt, K, bkt, true);
  for (let i = 1; i < n; i++) if (t[i] === 1 && t[i - 1] === 0) SA[--bkt[T[i]]] = i;
  induce(T, SA, t, n, K, cnt, bkt);

  // Compact the sorted LMS positions to the front.
  let n1 = 0;
  for (let i = 0; i < n; i++) {
    const p = SA[i];
    if (p > 0 && t[p] === 1 && t[p - 1] === 0) SA[n1++] = p;
  }
  // Name LMS substrings: equal substrings get equal names. Names are stored at n1 + pos/2,
  // which cannot collide because LMS positions are at least two apart.
  SA.fill(-1, n1, n);
  let name = 0;
  let prev = -1;
  for (let i = 0; i < n1; i++) {
    const pos = SA[i];
    let diff = false;
    if (prev < 0) diff = true;
    else {
      for (let d = 0; ; d++) {
        const a = pos + d;
        const b = prev + d;
        if (T[a] !== T[b] || t[a] !== t[b]) {
          diff = true;
          break;
        }
        if (d > 0 && ((t[a] === 1 && t[a - 1] === 0) || (t[b] === 1 && t[b - 1] === 0))) break;
      }
    }
    if (diff) {
      name++;
      prev = pos;
    }
    SA[n1 + (pos >> 1)] = name - 1;
  }
  for (let i = n - 1, j = n - 1; i >= n1; i--) if (SA[i] >= 0) SA[j--] = SA[i];

  // Stage 2: sort the reduced problem (recursively unless names are already unique).
  const s1 = SA.subarray(n - n1, n);
  const sa1 = SA.subarray(0, n1);
  if (name < n1) sais(s1, sa1, n1, name);
  else for (let i = 0; i < n1; i++) sa1[s1[i]] = i;

  // Stage 3: place sorted LMS suffixes at bucket ends (right to left) and induce the rest.
  for (let i = 1, j = 0; i < n; i++) if (t[i] === 1 && t[i - 1] === 0) s1[j++] = i;
  for (let i = 0; i < n1; i++) sa1[i] = s1[sa1[i]];
  SA.fill(-1, n1, n);
  fillBuckets(cnt, K, bkt, true);
  for (let i = n1 - 1; i >= 0; i--) {
    const j = SA[i];
    SA[i] = -1;
    SA[--bkt[T[j]]] = j;
  }
  induce(T, SA, t, n, K, cnt, bkt);
}

/** Set by {@link leastRotation}: whether the block equals one of its proper rotations. */
let rotationRepeats = false;

/**
 * Start of the lexicographically least rotation of `s[0..n)` (two-candidate scan, O(n)).
 *
 * Only positions holding the smallest byte can start the least rotation, so both candidates
 * skip straight to the next such position (a tight, predictable scan) instead of stepping one
 * mismatch at a time. The scan also tells whether the block is periodic: it ends by matching n
 * bytes of two candidates exactly when two rotations are equal.
 */
export function leastRotation(s: Uint8Array, n: number): number {
  // The smallest byte (0 in most binary data: one native scan), and candidates jump between
  // its occurrences with native scans too.
  const b = n === s.length ? s : s.subarray(0, n);
  let cmin = 0;
  if (b.indexOf(0) < 0) {
    cmin = 255;
    for (let p = 0; p < n; p++) {
      const c = s[p];
      if (c < cmin) cmin = c;
    }
  }
  let i = b.indexOf(cmin);
  let j = b.indexOf(cmin, i + 1);
  if (j < 0) j = n;
  let k = 0;
  while (i < n && j < n && k < n) {
    let a = i + k;
    if (a >= n) a -= n;
    let c = j + k;
    if (c >= n) c -= n;
    const ca = s[a];
    const cb = s[c];
    if (ca === cb) {
      k++;
      continue;
    }
    // Rotations i..i+k (or j..j+k) are each greater than their counterpart: not least.
    if (ca > cb) {
      i = b.indexOf(cmin, i + k + 1);
      if (i === j) i = b.indexOf(cmin, i + 1);
      if (i < 0) i = n;
    } else {
      j = b.indexOf(cmin, j + k + 1);
      if (j === i) j = b.indexOf(cmin, j + 1);
      if (j < 0) j = n;
    }
    k = 0;
  }
  rotationRepeats = k >= n;
  return i < j ? i : j;
}

/** Length of the first Lyndon factor of `w[0..n)` (Duval's algorithm, first round). */
function firstLyndonFactor(w: Uint8Array, n: number): number {
  let i = 0;
  let j = 1;
  while (j < n && w[i] <= w[j]) {
    i = w[i] < w[j] ? 0 : i + 1;
    j++;
  }
  return j - i;
}

/**
 * Burrows–Wheeler transform of the cyclic block `block[0..n)` (bzip2's definition: sort all
 * n rotations, output the last column).
 *
 * Sorting rotations is reduced to sorting suffixes: rotate the block to its least rotation w.
 * If w is primitive it is a Lyndon word, and a Lyndon word is unbordered and smaller than all
 * its proper suffixes, so whenever suffix j of w is a prefix of suffix i, rotation j still
 * precedes rotation i: the suffix order of w·$ *is* the rotation order. If w = u^k is
 * periodic, each rotation of u stands for k equal rotations of w, each contributing the same
 * last character. This halves the work compared with sorting the doubled block.
 *
 * The suffix array is built by the two-stage sort of bwt-sort.ts (direct sort of the B*
 * suffixes + induced sorting, which also writes the last column), falling back to SA-IS when
 * the block is too repetitive for it; `forceSais` selects SA-IS directly (for tests and
 * benchmarks). Same output either way.
 *
 * @returns origPtr: the rank of rotation 0 among the sorted rotations.
 */
export function bwtEncode(block: Uint8Array, n: number, out: Uint8Array, work?: BwtWork, forceSais = false): number {
  if (n === 1) {
    out[0] = block[0];
    return 0;
  }
  const r = leastRotation(block, n);
  const wk = work ?? bwtWork();
  if (wk.SA.length < n + 1) wk.SA = new Int32Array(n + 1);
  if (wk.w.length < n) wk.w = new Uint8Array(n);
  const SA = wk.SA;
  const w = wk.w;
  w.set(block.subarray(r, n), 0);
  w.set(block.subarray(0, r), n - r);
  // m = n unless the block is periodic with period m
  const m = rotationRepeats ? firstLyndonFactor(w, n) : n;
  const k = n / m; // m divides n: the least rotation of u^k factors as u, u, ..., u
  if (m === 1) {
    out.fill(w[0], 0, n);
    return 0;
  }
  // Rotation q of u (q in [0, m)) ends with u[q-1]; in the original block it is rotation
  // (q + r) mod n (and its k copies q + r + m·c).
  const orig0 = (n - r) % m; // the rotation of u equal to the block's rotation 0
  if (!forceSais) {
    // The fast sort writes the last column of u's sorted rotations itself.
    const col = k === 1 ? out : wk.col.length >= m ? wk.col : (wk.col = new Uint8Array(m));
    if (sortLyndon(w, m, SA, wk.sort, col)) {
      let row = 1;
      while (row <= m && SA[row] !== orig0) row++;
      if (row > m) throw new Error('bwtEncode: the rotation sort lost the block start (internal error)');
      if (k > 1) for (let i = m - 1; i >= 0; i--) out.fill(col[i], i * k, i * k + k);
      return (row - 1) * k;
    }
  }
  if (wk.T.length < m + 1) wk.T = new Int32Array(m + 1);
  const T = wk.T;
  for (let i = 0; i < m; i++) T[i] = w[i] + 1;
  T[m] = 0;
  sais(T, SA, m + 1, 257);
  let origPtr = 0;
  let o = 0;
  if (k === 1) {
    for (let i = 1; i <= m; i++) {
      const q = SA[i];
      if (q === orig0) origPtr = o;
      out[o++] = w[q === 0 ? m - 1 : q - 1];
    }
    return origPtr;
  }
  for (let i = 1; i <= m; i++) {
    const q = SA[i];
    if (q === orig0) origPtr = o;
    const c = w[q === 0 ? m - 1 : q - 1];
    for (let c2 = 0; c2 < k; c2++) out[o++] = c;
  }
  return origPtr;
}

/** Reusable scratch buffers for {@link bwtEncode}. */
export interface BwtWork {
  T: Int32Array;
  SA: Int32Array;
  w: Uint8Array;
  col: Uint8Array; // last column of a periodic block's primitive root
  sort: SortWork;
}

export function bwtWork(): BwtWork {
  return { T: new Int32Array(0), SA: new Int32Array(0), w: new Uint8Array(0), col: new Uint8Array(0), sort: sortWork() };
}
