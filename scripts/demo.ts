/**
 * `npm run demo`: the claims table of both shipped experiments — the grokking run (all measures
 * on the 12 committed checkpoints) and the MNIST MLP on data budgets 1k / 3k / 8k plus a
 * label-noise run — with each paper's verdict as measured, from the committed outputs in
 * examples/experiments/<name>/ (result.json, written by scripts/experiments.ts with provenance).
 *
 *   npm run demo                  # print the committed results (instant)
 *   npm run demo -- --run grokking   # recompute one (minutes; writes demo-output/<name>/)
 *
 * Runs from a fresh clone after `npm ci` (tsx, no build, nothing downloaded).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatClaims, type ExperimentResult } from '../src/experiment/run.js';
import { runExperimentFile } from '../src/cli/experiment.js';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const runIdx = args.indexOf('--run');
const toRun = runIdx >= 0 ? args.slice(runIdx + 1).filter((a) => !a.startsWith('-')) : [];

function table(r: ExperimentResult): string {
  const lines: string[] = [];
  for (const run of r.runs) {
    lines.push(`  run ${run.name} (${run.trainSize} training samples${run.labelNoise > 0 ? `, label noise ${run.labelNoise}` : ''})`);
    lines.push('    step   phase            train acc  test acc  QuBD bits (vs re-init)  coarse bits  spec.H  LMN    LLC ± se        crit.bits');
    for (const c of run.checkpoints) {
      const m = c.measures;
      const f = (v: number | null | undefined, d = 0): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
      lines.push(
        `    ${String(c.step).padStart(5)}  ${c.phase.padEnd(15)}  ${(100 * c.trainAcc).toFixed(1).padStart(8)}%  ${(100 * c.testAcc).toFixed(1).padStart(7)}%  ` +
          `${f(m.qubdTotal).padStart(9)} (${f(100 * (m.qubdRatio ?? NaN), 1)}%)`.padEnd(24) +
          `  ${f(m.coarseBits).padStart(10)}  ${f(m.spectralEntropy, 3).padStart(6)}  ${f(m.lmn, 1).padStart(5)}  ${`${f(m.llc, 2)} ± ${f(m.llcStdError, 2)}`.padStart(14)}  ${f(m.criticalBits).padStart(4)}`,
      );
    }
    if (run.llcCalibration) lines.push(`    LLC sampler: ε = ${run.llcCalibration.epsilon}, γ = ${run.llcCalibration.gamma}${run.llcCalibration.failed ? ' (calibration FAILED: see result.json warnings)' : ' (all pilot diagnostics passed)'}`);
  }
  const t = Object.entries(r.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ');
  lines.push(`  time per measure (all checkpoints): ${t}`);
  return lines.join('\n');
}

for (const name of ['grokking', 'mnist']) {
  let r: ExperimentResult;
  if (toRun.includes(name)) {
    r = await runExperimentFile(join(root, 'examples/experiments', `${name}.json`), {
      out: join(root, 'demo-output', name),
      log: (s) => process.stderr.write(`${s}\n`),
    });
  } else {
    const p = join(root, 'examples/experiments', name, 'result.json');
    if (!existsSync(p)) {
      console.log(`${name}: no committed result (run: nice npx tsx scripts/experiments.ts ${name})\n`);
      continue;
    }
    r = JSON.parse(readFileSync(p, 'utf8')) as ExperimentResult;
    const prov = JSON.parse(readFileSync(join(root, 'examples/experiments', name, 'provenance.json'), 'utf8')) as { command: string; node: string; wallTimeSeconds: number };
    console.log(`# ${r.name} — committed result (${prov.command}; Node ${prov.node}; ${prov.wallTimeSeconds} s)`);
  }
  console.log(formatClaims(r));
  console.log(table(r));
  console.log('');
}
