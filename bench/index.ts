/**
 * `npm run bench`: every area's benchmark, each printing ratios against a baseline measured in
 * the same run. `npm run bench -- qubd spectral` runs only the named ones.
 */
import os from 'node:os';

const areas: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  quantize: () => import('./quantize.js'),
  bdm: () => import('./bdm.js'),
  qubd: () => import('./qubd.js'),
  ctm: () => import('./ctm.js'),
  spectral: () => import('./spectral.js'),
  compress: () => import('./compress.js'),
  bzip2: () => import('./bzip2.js'),
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

const only = process.argv.slice(2);
console.log(`# ockham bench — node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}`);
for (const [name, load] of Object.entries(areas)) {
  if (only.length > 0 ? !only.includes(name) : heavy.has(name)) continue;
  const mod = await load();
  await mod.run();
}
