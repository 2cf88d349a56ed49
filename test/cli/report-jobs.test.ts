/**
 * The parallel report in Node: worker threads (run from the TypeScript sources through tsx here;
 * the built dist/report-worker.js in the package) give byte-identical `--json` to the serial run.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serializeSafetensors } from '../../src/index.js';
import { reportFile } from '../../src/cli/report.js';
import { createNodePool, workerEntry } from '../../src/cli/pool-node.js';
import { trackFiles } from '../../src/cli/track.js';
import { parseArgs } from '../../src/cli/run.js';
import { syntheticFile } from '../report/helpers.js';

const root = resolve(__dirname, '../..');
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
const main = join(root, 'src/cli/main.ts');
const ck = (s: number) => join(root, `examples/grokking/step-${String(s).padStart(6, '0')}.safetensors`);

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [tsx, main, ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => res({ code, stdout, stderr }));
  });
}

const noSeconds = (s: string) => s.replace(/\n\s*"seconds": [0-9.e+-]+\n/g, '\n');

let synth: string;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'ockham-jobs-'));
  synth = join(dir, 'synthetic.safetensors');
  const f = syntheticFile(5);
  writeFileSync(synth, serializeSafetensors(f.tensors.map((t) => ({ name: t.name, dtype: 'F32' as const, shape: t.shape, data: t.data })), f.metadata));
});

describe('parallel report (worker_threads)', () => {
  it('uses a tsx bootstrap from source', () => {
    const e = workerEntry();
    expect(String(e)).toMatch(/^data:text\/javascript,/);
  });

  it('jobs 2 equals jobs 1, byte for byte, on grokking checkpoints and a synthetic multi-tensor file', async () => {
    const pool = createNodePool(2);
    try {
      for (const f of [ck(0), ck(4000), synth]) {
        const serial = await reportFile(f, { shuffles: 2 }, { jobs: 1 });
        const par = await reportFile(f, { shuffles: 2 }, { pool });
        expect(JSON.stringify({ ...par, seconds: 0 })).toBe(JSON.stringify({ ...serial, seconds: 0 }));
      }
    } finally {
      await pool.close();
    }
  });

  it('ockham report --jobs 2 --json prints what --jobs 1 prints; --jobs is validated', async () => {
    const [a, b, bad] = await Promise.all([
      cli(['report', synth, '--json', '--jobs', '1']),
      cli(['report', synth, '--json', '--jobs', '2']),
      cli(['report', synth, '--jobs', '0']),
    ]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(noSeconds(b.stdout)).toBe(noSeconds(a.stdout));
    expect(JSON.parse(b.stdout).tensors).toHaveLength(7);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--jobs: expected an integer in \[1, 1024\]/);
    expect(parseArgs(['report', 'x', '--jobs', '3']).jobs).toBe(3);
    expect(parseArgs(['report', 'x']).jobs).toBeUndefined();
  });

  it('track shares one pool across files and matches the serial track', async () => {
    const files = [ck(200), ck(4000)];
    const [s, p] = await Promise.all([trackFiles(files, { shuffles: 1 }, 'auto', undefined, 1), trackFiles(files, { shuffles: 1 }, 'auto', undefined, 2)]);
    const z = (t: typeof s) => JSON.stringify({ ...t, seconds: 0, reports: t.reports.map((r) => ({ ...r, seconds: 0 })) });
    expect(z(p)).toBe(z(s));
  });

  it('aborting stops the worker threads at once and rejects with the reason', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    const p = reportFile(synth, { shuffles: 64 }, { jobs: 2, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - t0).toBeLessThan(5000);
    await expect(reportFile(synth, {}, { jobs: 0 })).rejects.toMatchObject({ code: 'OUT_OF_RANGE', argument: 'jobs' });
  });
});
