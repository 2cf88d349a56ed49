/**
 * `ockham` command line: `report`, `compare`, `track`. Exit codes: 0 ok, 1 usage error,
 * 2 unreadable or invalid input, 3 internal error. See docs/cli.md.
 */
import { writeFile, stat, access } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { OckhamError, ctmTableFromTsv, CODECS } from '../index.js';
import type { Codec } from '../index.js';
import { DEFAULT_REPORT_OPTIONS, reportFile } from './report.js';
import type { ReportOptions } from './report.js';
import { formatReport, reportChart } from './format.js';
import { TrackKeyError, formatTrack, trackChart, trackFiles } from './track.js';
import { progressBar } from './progress.js';
import { escapeControl, escapeJson, escapeOutput } from './escape.js';
import type { ReadBudget } from '../io/budget.js';
import { openRegularFile, readAtMost } from '../io/node/tfjs-file.js';

/** Exit codes of the CLI. */
export const EXIT = { OK: 0, USAGE: 1, INPUT: 2, INTERNAL: 3 } as const;

/** Thrown for bad command lines (exit code 1). */
export class UsageError extends Error {}

const VERSION = '0.1.0';

const COMMON_HELP = `Options (report, compare, track):
  --bits <b>            QuBD bit depth, 1..16 (default 8)
  --range <mode>        quantization range: minmax | percentile (default minmax)
  --percentile <p>      central percentile kept with --range percentile, (0, 100] (default 99.9)
  --table <file.tsv>    2-D CTM table (shape<TAB>key<TAB>ctm) instead of the built-in one
  --seed <n>            seed of the shuffled references (default 0)
  --shuffles <n>        shuffles averaged per tensor, 1..64 (default 3)
  --threshold <pct>     fixed "structured plane" threshold in % (default: msbDiagnostic's rule,
                        97 % or 100 − 3σ of the shuffles; 97 % for the model-level suggestion)
  --delta <list>        grid steps Δ for the coarse-grained sizes, comma-separated
                        (default 1e-3,1e-2,1e-1)
  --codec <c>           bzip2 | gzip | deflate | arith (default bzip2)
  --layout <l>          auto: TensorFlow.js kernels analysed in PyTorch layout; keep: as stored
                        (default auto)
  --naive <n>           stored: naive size of the bytes as stored (bf16 2 bytes, GGUF blocks);
                        float32: of a float32 copy (default stored)
  --no-spectral         skip spectral entropy / effective rank / stable rank (SVD)
  --no-compress         skip the naive and coarse-grained compressed sizes
  --jobs <n>            worker threads, 1..1024 (default: all cores); results do not depend on it
  --json                print machine-readable JSON on stdout (schema in docs/cli.md)
  --plot <out.svg>      write an SVG chart
  --max-header-bytes <n>  largest header: safetensors / npy / model.json / index (default 16Mi; GGUF 64Mi)
  --max-tensor-bytes <n>  largest tensor as float32 (default 4Gi = 2^30 elements)
  --max-total-bytes <n>   largest sum of tensors as float32 per file (default 64Gi)
  --max-tensors <n>       most tensors / archive members per file (default 1000000)
  --max-expansion <r>     .npz: most float32 bytes per archive byte, beyond 64 MiB (default 128)
                        Sizes take K, M, G, T (10^3…) or Ki, Mi, Gi, Ti (2^10…) suffixes.
  --progress            draw the progress bar even when stderr is not a terminal
  --no-progress         never draw it
  -h, --help            this help`;

const HELP: Record<string, string> = {
  main: `ockham ${VERSION} — complexity of neural-network weights

Usage:
  ockham report <file> [options]          per-tensor, per-plane complexity report
  ockham compare <a> <b> [options]        two checkpoints side by side, with the change
  ockham track <files...> [options]       complexity across checkpoints (table + chart)
  ockham experiment <spec.json>           train or read checkpoints, every measure, each paper's claim
  ockham <command> --help                 options of a command
  ockham --version

Files (detected by content): .safetensors (or a shard index / its folder), GGUF (all splits),
.npy, .npz, PyTorch .pt/.bin or pytorch_model.bin.index.json (never executing the pickle), ONNX,
TensorFlow.js model.json (or its folder).
Exit codes: 0 ok, 1 usage error, 2 unreadable or invalid input, 3 internal error.
(2 also for output that cannot be written; a closed output pipe, as in | head, ends quietly with 0.)
`,
  report: `Usage: ockham report <file> [options]

Per tensor: QuBD per bit-plane (bits), the ratio of each plane to the same weights shuffled (%),
the suggested quantization depth (planes below the threshold counted from the MSB), spectral
entropy (nats) / effective rank / stable rank, naive and coarse-grained compressed sizes (bits);
then model totals. --plot draws the per-plane ratio chart.

${COMMON_HELP}
`,
  compare: `Usage: ockham compare <a> <b> [options]

Reports both files and prints one row each plus the change (b vs a). --plot draws the chart.
Metadata 'step' (safetensors __metadata__) is used as x when both files have it (--x to choose).

${COMMON_HELP}
  --x <key>             metadata key used as x: auto (step if present) | index | <key>
`,
  track: `Usage: ockham track <files...> [options]

Reports every file and prints a complexity-vs-checkpoint table; --plot draws it as a line chart
(bits on the left axis, the MSB-plane ratio on the right). Files are taken in the order given.

${COMMON_HELP}
  --x <key>             metadata key used as x: auto (step if present) | index | <key>
`,
};

interface Parsed {
  command: string;
  files: string[];
  o: ReportOptions;
  json: boolean;
  plot: string | null;
  progress: boolean | null;
  x: string;
  help: boolean;
  /** Worker threads (--jobs), or undefined for the default (all cores). */
  jobs?: number;
}

/** CLI flags of the reader budget (docs/security.md). */
const BUDGET_FLAGS: ReadonlyMap<string, keyof ReadBudget> = new Map([
  ['max-header-bytes', 'maxHeaderBytes'],
  ['max-tensor-bytes', 'maxTensorBytes'],
  ['max-total-bytes', 'maxTotalBytes'],
  ['max-tensors', 'maxTensors'],
  ['max-expansion', 'maxExpansion'],
] as const);

const VALUE_FLAGS = new Set(['bits', 'range', 'percentile', 'table', 'seed', 'shuffles', 'threshold', 'delta', 'codec', 'layout', 'naive', 'plot', 'x', 'jobs', ...BUDGET_FLAGS.keys()]);
const BOOL_FLAGS = new Set(['json', 'progress', 'no-progress', 'no-spectral', 'no-compress', 'help']);

function num(flag: string, v: string, lo: number, hi: number, integer: boolean): number {
  const x = Number(v);
  // Integers must be written as digits: '9007199254740991.4' would otherwise round into range.
  if (v.trim() === '' || !Number.isFinite(x) || (integer && !/^\s*\+?\d+\s*$/.test(v)) || (integer && !Number.isSafeInteger(x)) || x < lo || x > hi) {
    throw new UsageError(`--${flag}: expected ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}], got '${v}'`);
  }
  return x;
}

const SIZE_SUFFIX: ReadonlyMap<string, number> = new Map([
  ['', 1], ['k', 1e3], ['m', 1e6], ['g', 1e9], ['t', 1e12], ['ki', 2 ** 10], ['mi', 2 ** 20], ['gi', 2 ** 30], ['ti', 2 ** 40],
]);

/** A budget size: digits with an optional K/M/G/T or Ki/Mi/Gi/Ti suffix (and optional trailing B). */
function size(flag: string, v: string): number {
  const m = /^\s*(\d+)\s*([kmgt]i?)?b?\s*$/i.exec(v);
  const mult = m ? SIZE_SUFFIX.get((m[2] ?? '').toLowerCase()) : undefined;
  const x = m && mult !== undefined ? Number(m[1]) * mult : NaN;
  if (!Number.isSafeInteger(x)) throw new UsageError(`--${flag}: expected a whole number such as 16777216, 16Mi or 2G (at most 2^53 − 1), got '${v}'`);
  return x;
}

/** Parses argv (without node and script). Throws UsageError. */
export function parseArgs(argv: readonly string[]): Parsed & { tablePath: string | null } {
  const values: Record<string, string> = {};
  const bools = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h') {
      bools.add('help');
      continue;
    }
    if (a === '-v' || a === '--version') {
      bools.add('version');
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (VALUE_FLAGS.has(name)) {
        let v: string | undefined;
        if (eq >= 0) v = a.slice(eq + 1);
        else {
          v = argv[i + 1];
          i++;
        }
        if (v === undefined) throw new UsageError(`--${name} needs a value`);
        values[name] = v;
      } else if (BOOL_FLAGS.has(name) && eq < 0) {
        bools.add(name);
      } else {
        throw new UsageError(`unknown option '${a}' (see --help)`);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) throw new UsageError(`unknown option '${a}' (see --help)`);
    positional.push(a);
  }
  if (bools.has('version')) return { command: 'version', files: [], o: DEFAULT_REPORT_OPTIONS, json: false, plot: null, progress: null, x: 'auto', help: false, tablePath: null };
  const command = positional.shift() ?? 'help';
  const o: ReportOptions = { ...DEFAULT_REPORT_OPTIONS, deltas: DEFAULT_REPORT_OPTIONS.deltas.slice() };
  if (values.bits !== undefined) o.bits = num('bits', values.bits, 1, 16, true);
  if (values.range !== undefined) {
    if (values.range !== 'minmax' && values.range !== 'percentile') throw new UsageError(`--range: expected minmax or percentile, got '${values.range}'`);
    o.range = values.range;
  }
  if (values.percentile !== undefined) {
    o.percentile = num('percentile', values.percentile, 0, 100, false);
    if (o.percentile === 0) throw new UsageError('--percentile: must be > 0');
    if (values.range === undefined) o.range = 'percentile';
  }
  if (values.seed !== undefined) o.seed = num('seed', values.seed, 0, Number.MAX_SAFE_INTEGER, true);
  if (values.shuffles !== undefined) o.shuffles = num('shuffles', values.shuffles, 1, 64, true);
  if (values.threshold !== undefined) {
    o.threshold = num('threshold', values.threshold, 0, 100, false);
    if (o.threshold === 0) throw new UsageError('--threshold: must be > 0');
  }
  if (values.delta !== undefined) {
    const parts = values.delta.split(',').map((s) => s.trim());
    o.deltas = parts.map((s) => {
      const d = Number(s);
      if (s === '' || !Number.isFinite(d) || !(d > 0) || Math.fround(d) === 0) throw new UsageError(`--delta: expected positive numbers separated by commas, got '${s}'`);
      return d;
    });
  }
  if (values.codec !== undefined) {
    if (!(CODECS as readonly string[]).includes(values.codec)) throw new UsageError(`--codec: expected one of ${CODECS.join(', ')}, got '${values.codec}'`);
    o.codec = values.codec as Codec;
  }
  if (values.layout !== undefined) {
    if (values.layout !== 'auto' && values.layout !== 'keep') throw new UsageError(`--layout: expected auto or keep, got '${values.layout}'`);
    o.layout = values.layout;
  }
  if (values.naive !== undefined) {
    if (values.naive !== 'stored' && values.naive !== 'float32') throw new UsageError(`--naive: expected stored or float32, got '${values.naive}'`);
    o.naive = values.naive;
  }
  const budget: ReadBudget = {};
  for (const [flag, key] of BUDGET_FLAGS) if (values[flag] !== undefined) budget[key] = size(flag, values[flag]);
  if (Object.keys(budget).length) o.budget = budget;
  if (bools.has('no-spectral')) o.spectral = false;
  if (bools.has('no-compress')) o.compress = false;
  const progress = bools.has('progress') ? true : bools.has('no-progress') ? false : null;
  const jobs = values.jobs !== undefined ? num('jobs', values.jobs, 1, 1024, true) : undefined;
  return {
    ...(jobs !== undefined ? { jobs } : {}),
    command,
    files: positional,
    o,
    json: bools.has('json'),
    plot: values.plot ?? null,
    progress,
    x: values.x ?? 'auto',
    help: bools.has('help'),
    tablePath: values.table ?? null,
  };
}

/** Checks that `path` can be written (its folder exists and is writable, it is not a folder). */
async function checkOutputPath(path: string): Promise<void> {
  const dir = dirname(resolvePath(path));
  const shown = JSON.stringify(path);
  let st;
  try {
    st = await stat(dir);
  } catch {
    throw new OckhamError('INVALID_ARGUMENT', '--plot', `cannot write ${shown}: its folder ${JSON.stringify(dir)} does not exist`);
  }
  if (!st.isDirectory()) throw new OckhamError('INVALID_ARGUMENT', '--plot', `cannot write ${shown}: ${JSON.stringify(dir)} is not a folder`);
  try {
    await access(dir, fsConstants.W_OK);
  } catch {
    throw new OckhamError('INVALID_ARGUMENT', '--plot', `cannot write ${shown}: no write permission in ${JSON.stringify(dir)}`);
  }
  const target = await stat(path).catch(() => null);
  if (target?.isDirectory()) throw new OckhamError('INVALID_ARGUMENT', '--plot', `cannot write ${shown}: it is a folder`);
}

/** Output sinks (injectable for tests). */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stderrStream: NodeJS.WriteStream;
}

const defaultIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stderrStream: process.stderr,
};

/**
 * Runs the CLI and returns its exit code (never throws).
 * @param argv - Arguments after `ockham`.
 */
export async function run(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  if (argv[0] === 'experiment') return (await import('./experiment.js')).experimentCommand(argv.slice(1), io);
  let p: ReturnType<typeof parseArgs>;
  try {
    p = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`ockham: ${escapeControl(e.message)}\n`);
      return EXIT.USAGE;
    }
    io.stderr(`ockham: internal error: ${escapeOutput((e as Error)?.stack ?? String(e))}\n`);
    return EXIT.INTERNAL;
  }
  if (p.command === 'version') {
    io.stdout(`${VERSION}\n`);
    return EXIT.OK;
  }
  if (p.command === 'help') {
    io.stdout(HELP.main);
    return EXIT.OK;
  }
  if (!(p.command in HELP) || p.command === 'main') {
    io.stderr(`ockham: unknown command '${escapeControl(p.command)}'\n\n${HELP.main}`);
    return EXIT.USAGE;
  }
  if (p.help) {
    io.stdout(HELP[p.command]);
    return EXIT.OK;
  }
  const need = p.command === 'report' ? [1, 1] : p.command === 'compare' ? [2, 2] : [1, Infinity];
  if (p.files.length < need[0] || p.files.length > need[1]) {
    const what = p.command === 'report' ? 'exactly one file' : p.command === 'compare' ? 'exactly two files' : 'at least one file';
    io.stderr(`ockham ${p.command}: expected ${what}, got ${p.files.length}\n\n${HELP[p.command]}`);
    return EXIT.USAGE;
  }
  if (p.command === 'report' && argv.some((a) => a === '--x' || a.startsWith('--x='))) {
    io.stderr(`ockham report: --x applies to compare and track only\n`);
    return EXIT.USAGE;
  }
  const showProgress = p.progress ?? Boolean(io.stderrStream.isTTY);
  try {
    if (p.tablePath !== null) {
      let text: string;
      try {
        // Regular files only (a FIFO would block), at most 256 MiB.
        const { fh, size } = await openRegularFile(p.tablePath, 256 * 2 ** 20, 'CTM table', p.tablePath);
        try {
          text = new TextDecoder().decode(await readAtMost(fh, size, p.tablePath, p.tablePath));
        } finally {
          await fh.close();
        }
      } catch (e) {
        if (e instanceof OckhamError) throw e;
        throw new OckhamError('INVALID_ARGUMENT', p.tablePath, `cannot read the CTM table: ${(e as Error).message}`);
      }
      p.o.table = ctmTableFromTsv(text, { ndim: 2 });
      p.o.tableName = p.tablePath;
    }
    // Before any work: a chart that cannot be written should not cost a whole report first.
    if (p.plot !== null) await checkOutputPath(p.plot);
    if (p.command === 'report') {
      const bar = progressBar(showProgress, '', io.stderrStream);
      const r = await reportFile(p.files[0], p.o, { onProgress: (d, t, l) => bar.update(d, t, l), ...(p.jobs !== undefined ? { jobs: p.jobs } : {}) });
      bar.finish();
      if (p.plot) await writeFile(p.plot, reportChart(r));
      io.stdout(p.json ? escapeJson(JSON.stringify(r, null, 2)) + '\n' : escapeOutput(formatReport(r)));
      if (p.plot && !p.json) io.stdout(`chart written to ${escapeControl(p.plot)}\n`);
    } else {
      const n = p.files.length;
      const bars: ReturnType<typeof progressBar>[] = [];
      const t = await trackFiles(p.files, p.o, p.x, (i) => {
        const bar = progressBar(showProgress, `${i + 1}/${n} `, io.stderrStream);
        bars.push(bar);
        return (d, tot, l) => bar.update(d, tot, l);
      }, p.jobs);
      for (const b of bars) b.finish();
      if (p.plot) await writeFile(p.plot, trackChart(t));
      io.stdout(p.json ? escapeJson(JSON.stringify(t, null, 2)) + '\n' : escapeOutput(formatTrack(t, p.command === 'compare')));
      if (p.plot && !p.json) io.stdout(`chart written to ${escapeControl(p.plot)}\n`);
    }
    return EXIT.OK;
  } catch (e) {
    if (e instanceof TrackKeyError) {
      io.stderr(`ockham ${p.command}: ${escapeControl(e.message)}\n`);
      return EXIT.USAGE;
    }
    if (e instanceof OckhamError) {
      io.stderr(`ockham ${p.command}: ${e.code}: ${escapeControl(e.message)}\n`);
      return EXIT.INPUT;
    }
    const code = (e as NodeJS.ErrnoException)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      // fs errors outside the readers (e.g. --plot into a missing folder).
      io.stderr(`ockham ${p.command}: ${escapeControl((e as Error).message)}\n`);
      return EXIT.INPUT;
    }
    io.stderr(`ockham ${p.command}: internal error: ${escapeOutput((e as Error)?.stack ?? String(e))}\n`);
    return EXIT.INTERNAL;
  }
}
