/**
 * Fast rotation sort for bzip2 blocks: a two-stage suffix sort in the style of Itoh–Tanaka /
 * divsufsort, specialised to bzip2's rotations. Design and measurements: docs/bwt-sort.md.
 *
 * Input: a Lyndon word w[0..m) (the block rotated to its least rotation; see sais.ts), whose
 * rotation order equals the suffix order of w·$. Stage 1 sorts only the B* suffixes (type S
 * followed by type L; at most m/2 of them, ~m/3 on typical data) directly: an LSD radix sort on
 * their first four bytes (eight on low-entropy blocks such as text), then a multikey quicksort
 * (Bentley & Sedgewick 1997) of each run of equal prefixes on 32-bit words of the cyclic
 * string, four bytes per level, with insertion sort for small groups. Stage 2 induces every
 * other suffix from the sorted B* ones in two linear passes, in divsufsort's order (Mori): S
 * types right to left over the S parts of the buckets only, then L types left to right over
 * everything — the induced sorting of SA-IS (Nong, Zhang & Chan 2011) with B* seeds.
 *
 * Speed notes (float32 weights' random mantissa bytes make every test on a suffix type a coin
 * flip for the branch predictor):
 * - suffix types and B* positions come from one backward pass with branch-free arithmetic,
 *   and no type array is kept: the induced passes derive a predecessor's type from two
 *   adjacent bytes and carry it in the sign of the suffix-array entry (as Mori's sais-lite
 *   does), so each induced step makes one random load of w, not two (byte + type);
 * - the induced passes are branch-free: a step that induces nothing rewrites its own slot
 *   instead of a bucket slot;
 * - radix passes move (suffix, 4-byte word) pairs and take byte digits from the word
 *   (sequential reads; 256 output streams — a 16-bit digit pass measured ~3× slower per
 *   element); the quicksort caches each suffix's current word in a parallel array, so a
 *   partition round reads words sequentially. Words come straight from a doubled copy of w
 *   (big-endian DataView loads), not from a 2m-entry Int32 window table, which keeps the
 *   working set near the L2 cache;
 * - the final L pass loads each row's preceding byte anyway, so it writes the BWT column.
 *
 * The direct sort costs O(LCP) per comparison, so blocks with very long repeats would be slow;
 * a work budget (comparisons + word steps ≤ {@link BUDGET_PER_BYTE}·m) stops it, and the caller
 * falls back to the linear-time SA-IS (sais.ts). Both give the same suffix array, hence the
 * same BWT: the choice changes speed, never output.
 */

/** Word steps allowed per byte before falling back to SA-IS. */
export const BUDGET_PER_BYTE = 24;
const INSERTION = 16;
const MIN = -0x80000000;
/** Bytes of w repeated after its two copies in ww, so words up to depth m + 8 need no modulo. */
const PAD = 12;

/** Reusable scratch for {@link sortLyndon}. */
export interface SortWork {
  ww: Uint8Array; // w·w then PAD more bytes of the cyclic string
  dv: DataView; // over ww
  K: Int32Array; // cached 4-byte words (sign-flipped) of the B* suffixes being sorted
  lms: Int32Array; // B* positions
  hist: Int32Array; // 4 × 256 byte histograms of the radix passes
  hist2: Int32Array; // 4 × 256 for bytes 4..7; then the B* groups by second byte
  cnt: Int32Array; // 256 byte counts
  bkt: Int32Array; // 256 bucket pointers
  be: Int32Array; // 256 bucket ends
}

export function sortWork(): SortWork {
  const ww = new Uint8Array(0);
  return {
    ww,
    dv: new DataView(ww.buffer),
    K: new Int32Array(0),
    lms: new Int32Array(0),
    hist: new Int32Array(4 * 256),
    hist2: new Int32Array(4 * 256),
    cnt: new Int32Array(256),
    bkt: new Int32Array(256),
    be: new Int32Array(256),
  };
}

let budget = 0;

/**
 * Insertion sort of rotations sa[lo..hi) (equal on their first d bytes) whose words at depth d
 * are cached in K[lo..hi).
 */
function insertionSort(sa: Int32Array, K: Int32Array, lo: number, hi: number, d: number, dv: DataView, m: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const x = sa[i];
    const kx = K[i];
    let j = i - 1;
    for (; j >= lo; j--) {
      const ky = K[j];
      if (ky < kx) break;
      if (ky === kx) {
        // compare rotation y with x from depth d + 4; stop when y < x
        const y = sa[j];
        let e = d + 4;
        let a = 0;
        let b = 0;
        while (e < m) {
          a = dv.getInt32(y + e) ^ MIN;
          b = dv.getInt32(x + e) ^ MIN;
          if (a !== b) break;
          e += 4;
        }
        budget -= ((e - d) >> 2) + 1;
        if (a < b) break; // (e ≥ m cannot happen for distinct rotations of a Lyndon word)
      }
      sa[j + 1] = sa[j];
      K[j + 1] = ky;
    }
    sa[j + 1] = x;
    K[j + 1] = kx;
  }
}

function med3(a: number, b: number, c: number): number {
  return a < b ? (b < c ? b : a < c ? c : a) : b > c ? b : a > c ? c : a;
}

/**
 * Multikey quicksort of rotations sa[lo..hi), all equal on their first d bytes, whose words at
 * depth d are cached in K[lo..hi).
 */
function mkqs(sa: Int32Array, K: Int32Array, lo: number, hi: number, d: number, dv: DataView, m: number): void {
  while (hi - lo > INSERTION) {
    if (budget < 0) return;
    if (d >= m) return; // equal rotations (impossible here; guards the index range)
    const n = hi - lo;
    let v: number;
    const a = K[lo];
    const b = K[lo + (n >> 1)];
    const c = K[hi - 1];
    if (n > 64) {
      const s = n >> 3;
      v = med3(
        med3(a, K[lo + s], K[lo + 2 * s]),
        med3(K[lo + 3 * s], b, K[lo + 5 * s]),
        med3(K[lo + 6 * s], K[hi - 1 - s], c),
      );
    } else v = med3(a, b, c);
    let lt = lo;
    let gt = hi - 1;
    let i = lo;
    while (i <= gt) {
      const k = K[i];
      if (k < v) {
        const x = sa[i];
        sa[i] = sa[lt];
        K[i] = K[lt];
        sa[lt] = x;
        K[lt] = k;
        lt++;
        i++;
      } else if (k > v) {
        const x = sa[i];
        sa[i] = sa[gt];
        K[i] = K[gt];
        sa[gt] = x;
        K[gt] = k;
        gt--;
      } else i++;
    }
    budget -= n;
    const nl = lt - lo;
    const ng = hi - 1 - gt;
    const ne = gt + 1 - lt;
    // The middle part goes one word deeper: load its next words.
    if (ne > 1) {
      const d4 = d + 4;
      for (let q = lt; q <= gt; q++) K[q] = dv.getInt32(sa[q] + d4) ^ MIN;
      budget -= ne;
    }
    // Smaller parts recursively; loop on the largest.
    if (ne >= nl && ne >= ng) {
      if (nl > 1) mkqs(sa, K, lo, lt, d, dv, m);
      if (ng > 1) mkqs(sa, K, gt + 1, hi, d, dv, m);
      lo = lt;
      hi = gt + 1;
      d += 4;
    } else if (nl >= ng) {
      if (ne > 1) mkqs(sa, K, lt, gt + 1, d + 4, dv, m);
      if (ng > 1) mkqs(sa, K, gt + 1, hi, d, dv, m);
      hi = lt;
    } else {
      if (nl > 1) mkqs(sa, K, lo, lt, d, dv, m);
      if (ne > 1) mkqs(sa, K, lt, gt + 1, d + 4, dv, m);
      lo = gt + 1;
    }
  }
  if (hi - lo > 1) insertionSort(sa, K, lo, hi, d, dv, m);
}

/**
 * Suffix array of w[0..m)·$ into SA[0..m] (SA[0] = m, the sentinel), for a Lyndon word w
 * (m ≥ 2). Returns false, leaving SA unspecified, if the work budget ran out (the block is
 * highly repetitive): the caller must then use SA-IS.
 *
 * If `bwt` is given, it also receives the last column of the sorted rotations of w:
 * bwt[i] = w[SA[i + 1] − 1] (w[m − 1] where SA[i + 1] = 0), for i in [0, m).
 */
export function sortLyndon(w: Uint8Array, m: number, SA: Int32Array, work: SortWork, bwt?: Uint8Array): boolean {
  if (work.ww.length < 2 * m + PAD) {
    work.ww = new Uint8Array(2 * m + PAD);
    work.dv = new DataView(work.ww.buffer);
  }
  if (work.lms.length < (m >> 1) + 2) {
    work.lms = new Int32Array((m >> 1) + 2);
    work.K = new Int32Array((m >> 1) + 2);
  }
  const { ww, dv, K, lms, cnt, bkt } = work;
  ww.set(w.subarray(0, m), 0);
  ww.set(w.subarray(0, m), m);
  for (let i = 0; i < PAD; i++) ww[2 * m + i] = w[i % m];

  // Types and B* positions, right to left, branch-free. t(m-1) = L (w[m-1] > $).
  // t(i) = S iff w[i] < w[i+1], or w[i] = w[i+1] and t(i+1) = S; i is B* iff t(i) = S and
  // t(i+1) = L. B* positions are collected in decreasing order (in lms).
  cnt.fill(0);
  let n1 = 0;
  {
    let tn = 0;
    let cn = w[m - 1];
    cnt[cn]++;
    for (let i = m - 2; i >= 0; i--) {
      const c = w[i];
      cnt[c]++;
      const d = c - cn;
      const ti = (d >>> 31) | (tn & ~((d | -d) >> 31));
      lms[n1] = i;
      n1 += ti & (tn ^ 1);
      tn = ti;
      cn = c;
    }
  }
  // LSD radix sort of the B* suffixes on their first four bytes: the word at depth 0
  // (sign-flipped, as the multikey quicksort compares it) travels with each suffix, one pass
  // per byte of it, least significant first (skipping a byte that is the same for all;
  // the second byte last, see below).
  // Pairs (suffix, word) ping-pong between (lms, K) and the two halves of SA[0..2·n1) (SA has
  // room: n1 ≤ m/2). Byte digits keep each pass at 256 output streams (a 16-bit digit pass
  // measured ~3× slower per element on random keys: cache misses on 65 536 streams).
  const H = work.hist;
  H.fill(0);
  for (let i = 0; i < n1; i++) {
    const k = dv.getInt32(lms[i]) ^ MIN;
    K[i] = k;
    H[k & 255]++;
    H[256 + ((k >>> 8) & 255)]++;
    H[512 + ((k >>> 16) & 255)]++;
    H[768 + ((k >>> 24) ^ 128)]++;
  }
  const Slo = SA.subarray(0, n1);
  const Shi = SA.subarray(n1, 2 * n1);
  let sP = lms;
  let sK = K;
  let dP = Slo;
  let dK = Shi;
  // Low-entropy blocks (text) leave long runs of equal four-byte prefixes, which the radix
  // passes split more cheaply than quicksort partitions: there, first sort on bytes 4..7
  // as well (digits read from ww). The estimate is the expected number of other suffixes
  // sharing a suffix's four-byte prefix if its bytes were independent.
  let est = n1;
  for (let b = 0; b < 1024; b += 256) {
    let q = 0;
    for (let c = 0; c < 256; c++) q += H[b + c] * H[b + c];
    est *= q / (n1 * n1);
  }
  const eight = est > 0.5;
  if (eight) {
    // Pairs (suffix, word at depth 4) for these passes (digits from the word: sequential
    // reads); the words at depth 0 are gathered back afterwards.
    const h = work.hist2;
    h.fill(0);
    for (let i = 0; i < n1; i++) {
      const k = dv.getInt32(lms[i] + 4);
      K[i] = k;
      h[k & 255]++;
      h[256 + ((k >>> 8) & 255)]++;
      h[512 + ((k >>> 16) & 255)]++;
      h[768 + (k >>> 24)]++;
    }
    for (let byte = 0; byte < 4; byte++) {
      const b = byte * 256;
      for (let c = 0, s = 0; c < 256; c++) {
        const x = h[b + c];
        h[b + c] = s;
        s += x;
      }
      const sh = 8 * byte;
      for (let i = 0; i < n1; i++) {
        const k = sK[i];
        const j = h[b + ((k >>> sh) & 255)]++;
        dP[j] = sP[i];
        dK[j] = k;
      }
      const tP = sP;
      const tK = sK;
      sP = dP;
      sK = dK;
      dP = tP;
      dK = tK;
    }
    for (let i = 0; i < n1; i++) sK[i] = dv.getInt32(sP[i]) ^ MIN;
  }
  // The second byte's pass comes last, so the sorted B* suffixes end up grouped by their
  // second byte (and sorted within each group), as the S pass of stage 2 consumes them.
  const h1 = work.hist2; // group ends by second byte (stage 2)
  for (let c = 0, s = 0; c < 256; c++) h1[c] = s += H[512 + c];
  for (let pass = 0; pass < 4; pass++) {
    const byte = pass < 2 ? pass : 5 - pass; // bytes 3, 2, 0, 1 of the suffix
    const h = H.subarray(byte * 256, byte * 256 + 256);
    let full = false;
    for (let c = 0, s = 0; c < 256; c++) {
      const x = h[c];
      if (x === n1) full = true;
      h[c] = s;
      s += x;
    }
    if (full) continue;
    const sh = 8 * byte;
    const fx = byte === 3 ? 128 : 0;
    for (let i = 0; i < n1; i++) {
      const k = sK[i];
      const j = h[((k >>> sh) & 255) ^ fx]++;
      dP[j] = sP[i];
      dK[j] = k;
    }
    const tP = sP;
    const tK = sK;
    sP = dP;
    sK = dK;
    dP = tP;
    dK = tK;
  }
  // Sorted pairs are in (sP, sK).
  if (sP !== Slo) Slo.set(sP.subarray(0, n1));
  const KK = sK;
  // Runs of suffixes with equal four-byte prefixes: multikey quicksort from depth 4 (in
  // eight-byte mode, on each sub-run with equal bytes 4..7, from depth 8).
  budget = BUDGET_PER_BYTE * m;
  for (let r = 0, i = 1; i <= n1; i++) {
    if (i === n1 || KK[i] !== KK[r]) {
      if (i - r > 1) {
        for (let q = r; q < i; q++) KK[q] = dv.getInt32(SA[q] + 4) ^ MIN;
        budget -= i - r;
        if (eight) {
          for (let s = r, e = r + 1; e <= i; e++) {
            if (e === i || KK[e] !== KK[s]) {
              if (e - s > 1) {
                for (let q = s; q < e; q++) KK[q] = dv.getInt32(SA[q] + 8) ^ MIN;
                budget -= e - s;
                mkqs(SA, KK, s, e, 8, dv, m);
              }
              s = e;
            }
          }
        } else mkqs(SA, KK, r, i, 4, dv, m);
        if (budget < 0) return false;
      }
      r = i;
    }
  }

  // Stage 2: induced sorting from the sorted B* suffixes (divsufsort's order). Byte buckets
  // occupy SA[1..m] (SA[0] is the sentinel); in bucket c the L-type suffixes come first, then
  // the S-type ones ordered by their second byte c1 ≥ c, and within a (c, c1) group with
  // c1 > c the B* suffixes (whose successor is type L) precede the others.
  // Entry sign: q ≥ 0 means suffix q's predecessor is type L, ~q that it is type S (or q = 0).
  //
  // The sorted B* suffixes (grouped by second byte) leave SA[0..n1) for lms.
  lms.set(SA.subarray(0, n1));
  // h1[c] is the end of group c (= start of c+1). Bucket ends:
  const be = work.be;
  for (let c = 0, s = 1; c < 256; c++) be[c] = s += cnt[c];
  bkt.set(be);
  // S pass, buckets right to left: scanning bucket c1's S part from its end down (its lower
  // end moves down while (c1, c1) suffixes are induced into it), an entry ~q with q > 0 places
  // the S-type q−1 at the back of bucket w[q−1]; then the B* suffixes of every (c0, c1) group
  // go below what was induced there. Branch-free: a step that induces nothing rewrites its own
  // slot.
  for (let c1 = 255; c1 >= 0; c1--) {
    for (let j = be[c1] - 1; j >= bkt[c1]; j--) {
      const e = SA[j];
      const skip = (-2 - e) >> 31; // −1 unless e = ~q with q ≥ 1
      const p = (~e - 1) & ~skip;
      const c0 = w[p];
      const pp = p - 1;
      const L = ((c0 - w[pp & ~(pp >> 31)]) >> 31) & ~(pp >> 31); // −1: p−1 is type L
      const v = p ^ ~L;
      const b = bkt[c0] - 1 - skip;
      SA[b ^ ((b ^ j) & skip)] = v ^ ((v ^ e) & skip);
      bkt[c0] = b;
    }
    for (let k = h1[c1] - 1, k0 = c1 === 0 ? 0 : h1[c1 - 1]; k >= k0; k--) {
      const q = lms[k];
      const c0 = w[q];
      const pq = q - 1;
      const L = ((c0 - w[pq & ~(pq >> 31)]) >> 31) & ~(pq >> 31);
      SA[--bkt[c0]] = q ^ ~L;
    }
  }
  // L pass, left to right from bucket starts: an entry q > 0 places the L-type q−1 (as ~(q−1)
  // if q−2 is type S); every scanned entry is left as its final, non-negative value. The byte
  // w[final − 1] is loaded for every row anyway: it is the BWT output.
  for (let c = 0, s = 1; c < 256; c++) {
    bkt[c] = s;
    s += cnt[c];
  }
  SA[0] = m;
  const out = bwt ?? new Uint8Array(m);
  {
    // Row 0, the sentinel: places the L-type m−1.
    const c = w[m - 1];
    SA[bkt[c]++] = w[m - 2] >= c ? m - 1 : ~(m - 1);
  }
  for (let i = 1; i <= m; i++) {
    const e = SA[i];
    const f = e ^ (e >> 31);
    const skip = (e - 1) >> 31; // −1: nothing to induce
    const p0 = f - 1;
    const p = p0 + (m & (p0 >> 31)); // f − 1, cyclically (the row's last byte)
    const c = w[p];
    const pp = p - 1;
    const L = ~((w[pp & ~(pp >> 31)] - c) >> 31) & ~(pp >> 31); // −1: p−1 is type L
    const v = p ^ ~L;
    const b = bkt[c];
    SA[i] = f;
    SA[b ^ ((b ^ i) & skip)] = v ^ ((v ^ f) & skip);
    bkt[c] = b + 1 + skip;
    out[i - 1] = c;
  }
  return true;
}
