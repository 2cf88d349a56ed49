/**
 * Deterministic inputs for the bzip2 speed bench (bench/bzip2.ts) and profiling:
 * - `floatWeights(bytes)`: float32 little-endian weights of a 4096-column matrix,
 *   N(0, 0.02²) plus a rank-8 component u·vᵀ (u, v entries N(0, 0.1²), so the low-rank part
 *   has std ≈ 0.028), seed 17 — bzip2 -9 barely compresses it (5 %: only the exponent bytes);
 * - `englishText(bytes)`: English-like text, seed 29 — 4 000 pseudo-words built from common
 *   English syllables, drawn with a Zipf(1) law, sentences of 5..24 words with commas,
 *   capitals, full stops and paragraph breaks. bzip2 -9 compresses it 4.1:1 (real English
 *   prose: 3.5–4:1).
 */
import { createRng } from '../src/util/random.js';

export function floatWeights(bytes: number, seed = 17): Uint8Array {
  const n = bytes >>> 2;
  const cols = 4096;
  const rank = 8;
  const rng = createRng(seed);
  const rows = Math.ceil(n / cols);
  const u = new Float64Array(rows * rank);
  const v = new Float64Array(cols * rank);
  for (let i = 0; i < u.length; i++) u[i] = rng.normal() * 0.1;
  for (let i = 0; i < v.length; i++) v[i] = rng.normal() * 0.1;
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = (i / cols) | 0;
    const c = i - r * cols;
    let s = 0;
    for (let k = 0; k < rank; k++) s += u[r * rank + k] * v[c * rank + k];
    w[i] = rng.normal() * 0.02 + s;
  }
  return new Uint8Array(w.buffer);
}

const SYL = (
  'th er on an re he in ed nd ha at en es of or nt ea ti to it st io le is ou ar as de rt ve ' +
  'ing ion ent for tio the and her ter hat tha ere ate his con res ver all ons nce men ith ted ' +
  'pro com per ment able ness ly ful ous ive al ic ure ance ty ry'
).split(' ');

export function englishText(bytes: number, seed = 29): Uint8Array {
  const rng = createRng(seed);
  const nWords = 4000;
  const words: string[] = [];
  const seen = new Set<string>();
  while (words.length < nWords) {
    // Shorter words for frequent ranks, as in English.
    const k = 1 + rng.int(words.length < 100 ? 2 : words.length < 1000 ? 3 : 4);
    let w = '';
    for (let j = 0; j < k; j++) w += SYL[rng.int(SYL.length)];
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  // Zipf(1) cumulative table.
  const cdf = new Float64Array(nWords);
  let h = 0;
  for (let i = 0; i < nWords; i++) cdf[i] = h += 1 / (i + 1);
  const out = new Uint8Array(bytes);
  let p = 0;
  let inSentence = 0;
  let sentenceLen = 5 + rng.int(20);
  const put = (s: string): void => {
    for (let i = 0; i < s.length && p < bytes; i++) out[p++] = s.charCodeAt(i);
  };
  while (p < bytes) {
    const x = rng.next() * h;
    let lo = 0;
    let hi = nWords - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    const w = words[lo];
    put(inSentence === 0 ? w[0].toUpperCase() + w.slice(1) : w);
    inSentence++;
    if (inSentence >= sentenceLen) {
      put(rng.next() < 0.1 ? '.\n\n' : '. ');
      inSentence = 0;
      sentenceLen = 5 + rng.int(20);
    } else put(rng.next() < 0.08 ? ', ' : ' ');
  }
  return out;
}
