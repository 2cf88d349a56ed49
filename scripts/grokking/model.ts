/**
 * A bias-free MLP with embeddings for (a + b) mod p, full-batch, in plain Float64Array code.
 *
 *   x = [E[a], E[b]]            (N × 2d)     E: p × d   ("embed")
 *   z = x · W1,  h = relu(z)    (N × hidden) W1: 2d × hidden ("hidden")
 *   logits = h · W2             (N × p)      W2: hidden × p ("output")
 *
 * No biases, so every parameter is a 2-D matrix (what QuBD reads). Loss: mean softmax
 * cross-entropy in nats. Optimiser: AdamW with decoupled weight decay (Loshchilov & Hutter
 * 2019), applied as in PyTorch: θ ← θ(1 − lr·wd) then the Adam step.
 */
import type { Rng } from './prng.js';

export interface Params {
  embed: Float64Array; // p × d
  hidden: Float64Array; // 2d × h
  output: Float64Array; // h × p
}

export interface Dims {
  p: number;
  d: number;
  h: number;
}

export function initParams(dims: Dims, rng: Rng, initScale: number): Params {
  const { p, d, h } = dims;
  const embed = new Float64Array(p * d);
  // Embedding ~ N(0, 1) (PyTorch nn.Embedding default); linear layers ~ U(±1/√fan_in)
  // (PyTorch nn.Linear default). `initScale` multiplies all of them (Omnigrok's α).
  for (let i = 0; i < embed.length; i++) embed[i] = initScale * rng.normal();
  const hidden = new Float64Array(2 * d * h);
  const b1 = 1 / Math.sqrt(2 * d);
  for (let i = 0; i < hidden.length; i++) hidden[i] = initScale * b1 * (2 * rng.next() - 1);
  const output = new Float64Array(h * p);
  const b2 = 1 / Math.sqrt(h);
  for (let i = 0; i < output.length; i++) output[i] = initScale * b2 * (2 * rng.next() - 1);
  return { embed, hidden, output };
}

/** Workspace for one batch size, allocated once. */
export interface Workspace {
  n: number;
  z: Float64Array; // n × h
  act: Float64Array; // n × h
  logits: Float64Array; // n × p
  dAct: Float64Array; // n × h
  projA: Float64Array; // p × h: embed · hidden[0:d]
  projB: Float64Array; // p × h: embed · hidden[d:2d]
  gA: Float64Array; // p × h: ∂loss/∂z summed over rows with first operand a
  gB: Float64Array; // p × h
  gEmbedA: Float64Array; // p × d
}

export function makeWorkspace(dims: Dims, n: number): Workspace {
  const { p, d, h } = dims;
  return {
    n,
    z: new Float64Array(n * h),
    act: new Float64Array(n * h),
    logits: new Float64Array(n * p),
    dAct: new Float64Array(n * h),
    projA: new Float64Array(p * h),
    projB: new Float64Array(p * h),
    gA: new Float64Array(p * h),
    gB: new Float64Array(p * h),
    gEmbedA: new Float64Array(p * d),
  };
}

/** C (m×n) = A (m×k) · B (k×n). */
function matmul(a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number): void {
  c.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    const ai = i * k;
    for (let kk = 0; kk < k; kk++) {
      const av = a[ai + kk];
      if (av === 0) continue;
      const bk = kk * n;
      for (let j = 0; j < n; j++) c[ci + j] += av * b[bk + j];
    }
  }
}

/** C (k×n) = Aᵀ · B with A (m×k), B (m×n). */
function matmulTN(a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number): void {
  c.fill(0, 0, k * n);
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    const bi = i * n;
    for (let kk = 0; kk < k; kk++) {
      const av = a[ai + kk];
      if (av === 0) continue;
      const ck = kk * n;
      for (let j = 0; j < n; j++) c[ck + j] += av * b[bi + j];
    }
  }
}

/** C (m×k) = A · Bᵀ with A (m×n), B (k×n). */
function matmulNT(a: Float64Array, b: Float64Array, c: Float64Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const ai = i * n;
    const ci = i * k;
    for (let kk = 0; kk < k; kk++) {
      const bk = kk * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += a[ai + j] * b[bk + j];
      c[ci + kk] = s;
    }
  }
}

export interface EvalResult {
  loss: number; // mean cross-entropy, nats
  accuracy: number; // fraction in [0, 1]
}

/**
 * Forward pass on pairs (as[i], bs[i]) with labels; fills ws and, when `dLogits` is true,
 * overwrites ws.logits with ∂loss/∂logits (softmax − onehot)/n.
 */
export function forward(
  params: Params,
  dims: Dims,
  ws: Workspace,
  as: Int32Array,
  bs: Int32Array,
  labels: Int32Array,
  dLogits: boolean,
): EvalResult {
  const { p, d, h } = dims;
  const n = ws.n;
  const { z, act, logits, projA, projB } = ws;
  // [E[a], E[b]] · W1 = E[a]·W1[0:d] + E[b]·W1[d:2d]: project the p tokens once (p·d·h work)
  // instead of every row (n·2d·h); same result up to summation order.
  matmul(params.embed, params.hidden, projA, p, d, h); // rows 0..d-1 of hidden
  matmul(params.embed, params.hidden.subarray(d * h), projB, p, d, h);
  for (let i = 0; i < n; i++) {
    const zi = i * h;
    const pa = as[i] * h;
    const pb = bs[i] * h;
    for (let j = 0; j < h; j++) z[zi + j] = projA[pa + j] + projB[pb + j];
  }
  for (let i = 0; i < n * h; i++) act[i] = z[i] > 0 ? z[i] : 0;
  matmul(act, params.output, logits, n, h, p);
  let loss = 0;
  let correct = 0;
  const invN = 1 / n;
  for (let i = 0; i < n; i++) {
    const li = i * p;
    let mx = -Infinity;
    let arg = 0;
    for (let j = 0; j < p; j++) {
      if (logits[li + j] > mx) {
        mx = logits[li + j];
        arg = j;
      }
    }
    if (arg === labels[i]) correct++;
    let sum = 0;
    for (let j = 0; j < p; j++) sum += Math.exp(logits[li + j] - mx);
    const lse = mx + Math.log(sum);
    loss += lse - logits[li + labels[i]];
    if (dLogits) {
      for (let j = 0; j < p; j++) logits[li + j] = Math.exp(logits[li + j] - lse) * invN;
      logits[li + labels[i]] -= invN;
    }
  }
  return { loss: loss / n, accuracy: correct / n };
}

/** Backward pass after forward(..., dLogits = true); writes gradients into `grads`. */
export function backward(
  params: Params,
  dims: Dims,
  ws: Workspace,
  as: Int32Array,
  bs: Int32Array,
  grads: Params,
): void {
  const { p, d, h } = dims;
  const n = ws.n;
  const { z, act, logits: dl, dAct, gA, gB, gEmbedA } = ws;
  matmulTN(act, dl, grads.output, n, h, p); // h × p
  matmulNT(dl, params.output, dAct, n, p, h); // n × h
  for (let i = 0; i < n * h; i++) if (z[i] <= 0) dAct[i] = 0;
  // Sum ∂z rows by token, then push through the p × d embedding once.
  gA.fill(0);
  gB.fill(0);
  for (let i = 0; i < n; i++) {
    const di = i * h;
    const pa = as[i] * h;
    const pb = bs[i] * h;
    for (let j = 0; j < h; j++) {
      gA[pa + j] += dAct[di + j];
      gB[pb + j] += dAct[di + j];
    }
  }
  matmulTN(params.embed, gA, grads.hidden, p, d, h); // hidden[0:d] = Eᵀ·gA
  matmulTN(params.embed, gB, grads.hidden.subarray(d * h), p, d, h);
  matmulNT(gA, params.hidden, grads.embed, p, h, d); // E grad = gA·W1[0:d]ᵀ + gB·W1[d:2d]ᵀ
  matmulNT(gB, params.hidden.subarray(d * h), gEmbedA, p, h, d);
  const gE = grads.embed;
  for (let i = 0; i < gE.length; i++) gE[i] += gEmbedA[i];
}

export interface AdamState {
  m: Params;
  v: Params;
  t: number;
}

export function zerosLike(p: Params): Params {
  return {
    embed: new Float64Array(p.embed.length),
    hidden: new Float64Array(p.hidden.length),
    output: new Float64Array(p.output.length),
  };
}

export const PARAM_NAMES = ['embed', 'hidden', 'output'] as const;

export function adamwStep(
  params: Params,
  grads: Params,
  st: AdamState,
  lr: number,
  wd: number,
  beta1: number,
  beta2: number,
  eps: number,
): void {
  st.t++;
  const bc1 = 1 - Math.pow(beta1, st.t);
  const bc2 = 1 - Math.pow(beta2, st.t);
  const decay = 1 - lr * wd;
  for (const key of PARAM_NAMES) {
    const w = params[key];
    const g = grads[key];
    const m = st.m[key];
    const v = st.v[key];
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      w[i] = w[i] * decay - (lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + eps);
    }
  }
}
