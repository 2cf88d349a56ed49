/**
 * `.npz` reading through ockham's hardened zip reader (src/io/zip.ts: bounds checks, CRC-32 of
 * every member, deflate inflated in 32 KiB steps into a pre-sized array) against the unchecked
 * path it replaced, measured in the same run on the same archives: fflate's `unzipSync` (one-shot
 * inflate, no CRC) followed by the same `.npy` decoding. Archives: 16 seeded float32 tensors of
 * 1 Mi elements (64 MiB), stored (`np.savez` layout) and deflated at level 6 (`np.savez_compressed`).
 * The price of the checks is the ratio; CRC-32 alone is timed too.
 */
import { unzipSync, zipSync } from 'fflate';
import { parseNpz, parseNpy } from '../src/index.js';
import { crc32 } from '../src/io/zip.js';
import { createRng } from '../src/util/random.js';
import { printTable, timeMs } from './util.js';

function npy(data: Float32Array): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${data.length},), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const text = dict.padEnd(total - 11) + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 0xff, text.length >> 8]);
  out.set(new TextEncoder().encode(text), 10);
  out.set(new Uint8Array(data.buffer), total);
  return out;
}

export async function run(): Promise<void> {
  const rng = createRng(15);
  const files: Record<string, Uint8Array> = {};
  for (let k = 0; k < 16; k++) {
    const x = new Float32Array(2 ** 20);
    for (let i = 0; i < x.length; i++) x[i] = Math.fround((rng.next() - 0.5) * 0.02);
    files[`w${k}.npy`] = npy(x);
  }
  const MB = 2 ** 20;
  const rows: Record<string, string | number>[] = [];
  for (const level of [0, 6] as const) {
    const zip = zipSync(files, { level });
    const baseline = timeMs(() => {
      const out = unzipSync(zip);
      for (const v of Object.values(out)) parseNpy(v);
    }, 5, 1);
    const ours = timeMs(() => parseNpz(zip), 5, 1);
    const members = Object.values(files);
    const crc = timeMs(() => {
      for (const m of members) crc32(m);
    }, 5, 1);
    rows.push({ archive: level === 0 ? 'stored' : 'deflate 6', 'size MiB': zip.length / MB, 'unzipSync + parseNpy ms (baseline)': baseline, 'parseNpz ms': ours, ratio: ours / baseline, 'CRC-32 alone ms': crc });
  }
  printTable('zip — .npz read: hardened zip reader vs fflate unzipSync (unchecked), same run', rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
