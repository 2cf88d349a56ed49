/** compressAsync's AbortSignal and onProgress: cancellation between blocks, progress per block, output unchanged. */
import { describe, expect, it } from 'vitest';
import { OckhamError } from '../../src/errors.js';
import { compress, compressAsync } from '../../src/compress/index.js';
import { equalBytes } from './helpers.js';

/** 4 level-1 blocks (≈ 100 kB each) of mildly compressible bytes. */
function input(n = 400_000): Uint8Array {
  const out = new Uint8Array(n);
  let s = 99;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = (s >>> 27) + (i % 7);
  }
  return out;
}

describe('compressAsync signal and progress', () => {
  const data = input();

  it('with a signal that never fires and onProgress: the same bytes, progress per block up to the input length', async () => {
    const ref = compress(data, { codec: 'bzip2', level: 1 });
    for (const jobs of [1, 2]) {
      const seen: number[] = [];
      const z = await compressAsync(data, { codec: 'bzip2', level: 1, jobs, signal: new AbortController().signal, onProgress: (d, t) => {
        expect(t).toBe(data.length);
        seen.push(d);
      } });
      expect(equalBytes(z, ref), `jobs ${jobs}`).toBe(true);
      expect(seen.at(-1)).toBe(data.length);
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
      if (jobs === 2) expect(seen.length).toBeGreaterThanOrEqual(4);
    }
  }, 60_000);

  it('rejects with the AbortError when aborted before the call or between blocks, and with a given reason', async () => {
    await expect(compressAsync(data, { codec: 'bzip2', level: 1, jobs: 2, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(compressAsync(data, { codec: 'gzip', signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    const ac = new AbortController();
    let calls = 0;
    const p = compressAsync(data, { codec: 'bzip2', level: 1, jobs: 2, signal: ac.signal, onProgress: () => {
      if (++calls === 1) ac.abort();
    } });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBeLessThan(4);
    // An abort from a timer (another task) is seen between blocks.
    const ac2 = new AbortController();
    const big = input(2_000_000);
    const q = compressAsync(big, { codec: 'bzip2', level: 1, jobs: 2, signal: ac2.signal });
    setTimeout(() => ac2.abort(new Error('stop')), 5);
    await expect(q).rejects.toThrow('stop');
    // The pool still works afterwards.
    expect(equalBytes(await compressAsync(data, { codec: 'bzip2', level: 1, jobs: 2 }), compress(data, { codec: 'bzip2', level: 1 }))).toBe(true);
  }, 60_000);

  it('validates signal and onProgress', async () => {
    await expect(compressAsync(data, { codec: 'bzip2', signal: {} as AbortSignal })).rejects.toBeInstanceOf(OckhamError);
    await expect(compressAsync(data, { codec: 'bzip2', onProgress: 3 as never })).rejects.toBeInstanceOf(OckhamError);
  });
});
