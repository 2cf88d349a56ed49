/**
 * Length-limited Huffman code lengths and canonical code assignment for bzip2.
 *
 * bzip2 requires every symbol of the block's alphabet to have a code (lengths 1..20), so
 * zero frequencies are treated as 1. When the optimal tree is deeper than `maxLen`, the
 * weights are flattened (w → 1 + ⌊w/2⌋) and the tree rebuilt — the same family of heuristic
 * bzip2 uses. Not optimal like package-merge, but simple; the bench shows our streams within
 * 0.14% of bzip2 -9's size.
 */

/**
 * Fills `lens[off..off+n)` with Huffman code lengths ≤ `maxLen` for frequencies `freq[0..n)`.
 * `scratch` must hold at least 4·n Int32 values. Requires n ≥ 2 and 2^maxLen ≥ n.
 */
export function huffmanLengths(
  freq: Int32Array,
  n: number,
  maxLen: number,
  lens: Uint8Array,
  off: number,
  scratch: Int32Array,
): void {
  // Layout of scratch: weight[0..2n), parent[2n..4n) (leaves 0..n-1, internal n..2n-2).
  const weight = scratch.subarray(0, 2 * n);
  const parent = scratch.subarray(2 * n, 4 * n);
  const order = new Int32Array(n);
  const d = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) weight[i] = freq[i] > 0 ? freq[i] : 1;
  for (;;) {
    for (let i = 0; i < n; i++) order[i] = i;
    // Insertion sort by (weight, symbol): n ≤ 258 and this keeps ties deterministic.
    for (let i = 1; i < n; i++) {
      const s = order[i];
      const ws = weight[s];
      let j = i - 1;
      while (j >= 0 && weight[order[j]] > ws) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = s;
    }
    // Two-queue construction: leaves in sorted order, internal nodes created in
    // non-decreasing weight order, so the two smallest are always at the queue fronts.
    let li = 0;
    let qi = n;
    let next = n;
    while (next < 2 * n - 1) {
      let a: number;
      let b: number;
      if (li < n && (qi >= next || weight[order[li]] <= weight[qi])) a = order[li++];
      else a = qi++;
      if (li < n && (qi >= next || weight[order[li]] <= weight[qi])) b = order[li++];
      else b = qi++;
      weight[next] = weight[a] + weight[b];
      parent[a] = next;
      parent[b] = next;
      next++;
    }
    // Depths: root is 2n-2; internal nodes are created after their children, so walking
    // them in reverse creation order sees each parent before its children.
    const root = 2 * n - 2;
    d[root] = 0;
    for (let x = root - 1; x >= n; x--) d[x] = d[parent[x]] + 1;
    let tooLong = false;
    for (let i = 0; i < n; i++) {
      const L = d[parent[i]] + 1;
      if (L > maxLen) tooLong = true;
      lens[off + i] = L;
    }
    if (!tooLong) return;
    for (let i = 0; i < n; i++) weight[i] = 1 + (weight[i] >> 1);
  }
}

/**
 * Canonical codes (bzip2's assignment: by increasing length, then by symbol) for lengths
 * `lens[off..off+n)`, written to `codes[off..off+n)`.
 */
export function canonicalCodes(lens: Uint8Array, off: number, n: number, codes: Int32Array): void {
  let minLen = 32;
  let maxLen = 0;
  for (let i = 0; i < n; i++) {
    const L = lens[off + i];
    if (L < minLen) minLen = L;
    if (L > maxLen) maxLen = L;
  }
  let code = 0;
  for (let L = minLen; L <= maxLen; L++) {
    for (let i = 0; i < n; i++) if (lens[off + i] === L) codes[off + i] = code++;
    code <<= 1;
  }
}
