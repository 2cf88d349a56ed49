import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OckhamError } from '../../src/errors.js';
import { linearMappingNumber, lmnFromConnectivity } from '../../src/lmn/index.js';
import type { LmnLayer } from '../../src/lmn/index.js';
import { erf } from '../../src/lmn/activations.js';
import { createNormalStream } from '../../src/util/normal-stream.js';

const layer = (w: number[], shape: [number, number], activation?: LmnLayer['activation'], b?: number[]): LmnLayer => ({
  weight: Float64Array.from(w),
  shape,
  activation,
  bias: b ? Float64Array.from(b) : undefined,
});

function randomMlp(seed: number, widths: number[], acts: LmnLayer['activation'][]): LmnLayer[] {
  const rng = createNormalStream(seed);
  const out: LmnLayer[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const w = new Float64Array(widths[l + 1] * widths[l]);
    rng.fill(w, w.length);
    const b = new Float64Array(widths[l + 1]);
    rng.fill(b, b.length);
    out.push({ weight: w, bias: b, shape: [widths[l + 1], widths[l]], activation: acts[l] });
  }
  return out;
}

function randomSamples(seed: number, m: number, d: number): Float64Array[] {
  const rng = createNormalStream(seed);
  return Array.from({ length: m }, () => {
    const r = new Float64Array(d);
    rng.fill(r, d);
    return r;
  });
}

describe('linearMappingNumber — the issue’s figures', () => {
  it('any affine network → 1 within 1e-9 (random layers and samples)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 12 }), async (seed, m) => {
        const net = randomMlp(seed, [3, 7, 5, 2], ['identity', 'identity', 'identity']);
        const r = await linearMappingNumber(net, randomSamples(seed + 1, m, 3));
        expect(Math.abs(r.lmn - 1)).toBeLessThan(1e-9);
      }),
      { seed: 42, numRuns: 30 },
    );
  });

  it('|x| = relu(x) + relu(−x) on {−1, 1} → 2', async () => {
    const abs = [layer([1, -1], [2, 1], 'relu'), layer([1, 1], [1, 2])];
    expect((await linearMappingNumber(abs, [[-1], [1]])).lmn).toBeCloseTo(2, 12);
  });

  it('|x1| on the four points (±1, ±1) → 2', async () => {
    const abs1 = [layer([1, 0, -1, 0], [2, 2], 'relu'), layer([1, 1], [1, 2])];
    const r = await linearMappingNumber(abs1, [[-1, -1], [-1, 1], [1, -1], [1, 1]]);
    expect(r.lmn).toBeCloseTo(2, 12);
  });

  it('f(x) = x² on {−1, 1} → 2 (batch callback)', async () => {
    const r = await linearMappingNumber((x) => x.map((v) => v * v), [[-1], [1]]);
    expect(r.lmn).toBeCloseTo(2, 12);
  });

  it('relu(x) on {−2, −1, 1, 2} → 1.5569958445861736 with the exact rational r² entries', async () => {
    const relu = [layer([1], [1, 1], 'relu')];
    const r = await linearMappingNumber(relu, { data: Float64Array.from([-2, -1, 1, 2]), shape: [4, 1] }, { returnMatrix: true });
    expect(Math.abs(r.lmn - 1.5569958445861736)).toBeLessThan(1e-12);
    const L = r.matrix as Float64Array;
    const entries = new Set<number>();
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) entries.add(Number(L[i * 4 + j].toFixed(12)));
    for (const q of [23763 / 38500, 147 / 184, 174243 / 188980, 1]) expect(entries.has(Number(q.toFixed(12)))).toBe(true);
    // The same through the callback path.
    const viaFn = await linearMappingNumber((x) => x.map((v) => Math.max(v, 0)), [[-2], [-1], [1], [2]]);
    expect(Math.abs(viaFn.lmn - r.lmn)).toBeLessThan(1e-12);
  });

  it('lmnFromConnectivity: all-ones blocks (3,3,3) → 3, (1,1,1,1) → 4, (2,1) → 2^H(2/3,1/3)', () => {
    const blocks = (sizes: number[]): Float64Array => {
      const m = sizes.reduce((a, b) => a + b, 0);
      const L = new Float64Array(m * m);
      let off = 0;
      for (const s of sizes) {
        for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) L[(off + i) * m + off + j] = 1;
        off += s;
      }
      return L;
    };
    expect(lmnFromConnectivity(blocks([3, 3, 3])).lmn).toBeCloseTo(3, 12);
    expect(lmnFromConnectivity(blocks([1, 1, 1, 1])).lmn).toBeCloseTo(4, 12);
    expect(lmnFromConnectivity(blocks([2, 1]), 3).lmn).toBeCloseTo(1.8898815748423, 12);
    expect(lmnFromConnectivity(blocks([2, 1])).entropyBits).toBeCloseTo(-(2 / 3) * Math.log2(2 / 3) - (1 / 3) * Math.log2(1 / 3), 12);
  });
});

describe('linearMappingNumber — invariances, paths and options', () => {
  it('invariant to permuting hidden units (to 1e-12), for several activations', async () => {
    for (const act of ['relu', 'gelu', 'tanh', 'silu', 'sigmoid'] as const) {
      const net = randomMlp(3, [4, 16, 3], [act, 'identity']);
      const rng = createNormalStream(99);
      const key = new Float64Array(16);
      rng.fill(key, 16);
      const perm = Array.from({ length: 16 }, (_, i) => i).sort((a, b) => key[a] - key[b]);
      const w1 = new Float64Array(16 * 4);
      const b1 = new Float64Array(16);
      const w2 = new Float64Array(3 * 16);
      for (let h = 0; h < 16; h++) {
        const p = perm[h];
        for (let i = 0; i < 4; i++) w1[h * 4 + i] = net[0].weight[p * 4 + i];
        b1[h] = (net[0].bias as Float64Array)[p];
        for (let o = 0; o < 3; o++) w2[o * 16 + h] = net[1].weight[o * 16 + p];
      }
      const permuted: LmnLayer[] = [
        { weight: w1, bias: b1, shape: [16, 4], activation: act },
        { weight: w2, bias: net[1].bias, shape: [3, 16] },
      ];
      const xs = randomSamples(5, 24, 4);
      const a = await linearMappingNumber(net, xs);
      const b = await linearMappingNumber(permuted, xs);
      expect(Math.abs(a.lmn - b.lmn)).toBeLessThan(1e-12);
      expect(a.lmn).toBeGreaterThan(1);
      expect(a.lmn).toBeLessThanOrEqual(24);
    }
  });

  it('layers and an equivalent batch callback agree; fromLayer measures from that layer’s activations', async () => {
    const net = randomMlp(8, [3, 10, 6, 2], ['relu', 'tanh', 'identity']);
    const xs = randomSamples(9, 15, 3);
    const forward = (from: number) => (x: Float64Array, count: number): Float64Array => {
      let cur = x;
      let dim = net[from].shape[1];
      for (let l = from; l < net.length; l++) {
        const [o, i] = net[l].shape;
        const next = new Float64Array(count * o);
        for (let r = 0; r < count; r++)
          for (let u = 0; u < o; u++) {
            let s = (net[l].bias as Float64Array)[u];
            for (let v = 0; v < i; v++) s += net[l].weight[u * i + v] * cur[r * dim + v];
            const act = net[l].activation;
            next[r * o + u] = act === 'relu' ? Math.max(s, 0) : act === 'tanh' ? Math.tanh(s) : s;
          }
        cur = next;
        dim = o;
      }
      return cur;
    };
    const a = await linearMappingNumber(net, xs);
    const b = await linearMappingNumber(async (x, c) => forward(0)(x, c), xs);
    expect(Math.abs(a.lmn - b.lmn)).toBeLessThan(1e-9);
    // fromLayer = 1: samples become the first layer's activations.
    const acts = xs.map((r) => {
      const [o, i] = net[0].shape;
      const out = new Float64Array(o);
      for (let u = 0; u < o; u++) {
        let s = (net[0].bias as Float64Array)[u];
        for (let v = 0; v < i; v++) s += net[0].weight[u * i + v] * r[v];
        out[u] = Math.max(s, 0);
      }
      return out;
    });
    const c = await linearMappingNumber(net, xs, { fromLayer: 1 });
    const d = await linearMappingNumber(net.slice(1), acts);
    expect(Math.abs(c.lmn - d.lmn)).toBeLessThan(1e-12);
    expect(Math.abs(c.lmn - a.lmn)).toBeGreaterThan(1e-6);
  });

  it('points: 3 works; a constant output counts as r² = 1', async () => {
    const relu = [layer([1], [1, 1], 'relu')];
    const r = await linearMappingNumber(relu, [[-2], [-1]], { points: 3 });
    expect(r.lmn).toBeCloseTo(1, 12); // relu ≡ 0 on [−2, −1]
  });

  it('gelu uses the exact erf: erf matches reference values to 1e-14', () => {
    expect(Math.abs(erf(0.5) - 0.5204998778130465)).toBeLessThan(1e-15);
    expect(Math.abs(erf(1) - 0.8427007929497149)).toBeLessThan(1e-15);
    expect(Math.abs(erf(2.4) - 0.9993114861033550)).toBeLessThan(1e-14);
    expect(Math.abs(erf(3) - 0.9999779095030014)).toBeLessThan(1e-15);
    expect(Math.abs(erf(-4) + 0.9999999845827421)).toBeLessThan(1e-15);
  });

  it('bad input → typed errors naming the argument', async () => {
    const ok = [layer([1, 1], [1, 2])];
    const xs = [[0, 1], [1, 0]];
    const bad = async (p: Promise<unknown>, arg: string): Promise<void> => {
      const e = await p.catch((z: unknown) => z);
      expect(e).toBeInstanceOf(OckhamError);
      expect((e as OckhamError).argument).toBe(arg);
    };
    await bad(linearMappingNumber([layer([1, 1, 1], [1, 2])], xs), 'f[0].weight');
    await bad(linearMappingNumber([layer([1, 1], [2, 1]), layer([1, 1, 1], [1, 3])], [[0], [1]]), 'f[1].shape');
    await bad(linearMappingNumber([layer([1, 1], [1, 2], 'softplus' as never)], xs), 'f[0].activation');
    await bad(linearMappingNumber(ok, [[0, 1]]), 'samples');
    await bad(linearMappingNumber(ok, [[0, NaN], [1, 0]]), 'samples[0]');
    await bad(linearMappingNumber([layer([1, Infinity], [1, 2])], xs), 'f[0].weight');
    await bad(linearMappingNumber(ok, xs, { points: 2 }), 'options.points');
    await bad(linearMappingNumber(ok, [[0, 1, 2], [1, 0, 2]]), 'samples');
    await bad(linearMappingNumber(ok, xs, { fromLayer: 1 }), 'options.fromLayer');
    await bad(linearMappingNumber(() => new Float64Array(3), xs), 'f');
    await bad(linearMappingNumber(() => [NaN, NaN], xs), 'f');
    expect(() => lmnFromConnectivity(new Float64Array(5))).toThrow(OckhamError);
    expect(() => lmnFromConnectivity(new Float64Array(4))).toThrow(/matrix/);
  });
});
