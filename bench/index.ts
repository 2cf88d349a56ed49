/**
 * `npm run bench`: every area's benchmark, each reporting ratios against a baseline measured in
 * the same run (minutes-long ones, e.g. llm, only when named). `npm run bench -- qubd spectral`
 * runs only the named ones; `--json` prints one JSON document (schema `ockham.bench/1`) on stdout
 * instead of markdown, with progress and any other output on stderr.
 */
import os from 'node:os';
import { format } from 'node:util';
import { beginArea, benchResults, setBenchOutput } from './util.js';

const areas: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  quantize: () => import('./quantize.js'),
  bdm: () => import('./bdm.js'),
  qubd: () => import('./qubd.js'),
  ctm: () => import('./ctm.js'),
  spectral: () => import('./spectral.js'),
  compress: () => import('./compress.js'),
  bzip2: () => import('./bzip2.js'),
  'bzip2-decode': () => import('./bzip2-decode.js'),
  bwt: () => import('./bwt.js'),
  coarsegrain: () => import('./coarsegrain.js'),
  io: () => import('./io.js'),
  gguf: () => import('./gguf.js'),
  zip: () => import('./zip.js'),
  pytorch: () => import('./pytorch.js'),
  cli: () => import('./cli.js'),
  llc: () => import('./llc.js'),
  lmn: () => import('./lmn.js'),
  model: () => import('./model.js'),
  llm: () => import('./llm.js'),
};
/** Minutes-long entries that run only when named (`npm run bench -- llm`). */
const heavy = new Set(['llm']);

const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args.filter((a) => a !== '--json');
const unknown = only.filter((a) => !(a in areas));
if (unknown.length) {
  console.error(`bench: unknown area(s) ${unknown.join(', ')}; known: ${Object.keys(areas).join(', ')} (and --json)`);
  process.exit(1);
}
const stdout = (s: string) => process.stdout.write(s + '\n');
if (json) {
  // Keep stdout for the JSON document: whatever a bench prints goes to stderr.
  console.log = (...a: unknown[]) => process.stderr.write(format(...a) + '\n');
  console.table = (...a: unknown[]) => process.stderr.write(format(...a) + '\n');
  setBenchOutput('json');
} else setBenchOutput('markdown', stdout);

const env = {
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'cpu',
  cores: os.cpus().length,
  loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  date: new Date().toISOString(),
};
if (!json) stdout(`# ockham bench — node ${env.node}, ${env.cpu} × ${env.cores}, load average ${env.loadAverage.join(' ')}`);
for (const [name, load] of Object.entries(areas)) {
  if (only.length > 0 ? !only.includes(name) : heavy.has(name)) continue;
  if (json) process.stderr.write(`bench: ${name}…\n`);
  const mod = await load();
  beginArea(name);
  await mod.run();
}
if (json) stdout(JSON.stringify({ schema: 'ockham.bench/1', ...env, areas: benchResults() }, null, 2));
