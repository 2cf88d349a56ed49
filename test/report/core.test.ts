/**
 * The browser-safe report core: buildReport equals `reportFile` (what `ockham report --json`
 * prints), stages put back in order whatever pool runs them, the lean compression stages equal
 * the library's serialisers byte for byte, cancellation and progress.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import {
  buildReport, buildReportFromSource, createMessagePool, createWebWorkerPool, inlinePool, serveReportStages, largestFirst, parseSafetensors, serializeSafetensors,
  serializeCoarseGrained, naiveCompressedBits, compressedBits, createRng, OckhamError, DEFAULT_REPORT_OPTIONS,
} from '../../src/index.js';
import type { ReportPool, StageTask, WeightsFile, PoolWorker } from '../../src/index.js';
import { coarseCodes, coarseStream, naiveBits, runStage } from '../../src/report/tensor.js';
import { roundHalfEven } from '../../src/quantize/index.js';
import { reportFile } from '../../src/cli/report.js';
import { syntheticFile } from './helpers.js';

const root = resolve(__dirname, '../..');
const ck = (s: number) => join(root, `examples/grokking/step-${String(s).padStart(6, '0')}.safetensors`);

/** An in-process "worker" pool over MessageChannels: exercises the message protocol without threads. */
function channelPool(size: number): ReportPool {
  return createMessagePool((): PoolWorker => {
    const { port1, port2 } = new MessageChannel();
    serveReportStages({ postMessage: (m) => port2.postMessage(m), onMessage: (h) => port2.on('message', h) });
    return {
      postMessage: (m) => port1.postMessage(m),
      onMessage: (h) => port1.on('message', h),
      onError: () => {},
      terminate: () => {
        port1.close();
        port2.close();
      },
    };
  }, size);
}

const strip = (r: { seconds: number; file: string }) => JSON.stringify({ ...r, seconds: 0, file: '' }, null, 2);

describe('buildReport', () => {
  it('equals reportFile (the CLI --json) on a grokking checkpoint, but for file and seconds', async () => {
    const f = ck(4000);
    const [a, b] = await Promise.all([buildReport(parseSafetensors(new Uint8Array(readFileSync(f)))), reportFile(f, {}, { jobs: 1 })]);
    expect(a.file).toBe('');
    expect(strip(a)).toBe(strip(b));
    const c = await buildReport(parseSafetensors(new Uint8Array(readFileSync(f))), {}, { file: f });
    expect(c.file).toBe(f);
  });

  it('gives byte-identical JSON in any pool (inline, 1..3 message workers) and with a tiny memory budget', async () => {
    const file = syntheticFile();
    const o = { shuffles: 2, deltas: [1e-3, 3e-2] };
    const serial = strip(await buildReport(file, o));
    for (const size of [1, 2, 3]) {
      const pool = channelPool(size);
      try {
        expect(strip(await buildReport(file, o, { pool }))).toBe(serial);
        expect(strip(await buildReport(file, o, { pool, memoryBudget: 1 }))).toBe(serial);
      } finally {
        await pool.close();
      }
    }
    expect(strip(await buildReport(file, o, { pool: inlinePool(), memoryBudget: 1 }))).toBe(serial);
  });

  it('skips what the CLI skips and totals only analysed tensors', async () => {
    const r = await buildReport(syntheticFile(), { spectral: false });
    const by = Object.fromEntries(r.tensors.map((t) => [t.name, t]));
    expect(by['a.bias'].skipped).toMatch(/1-D/);
    expect(by['scale'].skipped).toMatch(/0-D/);
    expect(by['tiny'].skipped).toMatch(/side < 4/);
    expect(by['conv'].view).toEqual([8, 27]);
    expect(by['a.weight'].spectral).toBeNull();
    expect(by['scale'].compression!.naiveBits).toBeGreaterThan(0);
    expect(r.totals.analysed).toBe(4);
    expect(r.totals.params).toBe(48 * 40 + 48 + 32 * 96 + 1 + 216 + 24 + 4096);
  });

  it('reports progress from 0 to the total, monotonically, and ends on "done"', async () => {
    const seen: [number, number, string][] = [];
    await buildReport(syntheticFile(), {}, { onProgress: (d, t, l) => seen.push([d, t, l]) });
    const total = seen[0][1];
    expect(seen[0][0]).toBe(0);
    expect(seen.at(-1)).toEqual([total, total, 'done']);
    for (let i = 1; i < seen.length; i++) expect(seen[i][0]).toBeGreaterThanOrEqual(seen[i - 1][0]);
    expect(seen.some(([, , l]) => l === 'c.weight · spectral')).toBe(true);
  });

  it('rejects with an AbortError when aborted before or during the run (and with a given reason)', async () => {
    const file = syntheticFile();
    await expect(buildReport(file, {}, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    const ac = new AbortController();
    let stages = 0;
    const p = buildReport(file, {}, {
      signal: ac.signal,
      onProgress: () => {
        if (++stages === 3) ac.abort();
      },
    });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    const ac2 = new AbortController();
    const pool = channelPool(2);
    try {
      const q = buildReport(file, {}, { signal: ac2.signal, pool });
      ac2.abort(new Error('stop'));
      await expect(q).rejects.toThrow('stop');
    } finally {
      await pool.close();
    }
  });

  it('passes stage errors through the workers as OckhamErrors (code and argument kept)', async () => {
    const file: WeightsFile = { format: 'npy', metadata: {}, tensors: [{ name: 'w', dtype: 'F32', shape: [8, 8], data: new Float32Array(64).fill(3e9) }] };
    const pool = channelPool(2);
    try {
      const err = await buildReport(file, { deltas: [1e-3] }, { pool }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OckhamError);
      expect((err as OckhamError).code).toBe('OUT_OF_RANGE');
      expect((err as OckhamError).argument).toBe('--delta');
      // A stage error does not break the pool; closing it does.
      const ok = await pool.run({ stage: 'naive', name: 'x', shape: [1], data: new Float32Array(1), options: { codec: 'gzip' } as StageTask['options'] });
      expect(ok).toMatchObject({ stage: 'naive' });
    } finally {
      await pool.close();
    }
    await expect(pool.run({ stage: 'naive', name: 'x', shape: [1], data: new Float32Array(1), options: { codec: 'gzip' } as StageTask['options'] })).rejects.toThrow('closed');
  });

  it('fails as the serial run fails: the earliest failing stage in reading order, whatever finishes first', async () => {
    const big = new Float32Array(64 * 64).fill(1);
    big[4000] = 3e8; // fits a code at Δ = 0.1 only
    const file: WeightsFile = {
      format: 'npy',
      metadata: {},
      tensors: [
        { name: 'first', dtype: 'F32', shape: [64, 64], data: big },
        { name: 'second', dtype: 'F32', shape: [8, 8], data: new Float32Array(64).fill(3e7) },
      ],
    };
    const o = { deltas: [1e-3, 1e-2, 0.1], shuffles: 1 };
    const serial = await buildReport(file, o).catch((e: Error) => e.message);
    expect(serial).toMatch(/tensor 'first' element 4000 .* Δ \(0\.001\)/);
    for (const size of [2, 3]) {
      const pool = channelPool(size);
      try {
        for (let k = 0; k < 3; k++) expect(await buildReport(file, o, { pool }).catch((e: Error) => e.message)).toBe(serial);
      } finally {
        await pool.close();
      }
    }
  });

  it('checks that a source yields the shapes it announced', async () => {
    const w = { name: 'w', dtype: 'F32', shape: [4, 4], data: new Float32Array(16) };
    await expect(buildReportFromSource({ format: 'npy', metadata: {}, shapes: [[4, 5]], tensors: [w] })).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
    await expect(buildReportFromSource({ format: 'npy', metadata: {}, shapes: [[4, 4], [2]], tensors: [w] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const empty = await buildReportFromSource({ format: 'npz', metadata: {}, shapes: [], tensors: [] });
    expect(empty.totals.tensors).toBe(0);
  });
});

describe('lean compression stages', () => {
  it('coarseStream equals serializeCoarseGrained of the Int32 codes, byte for byte', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(1e-3, 1e-2, 0.1, 0.37, 4),
        fc.string({ maxLength: 12 }),
        (xs, delta, name) => {
          const data = Float32Array.from(xs);
          const shape = xs.length % 2 === 0 ? [2, xs.length / 2] : [xs.length];
          const want = serializeCoarseGrained({ tensors: [{ kind: 'dense', name, shape, step: Math.fround(delta), codes: coarseCodes(data, delta, name) }] });
          expect(coarseStream(name, shape, data, delta)).toEqual(want);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
    // A scalar is stored with shape [1], as the CLI always did.
    const s = coarseStream('s', [], new Float32Array([0.25]), 0.1);
    expect(s).toEqual(serializeCoarseGrained({ tensors: [{ kind: 'dense', name: 's', shape: [1], step: Math.fround(0.1), codes: new Int32Array([2]) }] }));
  });

  it('coarseCodes round x/Δ (float32) half to even, exactly as roundHalfEven does (ties included)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.float({ min: -1e3, max: 1e3, noNaN: true }), fc.integer({ min: -4000, max: 4000 }).map((k) => k / 4)), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(1e-3, 1e-2, 0.1, 0.25, 0.5, 1, 4),
        (xs, delta) => {
          const data = Float32Array.from(xs);
          const d = Math.fround(delta);
          const want = Int32Array.from(data, (x) => roundHalfEven(Math.fround(x / d)));
          expect(Array.from(coarseCodes(data, delta, 'w'))).toEqual(Array.from(want));
        },
      ),
      { seed: 43, numRuns: 200 },
    );
    expect(Array.from(coarseCodes(new Float32Array([0.25, 0.75, -0.25, -0.75, 1.25]), 0.5, 'w'))).toEqual([0, 2, 0, -2, 2]);
    expect(() => coarseCodes(new Float32Array([1, 3e9]), 1, 'w')).toThrow(/element 1/);
  });

  it('naiveBits equals naiveCompressedBits for every codec, also on a SharedArrayBuffer', () => {
    const data = new Float32Array(new SharedArrayBuffer(4 * 5000));
    const rng = createRng(3);
    for (let i = 0; i < data.length; i++) data[i] = (rng.next() - 0.5) * 0.1;
    for (const codec of ['bzip2', 'gzip', 'deflate', 'arith'] as const) {
      expect(naiveBits(data, codec)).toBe(naiveCompressedBits([{ name: 'w', data: new Float32Array(data) }], codec));
    }
    const r = runStage({ stage: 'coarse', name: 'w', shape: [5000], data, delta: 0.01, index: 0, options: { codec: 'gzip' } as StageTask['options'] });
    expect(r).toEqual({ stage: 'coarse', index: 0, bits: compressedBits(serializeCoarseGrained({ tensors: [{ kind: 'dense', name: 'w', shape: [5000], step: Math.fround(0.01), codes: coarseCodes(data, 0.01, 'w') }] }), { codec: 'gzip' }) });
  });

  it('buildReport of a round-tripped file equals the original', async () => {
    const f = syntheticFile(11);
    const bytes = serializeSafetensors(f.tensors.map((t) => ({ name: t.name, dtype: 'F32' as const, shape: t.shape, data: t.data })), f.metadata);
    const back = parseSafetensors(bytes);
    // The file stores tensors in its own order; compare with the original in that order.
    f.tensors = back.tensors.map((b) => f.tensors.find((t) => t.name === b.name)!);
    expect(strip(await buildReport(back, { shuffles: 1 }))).toBe(strip(await buildReport(f, { shuffles: 1 })));
  });
});

describe('report options and reading order', () => {
  it('rejects bad options with an OckhamError naming the option', async () => {
    const f = syntheticFile();
    const cases: [Record<string, unknown>, string][] = [
      [{ bits: 0 }, 'options.bits'],
      [{ shuffles: 65 }, 'options.shuffles'],
      [{ deltas: [] }, 'options.deltas'],
      [{ deltas: [0.1, -1] }, 'options.deltas[1]'],
      [{ deltas: [1e-50] }, 'options.deltas[0]'],
      [{ codec: 'zip' }, 'options.codec'],
      [{ range: 'max' }, 'options.range'],
      [{ threshold: 0 }, 'options.threshold'],
      [{ layout: 'torch' }, 'options.layout'],
      [{ bitz: 8 }, 'options.bitz'],
    ];
    for (const [o, arg] of cases) {
      await expect(buildReport(f, o as never)).rejects.toMatchObject({ name: 'OckhamError', argument: arg });
    }
    const bad: WeightsFile = { format: 'npy', metadata: {}, tensors: [{ name: 'w', dtype: 'F32', shape: [4, 4], data: new Float32Array(15) }] };
    await expect(buildReport(bad)).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
  });

  it('largestFirst orders by size, ties in file order; any reading order gives the same report', async () => {
    expect(largestFirst([[4], [8, 8], [2, 2], [64], []])).toEqual([1, 3, 0, 2, 4]);
    const f = syntheticFile(3);
    const shapes = f.tensors.map((t) => t.shape);
    const want = strip(await buildReportFromSource({ format: f.format, metadata: f.metadata, shapes, tensors: f.tensors }, { shuffles: 1 }));
    const rev = shapes.map((_, i) => shapes.length - 1 - i);
    const got = await buildReportFromSource({ format: f.format, metadata: f.metadata, shapes, order: rev, tensors: rev.map((i) => f.tensors[i]) }, { shuffles: 1 });
    expect(strip(got)).toBe(want);
    await expect(buildReportFromSource({ format: f.format, metadata: {}, shapes, order: [0, 0, 1, 2, 3, 4, 5], tensors: f.tensors })).rejects.toMatchObject({ argument: 'source.order' });
  });
});

describe('createWebWorkerPool', () => {
  it('drives DOM-style workers (addEventListener / postMessage / terminate) to the serial result', async () => {
    const file = syntheticFile(9);
    const serial = strip(await buildReport(file, { shuffles: 1 }));
    let spawned = 0;
    const pool = createWebWorkerPool(() => {
      spawned++;
      const { port1, port2 } = new MessageChannel();
      // The worker side, as src/report/web-worker.ts wires `self`.
      serveReportStages({ postMessage: (m) => port2.postMessage(m), onMessage: (h) => port2.addEventListener('message', (e) => h((e as MessageEvent).data)) });
      port2.start();
      port1.start();
      return {
        postMessage: (m: unknown) => port1.postMessage(m),
        addEventListener: (t: string, h: (e: never) => void) => port1.addEventListener(t, h as never),
        terminate: () => {
          port1.close();
          port2.close();
        },
      } as never;
    }, 3);
    try {
      expect(pool.size).toBe(3);
      expect(pool.shared).toBe(false); // not cross-origin isolated
      expect(strip(await buildReport(file, { shuffles: 1 }, { pool }))).toBe(serial);
      expect(spawned).toBe(3);
    } finally {
      await pool.close();
    }
  });

  it('says so when there are no Web Workers', () => {
    expect(() => createWebWorkerPool('worker.js')).toThrow(/Web Workers are not available/);
  });
});

describe('bzip2 sizes block by block', () => {
  it('Σ of separately encoded blocks + header/trailer equals compressedBits, whole or in parts', async () => {
    const { bzip2BlocksBitLength, bzip2StreamBits, codecBits, splitNaive, prepareTensor } = await import('../../src/report/tensor.js');
    const { bzip2BlockEnds } = await import('../../src/compress/bzip2-encode.js');
    expect(codecBits(new Uint8Array(0), 'bzip2')).toBe(compressedBits(new Uint8Array(0), { codec: 'bzip2' }));
    expect(codecBits(new Uint8Array(1000), 'bzip2')).toBe(compressedBits(new Uint8Array(1000), { codec: 'bzip2' }));
    // 2.4 MB of float32 weights with runs: three 900 k blocks.
    const rng = createRng(5);
    const data = new Float32Array(600_000);
    for (let i = 0; i < data.length; i++) data[i] = i % 5000 < 300 ? 0 : (rng.next() - 0.5) * 0.04;
    const bytes = new Uint8Array(data.buffer);
    const want = compressedBits(bytes, { codec: 'bzip2' });
    expect(codecBits(bytes, 'bzip2')).toBe(want);
    const ends = bzip2BlockEnds(bytes, 9);
    expect(ends.length).toBeGreaterThanOrEqual(3);
    expect(bzip2StreamBits(bzip2BlocksBitLength(bytes, ends, 0, 1, 9) + bzip2BlocksBitLength(bytes, ends, 1, ends.length, 9))).toBe(want);
    // Split into parts of whole blocks, run as separate stages, put back together.
    const o = { ...DEFAULT_REPORT_OPTIONS, deltas: [0.1], shuffles: 1 };
    const p = prepareTensor({ name: 'w', dtype: 'F32', shape: [600, 1000], data }, 'npy', o);
    splitNaive(p, o, 1_000_000);
    const parts = p.stages.filter((s) => s.stage === 'naive');
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const { applyStage, stageTask } = await import('../../src/report/tensor.js');
    for (const s of [...p.stages].reverse()) if (s.stage === 'naive' || s.stage === 'coarse') applyStage(p.report, runStage(stageTask(p, s, o)), o, s.parts);
    expect(p.report.compression!.naiveBits).toBe(want);
    expect(p.report.compression!.naiveOf).toBe('float32');
    const serial = await buildReport({ format: 'npy', metadata: {}, tensors: [{ name: 'w', dtype: 'F32', shape: [600, 1000], data }] }, { deltas: [0.1], shuffles: 1 });
    expect(serial.tensors[0].compression!.naiveBits).toBe(want);
  });
});

describe('memory: collections during bzip2 loops and the coarse-grained stream bound', () => {
  it('calls the stage collector every 2 MiB of bzip2 input without changing a size', async () => {
    const { setStageCollector, codecBits, COLLECT_EVERY_BYTES } = await import('../../src/report/tensor.js');
    const rng = createRng(11);
    const data = new Float32Array(700_000); // 2.8 MB: 4 blocks of 900 k (collects after the third)
    for (let i = 0; i < data.length; i++) data[i] = (rng.next() - 0.5) * 0.04;
    const bytes = new Uint8Array(data.buffer);
    const want = compressedBits(bytes, { codec: 'bzip2' });
    let calls = 0;
    setStageCollector(() => calls++);
    try {
      expect(codecBits(bytes, 'bzip2')).toBe(want);
    } finally {
      setStageCollector(null);
    }
    expect(COLLECT_EVERY_BYTES).toBe(2 * 1024 * 1024);
    expect(calls).toBe(1);
  });

  it('tells the host each finished tensor\'s bytes (onTensorDone), in any pool', async () => {
    const file = syntheticFile();
    const want = file.tensors.reduce((s, t) => s + 4 * t.data.length, 0);
    for (const pool of [inlinePool(), channelPool(2)]) {
      const got: number[] = [];
      await buildReport(file, { shuffles: 1, baseline: 'sampled' }, { pool, onTensorDone: (b) => got.push(b) });
      expect(got.length).toBe(file.tensors.length);
      expect(got.reduce((s, b) => s + b, 0)).toBe(want);
      await pool.close();
    }
  });

  it('the budget counts 16 MiB per bzip2 stage: two never run together in a budget of one, other stages still overlap', async () => {
    const { BZIP2_STAGE_BYTES } = await import('../../src/report/core.js');
    const rng = createRng(4);
    const mk = (name: string, shape: number[]) => ({ name, dtype: 'F32', shape, data: new Float32Array(shape.reduce((x, y) => x * y, 1)).map(() => (rng.next() - 0.5) * 0.04) });
    // 1-D tensors start with their naive stage (no QuBD/spectral): it may join a matrix's QuBD, never a bzip2 stage.
    const file: WeightsFile = { format: 'safetensors', metadata: {}, tensors: [mk('a', [256, 256]), mk('v', [40000]), mk('b', [128, 256]), mk('w', [30000])] };
    const o = { shuffles: 1, baseline: 'sampled' as const, deltas: [0.01, 0.1] };
    const serial = await buildReport(file, o);
    let running: string[] = [];
    let maxBzip2 = 0;
    let overlapped = false;
    const inner = inlinePool();
    const pool: ReportPool = {
      size: 2,
      shared: false,
      run: async (task) => {
        running.push(task.stage);
        maxBzip2 = Math.max(maxBzip2, running.filter((s) => s === 'naive' || s === 'coarse').length);
        if (running.length > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, 5));
        try {
          return await inner.run(task);
        } finally {
          running = running.filter((s, i) => i !== running.indexOf(task.stage));
        }
      },
      close: () => Promise.resolve(),
    };
    const budget = 256 * 256 * 4 + 40000 * 4 + BZIP2_STAGE_BYTES + 1024 * 1024;
    const r = await buildReport(file, o, { pool, memoryBudget: budget });
    expect(maxBzip2).toBe(1);
    expect(overlapped).toBe(true);
    expect(JSON.stringify({ ...r, seconds: 0 })).toBe(JSON.stringify({ ...serial, seconds: 0 }));
  });

  it('coarseStreamBound is an upper bound on the coarse-grained stream, tight for 1-byte codes', async () => {
    const { coarseStreamBound } = await import('../../src/report/core.js');
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -50, max: 50, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(1e-3, 1e-2, 0.1, 0.37, 1),
        (xs, delta) => {
          const data = Float32Array.from(xs);
          let maxAbs = 0;
          for (const v of data) maxAbs = Math.max(maxAbs, Math.abs(v));
          const s = coarseStream('layer.weight', [data.length], data, delta);
          expect(s.length).toBeLessThanOrEqual(coarseStreamBound(data.length, maxAbs, delta));
        },
      ),
      { seed: 17, numRuns: 200 },
    );
    // N(0, 0.02)-like weights at Δ = 1e-2: codes within ±63, one byte each.
    const w = new Float32Array(100_000).map((_, i) => 0.05 * Math.sin(i));
    const s = coarseStream('w', [w.length], w, 1e-2);
    expect(coarseStreamBound(w.length, 0.05, 1e-2) - s.length).toBeLessThanOrEqual(1024);
  });

  it('a stream from 1 MiB on lives in page-mapped memory and has the same bytes', async () => {
    const { pageBytes } = await import('../../src/report/tensor.js');
    const big = pageBytes(3 << 20);
    expect(big.length).toBe(3 << 20);
    expect(big.every((b) => b === 0)).toBe(true);
    const small = pageBytes(1000);
    expect(small.buffer.byteLength).toBe(1000);
    const w = new Float32Array(1_200_000).map((_, i) => 0.03 * Math.cos(i / 7));
    const s = coarseStream('big', [1200, 1000], w, 1e-3);
    expect(s.length).toBeGreaterThanOrEqual(1 << 20);
    const model = { tensors: [{ kind: 'dense' as const, name: 'big', shape: [1200, 1000], step: Math.fround(1e-3), codes: coarseCodes(w, 1e-3, 'big') }] };
    expect(Buffer.from(s).equals(Buffer.from(serializeCoarseGrained(model)))).toBe(true);
  });
});
