#!/usr/bin/env node
/**
 * Checks that the built package (dist/, after `npm run build`) runs with its declared runtime
 * dependencies only: copies dist/ and package.json into a temporary folder whose node_modules holds
 * nothing but `dependencies` (fflate; optional peers absent too), then loads the ESM and CJS entries and `ockham/node`, runs a
 * QuBD, and runs the CLI. Fails if anything reaches for a devDependency such as ml-matrix.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const dir = mkdtempSync(path.join(tmpdir(), 'ockham-dist-'));
try {
  const home = path.join(dir, 'node_modules', 'ockham');
  mkdirSync(home, { recursive: true });
  cpSync(path.join(root, 'dist'), path.join(home, 'dist'), { recursive: true });
  writeFileSync(path.join(home, 'package.json'), JSON.stringify(pkg));
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    cpSync(path.join(root, 'node_modules', dep), path.join(dir, 'node_modules', dep), { recursive: true, dereference: true });
  }
  const text = [...(await import('node:fs')).readdirSync(path.join(home, 'dist'))]
    .filter((f) => /\.(c?js)$/.test(f))
    .map((f) => readFileSync(path.join(home, 'dist', f), 'utf8'))
    .join('\n');
  // Optional peer dependencies (mnist, tfjs) are loaded only when the caller passes or asks for them.
  const peers = new Set(Object.keys(pkg.peerDependencies ?? {}));
  for (const dev of Object.keys(pkg.devDependencies ?? {}).filter((d) => !peers.has(d))) {
    if (new RegExp(`(from|require\\()\\s*['"]${dev.replace(/[/.]/g, '\\$&')}['"/]`).test(text)) throw new Error(`dist imports the devDependency ${dev}`);
  }
  const w = new Float32Array(64 * 64).map((_, i) => Math.sin(i / 50));
  const esm = await import(pathToFileURL(path.join(home, 'dist', 'index.js')).href);
  const cjs = createRequire(path.join(dir, 'x.cjs'))('ockham');
  const a = esm.qubd(w, { shape: [64, 64], bits: 4 }).total;
  const b = cjs.qubd(w, { shape: [64, 64], bits: 4 }).total;
  if (!(a > 0) || a !== b) throw new Error(`ESM and CJS disagree: ${a} vs ${b}`);
  const node = await import(pathToFileURL(path.join(home, 'dist', 'node.js')).href);
  if (typeof node.readWeightsFile !== 'function') throw new Error('ockham/node lacks readWeightsFile');
  const out = execFileSync(process.execPath, [path.join(home, 'dist', 'cli.js'), 'report', path.join(root, 'examples/grokking/step-004000.safetensors'), '--json', '--no-progress'], { encoding: 'utf8' });
  if (JSON.parse(out).schema !== 'ockham.report/1') throw new Error('the CLI did not print a report');
  console.log(`check-dist: ok — dist runs with only ${Object.keys(pkg.dependencies ?? {}).join(', ')} installed (ESM, CJS, ockham/node, CLI; backend ${esm.backend().kernels})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
