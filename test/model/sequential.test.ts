import { describe, expect, it, afterEach } from 'vitest';
import { sequentialModel, type SequentialSpec, type Batch } from '../../src/model/index.js';
import { setModelWasmEnabled, modelArena } from '../../src/model/gemm.js';
import { createRng } from '../../src/util/random.js';
import { OckhamError } from '../../src/errors.js';

function featureBatch(n: number, f: number, k: number, seed: number, mse = false): Batch {
  const rng = createRng(seed);
  const inputs = new Float64Array(n * f).map(() => rng.normal());
  const targets = mse ? new Float64Array(n * k).map(() => rng.normal()) : Int32Array.from({ length: n }, () => rng.int(k));
  return { inputs, targets, size: n };
}

/** Max over coordinates of |g − fd| / max(|fd|, 1e-3·max|fd|): central differences in float64. */
function gradError(spec: SequentialSpec, batch: Batch, seed = 1, h = 1e-6): number {
  const model = sequentialModel(spec);
  const w = model.init(seed);
  // move off the init so biases / LN parameters are generic
  const rng = createRng(seed + 7);
  for (let i = 0; i < w.length; i++) w[i] += 0.1 * rng.normal();
  const { grad } = model.lossAndGrad(w, batch);
  const fd = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const wp = w.slice();
    wp[i] += h;
    const wm = w.slice();
    wm[i] -= h;
    fd[i] = (model.loss(wp, batch) - model.loss(wm, batch)) / (2 * h);
  }
  let scale = 0;
  for (const v of fd) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < w.length; i++) err = Math.max(err, Math.abs(grad[i] - fd[i]) / Math.max(Math.abs(fd[i]), 1e-3 * scale));
  return err;
}

afterEach(() => setModelWasmEnabled(true));

describe('model arena products', () => {
  for (const wasm of [true, false]) {
    it(`nt and tnSub match naive products (wasm ${wasm})`, () => {
      setModelWasmEnabled(wasm);
      const ar = modelArena(20000);
      if (wasm) expect(ar.wasm).toBe(true);
      const rng = createRng(3);
      const m = 12, n = 16, k = 24;
      const fill = (x: Float64Array): Float64Array => {
        for (let i = 0; i < x.length; i++) x[i] = rng.normal();
        return x;
      };
      const a = fill(ar.f64(m * k));
      const b = fill(ar.f64(n * k));
      const c = ar.f64(m * n);
      c.fill(1);
      ar.nt(a, b, c, m, n, k);
      for (let p = 0; p < m; p++) for (let j = 0; j < n; j++) {
        let s = 1;
        for (let i = 0; i < k; i++) s += a[p * k + i] * b[j * k + i];
        expect(c[p * n + j]).toBeCloseTo(s, 12);
      }
      // C[m×n] −= Xᵀ Y with X [k×m], Y [k×n]
      const x = fill(ar.f64(k * m));
      const y = fill(ar.f64(k * n));
      const d = ar.f64(m * n);
      ar.tnSub(x, y, d, k, m, n);
      for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) {
        let s = 0;
        for (let p = 0; p < k; p++) s -= x[p * m + j] * y[p * n + i];
        expect(d[j * n + i]).toBeCloseTo(s, 12);
      }
    });
  }
});

describe('sequentialModel gradients = central finite differences (1e-6 relative)', () => {
  const tol = 1e-6;
  it('dense + bias + relu + cross-entropy (odd sizes, padding exercised)', () => {
    const spec: SequentialSpec = { input: { features: 5 }, layers: [{ type: 'dense', units: 7 }, { type: 'relu' }, { type: 'dense', units: 3 }], loss: 'crossEntropy' };
    expect(gradError(spec, featureBatch(9, 5, 3, 1))).toBeLessThan(tol);
  });
  it('tanh + MSE', () => {
    const spec: SequentialSpec = { input: { features: 3 }, layers: [{ type: 'dense', units: 6 }, { type: 'tanh' }, { type: 'dense', units: 2 }], loss: 'mse' };
    expect(gradError(spec, featureBatch(6, 3, 2, 2, true))).toBeLessThan(tol);
  });
  it('gelu (exact erf form)', () => {
    const spec: SequentialSpec = { input: { features: 4 }, layers: [{ type: 'dense', units: 9 }, { type: 'gelu' }, { type: 'dense', units: 4 }], loss: 'crossEntropy' };
    expect(gradError(spec, featureBatch(5, 4, 4, 3))).toBeLessThan(tol);
  });
  it('layer norm', () => {
    const spec: SequentialSpec = {
      input: { features: 6 },
      layers: [{ type: 'dense', units: 10 }, { type: 'layerNorm' }, { type: 'relu' }, { type: 'dense', units: 3 }],
      loss: 'crossEntropy',
    };
    expect(gradError(spec, featureBatch(7, 6, 3, 4))).toBeLessThan(tol);
  });
  it('embedding (two tokens, concatenated) + bias-free dense, the grokking model shape', () => {
    const spec: SequentialSpec = {
      input: { tokens: 2 },
      layers: [
        { type: 'embedding', vocab: 7, dim: 3, name: 'embed' },
        { type: 'dense', units: 10, bias: false, name: 'hidden' },
        { type: 'relu' },
        { type: 'dense', units: 7, bias: false, name: 'output' },
      ],
      loss: 'crossEntropy',
    };
    const rng = createRng(5);
    const n = 11;
    const inputs = Int32Array.from({ length: 2 * n }, () => rng.int(7));
    const targets = Int32Array.from({ length: n }, (_, i) => (inputs[2 * i] + inputs[2 * i + 1]) % 7);
    expect(gradError(spec, { inputs, targets, size: n })).toBeLessThan(tol);
    const m = sequentialModel(spec);
    expect(m.params.map((p) => `${p.name}:${p.shape.join('x')}`)).toEqual(['embed:7x3', 'hidden:6x10', 'output:10x7']);
  });
  it('more than one chunk (600 rows) gives the same loss and gradient as two halves averaged', () => {
    const spec: SequentialSpec = { input: { features: 3 }, layers: [{ type: 'dense', units: 5 }, { type: 'tanh' }, { type: 'dense', units: 2 }], loss: 'crossEntropy' };
    const model = sequentialModel(spec);
    const b = featureBatch(600, 3, 2, 9);
    const w = model.init(0);
    const all = model.lossAndGrad(w, b);
    const half = (lo: number, hi: number): Batch => ({ inputs: (b.inputs as Float64Array).slice(lo * 3, hi * 3), targets: (b.targets as Int32Array).slice(lo, hi), size: hi - lo });
    const g1 = model.lossAndGrad(w, half(0, 300));
    const g2 = model.lossAndGrad(w, half(300, 600));
    expect(all.loss).toBeCloseTo((g1.loss + g2.loss) / 2, 12);
    for (let i = 0; i < w.length; i++) expect(all.grad[i]).toBeCloseTo((g1.grad[i] + g2.grad[i]) / 2, 12);
  });
});

describe('sequentialModel behaviour', () => {
  const spec: SequentialSpec = { input: { features: 4 }, layers: [{ type: 'dense', units: 8 }, { type: 'relu' }, { type: 'dense', units: 3 }], loss: 'crossEntropy' };
  it('wasm and JS paths agree; init is seeded; logits/evaluate consistent', () => {
    const b = featureBatch(20, 4, 3, 11);
    const model = sequentialModel(spec);
    const w = model.init(42);
    expect(model.init(42)).toEqual(w);
    expect(model.init(43)).not.toEqual(w);
    const a = model.lossAndGrad(w, b);
    setModelWasmEnabled(false);
    const model2 = sequentialModel(spec);
    const c = model2.lossAndGrad(w, b);
    expect(c.loss).toBeCloseTo(a.loss, 12);
    for (let i = 0; i < w.length; i++) expect(c.grad[i]).toBeCloseTo(a.grad[i], 12);
    setModelWasmEnabled(true);
    const z = model.logits(w, b);
    let loss = 0;
    let correct = 0;
    for (let r = 0; r < 20; r++) {
      const row = Array.from(z.subarray(r * 3, r * 3 + 3));
      const mx = Math.max(...row);
      loss += mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0)) - row[b.targets[r]];
      if (row.indexOf(mx) === b.targets[r]) correct++;
    }
    const ev = model.evaluate(w, b);
    expect(ev.loss).toBeCloseTo(loss / 20, 12);
    expect(ev.accuracy).toBe(correct / 20);
  });
  it('named tensors round-trip; params are never mutated', () => {
    const model = sequentialModel(spec);
    const w = model.init(1);
    const copy = w.slice();
    const t = model.toTensors(w);
    expect(t.map((x) => x.name)).toEqual(['dense0.weight', 'dense0.bias', 'dense2.weight', 'dense2.bias']);
    expect(model.fromTensors(t)).toEqual(w);
    model.lossAndGrad(w, featureBatch(3, 4, 3, 1));
    expect(w).toEqual(copy);
    expect(() => model.fromTensors(t.slice(1))).toThrow(/missing parameter 'dense0.weight'/);
  });
  it('rejects bad specs, params and batches with OckhamError naming the argument', () => {
    expect(() => sequentialModel({ input: { features: 2 }, layers: [], loss: 'mse' })).toThrow(OckhamError);
    expect(() => sequentialModel({ input: { features: 2 }, layers: [{ type: 'conv9' } as never], loss: 'mse' })).toThrow(/spec.layers\[0\].type/);
    expect(() => sequentialModel({ input: { tokens: 2 }, layers: [{ type: 'dense', units: 2 }], loss: 'mse' })).toThrow(/embedding/);
    const model = sequentialModel(spec);
    const w = model.init(0);
    expect(() => model.loss(w.subarray(1), featureBatch(2, 4, 3, 0))).toThrow(/params/);
    const bad = w.slice();
    bad[3] = NaN;
    expect(() => model.loss(bad, featureBatch(2, 4, 3, 0))).toThrow(/NaN/);
    expect(() => model.loss(w, { inputs: new Float64Array(7), targets: new Int32Array(2), size: 2 })).toThrow(/batch.inputs/);
    expect(() => model.loss(w, { inputs: new Float64Array(8), targets: new Int32Array([0, 3]), size: 2 })).toThrow(/batch.targets/);
  });
});

describe('conv2d', () => {
  it('gradients = central finite differences (padding 1, two channels, conv → relu → conv → dense)', () => {
    const spec: SequentialSpec = {
      input: { image: [2, 5, 4] },
      layers: [
        { type: 'conv2d', filters: 3, kernel: 3, padding: 1 },
        { type: 'relu' },
        { type: 'conv2d', filters: 2, kernel: [2, 3] },
        { type: 'tanh' },
        { type: 'dense', units: 3 },
      ],
      loss: 'crossEntropy',
    };
    expect(gradError(spec, featureBatch(5, 40, 3, 21))).toBeLessThan(1e-6);
    setModelWasmEnabled(false); // the plain-JS kernels, same check
    expect(gradError(spec, featureBatch(5, 40, 3, 21))).toBeLessThan(1e-6);
  });
  it('matches a direct convolution (PyTorch layout [out, in, kh, kw], cross-correlation)', () => {
    const model = sequentialModel({ input: { image: [2, 4, 4] }, layers: [{ type: 'conv2d', filters: 3, kernel: 3, name: 'c' }], loss: 'mse' });
    const w = model.init(5);
    const b = featureBatch(2, 32, 12, 6, true);
    const z = model.logits(w, b);
    const W = w.subarray(0, 54);
    const B = w.subarray(54);
    for (let r = 0; r < 2; r++) for (let o = 0; o < 3; o++) for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) {
      let s = B[o];
      for (let c = 0; c < 2; c++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += W[((o * 2 + c) * 3 + i) * 3 + j] * b.inputs[r * 32 + c * 16 + (y + i) * 4 + (x + j)];
      expect(z[r * 12 + o * 4 + y * 2 + x]).toBeCloseTo(s, 12);
    }
    expect(model.params.map((p) => p.shape)).toEqual([[3, 2, 3, 3], [3]]);
    expect(() => sequentialModel({ input: { features: 4 }, layers: [{ type: 'conv2d', filters: 1, kernel: 2 }], loss: 'mse' })).toThrow(/image/);
  });
});
