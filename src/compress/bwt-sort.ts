/**
 * Fast rotation sort for bzip2 blocks: a two-stage suffix sort in the style of Itoh–Tanaka /
 * divsufsort, specialised to bzip2's rotations.
 *
 * Input: a Lyndon word w[0..m) (the block rotated to its least rotation; see sais.ts), whose
 * rotation order equals the suffix order of w·$. Stage 1 sorts only the LMS suffixes (type S
 * preceded by type L; at most m/2 of them, ~m/3 on typical data) directly: a counting sort on
 * their first two bytes, then a multikey quicksort (Bentley & Sedgewick 1997) on 32-bit words
 * of the cyclic string, four bytes per level, with insertion sort for small groups. Stage 2 is
 * the induced sort of SA-IS (Nong, Zhang & Chan 2011), two linear passes, which places every
 * other suffix from the sorted LMS ones.
 *
 * The direct sort costs O(LCP) per comparison, so blocks with very long repeats would be slow;
 * a work budget (comparisons + word steps ≤ {@link BUDGET_PER_BYTE}·m) stops it, and the caller
 * falls back to the linear-time SA-IS (sais.ts). Both give the same suffix array, hence the
 * same BWT: the choice changes speed, never output.
 */

/** Word steps allowed per byte before falling back to SA-IS. */
export const BUDGET_PER_BYTE = 24;
const INSERTION = 12;

/** Reusable scratch for {@link sortLyndon}. */
export interface SortWork {
  W: Int32Array; // 2m big-endian 4-byte windows of the cyclic string, sign-flipped
  t: Uint8Array; // suffix types (1 = S)
  lms: Int32Array;
  bucket2: Int32Array; // 65 537 two-byte bucket starts
}

export function sortWork(): SortWork {
  return { W: new Int32Array(0), t: new Uint8Array(0), lms: new Int32Array(0), bucket2: new Int32Array(65537) };
}

let budget = 0;

function insertionSort(sa: Int32Array, lo: number, hi: number, d: number, W: Int32Array, m: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const x = sa[i];
    let j = i - 1;
    for (; j >= lo; j--) {
      const y = sa[j];
      // compare rotation y with x from depth d; stop when y < x
      let e = d;
      let a = W[y + e];
      let b = W[x + e];
      while (a === b) {
        e += 4;
        if (e >= m) break; // cannot happen for distinct rotations of a Lyndon word
        a = W[y + e];
        b = W[x + e];
      }
      budget -= ((e - d) >> 2) + 1;
      if (a < b) break;
      sa[j + 1] = y;
    }
    sa[j + 1] = x;
  }
}

function med3(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : b > c ? b : a > c ? c : a;
}

/** Multikey quicksort of rotations sa[lo..hi), all equal on their first d bytes. */
function mkqs(sa: Int32Array, lo: number, hi: number, d: number, W: Int32Array, m: number): void {
  while (hi - lo > INSERTION) {
    if (budget < 0) return;
    if (d >= m) return; // equal rotations (impossible here; guards the index range)
    const n = hi - lo;
    let v: number;
    const a = W[sa[lo] + d];
    const b = W[sa[lo + (n >> 1)] + d];
    const c = W[sa[hi - 1] + d];
    if (n > 64) {
      const s = n >> 3;
      v = med3(
        med3(a, W[sa[lo + s] + d], W[sa[lo + 2 * s] + d]),
        med3(W[sa[lo + 3 * s] + d], b, W[sa[lo + 5 * s] + d]),
        med3(W[sa[lo + 6 * s] + d], W[sa[hi - 1 - s] + d], c),
      );
    } else v = med3(a, b, c);
    let lt = lo;
    let gt = hi - 1;
    let i = lo;
    while (i <= gt) {
      const x = sa[i];
      const k = W[x + d];
      if (k < v) {
        sa[i] = sa[lt];
        sa[lt] = x;
        lt++;
        i++;
      } else if (k > v) {
        sa[i] = sa[gt];
        sa[gt] = x;
        gt--;
      } else i++;
    }
    budget -= n;
    // Smaller outer parts recursively, the middle part one level deeper; loop on the largest.
    const nl = lt - lo;
    const ng = hi - 1 - gt;
    const ne = gt + 1 - lt;
    if (ne >= nl && ne >= ng) {
      if (nl > 1) mkqs(sa, lo, lt, d, W, m);
      if (ng > 1) mkqs(sa, gt + 1, hi, d, W, m);
      lo = lt;
      hi = gt + 1;
      d += 4;
    } else if (nl >= ng) {
      if (ne > 1) mkqs(sa, lt, gt + 1, d + 4, W, m);
      if (ng > 1) mkqs(sa, gt + 1, hi, d, W, m);
      hi = lt;
    } else {
      if (nl > 1) mkqs(sa, lo, lt, d, W, m);
      if (ne > 1) mkqs(sa, lt, gt + 1, d + 4, W, m);
      lo = gt + 1;
    }
  }
  if (hi - lo > 1) insertionSort(sa, lo, hi, d, W, m);
}

/**
 * Suffix array of w[0..m)·$ into SA[0..m] (SA[0] = m, the sentinel), for a Lyndon word w
 * (m ≥ 2). Returns false, leaving SA unspecified, if the work budget ran out (the block is
 * highly repetitive): the caller must then use SA-IS.
 */
export function sortLyndon(w: Uint8Array, m: number, SA: Int32Array, work: SortWork): boolean {
  if (work.W.length < 2 * m + 4) work.W = new Int32Array(2 * m + 4);
  if (work.t.length < m + 1) work.t = new Uint8Array(m + 1);
  if (work.lms.length < (m >> 1) + 2) work.lms = new Int32Array((m >> 1) + 2);
  const { W, t, lms, bucket2 } = work;
  // Types: t[m] = S (sentinel), t[m-1] = L.
  t[m] = 1;
  t[m - 1] = 0;
  for (let i = m - 2; i >= 0; i--) {
    const a = w[i];
    const b = w[i + 1];
    t[i] = a < b || (a === b && t[i + 1] === 1) ? 1 : 0;
  }
  // Cyclic 4-byte windows over two periods (so W[x + d] needs no modulo for x, d < m).
  {
    let win = (w[0] << 16) | (w[1 % m] << 8) | w[2 % m];
    let j = 3 % m;
    for (let i = 0; i < 2 * m + 4; i++) {
      win = (win << 8) | w[j];
      W[i] = win ^ 0x80000000;
      if (++j === m) j = 0;
    }
  }
  // LMS positions, counted by their first two bytes.
  bucket2.fill(0);
  let n1 = 0;
  for (let i = 1; i < m; i++) {
    if (t[i] === 1 && t[i - 1] === 0) {
      lms[n1++] = i;
      bucket2[(W[i] ^ 0x80000000) >>> 16]++;
    }
  }
  for (let k = 0, s = 0; k < 65536; k++) {
    const c = bucket2[k];
    bucket2[k] = s;
    s += c;
  }
  bucket2[65536] = n1;
  // Scatter into SA[0..n1) (SA has room: n1 ≤ m/2).
  for (let i = 0; i < n1; i++) {
    const p = lms[i];
    SA[bucket2[(W[p] ^ 0x80000000) >>> 16]++] = p;
  }
  // bucket2[k] is now the end of bucket k (= start of k+1).
  budget = BUDGET_PER_BYTE * m;
  let start = 0;
  for (let k = 0; k < 65536; k++) {
    const end = bucket2[k];
    if (end - start > 1) {
      mkqs(SA, start, end, 2, W, m);
      if (budget < 0) return false;
    }
    start = end;
  }
  // Stage 2: induced sort. Byte buckets occupy SA[1..m]; SA[0] is the sentinel.
  const cnt = new Int32Array(256);
  for (let i = 0; i < m; i++) cnt[w[i]]++;
  const bkt = new Int32Array(256);
  for (let i = 0; i < n1; i++) lms[i] = SA[i];
  SA.fill(-1, 0, m + 1);
  // LMS suffixes at bucket ends, right to left.
  for (let c = 0, s = 1; c < 256; c++) bkt[c] = s += cnt[c];
  for (let i = n1 - 1; i >= 0; i--) {
    const p = lms[i];
    SA[--bkt[w[p]]] = p;
  }
  SA[0] = m;
  // L-type suffixes, left to right from bucket starts.
  for (let c = 0, s = 1; c < 256; c++) {
    bkt[c] = s;
    s += cnt[c];
  }
  for (let i = 0; i <= m; i++) {
    const j = SA[i] - 1;
    if (j >= 0 && t[j] === 0) SA[bkt[w[j]]++] = j;
  }
  // S-type suffixes, right to left from bucket ends.
  for (let c = 0, s = 1; c < 256; c++) bkt[c] = s += cnt[c];
  for (let i = m; i >= 0; i--) {
    const j = SA[i] - 1;
    if (j >= 0 && t[j] === 1) SA[--bkt[w[j]]] = j;
  }
  return true;
}
