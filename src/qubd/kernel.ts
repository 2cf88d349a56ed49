/**
 * The JS QuBD kernel — the fallback where WebAssembly SIMD is missing (wasm-kernel.ts is the
 * default): from integer codes straight to per-plane BDM of the 4×4 blocks, without
 * materialising the bit-planes and without a scoring pass over the count table.
 *
 * Why: QuBD of a b-bit tensor needs b plane-BDMs. Building b packed planes and then cutting each
 * into blocks reads the tensor b + 1 times; this kernel reads each code once. A lookup table
 * spreads a code's 8 bits into 8 nibble slots (bit p → bit 4p), so one row of 4 codes becomes a
 * 32-bit word whose nibble p is plane p's 4 cells (first cell = nibble MSB). Four such words (the
 * 4 rows of a block) are merged two planes at a time into the 16-bit block codes (bit 15 = cell
 * (0,0)), the layout the dense CTM tables are indexed by. Codes wider than 8 bits are processed in
 * groups of 8 planes.
 *
 * BDM = Σ_distinct CTM(block) + log2(count) is accumulated while counting: a block's first
 * occurrence adds its CTM, its (c+1)-th adds log2(c+1) − log2(c). The log terms telescope to
 * log2(count), so no pass over the 2^16 slots per plane is needed afterwards (that scan cost as
 * much as counting for a 768×768 tensor). Round-off: ~count·2^−52 bits per block, far below
 * the 1e-9 relative the tests ask.
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

/** POPCOUNT16[code]: 1-cells of a 4×4 block. */
const POPCOUNT16 = /* @__PURE__ */ (() => {
  const t = new Uint8Array(65536);
  for (let c = 1; c < 65536; c++) t[c] = t[c >>> 1] + (c & 1);
  return t;
})();

/** DLOG2[c] = log2(c + 1) − log2(c) for 1 ≤ c < 65536: what the (c+1)-th copy of a block adds. */
const DLOG2 = /* @__PURE__ */ (() => {
  const t = new Float64Array(65536);
  for (let c = 1; c < 65536; c++) t[c] = Math.log2(c + 1) - Math.log2(c);
  return t;
})();

/** Per-plane results, LSB first (added to, so block-row shards can accumulate). */
export interface PlaneTotals {
  /** BDM in bits: `ctm` + `multiplicity`. */
  readonly bdm: Float64Array;
  /** Σ CTM over the distinct blocks (bits). */
  readonly ctm: Float64Array;
  /** Σ log2(count) over the distinct blocks (bits). */
  readonly multiplicity: Float64Array;
  /** Distinct raw blocks. */
  readonly distinct: Uint32Array;
  /** Distinct blocks flagged missing in the table. */
  readonly missing: Uint32Array;
  /** 1-cells inside the counted blocks (and, after {@link addLeftoverOnes}, in the whole plane). */
  readonly ones: Float64Array;
}

/** Allocates zeroed {@link PlaneTotals} for `bits` planes. */
export function planeTotals(bits: number): PlaneTotals {
  return {
    bdm: new Float64Array(bits),
    ctm: new Float64Array(bits),
    multiplicity: new Float64Array(bits),
    distinct: new Uint32Array(bits),
    missing: new Uint32Array(bits),
    ones: new Float64Array(bits),
  };
}

// Scratch kept across calls: zeroed multi-MiB arrays cost more to allocate than counting a
// 768×768 tensor on some machines. Safe because JS runs one call at a time and every call
// leaves the counts all-zero again.
let counts = new Uint32Array(0);
/** Blocks per chunk of block-rows whose keys are built before counting (see planeBdm). */
const CHUNK_BLOCKS = 16384;
/** One chunk's block codes for 8 planes, plane-major. */
let stripKeys = new Uint16Array(8 * 256);
/** Slots touched by a small call, so only they are re-zeroed. */
let touched = new Uint32Array(0);

/**
 * Adds the BDM (bits) of the non-overlapping 4×4 blocks — top-left aligned, leftovers dropped,
 * as pybdm's `ignore` partition — of every bit-plane of `codes` (rows × cols, row-major, values
 * < 2^bits) to `out`, scoring with a 4×4 table's `values` (indexed by raw block code; missing
 * codes already hold max + 1) and `missingFlags`.
 */
export function planeBdm(
  codes: Uint16Array | Uint8Array,
  rows: number,
  cols: number,
  bits: number,
  values: Float64Array,
  missingFlags: Uint8Array,
  out: PlaneTotals,
): void {
  const br = Math.floor(rows / 4);
  const bc = Math.floor(cols / 4);
  const slots = bits << 16;
  if (counts.length < slots) counts = new Uint32Array(slots);
  // Re-zero by the touched list when the call touches few slots, else by one fill.
  const track = br * bc * bits < slots >>> 3;
  if (track && touched.length < br * bc * bits) touched = new Uint32Array(Math.max(br * bc * bits, 4096));
  let nt = 0;
  const groups = (bits + 7) >>> 3;
  // Block-rows per chunk: keys of a chunk (8 planes × chunk blocks) stay in cache, and each
  // plane's counting runs over a whole chunk so only its own 256 KiB of counts (plus the
  // table) is hot, instead of cycling through 8 such regions every block-row.
  const strips = Math.max(1, Math.min(br, Math.floor(CHUNK_BLOCKS / Math.max(1, bc))));
  const span = strips * bc;
  if (stripKeys.length < 8 * span) stripKeys = new Uint16Array(8 * span);
  const keys = stripKeys;
  for (let g = 0; g < groups; g++) {
    const shift = 8 * g;
    const planesHere = Math.min(8, bits - shift);
    for (let b0 = 0; b0 < br; b0 += strips) {
      const b1 = Math.min(br, b0 + strips);
      let j = 0;
      for (let b = b0; b < b1; b++) {
        const o0 = b * 4 * cols;
        const o1 = o0 + cols;
        const o2 = o1 + cols;
        const o3 = o2 + cols;
        for (let c = 0; c < 4 * bc; c += 4, j++) {
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
          // All 8 planes' block codes, plane-major within the chunk (a short group's extra
          // planes are written and ignored).
          keys[j] = ((hiE & 255) << 8) | (loE & 255);
          keys[span + j] = ((hiO & 255) << 8) | (loO & 255);
          keys[2 * span + j] = (((hiE >>> 8) & 255) << 8) | ((loE >>> 8) & 255);
          keys[3 * span + j] = (((hiO >>> 8) & 255) << 8) | ((loO >>> 8) & 255);
          keys[4 * span + j] = (((hiE >>> 16) & 255) << 8) | ((loE >>> 16) & 255);
          keys[5 * span + j] = (((hiO >>> 16) & 255) << 8) | ((loO >>> 16) & 255);
          keys[6 * span + j] = ((hiE >>> 24) << 8) | (loE >>> 24);
          keys[7 * span + j] = ((hiO >>> 24) << 8) | (loO >>> 24);
        }
      }
      const m = j;
      // Count and score the chunk plane by plane.
      for (let p = 0; p < planesHere; p++) {
        const plane = shift + p;
        const pb = plane << 16;
        const kb = p * span;
        let ctm = 0;
        let mult = 0;
        let distinct = 0;
        let missing = 0;
        let ones = 0;
        for (let i = kb; i < kb + m; i++) {
          const code = keys[i];
          const idx = pb + code;
          const n = counts[idx];
          counts[idx] = n + 1;
          ones += POPCOUNT16[code];
          if (n === 0) {
            ctm += values[code];
            distinct++;
            missing += missingFlags[code];
            if (track) touched[nt++] = idx;
          } else {
            mult += n < 65536 ? DLOG2[n] : Math.log2((n + 1) / n);
          }
        }
        out.bdm[plane] += ctm + mult;
        out.ctm[plane] += ctm;
        out.multiplicity[plane] += mult;
        out.distinct[plane] += distinct;
        out.missing[plane] += missing;
        out.ones[plane] += ones;
      }
    }
  }
  if (track) for (let i = 0; i < nt; i++) counts[touched[i]] = 0;
  else counts.fill(0, 0, slots);
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
