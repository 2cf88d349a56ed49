/**
 * Builds exact CTM count tables with ockham's lazy Turing-machine enumerator. Node-only.
 *
 *   npm run ctm:build -- --dim 1|2 --states n --cutoff c [--max-box 4] [--workers k]
 *                        [--shard i/N] [--resume] [--split-depth d] [--name NAME]
 *   npm run ctm:build -- --monte-carlo SAMPLES --dim 2 --states 5 --cutoff 500 --max-box 4 [--seed s]
 *   npm run ctm:build -- --builtin --d1 NAME --d2 NAME [--d2-mc NAME]   (writes src/ctm/data/*.ts)
 *   npm run ctm:build -- --compare    (markdown tables: built-in tables vs ../shared/reference/ctm)
 *
 * The tree is cut at --split-depth into subtrees (tasks) handed out dynamically to worker
 * threads in a seeded shuffled order (so the ETA is unbiased). Each finished task is written to
 * .ctm-work/<run-id>/task-<id>.json; every few minutes they are folded into merged.json. A killed
 * run continues with --resume. When every task is done the exact counts (BigInt) are written to
 * data/ctm/<name>.tsv (shape, canonical key, c0(s) + c0(s̄)) and data/ctm/<name>.json (provenance).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CtmRawTotals, CtmSpaceOptions } from '../src/ctm/enumerate.js';
import {
  addLazyCounts,
  ctmOutputs,
  ctmOutputIndex,
  finalizeCtmCounts,
  newRawTotals,
  rawTotalsFromJson,
  rawTotalsToJson,
  splitCtmTasks,
} from '../src/ctm/enumerate.js';
import { bytesToBase64, encodeVarints } from '../src/ctm/builtinDecode.js';
import { monteCarloHalting } from '../src/ctm/enumerateMonteCarlo.js';
import { createRng } from '../src/util/random.js';
import { spearman } from './lib/stats.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function parseArgs(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const k = a.slice(2);
    if (k === 'resume' || k === 'builtin' || k === 'compare') m.set(k, '1');
    else {
      const v = argv[++i];
      if (v === undefined) throw new Error(`--${k} needs a value`);
      m.set(k, v);
    }
  }
  return m;
}

function machineInfo(): Record<string, string | number> {
  let cpu = 'unknown';
  try {
    const t = readFileSync('/proc/cpuinfo', 'utf8');
    const m = /model name\s*:\s*(.*)/.exec(t);
    if (m) cpu = m[1].trim();
  } catch {
    cpu = cpus()[0]?.model ?? 'unknown';
  }
  return { nproc: cpus().length, node: process.version, cpu, platform: `${process.platform}-${process.arch}` };
}

function atomicWrite(file: string, text: string): void {
  const tmp = `${file}.tmp${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), ss = Math.floor(s % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(ss).padStart(2, '0')}s`;
}

interface TaskResult {
  id: number;
  ms: number;
  halt: number[];
  haltLarge: number[];
  nonHalt: number[];
  pruned: number[];
  direct: number[];
  longest: number;
  nodes: number;
  steps: number;
}

function addTaskResult(t: CtmRawTotals, r: TaskResult): void {
  for (let i = 0; i < r.halt.length; i += 2) {
    t.halt.set(r.halt[i], (t.halt.get(r.halt[i]) ?? 0n) + BigInt(r.halt[i + 1]));
  }
  for (let u = 0; u < t.slots; u++) {
    t.haltLarge[u] += BigInt(r.haltLarge[u]);
    t.nonHalt[u] += BigInt(r.nonHalt[u]);
    t.pruned[u] += BigInt(r.pruned[u]);
  }
  t.direct[0] += BigInt(r.direct[0]);
  t.direct[1] += BigInt(r.direct[1]);
  if (r.longest > t.longest) t.longest = r.longest;
  t.nodes += r.nodes;
  t.steps += r.steps;
}

async function build(args: Map<string, string>): Promise<void> {
  const dim = Number(args.get('dim') ?? 1) as 1 | 2;
  const states = Number(args.get('states'));
  const cutoff = Number(args.get('cutoff'));
  const maxBox = Number(args.get('max-box') ?? 0);
  const maxRecord = Number(args.get('max-record') ?? (dim === 1 ? 12 : 4));
  const workers = Number(args.get('workers') ?? 1);
  const splitDepth = Number(args.get('split-depth') ?? (states >= 5 ? 4 : 3));
  const shardArg = args.get('shard') ?? '0/1';
  const [shardI, shardN] = shardArg.split('/').map(Number);
  const resume = args.has('resume');
  const space: Required<CtmSpaceOptions> = { dim, states, cutoff, maxBox, maxRecord };
  const runId = `d${dim}-n${states}-c${cutoff}-b${maxBox}-r${maxRecord}-s${splitDepth}`;
  const name = args.get('name') ?? `ctm-d${dim}-n${states}-c${cutoff}${maxBox ? `-box${maxBox}` : ''}`;
  const work = path.join(ROOT, '.ctm-work', runId);
  const command = `npm run ctm:build -- ${process.argv.slice(2).join(' ')}`;

  const cpu0 = process.cpuUsage();
  const { tasks, root } = splitCtmTasks(space, splitDepth);
  if (existsSync(path.join(work, 'run.json')) && !resume) {
    throw new Error(`${work} exists: continue with --resume (or delete it to start over)`);
  }
  mkdirSync(work, { recursive: true });
  // The task list must be the one the checkpoints were made for.
  const th = createHash('sha256');
  for (const t of tasks) th.update(Array.from(t).join(',') + ';');
  const tasksSha256 = th.digest('hex');
  const runFile = path.join(work, 'run.json');
  if (!existsSync(runFile)) {
    atomicWrite(runFile, JSON.stringify({ space, splitDepth, tasks: tasks.length, tasksSha256, started: new Date().toISOString(), command }, null, 1));
  } else {
    const prev = JSON.parse(readFileSync(runFile, 'utf8')) as { tasks: number; tasksSha256?: string };
    if (prev.tasks !== tasks.length || (prev.tasksSha256 !== undefined && prev.tasksSha256 !== tasksSha256)) {
      throw new Error(`${work}: the task list differs from the checkpointed run (enumerator changed?)`);
    }
    if (prev.tasksSha256 === undefined) atomicWrite(runFile, JSON.stringify({ ...prev, tasksSha256 }, null, 1));
  }

  // Load what is done: merged.json (folded tasks) + loose task files.
  let merged = newRawTotals(space);
  const done = new Set<number>();
  let cpuMs = 0;
  let procCpuPrev = 0; // process CPU seconds of earlier sittings (recorded since this field exists)
  const mergedFile = path.join(work, 'merged.json');
  if (existsSync(mergedFile)) {
    const j = JSON.parse(readFileSync(mergedFile, 'utf8')) as { totals: Record<string, unknown>; done: number[]; cpuMs: number; procCpuS?: number };
    merged = rawTotalsFromJson(j.totals);
    for (const id of j.done) done.add(id);
    cpuMs = j.cpuMs;
    procCpuPrev = j.procCpuS ?? 0;
  }
  const loose: string[] = [];
  for (const f of readdirSync(work)) {
    const m = /^task-(\d+)\.json$/.exec(f);
    if (!m) continue;
    const id = Number(m[1]);
    if (done.has(id)) {
      unlinkSync(path.join(work, f));
      continue;
    }
    const r = JSON.parse(readFileSync(path.join(work, f), 'utf8')) as TaskResult;
    addTaskResult(merged, r);
    cpuMs += r.ms;
    done.add(id);
    loose.push(f);
  }
  const procCpu = (): number => {
    const u = process.cpuUsage(cpu0);
    return procCpuPrev + (u.user + u.system) / 1e6;
  };
  // Shards may run at the same time on one .ctm-work: they only write per-task files, and a
  // later run without --shard folds them, so merged.json has a single writer.
  const fold = (): void => {
    if (shardN !== 1) return;
    atomicWrite(mergedFile, JSON.stringify({ totals: rawTotalsToJson(merged), done: [...done].sort((a, b) => a - b), cpuMs, procCpuS: procCpu() }));
    for (const f of loose.splice(0)) {
      try { unlinkSync(path.join(work, f)); } catch { /* already folded */ }
    }
  };
  if (loose.length > 0) fold();

  // Seeded shuffled order, this shard's share, minus what is done.
  const order = Array.from({ length: tasks.length }, (_, i) => i);
  const rng = createRng(20261201);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]; order[i] = order[j]; order[j] = t;
  }
  const mine = order.filter((id, k) => k % shardN === shardI);
  const todo = mine.filter((id) => !done.has(id));
  const doneMineAtStart = mine.length - todo.length;
  process.stderr.write(`[ctm] ${runId}: ${tasks.length} tasks (split depth ${splitDepth}); shard ${shardI}/${shardN}: ${mine.length}, done ${doneMineAtStart}, to do ${todo.length}; ${workers} worker(s)\n`);

  const t0 = Date.now();
  let lastFold = Date.now();
  let finishedNow = 0;
  let next = 0;
  if (todo.length > 0) {
    const workerUrl = new URL('./ctm-worker.ts', import.meta.url).href;
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(workerUrl)}); });`;
    await new Promise<void>((resolve, reject) => {
      let alive = 0;
      const progress = (): void => {
        const el = (Date.now() - t0) / 1000;
        const rate = finishedNow / el;
        const left = todo.length - finishedNow;
        const pct = (100 * (doneMineAtStart + finishedNow)) / mine.length;
        const cpu = process.cpuUsage(cpu0);
        const cpuS = (cpu.user + cpu.system) / 1e6;
        process.stderr.write(`[ctm] ${new Date().toISOString()} ${doneMineAtStart + finishedNow}/${mine.length} tasks (${pct.toFixed(2)}%), elapsed ${fmtTime(el)}, ETA ${fmtTime(left / rate)} at this rate; process CPU ${fmtTime(cpuS)} this sitting, ≈${fmtTime((cpuS / Math.max(1, finishedNow)) * left)} CPU left; nodes ${merged.nodes.toExponential(3)}, steps ${merged.steps.toExponential(3)}\n`);
      };
      const timer = setInterval(progress, 30000);
      const dispatch = (w: Worker): void => {
        if (next >= todo.length) {
          w.postMessage('exit');
          alive--;
          if (alive === 0) {
            clearInterval(timer);
            progress();
            resolve();
          }
          return;
        }
        const id = todo[next++];
        w.postMessage({ space, id, prefix: Array.from(tasks[id]) });
      };
      const nw = Math.max(1, Math.min(workers, todo.length));
      for (let k = 0; k < nw; k++) {
        const w = new Worker(boot, { eval: true });
        alive++;
        w.on('message', (r: TaskResult) => {
          const f = `task-${r.id}.json`;
          atomicWrite(path.join(work, f), JSON.stringify(r));
          addTaskResult(merged, r);
          cpuMs += r.ms;
          done.add(r.id);
          loose.push(f);
          finishedNow++;
          if (Date.now() - lastFold > 300000) {
            fold();
            lastFold = Date.now();
          }
          dispatch(w);
        });
        w.on('error', (e) => { clearInterval(timer); reject(e); });
        dispatch(w);
      }
    });
    fold();
  }

  if (done.size < tasks.length) {
    process.stderr.write(`[ctm] shard finished; ${tasks.length - done.size} tasks of other shards remain (or were not loaded). When every shard is done, run the same command without --shard, with --resume: it folds the task files and writes the output.\n`);
    return;
  }
  // All tasks done: add the root leaves and finalise.
  const all = newRawTotals(space);
  addLazyCounts(all, root);
  const { mergeRawTotals } = await import('../src/ctm/enumerate.js');
  mergeRawTotals(all, merged);
  const c = finalizeCtmCounts(all);
  const outs = ctmOutputs(dim, maxRecord);
  const lines: string[] = [];
  let distinct = 0, keys = 0;
  for (let i = 0; i < outs.length; i++) {
    const [r, cc, code] = outs[i];
    if (c.c0[i] > 0n) distinct++;
    const cells = r * cc;
    if (code >= 2 ** (cells - 1)) continue;
    const comp = 2 ** cells - 1 - code;
    const cnt = c.c0[i] + c.c0[ctmOutputIndex(dim, maxRecord, r, cc, comp)];
    if (cnt === 0n) continue;
    keys++;
    const shape = dim === 1 ? String(cc) : `${r}x${cc}`;
    lines.push(`${shape}\t${code.toString(2).padStart(cells, '0')}\t${cnt}`);
  }
  const tsv = lines.join('\n') + '\n';
  const outDir = path.join(ROOT, 'data', 'ctm');
  mkdirSync(outDir, { recursive: true });
  const tsvFile = path.join(outDir, `${name}.tsv`);
  atomicWrite(tsvFile, tsv);
  const runInfo = JSON.parse(readFileSync(path.join(work, 'run.json'), 'utf8')) as { started: string };
  const prov = {
    source: 'ockham lazy Turing-machine enumerator (scripts/ctm-build.ts)',
    space: `${dim}-D, ${states} states + halt, 2 symbols, ${c.choices}^${2 * states} machines${maxBox ? `, branches whose visited box exceeds ${maxBox} cells pruned` : ''}`,
    dim, states, cutoff, maxBox, maxRecord, splitDepth, tasks: tasks.length,
    conventions: 'start state 1 on blank-0 tape; halting transition writes and stops without moving; halting = halts within cutoff steps, halting step included; output = visited cells (1-D) / bounding box of visited cells (2-D, rows from top); counts c0(s)+c0(complement) per canonical key (first cell 0)',
    total: c.total.toString(),
    halting: c.halting.toString(),
    haltingLargerThanRecord: c.haltingLarge.toString(),
    nonHalting: c.nonHalting.toString(),
    pruned: c.pruned.toString(),
    weightCheck: c.weightCheck,
    longestHalt: c.longest,
    distinctOutputs: distinct,
    canonicalKeys: keys,
    treeNodes: c.nodes,
    simulatedSteps: c.steps,
    taskWallSeconds: Math.round(cpuMs / 1000),
    taskWallSecondsNote: 'sum over tasks of the wall-clock time a worker spent on it (inflated when the machine is shared)',
    processCpuSeconds: Math.round(procCpu()),
    processCpuSecondsNote: 'user+system CPU of the build processes, summed over the sittings that recorded it',
    started: runInfo.started,
    finished: new Date().toISOString(),
    machine: machineInfo(),
    command,
    files: { [`${name}.tsv`]: createHash('sha256').update(tsv).digest('hex') },
  };
  atomicWrite(path.join(outDir, `${name}.json`), JSON.stringify(prov, null, 1) + '\n');
  process.stderr.write(`[ctm] done: halting ${c.halting} of ${c.total}, nonhalting ${c.nonHalting}, pruned ${c.pruned}, weight check ${c.weightCheck}, longest ${c.longest}, ${keys} keys -> ${tsvFile}\n`);
  if (!c.weightCheck) process.exitCode = 1;
}

async function monteCarlo(args: Map<string, string>): Promise<void> {
  const dim = Number(args.get('dim') ?? 2) as 1 | 2;
  const states = Number(args.get('states'));
  const cutoff = Number(args.get('cutoff'));
  const maxBox = Number(args.get('max-box') ?? 4);
  const samples = Number(args.get('monte-carlo'));
  const seed = Number(args.get('seed') ?? 1);
  const chunk = Number(args.get('chunk') ?? 1000000);
  const name = args.get('name') ?? `mc-d${dim}-n${states}-c${cutoff}-box${maxBox}-seed${seed}`;
  const work = path.join(ROOT, '.ctm-work', name);
  mkdirSync(work, { recursive: true });
  const stateFile = path.join(work, 'state.json');
  // Chunk k uses seed·2^20 + k, so a resumed run continues the same streams.
  let st = { chunks: 0, samples: 0, halting: 0, haltingLarge: 0, ms: 0 };
  if (existsSync(stateFile)) st = JSON.parse(readFileSync(stateFile, 'utf8')) as typeof st;
  const command = `npm run ctm:build -- ${process.argv.slice(2).join(' ')}`;
  const writeOut = (): void => {
    const p = st.halting / st.samples;
    const pl = st.haltingLarge / st.samples;
    const out = {
      source: 'ockham seeded Monte Carlo over uniform complete machines (src/ctm/enumerateMonteCarlo.ts)',
      dim, states, cutoff, maxBox, seed, samples: st.samples,
      halting: st.halting, haltingFraction: p, haltingFractionStdErr: Math.sqrt(p * (1 - p) / st.samples),
      haltingLargerThanBox: st.haltingLarge, largerFraction: pl, largerFractionStdErr: Math.sqrt(pl * (1 - pl) / st.samples),
      complete: st.samples >= samples, cpuSeconds: Math.round(st.ms / 1000), machine: machineInfo(), command,
    };
    const outDir = path.join(ROOT, 'data', 'ctm');
    mkdirSync(outDir, { recursive: true });
    atomicWrite(path.join(outDir, `${name}.json`), JSON.stringify(out, null, 1) + '\n');
  };
  const t0 = Date.now();
  while (st.samples < samples) {
    const n = Math.min(chunk, samples - st.samples);
    const t = performance.now();
    const r = monteCarloHalting({ dim, states, cutoff }, n, seed * 1048576 + st.chunks, maxBox);
    st.ms += performance.now() - t;
    st.chunks++;
    st.samples += n;
    st.halting += r.halting;
    st.haltingLarge += r.haltingLarger;
    atomicWrite(stateFile, JSON.stringify(st));
    writeOut();
    const p = st.haltingLarge / st.samples;
    process.stderr.write(`[mc] ${st.samples} samples, halting ${(st.halting / st.samples).toFixed(6)}, larger than ${maxBox}x${maxBox} ${p.toExponential(4)} ± ${Math.sqrt(p * (1 - p) / st.samples).toExponential(2)}, ${(st.samples / (st.ms / 1000)).toFixed(0)}/s, elapsed ${fmtTime((Date.now() - t0) / 1000)}\n`);
  }
  writeOut();
  process.stderr.write(`[mc] done -> data/ctm/${name}.json\n`);
}


/** Reads a finished run's TSV into per-shape dense canonical count arrays. */
function readCounts(name: string): { prov: Record<string, unknown>; shapes: Map<string, { rows: number; cols: number; counts: number[] }>; sha: string } {
  const dir = path.join(ROOT, 'data', 'ctm');
  const tsv = readFileSync(path.join(dir, `${name}.tsv`), 'utf8');
  const prov = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as Record<string, unknown>;
  const sha = createHash('sha256').update(tsv).digest('hex');
  if ((prov.files as Record<string, string>)[`${name}.tsv`] !== sha) throw new Error(`${name}.tsv does not match the sha256 in ${name}.json`);
  if (prov.weightCheck !== true) throw new Error(`${name}: weight check failed`);
  const shapes = new Map<string, { rows: number; cols: number; counts: number[] }>();
  const dim = prov.dim as number;
  const rec = prov.maxRecord as number;
  for (let r = 1; r <= (dim === 1 ? 1 : rec); r++) {
    for (let c = 1; c <= rec; c++) {
      shapes.set(dim === 1 ? String(c) : `${r}x${c}`, { rows: r, cols: c, counts: new Array<number>(2 ** (r * c - 1)).fill(0) });
    }
  }
  for (const line of tsv.split('\n')) {
    if (!line) continue;
    const [shape, key, cnt] = line.split('\t');
    const v = Number(cnt);
    if (!Number.isSafeInteger(v)) throw new Error(`count ${cnt} is above 2^53`);
    shapes.get(shape)!.counts[parseInt(key, 2)] = v;
  }
  return { prov, shapes, sha };
}

function emitModule(file: string, constName: string, ndim: 1 | 2, normaliser: string, shapes: Map<string, { rows: number; cols: number; counts: number[] }>, provenance: Record<string, unknown>, command: string): string {
  const rows: string[] = [];
  for (const s of shapes.values()) rows.push(`    [${s.rows}, ${s.cols}, '${bytesToBase64(encodeVarints(s.counts))}'],`);
  const text = `// GENERATED by \`${command}\` from data/ctm/ — do not edit.\n` +
    `// Exact machine counts c0(s) + c0(s̄) per canonical key (first cell 0), LEB128 varints in base64,\n` +
    `// for codes 0 .. 2^(cells−1) − 1 of each shape. CTM(s) = log2(2·H) − log2(count); see docs/ctm.md.\n` +
    `import type { BuiltinCtmData } from '../builtinDecode.js';\n\n` +
    `export const ${constName}: BuiltinCtmData = {\n  ndim: ${ndim},\n  normaliser: '${normaliser}',\n  shapes: [\n${rows.join('\n')}\n  ],\n` +
    `  provenance: ${JSON.stringify(provenance, null, 2).replace(/\n/g, '\n  ')},\n};\n`;
  atomicWrite(file, text);
  return createHash('sha256').update(text).digest('hex');
}

function builtin(args: Map<string, string>): void {
  const command = `npm run ctm:build -- ${process.argv.slice(2).join(' ')}`;
  const outDir = path.join(ROOT, 'src', 'ctm', 'data');
  mkdirSync(outDir, { recursive: true });
  const d1 = args.get('d1');
  if (d1) {
    const { prov, shapes, sha } = readCounts(d1);
    const p = {
      source: `ockham lazy enumeration, exact: ${String(prov.space)}, cutoff ${String(prov.cutoff)}`,
      space: prov.space, states: prov.states, cutoff: prov.cutoff,
      normaliser: 'H0 (exact): machines halting on a blank-0 tape within the cutoff',
      H0: prov.halting, total: prov.total, nonHalting: prov.nonHalting, weightCheck: prov.weightCheck,
      longestHalt: prov.longestHalt, canonicalKeys: prov.canonicalKeys,
      countsFile: `data/ctm/${d1}.tsv`, countsSha256: sha, buildCommand: prov.command, buildMachine: prov.machine,
      taskWallSeconds: prov.taskWallSeconds ?? prov.cpuSeconds, processCpuSeconds: prov.processCpuSeconds, generatedBy: command,
    };
    emitModule(path.join(outDir, 'ctm1d.ts'), 'CTM1D_DATA', 1, String(prov.halting), shapes, p, command);
  }
  const d2 = args.get('d2');
  if (d2) {
    const { prov, shapes, sha } = readCounts(d2);
    const small = BigInt(prov.halting as string);
    const total = BigInt(prov.total as string);
    let H = Number(small);
    let hNote = 'H = halting machines with output up to the box only (lower bound)';
    const extra: Record<string, unknown> = {};
    const mcName = args.get('d2-mc');
    if (mcName) {
      const mc = JSON.parse(readFileSync(path.join(ROOT, 'data', 'ctm', `${mcName}.json`), 'utf8')) as Record<string, number | string | boolean>;
      if (mc.states !== prov.states || mc.cutoff !== prov.cutoff || mc.maxBox !== prov.maxBox) throw new Error('Monte Carlo run is for another space');
      const large = Number(total) * (mc.largerFraction as number);
      const se = Number(total) * (mc.largerFractionStdErr as number);
      H = Number(small) + large;
      hNote = 'H = exact halting count with output up to the box + Monte Carlo estimate of the halting machines with larger outputs (total × sampled fraction)';
      Object.assign(extra, {
        HEstimate: H, HStdErr: se, HStdErrBits: se / (H * Math.LN2),
        haltingLargerEstimate: large, monteCarloSamples: mc.samples, monteCarloSeed: mc.seed,
        monteCarloLargerFraction: mc.largerFraction, monteCarloLargerFractionStdErr: mc.largerFractionStdErr,
        monteCarloHaltingFraction: mc.haltingFraction, monteCarloHaltingFractionStdErr: mc.haltingFractionStdErr,
        monteCarloCommand: mc.command, monteCarloFile: `data/ctm/${mcName}.json`,
      });
    }
    const p = {
      source: `ockham lazy enumeration, exact counts up to ${String(prov.maxBox)}×${String(prov.maxBox)}: ${String(prov.space)}, cutoff ${String(prov.cutoff)}`,
      space: prov.space, states: prov.states, cutoff: prov.cutoff, maxBox: prov.maxBox,
      normaliser: hNote, haltingUpToBox: prov.halting, total: prov.total, nonHalting: prov.nonHalting, pruned: prov.pruned,
      weightCheck: prov.weightCheck, longestHalt: prov.longestHalt, canonicalKeys: prov.canonicalKeys, ...extra,
      countsFile: `data/ctm/${d2}.tsv`, countsSha256: sha, buildCommand: prov.command, buildMachine: prov.machine,
      taskWallSeconds: prov.taskWallSeconds ?? prov.cpuSeconds, processCpuSeconds: prov.processCpuSeconds, generatedBy: command,
    };
    emitModule(path.join(outDir, 'ctm2d.ts'), 'CTM2D_DATA', 2, String(H), shapes, p, command);
  }
  process.stderr.write('[ctm] built-in modules written to src/ctm/data/\n');
}


/** Prints markdown tables comparing the built-in tables with ../shared/reference/ctm. */
async function compare(): Promise<void> {
  const { ctm1d, ctm2d } = await import('../src/ctm/builtin.js');
  const ref = path.resolve(ROOT, '../shared/reference/ctm');
  for (const [file, table] of [['ctm-b2-d12.tsv', ctm1d], ['ctm-b2-d4x4.tsv', ctm2d]] as const) {
    const rows = new Map<string, Array<[number, number]>>();
    for (const line of readFileSync(path.join(ref, file), 'utf8').split('\n')) {
      if (!line) continue;
      const [shape, key, v] = line.split('\t');
      if (!rows.has(shape)) rows.set(shape, []);
      rows.get(shape)!.push([parseInt(key, 2), Number(v)]);
    }
    console.log(`\n${file} vs ockham (${String(table.provenance?.source)})\n`);
    console.log('| shape | reference keys | ockham keys | covered | max abs diff (bits) | mean abs diff | Spearman |');
    console.log('|---|---|---|---|---|---|---|');
    for (const [shape, list] of rows) {
      const t = table.shapes.get(shape);
      if (!t) { console.log(`| ${shape} | ${list.length} | — | 0 | — | — | — |`); continue; }
      const a: number[] = [], b: number[] = [];
      let maxd = 0, sum = 0, worst = '';
      for (const [code, v] of list) {
        if (t.missing[code]) continue;
        const d = Math.abs(t.values[code] - v);
        if (d > maxd) { maxd = d; worst = code.toString(2).padStart(t.rows * t.cols, '0'); }
        sum += d;
        a.push(t.values[code]);
        b.push(v);
      }
      console.log(`| ${shape} | ${list.length} | ${t.present} | ${a.length} | ${maxd.toExponential(3)} (${worst}) | ${(sum / Math.max(1, a.length)).toExponential(3)} | ${spearman(a, b).toFixed(6)} |`);
    }
    if (file === 'ctm-b2-d4x4.tsv') {
      // Is each published 4×4 value a plausible sample of ockham's probability? k = 2^−ctm · N.
      const N = 3.49068e12;
      const t = table.shapes.get('4x4')!;
      const zs: number[] = [];
      for (const [code, v] of rows.get('4x4')!) {
        if (t.missing[code]) continue;
        const k = 2 ** -v * N;
        const p = 2 ** -t.values[code];
        zs.push((k - N * p) / Math.sqrt(N * p * (1 - p)));
      }
      const m = zs.reduce((s, x) => s + x, 0) / zs.length;
      const sd = Math.sqrt(zs.reduce((s, x) => s + (x - m) ** 2, 0) / zs.length);
      const frac = (c: number): string => ((100 * zs.filter((z) => Math.abs(z) < c).length) / zs.length).toFixed(1);
      console.log(`\n4x4 binomial z of the published counts (N = 3.49068e12): n = ${zs.length}, mean ${m.toFixed(3)}, sd ${sd.toFixed(3)}, |z|<1 ${frac(1)}%, |z|<2 ${frac(2)}%, |z|<3 ${frac(3)}%, max |z| ${Math.max(...zs.map(Math.abs)).toFixed(1)}`);
    }
  }

  // BDM / QuBD with the built-in tables vs the published tables, on pybdm's test inputs.
  const { ctmTableFromTsv } = await import('../src/ctm/tsv.js');
  const { ctmBlockDecompose } = await import('../src/bdm/index.js');
  const { qubd } = await import('../src/qubd/index.js');
  const ref1 = ctmTableFromTsv(readFileSync(path.join(ref, 'ctm-b2-d12.tsv'), 'utf8'));
  const ref2 = ctmTableFromTsv(readFileSync(path.join(ref, 'ctm-b2-d4x4.tsv'), 'utf8'));
  const tests = path.resolve(ROOT, '../shared/reference/pybdm-tests');
  console.log('\nBDM (bits) of pybdm test inputs: published table vs ockham built-in\n');
  console.log('| input | shape | BDM, published table | BDM, ockham | diff | rel. diff |');
  console.log('|---|---|---|---|---|---|');
  const row = (label: string, shape: number[], x: Uint8Array): void => {
    const a = ctmBlockDecompose(x, { shape, table: shape.length === 1 ? ref1 : ref2 }).bdm;
    const b = ctmBlockDecompose(x, { shape, table: shape.length === 1 ? ctm1d : ctm2d }).bdm;
    console.log(`| ${label} | ${shape.join('×')} | ${a.toFixed(4)} | ${b.toFixed(4)} | ${(b - a).toPrecision(3)} | ${((b - a) / a).toExponential(2)} |`);
  };
  for (const line of readFileSync(path.join(tests, 'pybdm-inline-cases.tsv'), 'utf8').split('\n').slice(1)) {
    const f = line.split('\t');
    if (f.length < 7 || f[2] !== 'bdm' || f[3] !== '1' || f[4] !== '2') continue;
    row(f[0], [f[6].length], Uint8Array.from(f[6], (c) => Number(c)));
  }
  let i = 0;
  for (const line of readFileSync(path.join(tests, 'bdm-b2-d4x4-test-input.tsv'), 'utf8').split(/\r?\n/)) {
    if (!line) continue;
    const rowsTxt = line.split('\t')[0].split('-');
    const x = Uint8Array.from(rowsTxt.join(''), (c) => Number(c));
    row(`bdm-b2-d4x4 #${++i}`, [rowsTxt.length, rowsTxt[0].length], x);
  }
  // QuBD of a seeded synthetic weight tensor.
  const rng = createRng(7);
  const w = new Float32Array(64 * 64).map((_, k) => Math.sin(k / 50) + 0.3 * rng.normal());
  console.log('\nQuBD (bits) of a seeded 64×64 tensor (sin(i/50) + 0.3·N(0,1), seed 7)\n');
  console.log('| bits | QuBD, published table | QuBD, ockham | diff | rel. diff |');
  console.log('|---|---|---|---|---|');
  for (const bits of [2, 4, 8]) {
    const a = qubd(w, { shape: [64, 64], bits, table: ref2 }).total;
    const b = qubd(w, { shape: [64, 64], bits, table: ctm2d }).total;
    console.log(`| ${bits} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b - a).toPrecision(4)} | ${((b - a) / a).toExponential(2)} |`);
  }
}

const args = parseArgs(process.argv.slice(2));
(args.has('compare') ? compare() : args.has('builtin') ? Promise.resolve(builtin(args)) : args.has('monte-carlo') ? monteCarlo(args) : build(args)).catch((e: unknown) => {
  process.stderr.write(`[ctm] error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
