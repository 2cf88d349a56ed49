/**
 * `ockham experiment <spec.json> [--out <dir>] [--json]`: runs {@link runExperiment} on a JSON
 * description, reading checkpoints from `checkpointsDir` folders (relative to the spec file), and
 * writes result.json, claims.txt and one SVG chart per measure to the output folder.
 */
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve, basename } from 'node:path';
import { OckhamError } from '../errors.js';
import { runExperiment, formatClaims, type ExperimentResult, type ExperimentSpec, type ExperimentRunSpec } from '../experiment/run.js';
import { sequentialModel } from '../model/sequential.js';
import { grokkingMlpSpec, mnistMlpSpec } from '../model/presets.js';
import type { ModelAdapter } from '../model/types.js';
import { readSafetensorsFile } from '../io/node/index.js';
import { checkAbort, type ProgressCallback } from '../util/abort.js';
import { lineChart } from './svg.js';

/** Largest spec file read (bytes). */
const MAX_SPEC_BYTES = 1 << 20;

function modelFor(spec: ExperimentSpec): ModelAdapter {
  const m = spec.model as { preset?: string; p?: number; d?: number; h?: number; hidden?: number[]; sequential?: Parameters<typeof sequentialModel>[0] };
  if (m?.sequential) return sequentialModel(m.sequential);
  if (m?.preset === 'grokking') return sequentialModel(grokkingMlpSpec(m.p, m.d, m.h));
  return sequentialModel(mnistMlpSpec(m?.hidden));
}

/**
 * Reads a spec file, loads `checkpointsDir` checkpoints (every `*.safetensors` directly in that
 * folder; the step from `__metadata__.step`, else the digits of the file name), runs the
 * experiment, and writes result.json, claims.txt and SVG charts to `out` (when given).
 *
 * @param specPath - Path of the JSON spec.
 * @param options - `out` folder; `log` for progress messages; `signal` / `onProgress` as
 *   {@link runExperiment}'s (the signal is also checked before each checkpoint file is read).
 * @returns A Promise of the {@link ExperimentResult}.
 * @throws {@link OckhamError} for an unreadable / invalid spec or checkpoint; `signal.reason` when aborted.
 * @example
 * ```ts
 * import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { runExperimentFile } from 'ockham/node';
 * // The full study: runExperimentFile('examples/experiments/grokking.json', { out: 'experiment-output' }).
 * // A small one: one shipped checkpoint, spectral measures only (~20 s).
 * const dir = mkdtempSync(join(tmpdir(), 'experiment-'));
 * mkdirSync(join(dir, 'ckpt'));
 * copyFileSync('examples/grokking/step-004000.safetensors', join(dir, 'ckpt', 'step-004000.safetensors'));
 * writeFileSync(join(dir, 'spec.json'), JSON.stringify({
 *   name: 'grokking, spectral only', seed: 0,
 *   model: { preset: 'grokking', p: 47, d: 24, h: 96 },
 *   data: { kind: 'modular', p: 47, trainFraction: 0.5, seed: 0 },
 *   runs: [{ name: 'grokking', checkpointsDir: 'ckpt' }],
 *   measures: { spectral: true },
 * }));
 * const r = await runExperimentFile(join(dir, 'spec.json'), { out: join(dir, 'out') });
 * console.log(r.runs[0].checkpoints.length); // 1
 * ```
 */
export async function runExperimentFile(
  specPath: string,
  options: { out?: string; log?: (s: string) => void; signal?: AbortSignal; onProgress?: ProgressCallback } = {},
): Promise<ExperimentResult> {
  checkAbort(options.signal);
  const text = await readFile(specPath, 'utf8').catch((e: Error) => {
    throw new OckhamError('INVALID_ARGUMENT', 'spec', `cannot read ${specPath}: ${e.message}`);
  });
  if (text.length > MAX_SPEC_BYTES) throw new OckhamError('OUT_OF_RANGE', 'spec', `larger than ${MAX_SPEC_BYTES} bytes`);
  let spec: ExperimentSpec;
  try {
    spec = JSON.parse(text) as ExperimentSpec;
  } catch (e) {
    throw new OckhamError('PARSE_ERROR', 'spec', `${specPath} is not JSON: ${(e as Error).message}`);
  }
  const base = dirname(resolve(specPath));
  const model = modelFor(spec);
  const runs: ExperimentRunSpec[] = [];
  for (const r of spec.runs ?? []) {
    if (r?.checkpointsDir === undefined) {
      runs.push(r);
      continue;
    }
    const dir = resolve(base, r.checkpointsDir);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.safetensors')).sort();
    if (files.length === 0) throw new OckhamError('EMPTY', `spec.runs.${r.name}.checkpointsDir`, `no .safetensors files in ${dir}`);
    const checkpoints = [];
    for (const f of files) {
      checkAbort(options.signal);
      const st = await readSafetensorsFile(join(dir, basename(f)));
      const stepMeta = Number(st.metadata.step);
      const step = Number.isFinite(stepMeta) ? stepMeta : Number((f.match(/\d+/g) ?? ['NaN']).pop());
      checkpoints.push({ step, params: model.fromTensors(st.tensors) });
    }
    runs.push({ ...r, checkpointsDir: undefined, checkpoints });
  }
  const result = await runExperiment({ ...spec, runs }, { log: options.log, signal: options.signal, onProgress: options.onProgress });
  if (options.out !== undefined) await writeOutputs(result, options.out);
  return result;
}

const CHARTS: [string, string, (m: ExperimentResult['runs'][number]['checkpoints'][number]) => number | null | undefined][] = [
  ['qubd', 'QuBD total (bits)', (c) => c.measures.qubdTotal],
  ['coarse-grained', 'coarse-grained size (bits)', (c) => c.measures.coarseBits],
  ['spectral-entropy', 'mean spectral entropy (nats)', (c) => c.measures.spectralEntropy],
  ['lmn', 'LMN', (c) => c.measures.lmn],
  ['llc', 'LLC λ̂', (c) => c.measures.llc],
  ['critical-bits', 'critical total bits', (c) => c.measures.criticalTotalBits],
  ['accuracy', 'test accuracy', (c) => c.testAcc],
];

/** Writes result.json, claims.txt and the charts (y axes auto-scaled to the data). @internal */
export async function writeOutputs(result: ExperimentResult, out: string): Promise<void> {
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'result.json'), JSON.stringify(result, null, 1) + '\n');
  await writeFile(join(out, 'claims.txt'), formatClaims(result));
  for (const [file, label, get] of CHARTS) {
    const series = result.runs
      .map((r) => ({ name: r.name, values: r.checkpoints.map((c) => { const v = get(c); return typeof v === 'number' && Number.isFinite(v) ? v : null; }) }))
      .filter((s) => s.values.some((v) => v !== null));
    if (series.length === 0) continue;
    const steps = result.runs[0].checkpoints.map((c) => c.step);
    const sameSteps = result.runs.every((r) => r.checkpoints.length === steps.length && r.checkpoints.every((c, i) => c.step === steps[i]));
    const svg = lineChart({
      title: `${result.name}: ${label}`,
      subtitle: `${result.model.description}; y axis scaled to the data`,
      xLabel: sameSteps ? 'step' : 'checkpoint',
      yLabel: label,
      x: sameSteps ? steps : steps.map((_, i) => i),
      xLabels: sameSteps ? undefined : steps.map(String),
      xScale: 'category',
      series,
    });
    await writeFile(join(out, `${file}.svg`), svg);
  }
}

/** The `experiment` subcommand. @internal */
export async function experimentCommand(argv: readonly string[], io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number> {
  let out: string | undefined;
  let json = false;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out = argv[++i];
    else if (a.startsWith('--out=')) out = a.slice(6);
    else if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') {
      io.stdout(HELP);
      return 0;
    } else if (a.startsWith('-')) {
      io.stderr(`ockham experiment: unknown option ${a}\n\n${HELP}`);
      return 1;
    } else files.push(a);
  }
  if (files.length !== 1 || (out !== undefined && out === '')) {
    io.stderr(`ockham experiment: expected exactly one spec file\n\n${HELP}`);
    return 1;
  }
  // The first Ctrl-C stops the experiment at its next check (between checkpoints, measures and
  // coarse-graining candidates) and exits 130 without writing outputs; the handler is then gone,
  // so a second Ctrl-C kills the process as usual (e.g. during a long LLC chain).
  const ac = new AbortController();
  const onSigint = (): void => {
    io.stderr('ockham experiment: interrupted; stopping at the next checkpoint (Ctrl-C again to kill)\n');
    ac.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const r = await runExperimentFile(files[0], { out, log: (s) => io.stderr(`${s}\n`), signal: ac.signal });
    io.stdout(json ? JSON.stringify(r, null, 1) + '\n' : formatClaims(r));
    return 0;
  } catch (e) {
    if (ac.signal.aborted && e === ac.signal.reason) {
      io.stderr('ockham experiment: cancelled\n');
      return 130;
    }
    if (e instanceof OckhamError) {
      io.stderr(`ockham experiment: ${e.message}\n`);
      return 2;
    }
    io.stderr(`ockham experiment: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 3;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

const HELP = `Usage: ockham experiment <spec.json> [--out <dir>] [--json]

Runs an experiment description (see docs/experiments.md): trains the model or reads the
checkpoints of each run, computes every measure with its baselines, and prints each paper's
claim with its verdict. --out writes result.json, claims.txt and SVG charts there.
Ctrl-C stops at the next checkpoint (exit 130, nothing written); a second Ctrl-C kills.
`;
