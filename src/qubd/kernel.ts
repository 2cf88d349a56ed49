/**
 * The QuBD counting kernel: from integer codes straight to per-plane 4×4 block counts, without
 * materialising the bit-planes.
 *
 * Why: QuBD of a b-bit tensor needs b plane-BDMs. Building b packed planes and then cutting each
 * into blocks reads the tensor b + 1 times; this kernel reads each code once. A lookup table
 * spreads a code's 8 bits into 8 nibble slots (bit p → bit 4p), so one row of 4 codes becomes a
 * 32-bit word whose nibble p is plane p's 4 cells (first cell = nibble MSB). Four such words (the
 * 4 rows of a block) are merged two planes at a time into the 16-bit block codes (bit 15 = cell
 * (0,0)), the layout the dense CTM tables are indexed by. Codes wider than 8 bits are processed in
 * groups of 8 planes.
 */

/** SPREAD[v]: bit p of v moved to bit 4p (p < 8). */
const SPREAD = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let v = 0; v < 256; v++) {
    let s = 0;
    for (let p = 0; p < 8; p++) s |= ((v >>> p) & 1) << (4 * p);
    t[v] = s >>> 0;
  }
  return t;
})();

/** Reusable scratch for {@link countCodeBlocks}: counts per (plane, block code) and touched list. */
export interface PlaneCounts {
  /** counts[plane · 65536 + code]. */
  readonly counts: Uint32Array;
  /** Indices (plane · 65536 + code) with a non-zero count, in first-seen order. */
  readonly touched: Uint32Array;
  touchedLength: number;
  readonly bits: number;
}

/** Allocates scratch for `bits` planes and up to `blocksPerPlane` 4×4 blocks per plane. */
export function allocPlaneCounts(bits: number, blocksPerPlane: number): PlaneCounts {
  return {
    counts: new Uint32Array(bits * 65536),
    touched: new Uint32Array(Math.min(bits * 65536, bits * blocksPerPlane)),
    touchedLength: 0,
    bits,
  };
}

// One scratch per bit depth, kept across calls: zeroed 2 MiB arrays cost more to allocate than
// counting a 768×768 tensor. Safe because JS runs one call at a time and scoring resets the
// counts it touched (planeBdmFromCounts), leaving the scratch all-zero again.
const scratch: (PlaneCounts | undefined)[] = [];

/** A zeroed scratch for `bits` planes, reused across calls (see above). */
export function sharedPlaneCounts(bits: number): PlaneCounts {
  let s = scratch[bits];
  if (!s) {
    s = { counts: new Uint32Array(bits * 65536), touched: new Uint32Array(bits * 65536), touchedLength: 0, bits };
    scratch[bits] = s;
  }
  return s;
}

// The codes a table flags as missing, listed once per table: a handful at most, so the dense
// scan need not read a flag per slot.
const missingLists = new WeakMap<Uint8Array, Uint32Array>();
function missingList(flags: Uint8Array): Uint32Array {
  let l = missingLists.get(flags);
  if (!l) {
    const codes: number[] = [];
    for (let c = 0; c < flags.length; c++) if (flags[c]) codes.push(c);
    l = Uint32Array.from(codes);
    missingLists.set(flags, l);
  }
  return l;
}

/**
 * Adds the non-overlapping 4×4 blocks (top-left aligned, leftovers dropped — pybdm's `ignore`
 * partition) of every bit-plane of `codes` (rows × cols, row-major) to `acc`.
 * Block-rows `[rowBlockStart, rowBlockEnd)` only, so a tensor can be counted in shards.
 */
export function countCodeBlocks(
  codes: Uint16Array | Uint8Array,
  rows: number,
  cols: number,
  acc: PlaneCounts,
  rowBlockStart = 0,
  rowBlockEnd = Math.floor(rows / 4),
  track = true,
): void {
  const { counts, touched, bits } = acc;
  let nt = acc.touchedLength;
  const bc = Math.floor(cols / 4);
  const groups = (bits + 7) >>> 3;
  for (let g = 0; g < groups; g++) {
    const shift = 8 * g;
    const planesHere = Math.min(8, bits - shift);
    const base0 = shift << 16;
    for (let br = rowBlockStart; br < rowBlockEnd; br++) {
      const o0 = br * 4 * cols;
      const o1 = o0 + cols;
      const o2 = o1 + cols;
      const o3 = o2 + cols;
      for (let j = 0, c = 0; j < bc; j++, c += 4) {
        // One 32-bit word per block row: nibble p holds plane p's 4 cells, first cell = MSB.
        const r0 =
          (SPREAD[(codes[o0 + c] >>> shift) & 255] << 3) |
          (SPREAD[(codes[o0 + c + 1] >>> shift) & 255] << 2) |
          (SPREAD[(codes[o0 + c + 2] >>> shift) & 255] << 1) |
          SPREAD[(codes[o0 + c + 3] >>> shift) & 255];
        const r1 =
          (SPREAD[(codes[o1 + c] >>> shift) & 255] << 3) |
          (SPREAD[(codes[o1 + c + 1] >>> shift) & 255] << 2) |
          (SPREAD[(codes[o1 + c + 2] >>> shift) & 255] << 1) |
          SPREAD[(codes[o1 + c + 3] >>> shift) & 255];
        const r2 =
          (SPREAD[(codes[o2 + c] >>> shift) & 255] << 3) |
          (SPREAD[(codes[o2 + c + 1] >>> shift) & 255] << 2) |
          (SPREAD[(codes[o2 + c + 2] >>> shift) & 255] << 1) |
          SPREAD[(codes[o2 + c + 3] >>> shift) & 255];
        const r3 =
          (SPREAD[(codes[o3 + c] >>> shift) & 255] << 3) |
          (SPREAD[(codes[o3 + c + 1] >>> shift) & 255] << 2) |
          (SPREAD[(codes[o3 + c + 2] >>> shift) & 255] << 1) |
          SPREAD[(codes[o3 + c + 3] >>> shift) & 255];
        // Byte k of hiE/loE holds even plane 2k's rows 0–1 / rows 2–3; hiO/loO the odd planes.
        const hiE = ((r0 & 0x0f0f0f0f) << 4) | (r1 & 0x0f0f0f0f);
        const loE = ((r2 & 0x0f0f0f0f) << 4) | (r3 & 0x0f0f0f0f);
        const hiO = (r0 & 0xf0f0f0f0) | ((r1 >>> 4) & 0x0f0f0f0f);
        const loO = (r2 & 0xf0f0f0f0) | ((r3 >>> 4) & 0x0f0f0f0f);
        for (let p = 0; p < planesHere; p++) {
          const k = (p >>> 1) << 3;
          const code =
            (p & 1) === 0
              ? (((hiE >>> k) & 255) << 8) | ((loE >>> k) & 255)
              : (((hiO >>> k) & 255) << 8) | ((loO >>> k) & 255);
          const idx = base0 + (p << 16) + code;
          if (counts[idx]++ === 0 && track) touched[nt++] = idx;
        }
      }
    }
  }
  acc.touchedLength = nt;
}

/** Per-plane sums filled by the scoring functions (added to, so shards can accumulate). */
export interface PlaneTotals {
  /** BDM in bits. */
  readonly bdm: Float64Array;
  readonly distinct: Uint32Array;
  readonly missing: Uint32Array;
  /** 1-cells inside the counted blocks. */
  readonly ones: Float64Array;
}

/** POPCOUNT16[code]: 1-cells of a 4×4 block. */
const POPCOUNT16 = /* @__PURE__ */ (() => {
  const t = new Uint8Array(65536);
  for (let c = 1; c < 65536; c++) t[c] = t[c >>> 1] + (c & 1);
  return t;
})();

/** log2(c) for c < 65536, with LOG2[0] = 0 (an empty slot adds nothing). */
const LOG2 = /* @__PURE__ */ (() => {
  const t = new Float64Array(65536);
  for (let c = 2; c < 65536; c++) t[c] = Math.log2(c);
  return t;
})();

/** Below this many blocks per plane the touched list wins; above it, a linear scan of the counts. */
export const DENSE_BLOCKS = 2048;

/**
 * Like {@link planeBdmFromCounts} for counts made with `track = false`: scans each plane's 65,536
 * counts in order. Sequential reads beat the touched list's random ones once a plane has more
 * than a few thousand blocks (measured: 223k distinct blocks of a 768×768 8-bit tensor scored
 * several times faster this way).
 */
export function planeBdmDense(
  acc: PlaneCounts,
  values: Float64Array,
  missingFlags: Uint8Array,
  out: PlaneTotals,
): void {
  const { counts, bits } = acc;
  for (let p = 0; p < bits; p++) {
    const base = p << 16;
    let bdm = 0;
    let distinct = 0;
    let ones = 0;
    // Branch-free: about 40 % of the slots are non-zero in a noisy plane, so an `if (c === 0)`
    // mispredicts constantly (measured 3.5× slower than this form).
    for (let code = 0; code < 65536; code++) {
      const c = counts[base + code];
      const nz = (c | -c) >>> 31; // 1 for c > 0 (counts stay below 2^31), 0 for c = 0
      bdm += nz * values[code] + (c < 65536 ? LOG2[c] : Math.log2(c));
      distinct += nz;
      ones += c * POPCOUNT16[code];
    }
    let missing = 0;
    const list = missingList(missingFlags);
    for (let i = 0; i < list.length; i++) if (counts[base + list[i]] !== 0) missing++;
    out.bdm[p] += bdm;
    out.distinct[p] += distinct;
    out.missing[p] += missing;
    out.ones[p] += ones;
  }
  counts.fill(0, 0, bits << 16);
  acc.touchedLength = 0;
}

/**
 * Turns the counts into per-plane BDM (bits) with a 4×4 table's values (indexed by raw block
 * code), per-plane distinct and missing counts, and resets the scratch for reuse.
 */
export function planeBdmFromCounts(
  acc: PlaneCounts,
  values: Float64Array,
  missingFlags: Uint8Array,
  out: PlaneTotals,
): void {
  const { counts, touched } = acc;
  const n = acc.touchedLength;
  for (let i = 0; i < n; i++) {
    const idx = touched[i];
    const p = idx >>> 16;
    const code = idx & 0xffff;
    const c = counts[idx];
    out.bdm[p] += values[code] + (c === 1 ? 0 : Math.log2(c));
    out.distinct[p]++;
    out.missing[p] += missingFlags[code];
    out.ones[p] += c * POPCOUNT16[code];
    counts[idx] = 0;
  }
  acc.touchedLength = 0;
}

/**
 * Adds the 1-cells of every plane in the cells no 4×4 block covers (the bottom rows % 4 and the
 * right cols % 4), so `ones` counts the whole plane.
 */
export function addLeftoverOnes(codes: Uint16Array | Uint8Array, rows: number, cols: number, ones: Float64Array): void {
  const r4 = rows - (rows % 4);
  const c4 = cols - (cols % 4);
  const add = (v: number): void => {
    for (let p = 0; v !== 0; p++, v >>>= 1) ones[p] += v & 1;
  };
  for (let i = 0; i < r4; i++) for (let j = c4; j < cols; j++) add(codes[i * cols + j]);
  for (let i = r4; i < rows; i++) for (let j = 0; j < cols; j++) add(codes[i * cols + j]);
}
