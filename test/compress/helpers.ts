import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.resolve(process.cwd(), 'package.json'));
/** seek-bzip (CJS, untyped): the independent decoder oracle. */
export const seekBzip: { decode(input: Uint8Array): Uint8Array } = require('seek-bzip');

export function seekDecode(z: Uint8Array): Uint8Array {
  return new Uint8Array(seekBzip.decode(Buffer.from(z)));
}

function hasBzip2(): boolean {
  try {
    execFileSync('bzip2', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
export const HAS_BZIP2 = hasBzip2();

export function systemBzip2(args: string[], input: Uint8Array): Uint8Array {
  return new Uint8Array(execFileSync('bzip2', args, { input, maxBuffer: 1 << 28 }));
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A seeded 32-bit LCG (Numerical Recipes constants): deterministic test data. */
export const lcg = (seed: number) => {
  let s = seed >>> 0;
  return (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
};

/** bzip2's symbol map of a block: its bytes, in byte order, to 0..nInUse−1; and nInUse. */
export function symbolMap(b: Uint8Array): [Uint8Array, number] {
  const used = new Uint8Array(256);
  for (const x of b) used[x] = 1;
  const map = new Uint8Array(256);
  let n = 0;
  for (let i = 0; i < 256; i++) if (used[i]) map[i] = n++;
  return [map, n];
}
