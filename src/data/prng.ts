/**
 * The seeded PRNG of the shipped grokking run (moved here from scripts/grokking): mulberry32
 * (32-bit state) plus Box–Muller normals. Only integer ops and Math.log/cos/sqrt/sin, so a rerun in
 * the same engine gives the same stream bit for bit.
 */

/** A mulberry32 stream. */
export interface Mulberry32 {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box–Muller, the paired sample cached). */
  normal(): number;
}

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator) seeded with `seed >>> 0`, plus Box–Muller normals.
 *
 * @param seed - Any number; its low 32 bits seed the stream.
 * @returns A {@link Mulberry32} stream.
 * @example
 * ```ts
 * import { mulberry32 } from 'ockham';
 * const r = mulberry32(0);
 * r.next(); // 0.26642920868471265
 * ```
 */
export function mulberry32(seed: number): Mulberry32 {
  let s = seed >>> 0;
  let spare = NaN;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (spare === spare) {
      const v = spare;
      spare = NaN;
      return v;
    }
    // 1 - next() is in (0, 1], so the log is finite.
    const r = Math.sqrt(-2 * Math.log(1 - next()));
    const th = 2 * Math.PI * next();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
  return { next, normal };
}
