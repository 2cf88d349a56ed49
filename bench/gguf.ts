/**
 * GGUF dequantization throughput: each block type decoded to float32 (16 M elements, seeded
 * random blocks with finite f16 scales), in M elements/s, against two baselines measured in the
 * same run: a plain pass over the float32 output (bench/util.ts) and the F16 → float32 table
 * decode of the same element count (the cheapest real decode).
 */
import { dequantizeGgml, ggmlType } from '../src/io/gguf.js';
import { floatToHalf } from '../src/io/dtypes.js';
import { baselineMs, fmt, printTable, timeMs } from './util.js';

const N = 16 * 2 ** 20;

/** Random block bytes with finite scales where each layout has them. */
function blocks(type: string): Uint8Array {
  const t = ggmlType(type)!;
  const nb = N / t.blockSize;
  const b = new Uint8Array(nb * t.typeSize);
  let s = 12345;
  for (let i = 0; i < b.length; i++) b[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  const scaleAt: Record<string, number[]> = {
    Q4_0: [0], Q4_1: [0, 2], Q5_0: [0], Q5_1: [0, 2], Q8_0: [0], Q2_K: [80, 82], Q3_K: [108], Q4_K: [0, 2], Q5_K: [0, 2], Q6_K: [208],
  };
  const h = floatToHalf(0.01);
  for (let i = 0; i < nb; i++) {
    const o = i * t.typeSize;
    if (type === 'Q8_K') new DataView(b.buffer).setFloat32(o, 0.001, true);
    for (const at of scaleAt[type] ?? []) {
      b[o + at] = h & 255;
      b[o + at + 1] = h >> 8;
    }
  }
  return b;
}

export async function run(): Promise<void> {
  const out = new Float32Array(N).fill(1);
  const base = baselineMs([out]);
  const f16 = blocks('F16').fill(0x3c);
  const f16Ms = timeMs(() => dequantizeGgml('F16', f16, N), 5);
  const rows: Record<string, string | number>[] = [];
  for (const type of ['F16', 'BF16', 'Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q2_K', 'Q3_K', 'Q4_K', 'Q5_K', 'Q6_K', 'Q8_K']) {
    const b = type === 'F16' ? f16 : blocks(type);
    const ms = timeMs(() => dequantizeGgml(type, b, N), 5);
    rows.push({
      type,
      'stored MiB': fmt(b.length / 2 ** 20, 1),
      'ms (16 M elements)': fmt(ms, 1),
      'M elements/s': fmt(N / 1e3 / ms, 0),
      '× plain pass': fmt(ms / base, 1),
      '× F16 decode': fmt(ms / f16Ms, 2),
    });
  }
  printTable(`gguf — dequantization to float32, 16 M elements (plain pass ${fmt(base, 1)} ms, F16 decode ${fmt(f16Ms, 1)} ms)`, rows);
}
