/**
 * Deterministic weight-like corpus for the compression tests and bench: raw float32 Gaussian
 * weights, 8-bit and 4-bit quantized codes, packed sign-magnitude bit-planes, English-like text.
 */
import { createRng } from '../../src/util/random.js';

export interface CorpusFile {
  name: string;
  bytes: Uint8Array;
}

function gaussian(n: number, seed: number, std: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
  return out;
}

/** Uniform symmetric quantization of x to `bits`-bit signed codes (clipped at ±4σ). */
function quantize(x: Float32Array, bits: number, std: number): Int32Array {
  const qmax = (1 << (bits - 1)) - 1;
  const step = (4 * std) / qmax;
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-qmax, Math.min(qmax, Math.round(x[i] / step)));
  return out;
}

/** Sign-magnitude bit-planes of `bits`-bit codes, each plane packed 8 bits per byte (MSB first). */
function bitPlanes(codes: Int32Array, bits: number): Uint8Array {
  const n = codes.length;
  const perPlane = Math.ceil(n / 8);
  const out = new Uint8Array(perPlane * bits);
  for (let plane = 0; plane < bits; plane++) {
    // plane 0: sign; planes 1..bits−1: magnitude bits, most significant first.
    const shift = bits - 1 - plane;
    for (let i = 0; i < n; i++) {
      const c = codes[i];
      const bit = plane === 0 ? (c < 0 ? 1 : 0) : (Math.abs(c) >> shift) & 1;
      if (bit) out[plane * perPlane + (i >> 3)] |= 0x80 >> (i & 7);
    }
  }
  return out;
}

const WORDS = (
  'the of and to in a is that for it as was with be by on not he this are or his from at which but have an ' +
  'they you were her she there one all we their been has when who will more no if out so said what up its ' +
  'about into than them can only other new some could time these two may then do first any my now such like ' +
  'our over man me even most made after also did many before must through back years where much your way ' +
  'well down should because each just those people how too little state good very make world still own see'
).split(' ');

function englishLike(nBytes: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  let s = '';
  let sentence = 0;
  while (s.length < nBytes) {
    // Zipf-like word choice: rank ∝ u².
    const w = WORDS[Math.floor(rng.next() ** 2 * WORDS.length)];
    s += sentence === 0 ? w[0].toUpperCase() + w.slice(1) : w;
    sentence++;
    if (sentence > 6 && rng.next() < 0.15) {
      s += rng.next() < 0.2 ? '.\n' : '. ';
      sentence = 0;
    } else s += rng.next() < 0.05 ? ', ' : ' ';
  }
  return new TextEncoder().encode(s.slice(0, nBytes));
}

/** The corpus with `n` weights per tensor-like file (bytes per file ≈ n, 4n for float32). */
export function weightCorpus(n: number, seed = 1): CorpusFile[] {
  const std = 0.05;
  const w = gaussian(n, seed, std);
  const q8 = quantize(w, 8, std);
  const q4 = quantize(w, 4, std);
  const codes8 = new Uint8Array(n);
  for (let i = 0; i < n; i++) codes8[i] = q8[i] & 0xff; // two's complement int8
  const codes4 = new Uint8Array(Math.ceil(n / 2));
  for (let i = 0; i < n; i++) codes4[i >> 1] |= (q4[i] & 0xf) << (i & 1 ? 0 : 4);
  return [
    { name: 'float32 N(0, 0.05²)', bytes: new Uint8Array(w.buffer) },
    { name: 'int8 codes', bytes: codes8 },
    { name: 'int4 codes (packed)', bytes: codes4 },
    { name: 'bit-planes of int8 (packed)', bytes: bitPlanes(q8, 8) },
    { name: 'English-like text', bytes: englishLike(n, seed + 1) },
  ];
}
