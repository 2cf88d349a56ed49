/**
 * The packaged worker path: src/node.ts and src/cli/report-worker.ts bundled the way tsup
 * builds dist/ (esbuild, ESM and CJS, side by side), then `reportFile` with two worker threads
 * run by plain node — no tsx — must equal the serial report.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(__dirname, '../..');
const ck = join(root, 'examples/grokking/step-004000.safetensors');
const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ockham-dist-'));
  const common = { bundle: true, platform: 'node' as const, target: 'es2022', logLevel: 'silent' as const, absWorkingDir: root };
  await Promise.all([
    build({ ...common, entryPoints: { node: 'src/node.ts', 'report-worker': 'src/cli/report-worker.ts' }, format: 'esm', outdir: dir, outExtension: { '.js': '.js' } }),
    build({ ...common, entryPoints: { node: 'src/node.ts', 'report-worker': 'src/cli/report-worker.ts' }, format: 'cjs', outdir: dir, outExtension: { '.js': '.cjs' } }),
  ]);
}, 60_000);

const script = (mod: string) => `
  const serial = await m.reportFile(${JSON.stringify(ck)}, { shuffles: 2 }, { jobs: 1 });
  const par = await m.reportFile(${JSON.stringify(ck)}, { shuffles: 2 }, { jobs: 2 });
  const z = (r) => JSON.stringify({ ...r, seconds: 0 });
  console.log(JSON.stringify({ same: z(serial) === z(par), bits: par.totals.qubdBits, mod: ${JSON.stringify(mod)} }));
`;

describe('built worker entry (no tsx)', () => {
  it('ESM: dist-style report-worker.js gives the serial report', async () => {
    const code = `const m = await import(${JSON.stringify('file://' + join(dir, 'node.js'))});${script('esm')}`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: tmpdir() });
    const r = JSON.parse(stdout) as { same: boolean; bits: number };
    expect(r.same).toBe(true);
    expect(r.bits).toBeGreaterThan(0);
  });

  it('CJS: dist-style report-worker.cjs gives the serial report', async () => {
    const code = `(async () => { const m = require(${JSON.stringify(join(dir, 'node.cjs'))});${script('cjs')} })().catch((e) => { console.error(e); process.exit(1); });`;
    const { stdout } = await run(process.execPath, ['-e', code], { cwd: tmpdir() });
    expect(JSON.parse(stdout)).toMatchObject({ same: true });
  });
});
