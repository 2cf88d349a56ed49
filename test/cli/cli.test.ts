/**
 * End-to-end tests of the `ockham` CLI: spawned with tsx on the committed grokking checkpoints
 * and on hand-made bad files, plus in-process checks of the pieces (argument parsing, layout
 * permutation, coarse-grained codes, SVG ticks).
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { roundToStep } from '../../src/index.js';
import { coarseCodes, toTorchLayout } from '../../src/cli/report.js';
import { parseArgs, run, EXIT } from '../../src/cli/run.js';
import { niceTicks, lineChart, barChart } from '../../src/cli/svg.js';
import type { Report } from '../../src/cli/report.js';
import type { Track } from '../../src/cli/track.js';

const root = resolve(__dirname, '../..');
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
const main = join(root, 'src/cli/main.ts');
const ck = (s: number) => join(root, `examples/grokking/step-${String(s).padStart(6, '0')}.safetensors`);

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [tsx, main, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => res({ code, stdout, stderr }));
  });
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ockham-cli-'));
});
// Leave nothing behind in the system temp folder.
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ockham CLI, spawned', () => {
  it('report --json on a grokking checkpoint: schema, totals consistent with the tensors', async () => {
    const r = await cli(['report', ck(4000), '--json', '--plot', join(tmp, 'planes.svg'), '--progress']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Report;
    expect(j.schema).toBe('ockham.report/1');
    expect(j.format).toBe('safetensors');
    expect(j.metadata.step).toBe('4000');
    expect(j.tensors.map((t) => t.name)).toEqual(['embed', 'hidden', 'output']);
    expect(j.totals.params).toBe(10248);
    expect(j.totals.analysed).toBe(3);
    for (const t of j.tensors) {
      expect(t.qubd!.planes).toHaveLength(8);
      expect(t.qubd!.total).toBeCloseTo(t.qubd!.planes.reduce((a, b) => a + b, 0), 6);
      // Each ratio is the plane's BDM over the shuffled reference.
      t.ratio!.planes.forEach((x, p) => expect(x).toBeCloseTo((100 * t.qubd!.planes[p]) / t.ratio!.reference[p], 9));
      expect(t.spectral!.effectiveRank).toBeGreaterThan(1);
      expect(t.spectral!.effectiveRank).toBeLessThanOrEqual(Math.min(...t.shape));
      // Coarser grids never cost more here, and all beat the raw float32 bytes.
      const c = t.compression!.coarse.map((x) => x.bits);
      expect(c[0]).toBeGreaterThan(c[2]);
      expect(c[0]).toBeLessThan(t.compression!.naiveBits);
    }
    expect(j.totals.qubdBits).toBeCloseTo(j.tensors.reduce((s, t) => s + t.qubd!.total, 0), 6);
    expect(j.totals.naiveBits).toBe(j.tensors.reduce((s, t) => s + t.compression!.naiveBits, 0));
    // --progress forced the bar onto (non-TTY) stderr: lines with a percentage and an ETA.
    expect(r.stderr).toMatch(/100%\s+ETA 0s/);
    const svg = readFileSync(join(tmp, 'planes.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('b7 MSB');
    expect((svg.match(/<path /g) ?? []).length).toBe(4); // 3 tensors + the model line
  });

  it('track over three checkpoints: steps from metadata, text table and a line chart', async () => {
    const plot = join(tmp, 'track.svg');
    const [r, t] = await Promise.all([
      cli(['track', ck(0), ck(200), ck(4000), '--json', '--plot', plot, '--no-spectral', '--delta', '0.05']),
      cli(['compare', ck(200), ck(4000), '--no-spectral', '--no-compress', '--shuffles', '1']),
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Track;
    expect(j.schema).toBe('ockham.track/1');
    expect(j.xKey).toBe('step');
    expect(j.checkpoints.map((c) => c.x)).toEqual([0, 200, 4000]);
    expect(j.checkpoints.every((c) => c.coarse!.length === 1 && c.coarse![0].delta === 0.05)).toBe(true);
    expect(existsSync(plot)).toBe(true);
    expect(readFileSync(plot, 'utf8')).toContain('Complexity across checkpoints');
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^\s*change\s+b vs a/m);
    expect(t.stderr).toBe(''); // no progress bar when stderr is not a terminal
  });

  it('unreadable and invalid inputs exit 2 with the path and the error code', async () => {
    const bad = join(tmp, 'bad.safetensors');
    // Header claims 1000 bytes of JSON in a 20-byte file.
    const b = new Uint8Array(20);
    new DataView(b.buffer).setBigUint64(0, 1000n, true);
    writeFileSync(bad, b);
    const [r1, r2] = await Promise.all([cli(['report', bad]), cli(['report', join(tmp, 'missing.npy')])]);
    expect(r1.code).toBe(EXIT.INPUT);
    expect(r1.stderr).toContain(bad);
    expect(r1.stderr).toMatch(/PARSE_ERROR|INVALID_ARGUMENT/);
    expect(r1.stdout).toBe('');
    expect(r2.code).toBe(EXIT.INPUT);
    expect(r2.stderr).toContain('missing.npy');
  });
});

describe('ockham CLI, in process', () => {
  const sink = () => {
    const o = { out: '', err: '' };
    return { o, io: { stdout: (s: string) => (o.out += s), stderr: (s: string) => (o.err += s), stderrStream: { isTTY: false } as NodeJS.WriteStream } };
  };

  it('usage errors exit 1 and name the option', async () => {
    for (const [args, msg] of [
      [['report'], 'expected exactly one file'],
      [['compare', 'a'], 'expected exactly two files'],
      [['report', 'x', '--bits', '17'], '--bits'],
      [['report', 'x', '--range', 'iqr'], '--range'],
      [['report', 'x', '--delta', '0.1,-1'], '--delta'],
      [['report', 'x', '--codec', 'zstd'], '--codec'],
      [['report', 'x', '--frobnicate'], "unknown option '--frobnicate'"],
      [['frobnicate'], "unknown command 'frobnicate'"],
      [['report', 'x', '--x', 'step'], '--x applies to compare and track only'],
    ] as const) {
      const { o, io } = sink();
      expect(await run(args, io)).toBe(EXIT.USAGE);
      expect(o.err).toContain(msg);
    }
  });

  it('--help for every command, --version, and a bad --table', async () => {
    for (const c of ['report', 'compare', 'track']) {
      const { o, io } = sink();
      expect(await run([c, '--help'], io)).toBe(EXIT.OK);
      expect(o.out).toContain(`Usage: ockham ${c}`);
      expect(o.out).toContain('--json');
    }
    const { o, io } = sink();
    expect(await run([], io)).toBe(EXIT.OK);
    expect(o.out).toContain('Exit codes: 0 ok, 1 usage error, 2 unreadable or invalid input, 3 internal error');
    const bt = join(tmp, 'bad.tsv');
    writeFileSync(bt, '4x4\tnot-a-key\t1\n');
    const s2 = sink();
    expect(await run(['report', ck(0), '--table', bt], s2.io)).toBe(EXIT.INPUT);
    expect(s2.o.err).toMatch(/PARSE_ERROR|UNSUPPORTED/);
  });

  it('parses values, = syntax and implied --range percentile', () => {
    const p = parseArgs(['report', 'f', '--bits=4', '--percentile', '99', '--delta', '1e-2, 0.5', '--no-spectral', '--layout', 'keep']);
    expect(p.o.bits).toBe(4);
    expect(p.o.range).toBe('percentile');
    expect(p.o.percentile).toBe(99);
    expect(p.o.deltas).toEqual([0.01, 0.5]);
    expect(p.o.spectral).toBe(false);
    expect(p.o.layout).toBe('keep');
  });

  it('toTorchLayout permutes Conv [kh,kw,in,out] to [out,in,kh,kw] and Dense [in,out] to [out,in]', () => {
    const [kh, kw, ci, co] = [2, 3, 4, 5];
    const x = Float32Array.from({ length: kh * kw * ci * co }, (_, i) => i);
    const r = toTorchLayout([kh, kw, ci, co], x)!;
    expect(r.shape).toEqual([co, ci, kh, kw]);
    for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) {
      expect(r.data[((o * ci + c) * kh + a) * kw + b]).toBe(x[((a * kw + b) * ci + c) * co + o]);
    }
    const d = toTorchLayout([2, 3], Float32Array.from([1, 2, 3, 4, 5, 6]))!;
    expect(d.shape).toEqual([3, 2]);
    expect(Array.from(d.data)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(toTorchLayout([7], new Float32Array(7))).toBeNull();
  });

  it('coarse-grained codes times Δ equal roundToStep (float32, ties to even)', () => {
    const x = Float32Array.from({ length: 2000 }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 7)) + (i % 5 === 0 ? 0.25 : 0));
    for (const delta of [1e-3, 0.01, 0.1, 0.5]) {
      const codes = coarseCodes(x, delta, 'x');
      const y = roundToStep(x, delta);
      const d32 = Math.fround(delta);
      for (let i = 0; i < x.length; i++) expect(Math.fround(codes[i] * d32)).toBe(y[i] === 0 ? 0 : y[i]);
    }
  });

  it('SVG helpers: nice ticks cover the range; charts are well-formed and escape text', () => {
    expect(niceTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    const t = niceTicks(96.3, 101.7);
    expect(t[0]).toBeLessThanOrEqual(96.3);
    expect(t[t.length - 1]).toBeGreaterThanOrEqual(101.7);
    const svg = lineChart({ title: 'a < b & c', xLabel: 'x', yLabel: 'y', x: [0, 1, 2], series: [{ name: 's', values: [1, null, 3] }] });
    expect(svg).toContain('a &lt; b &amp; c');
    expect((svg.match(/M/g) ?? []).length).toBeGreaterThanOrEqual(2); // the null breaks the line
    const bars = barChart({ title: 't', xLabel: 'plane', yLabel: '%', categories: ['b1', 'b0'], series: [{ name: 'w', values: [80, 100] }] });
    expect((bars.match(/<rect /g) ?? []).length).toBe(1 + 2 + 1); // background, 2 bars, legend swatch
  });
});
