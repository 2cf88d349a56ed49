/**
 * `npm run test:browser`: drives the built playground (site/dist, `npm run site`) in Debian's
 * Chromium with playwright-core and checks what the README claims about ockham in a browser:
 *
 * 1. the grokking checkpoint, loaded through the file input while the page is offline, gives a
 *    report whose JSON equals `ockham report --json` computed here in Node with the same options
 *    (only `seconds` differs; `file` is the picked file's name);
 * 2. the WebAssembly SIMD kernels ran in the page's stage workers, and the page logged no console errors;
 * 3. a TF.js model.json + shard (the vendored upscaler) gives the Node report too, and Cancel stops a run;
 * 4. under a CSP without 'wasm-unsafe-eval' (site/csp.html) the JS fallback runs, says so exactly
 *    once through ockham's warning API, and gives the same report.
 *
 * Saves site/artifacts/screenshot.png. Chromium: $CHROMIUM_PATH or /usr/bin/chromium.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { reportFile } from '../src/cli/report.js';
import { parseSafetensors } from '../src/index.js';
import { DEFAULT_REPORT_OPTIONS } from '../src/cli/report.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'site', 'dist');
const ARTIFACTS = path.join(ROOT, 'site', 'artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const GROKKING = path.join(ROOT, 'examples', 'grokking', 'step-004000.safetensors');
const UPSCALER = [path.join(ROOT, 'test', 'fixtures', 'upscaler', 'model.json'), path.join(ROOT, 'test', 'fixtures', 'upscaler', 'group1-shard1of1.bin')];
const TIMEOUT = 120_000;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

let failures = 0;
function check(ok: boolean, what: string, detail = ''): void {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${!ok && detail ? `\n     ${detail}` : ''}`);
  if (!ok) failures++;
}

/** A static server for site/dist on 127.0.0.1 (random port); paths may not leave DIST. */
function serve(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    let p = path.normalize(path.join(DIST, decodeURIComponent(u.pathname)));
    if (p !== DIST && !p.startsWith(DIST + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(p) && statSync(p).isDirectory()) p = path.join(p, 'index.html');
    if (!existsSync(p)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[path.extname(p)] ?? 'application/octet-stream' });
    res.end(readFileSync(p));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    });
  });
}

/** A report as JSON text without the fields that legitimately differ (timing; the file's path). */
function comparable(r: { file: string; seconds?: number }): string {
  const { seconds: _s, ...rest } = r as { file: string; seconds?: number } & Record<string, unknown>;
  return JSON.stringify({ ...rest, file: path.basename(r.file) }, null, 2);
}

function firstDifference(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}: browser ${JSON.stringify(la[i])} vs node ${JSON.stringify(lb[i])}`;
  }
  return '';
}

/** Clears the previous report's done flag, so reportJson waits for the next one. */
async function expectNewReport(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelector('[data-testid="report-json"]')?.removeAttribute('data-done'));
}

/** The page's error message once it names `file` (an earlier file's error may still be shown). */
async function errorFor(page: Page, file: string): Promise<string | null> {
  await page.waitForFunction((f) => (document.querySelector('[data-testid="error"]')?.textContent ?? '').includes(f), file, { timeout: TIMEOUT });
  return page.locator('[data-testid="error"]').textContent();
}

async function reportJson(page: Page): Promise<string> {
  const el = page.getByTestId('report-json');
  await page.waitForSelector('[data-testid="report-json"][data-done="true"], [data-testid="error"]', { state: 'attached', timeout: TIMEOUT });
  const err = await page.getByTestId('error').count();
  if (err) throw new Error(`the page reported an error: ${await page.getByTestId('error').textContent()}`);
  return (await el.textContent()) ?? '';
}

/** A little-endian float32 .npy file (format 1.0), as numpy.save writes it. */
function npyBytes(shape: readonly number[], data: Float32Array): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** Largest relative difference between two reports' numbers (same structure assumed). */
function maxRelDiff(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    let m = 0;
    for (const k of Object.keys(a)) if (k !== 'seconds') m = Math.max(m, maxRelDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
    return m;
  }
  return 0;
}

/**
 * The Node report with WebAssembly compilation refused (JS kernels), computed in a child process
 * so this process keeps its SIMD kernels.
 */
function nodeFallbackReport(file: string): unknown {
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--fallback-report', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--fallback-report') {
    (WebAssembly as { Module: unknown }).Module = function Refused(): never {
      throw new WebAssembly.CompileError('refused (test:browser simulates a CSP without wasm-unsafe-eval)');
    };
    process.stdout.write(JSON.stringify(await reportFile(process.argv[3], { ...DEFAULT_REPORT_OPTIONS })));
    return;
  }
  if (!existsSync(path.join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html is missing: run \`npm run site\` first`);
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  mkdirSync(ARTIFACTS, { recursive: true });

  // The Node side: the same core and options as `ockham report --json` (the page's defaults).
  const nodeGrokking = await reportFile(GROKKING, { ...DEFAULT_REPORT_OPTIONS });
  const nodeUpscaler = await reportFile(UPSCALER[0], { ...DEFAULT_REPORT_OPTIONS });
  const nodeFallback = nodeFallbackReport(GROKKING) as { file: string };
  // .npy and .npz copies of the grokking tensors (written here, as numpy would), for the readers' paths.
  const scratch = mkdtempSync(path.join(tmpdir(), 'ockham-npy-'));
  const grok = parseSafetensors(readFileSync(GROKKING));
  const NPY = path.join(scratch, 'hidden.npy');
  const hidden = grok.tensors.find((t) => t.name === 'hidden') ?? grok.tensors[1];
  writeFileSync(NPY, npyBytes(hidden.shape, hidden.data));
  const NPZ = path.join(scratch, 'grokking.npz');
  writeFileSync(NPZ, zipSync(Object.fromEntries(grok.tensors.map((t) => [`${t.name}.npy`, [npyBytes(t.shape, t.data), { level: 0 }]]))));
  const nodeNpy = await reportFile(NPY, { ...DEFAULT_REPORT_OPTIONS });
  const nodeNpz = await reportFile(NPZ, { ...DEFAULT_REPORT_OPTIONS });
  // Formats read by content through parseWeights on the page: GGUF, PyTorch (zip and legacy), ONNX.
  const FIXTURES: [string, string][] = [
    ['test/fixtures/gguf/all-types.gguf', 'GGUF (every ggml type, quantized blocks dequantized)'],
    ['test/fixtures/pytorch/state-dict-zip.pt', 'PyTorch zip checkpoint (torch.save)'],
    ['test/fixtures/pytorch/checkpoint-legacy.pt', 'PyTorch legacy checkpoint'],
    ['test/fixtures/onnx/tiny.onnx', 'ONNX (torch.onnx.export)'],
  ];
  const nodeFixtures = [];
  for (const [rel, what] of FIXTURES) nodeFixtures.push([path.join(ROOT, rel), await reportFile(path.join(ROOT, rel), { ...DEFAULT_REPORT_OPTIONS }), what] as const);

  const { url, close } = await serve();
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'ockham-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  try {
    // ---- 1–3: the playground ----
    const page = context.pages()[0] ?? (await context.newPage());
    const cdp = await context.newCDPSession(page);
    const { product } = (await cdp.send('Browser.getVersion')) as { product: string };
    console.log(`${product}, serving ${path.relative(ROOT, DIST)} at ${url}`);
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${url}/index.html`);
    await page.waitForFunction(() => document.getElementById('backend')?.dataset.kernels !== undefined, null, { timeout: TIMEOUT });
    const api = await page.request.get(`${url}/${(await page.getByTestId('api-link').getAttribute('href'))!.replace(/^\.\//, '')}`);
    check(api.ok() && (await api.text()).includes('ockham'), 'the API reference is built into the site and linked');

    // Offline from here: the page must need nothing from the network once loaded.
    await context.setOffline(true);
    await page.getByTestId('file-input').setInputFiles(GROKKING);
    const text = await reportJson(page);
    const browser = JSON.parse(text) as { file: string; seconds: number };
    check(comparable(browser) === comparable(nodeGrokking), 'grokking step-004000: the page report (offline) equals the Node report', firstDifference(comparable(browser), comparable(nodeGrokking)));
    const kernels = await page.getByTestId('backend').getAttribute('data-kernels');
    const calls = Number(await page.getByTestId('backend').getAttribute('data-wasm-kernel-calls'));
    const where = await page.getByTestId('backend').textContent();
    check(kernels === 'wasm-simd' && calls > 0, `the WebAssembly SIMD kernels ran in the stage workers (${where}; ${calls} kernel calls)`);
    const external = requests.filter((u) => !u.startsWith(url) && !u.startsWith('blob:') && !u.startsWith('data:'));
    check(external.length === 0, 'no request left localhost', external.join(', '));
    await page.screenshot({ path: path.join(ARTIFACTS, 'screenshot.png'), fullPage: true });
    console.log(`     screenshot: ${path.relative(ROOT, path.join(ARTIFACTS, 'screenshot.png'))}`);

    // TF.js model.json + shard: first cancelled, then run to the end.
    await expectNewReport(page);
    await page.getByTestId('file-input').setInputFiles(UPSCALER);
    await page.waitForFunction(() => !(document.getElementById('cancel') as HTMLButtonElement).disabled, null, { timeout: TIMEOUT });
    await page.getByTestId('cancel').click();
    await page.waitForTimeout(1500); // a cancelled run must not come back with a report
    const status = await page.getByTestId('status').textContent();
    const doneAfterCancel = await page.locator('[data-testid="report-json"][data-done="true"]').count();
    check(status === 'cancelled' && doneAfterCancel === 0, `Cancel stops a running analysis (status '${status}' 1.5 s later, no report)`);
    await expectNewReport(page);
    await page.locator('#run').click();
    const up = JSON.parse(await reportJson(page)) as { file: string; seconds: number };
    check(comparable(up) === comparable(nodeUpscaler), 'TF.js upscaler model.json + shard: the page report equals the Node report', firstDifference(comparable(up), comparable(nodeUpscaler)));
    console.log(`     upscaler analysis: ${up.seconds.toFixed(2)} s in the page (${await page.getByTestId('backend').textContent()}), ${(nodeUpscaler as { seconds: number }).seconds.toFixed(2)} s in Node, one thread (one run each)`);
    for (const [file, node, what] of [[NPY, nodeNpy, '.npy'], [NPZ, nodeNpz, '.npz']] as const) {
      await expectNewReport(page);
      await page.getByTestId('file-input').setInputFiles(file);
      const r = JSON.parse(await reportJson(page)) as { file: string };
      check(comparable(r) === comparable(node), `${what} (grokking tensors written as numpy would): the page report equals the Node report`, firstDifference(comparable(r), comparable(node)));
    }
    for (const [file, node, what] of nodeFixtures) {
      await expectNewReport(page);
      await page.getByTestId('file-input').setInputFiles(file);
      const r = JSON.parse(await reportJson(page)) as { file: string };
      check(comparable(r) === comparable(node), `${what}: the page report equals the Node report`, firstDifference(comparable(r), comparable(node)));
    }
    // A pickle that would run a command if unpickled by Python: refused, naming the global.
    await expectNewReport(page);
    await page.getByTestId('file-input').setInputFiles(path.join(ROOT, 'test/fixtures/pytorch/evil-os-system.pt'));
    const evil = await errorFor(page, 'evil-os-system.pt');
    check(/system/.test(evil ?? '') && /UNSUPPORTED|refus|not allowed|allow/i.test(evil ?? ''), `a malicious PyTorch pickle is refused, naming the global (${evil})`);
    // A damaged file: a clear error on the page, not a crash.
    const BAD = path.join(scratch, 'damaged.safetensors');
    writeFileSync(BAD, readFileSync(GROKKING).subarray(0, 300));
    await expectNewReport(page);
    await page.getByTestId('file-input').setInputFiles(BAD);
    const bad = await errorFor(page, 'damaged.safetensors');
    check(/damaged|PARSE|truncat|exceeds|end/i.test(bad ?? ''), `a truncated file shows the reader's error (${bad})`);
    check(errors.length === 0, 'the playground logged no console errors', errors.join('\n     '));
    await context.setOffline(false);

    // ---- 4: the JS fallback under a CSP without 'wasm-unsafe-eval' ----
    const csp = await context.newPage();
    const cspErrors: string[] = [];
    csp.on('console', (m) => {
      if (m.type() === 'error') cspErrors.push(m.text());
    });
    csp.on('pageerror', (e) => cspErrors.push(`pageerror: ${e.message}`));
    await csp.goto(`${url}/csp.html`);
    await csp.getByTestId('file-input').setInputFiles(GROKKING);
    const cspText = await reportJson(csp);
    const b = JSON.parse((await csp.getByTestId('backend').textContent()) ?? '{}') as { kernels?: string; reason?: string; detail?: string };
    const w = JSON.parse((await csp.getByTestId('warnings').textContent()) ?? '{}') as { list: { code: string }[]; heard: { code: string }[] };
    check(b.kernels === 'js' && b.reason === 'compile-blocked', `strict CSP: the JS fallback runs (${b.kernels}, ${b.reason}: ${b.detail})`);
    check(
      w.list.length === 1 && w.list[0].code === 'WASM_BLOCKED' && w.heard.length === 1 && w.heard[0].code === 'WASM_BLOCKED',
      'strict CSP: exactly one WASM_BLOCKED warning, in warnings() and through onWarning()',
      JSON.stringify(w),
    );
    const cspReport = JSON.parse(cspText) as { file: string };
    check(comparable(cspReport) === comparable(nodeFallback), 'strict CSP: the JS-fallback report equals the Node report with the JS kernels', firstDifference(comparable(cspReport), comparable(nodeFallback)));
    // The SIMD and scalar GEMMs of the SVD sum in different orders: spectral values may differ in
    // the last bits; QuBD, ratios and sizes are integer/IEEE-exact in both.
    const rel = maxRelDiff(cspReport, nodeGrokking);
    const { tensors: ta, ...restA } = cspReport as unknown as { tensors: { spectral: unknown }[] };
    const { tensors: tb, ...restB } = nodeGrokking as unknown as { tensors: { spectral: unknown }[] };
    const noSpectral = (ts: { spectral: unknown }[]) => ts.map((t) => ({ ...t, spectral: null }));
    check(
      comparable({ ...restA, tensors: noSpectral(ta) } as never) === comparable({ ...restB, tensors: noSpectral(tb) } as never) && rel < 1e-12,
      `strict CSP: vs the SIMD report, everything but the spectral values is equal; those within ${rel.toExponential(1)} (relative)`,
    );
    // Chromium itself logs the CSP refusal; anything else is a failure.
    const unexpected = cspErrors.filter((e) => !/WebAssembly|wasm-unsafe-eval|Content Security Policy/i.test(e));
    check(unexpected.length === 0, 'strict CSP: no console errors besides the browser\'s own CSP report', unexpected.join('\n     '));
  } finally {
    await context.close();
    close();
    rmSync(userDataDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
  if (failures) {
    console.error(`test:browser: ${failures} check(s) failed`);
    process.exit(1);
  }
  console.log('test:browser: all checks passed');
}

main().catch((e) => {
  console.error(`test:browser: ${(e as Error)?.stack ?? e}`);
  process.exit(1);
});
