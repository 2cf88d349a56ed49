/**
 * Spectral bench: singular values of random matrices, ockham vs ml-matrix (and numpy/LAPACK when
 * python3 + numpy are available), measured in the same run.
 *
 * Run alone: `npx tsx bench/spectral.ts` (or via `npm run bench`).
 */
import { spawnSync } from 'node:child_process';
import { Matrix, SVD } from 'ml-matrix';
import { singularValues, spectralEntropy } from '../src/spectral/index.js';
import { entropyOfValues } from '../src/spectral/entropy.js';
import { setWasmGemmEnabled } from '../src/spectral/wasm-gemm.js';
import { printTable, type Cell } from './util.js';

function randomMatrix(m: number, n: number, seed: number): Float64Array {
  // mulberry32 + Box–Muller: deterministic inputs.
  let s = seed >>> 0;
  const r = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const a = new Float64Array(m * n);
  for (let i = 0; i < a.length; i++) a[i] = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return a;
}

/**
 * Median wall time and median CPU time (user + system of this process) in ms of `reps` runs,
 * after three warm-up runs when reps > 1 (the first sizes otherwise time the JIT's tiering-up of
 * the reduction code: steady state is what repeated per-layer calls see). CPU time is reported too because the development machine is
 * shared: wall time then includes waiting for a core, CPU time mostly does not.
 */
function time(fn: () => unknown, reps: number): { wall: number; cpu: number } {
  if (reps > 1) for (let k = 0; k < 3; k++) fn();
  const w: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    w.push(performance.now() - t0);
    const cu = process.cpuUsage(c0);
    c.push((cu.user + cu.system) / 1000);
  }
  w.sort((a, b) => a - b);
  c.sort((a, b) => a - b);
  return { wall: w[w.length >> 1], cpu: c[c.length >> 1] };
}

const NUMPY_SCRIPT = `
import sys, time, numpy as np
m, n, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
a = np.random.default_rng(0).standard_normal((m, n))
np.linalg.svd(a, compute_uv=False)
ts = []
for _ in range(reps):
    t = time.perf_counter(); np.linalg.svd(a, compute_uv=False); ts.append(time.perf_counter() - t)
ts.sort(); print(ts[len(ts) // 2] * 1000)
`;

/** The 1/5/15-minute load averages (Linux /proc/loadavg), or null elsewhere. */
async function loadAverage(): Promise<string | null> {
  try {
    const { readFile } = await import('node:fs/promises');
    return (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
  } catch {
    return null;
  }
}

function numpyMs(m: number, n: number, reps: number): number | null {
  const r = spawnSync('python3', ['-c', NUMPY_SCRIPT, String(m), String(n), String(reps)], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const v = Number.parseFloat(r.stdout.trim());
  return Number.isFinite(v) ? v : null;
}

export async function run(): Promise<void> {
  await runSvd();
  await runGram();
}

async function runSvd(): Promise<void> {
  // [m, n, ockham reps, ml-matrix reps]; ml-matrix takes ~16 s of CPU at 768×3072: one run there.
  const sizes: [number, number, number, number][] = [
    [256, 256, 7, 3],
    [768, 768, 5, 1],
    [768, 3072, 3, 1],
  ];
  const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  const load = await loadAverage();
  const svRows: Record<string, Cell>[] = [];
  for (const [m, n, repsO, repsM] of sizes) {
    const a = randomMatrix(m, n, m + n);
    let s: Float64Array = new Float64Array(0);
    const tO = time(() => (s = singularValues(a, [m, n])), repsO);
    const M = new Matrix(m, n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) M.set(i, j, a[i * n + j]);
    let ref: number[] = [];
    const tM = time(() => {
      ref = new SVD(M, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal;
    }, repsM);
    let err = 0;
    for (let i = 0; i < s.length; i++) err = Math.max(err, Math.abs(s[i] - ref[i]));
    const tN = hasNumpy ? numpyMs(m, n, Math.max(repsO, 3)) : null;
    svRows.push({
      size: `${m}×${n}`,
      'ockham ms': tO.wall,
      'ockham cpu ms': tO.cpu,
      'ml-matrix ms (baseline)': tM.wall,
      'ml-matrix cpu ms': tM.cpu,
      'ml / ockham wall': tM.wall / tO.wall,
      'ml / ockham cpu': tM.cpu / tO.cpu,
      'numpy ms': tN,
      'ockham / numpy wall': tN === null ? null : tO.wall / tN,
      'max|Δσ|/σ₁ vs ml': err / ref[0],
    });
  }
  // The same code with the WebAssembly SIMD kernels switched off (what runs where wasm SIMD is
  // unavailable): plain-JS kernels, same algorithm.
  const fb: string[] = [];
  setWasmGemmEnabled(false);
  try {
    for (const [m, n, repsO] of sizes) {
      const a = randomMatrix(m, n, m + n);
      const t = time(() => singularValues(a, [m, n]), Math.min(repsO, 3));
      fb.push(`${m}×${n} ${t.wall.toFixed(0)} (${t.cpu.toFixed(0)}) ms`);
    }
  } finally {
    setWasmGemmEnabled(true);
  }
  printTable(`spectral — singular values only (Float64), median times${load ? ` (load average ${load})` : ''}`, svRows, [
    `pure-JS fallback (wasm SIMD kernels off), wall (cpu): ${fb.join(', ')}`,
   
    'numpy = numpy.linalg.svd(a, compute_uv=False) (LAPACK gesdd via OpenBLAS, default threads), run in a\n' +
      'python3 child process in this same run. To compare by hand:\n' +
      '  python3 -c "import numpy as np,time;a=np.random.default_rng(0).standard_normal((768,3072));' +
      't=time.perf_counter();np.linalg.svd(a,compute_uv=False);print(time.perf_counter()-t)"\n' +
      'Single-threaded LAPACK: prefix with OPENBLAS_NUM_THREADS=1. ockham is single-threaded; (cpu) = CPU time\n' +
      'of this process (user + system), less sensitive than wall time to other jobs on a shared machine.',
  ]);
}

const NUMPY_GRAM_SCRIPT = `
import sys, time, numpy as np
m, n, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
a = np.frombuffer(sys.stdin.buffer.read(), dtype=np.float32).reshape(m, n)
np.linalg.svd(a[:64, :64], compute_uv=False)
ts = []
cs = []
for _ in range(reps):
    t = time.perf_counter(); c = time.process_time(); s32 = np.linalg.svd(a, compute_uv=False)
    ts.append(time.perf_counter() - t); cs.append(time.process_time() - c)
ts.sort(); cs.sort()
b = a.astype(np.float64)
t = time.perf_counter(); s64 = np.linalg.svd(b, compute_uv=False); t64 = time.perf_counter() - t
def H(s):
    s = s.astype(np.float64); p = s / s.sum(); p = p[p > 0]; return float(-(p * np.log(p)).sum())
print(ts[len(ts) // 2] * 1000, t64 * 1000, repr(H(s64)), repr(H(s32)), cs[len(cs) // 2] * 1000)
`;

/**
 * The Gram route (σᵢ² = eigenvalues of the smaller Gram matrix; the default of spectralEntropy,
 * effectiveRank and spectralMetrics) on float32 matrices of GPT-2-small and Llama-7B MLP shapes,
 * against numpy's single-threaded svd(compute_uv=False) of the same matrix (float32 input, so
 * LAPACK sgesdd; and of its float64 copy, dgesdd, which is also the entropy reference) in a
 * python3 child process with OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1, in this same run.
 */
export async function runGram(): Promise<void> {
  const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  const load = await loadAverage();
  const rows: Record<string, string>[] = [];
  for (const [m, n, reps] of [
    [768, 3072, 5],
    [4096, 11008, 1],
  ] as const) {
    const a = Float32Array.from(randomMatrix(m, n, m + 7 * n));
    const t = time(() => singularValues(a, [m, n], { method: 'gram' }), reps);
    const sv = singularValues(a, [m, n], { method: 'gram' });
    const h = entropyOfValues(sv);
    // spectralEntropy's default is this route (checked on the small size: the large one costs a run).
    const hCheck = m * n < 1e7 ? spectralEntropy(a, [m, n]) : h;
    let np: { f32: number; f64: number; h64: number; h32: number; f32cpu: number } | null = null;
    if (hasNumpy) {
      const r = spawnSync('python3', ['-c', NUMPY_GRAM_SCRIPT, String(m), String(n), String(Math.max(reps, 1))], {
        input: Buffer.from(a.buffer),
        encoding: 'utf8',
        env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
        maxBuffer: 1 << 20,
      });
      if (r.status === 0) {
        const [f32, f64, h64, h32, f32cpu] = r.stdout.trim().split(/\s+/).map(Number);
        np = { f32, f64, h64, h32, f32cpu };
      }
    }
    const f = (x: number): string => x.toFixed(0);
    rows.push({
      size: `${m}×${n}`,
      'ockham gram ms (cpu)': `${f(t.wall)} (${f(t.cpu)})`,
      'numpy f32 ms (cpu)': np ? `${f(np.f32)} (${f(np.f32cpu)})` : 'n/a',
      'gram / numpy f32 wall (cpu)': np ? `${(t.wall / np.f32).toFixed(2)}× (${(t.cpu / np.f32cpu).toFixed(2)}×)` : 'n/a',
      'numpy f64 ms': np ? f(np.f64) : 'n/a',
      'gram / numpy f64': np ? `${(t.wall / np.f64).toFixed(2)}×` : 'n/a',
      'H rel. diff vs numpy f64': np ? (Math.abs(h - np.h64) / np.h64).toExponential(1) : 'n/a',
      'numpy f32 H rel. diff': np ? (Math.abs(np.h32 - np.h64) / np.h64).toExponential(1) : 'n/a',
      'spectralEntropy = gram H': m * n >= 1e7 ? 'not rerun' : hCheck === h ? 'yes' : `no (${hCheck})`,
    });
  }
  printTable(`spectral — Gram route σ of float32 matrices vs numpy single-threaded${load ? ` (load average ${load})` : ''}`, rows, [
    'Target: gram ≤ 1.0× numpy f32 (sgesdd, one thread) and spectral entropy within 1e-9 relative of numpy f64 (dgesdd)\n' +
      'on the same float32 values (numpy on float32 input computes in float32: its H differs from its own float64 one).\n' +
      '(cpu) = CPU time of each process (ockham: user + system; numpy: time.process_time): on a shared machine wall time\n' +
      'includes waiting for a core, so the CPU ratio is the fairer one there; on a quiet machine the two agree.',
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
