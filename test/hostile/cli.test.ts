/**
 * Hostile inputs against the `ockham` CLI (issue 15): terminal injection through tensor names,
 * SVG well-formedness, NaN/Inf errors, argument checks before the work, closed or full outputs.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serializeSafetensors } from '../../src/index.js';
import { run, EXIT, parseArgs, UsageError } from '../../src/cli/run.js';
import { progressBar } from '../../src/cli/progress.js';
import { escapeControl, escapeJson } from '../../src/cli/escape.js';
import { assertWellFormedXml } from './helpers.js';

const root = resolve(__dirname, '../..');
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
const main = join(root, 'src/cli/main.ts');
const ck = join(root, 'examples/grokking/step-004000.safetensors');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ockham-hostile-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runIn(args: string[]): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  let stdout = '';
  let stderr = '';
  const stream = { isTTY: false, write: (s: string) => ((stderr += s), true) } as unknown as NodeJS.WriteStream;
  const t0 = performance.now();
  const code = await run(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), stderrStream: stream });
  return { code, stdout, stderr, ms: performance.now() - t0 };
}

const EVIL = '\x1b[2J\x1b[31mPWNED\x1b[0m\nTOTAL  1  2  3 \u009b31m \u202e<b>&amp;"\'';
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

function weights(name: string, data: Float32Array, shape: number[]): string {
  const p = join(dir, `${Math.random().toString(36).slice(2)}.safetensors`);
  writeFileSync(p, serializeSafetensors([{ name, shape, data }], { step: '1', [EVIL]: EVIL }));
  return p;
}

function matrix(n = 16): Float32Array {
  return Float32Array.from({ length: n * n }, (_, i) => Math.sin(i * 0.37));
}

describe('terminal and SVG injection', () => {
  it('a tensor named with escape codes and a newline prints as visible text; --plot is well-formed XML', async () => {
    const f = weights(EVIL, matrix(), [16, 16]);
    const svg = join(dir, 'evil.svg');
    const r = await runIn(['report', f, '--no-compress', '--shuffles', '1', '--plot', svg]);
    expect(r.code, r.stderr).toBe(EXIT.OK);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('\\x1b[2J\\x1b[31mPWNED\\x1b[0m\\nTOTAL');
    // The forged "TOTAL" row never starts a line.
    expect(r.stdout.split('\n').filter((l) => l.startsWith('TOTAL'))).toHaveLength(1);
    const text = readFileSync(svg, 'utf8');
    assertWellFormedXml(text);
    expect(text).toContain('PWNED');
    expect(text).toContain('&lt;b&gt;&amp;amp;&quot;&#39;');
  });

  it('--json stays valid JSON with the exact name, and no raw C1/bidi characters', async () => {
    const f = weights(EVIL, matrix(), [16, 16]);
    const r = await runIn(['report', f, '--json', '--no-compress', '--no-spectral', '--shuffles', '1']);
    expect(r.code, r.stderr).toBe(EXIT.OK);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    const j = JSON.parse(r.stdout) as { tensors: { name: string }[]; metadata: Record<string, string> };
    expect(j.tensors[0].name).toBe(EVIL);
    expect(j.metadata[EVIL]).toBe(EVIL);
  });

  it('track/compare tables and errors escape file names', async () => {
    const f = weights('w', matrix(), [16, 16]);
    const evilPath = join(dir, 'x\x1b[2Jy.safetensors');
    writeFileSync(evilPath, readFileSync(f));
    const r = await runIn(['compare', f, evilPath, '--no-compress', '--no-spectral', '--shuffles', '1', '--x', 'index']);
    expect(r.code, r.stderr).toBe(EXIT.OK);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('x\\x1b[2Jy');
    const missing = await runIn(['report', join(dir, 'nope\x1b]0;title\x07.safetensors')]);
    expect(missing.code).toBe(EXIT.INPUT);
    expect(missing.stderr).not.toMatch(RAW_CONTROL);
    expect(missing.stderr).toContain('\\x1b]0;title\\x07');
  });

  it('the progress bar escapes tensor names', () => {
    let out = '';
    const stream = { isTTY: false, write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
    const bar = progressBar(true, '', stream, () => 0);
    bar.update(0, 10, EVIL);
    expect(out.slice(0, -1)).not.toMatch(RAW_CONTROL);
    expect(out).toContain('\\x1b[2J');
  });

  it('escapeControl / escapeJson', () => {
    expect(escapeControl('a\x00b\tc\nd\u009be\u202ef\ud800g')).toBe('a\\x00b\\tc\\nd\\x9be\\u202ef\\ud800g');
    expect(escapeControl('naïve ✓ 𝔵')).toBe('naïve ✓ 𝔵');
    const s = JSON.stringify({ k: 'a\u009b\u2028b' }, null, 2);
    expect(JSON.parse(escapeJson(s))).toEqual({ k: 'a\u009b\u2028b' });
    expect(escapeJson(s)).not.toMatch(/[\u009b\u2028]/);
  });
});

describe('NaN / Infinity name the file and the tensor', () => {
  it('NaN in a matrix: NON_FINITE: <path>: tensor "w" …', async () => {
    const m = matrix();
    m[37] = NaN;
    const f = weights('w', m, [16, 16]);
    const r = await runIn(['report', f]);
    expect(r.code).toBe(EXIT.INPUT);
    expect(r.stderr).toBe(`ockham report: NON_FINITE: ${f}: tensor "w" [16, 16] holds NaN at element 37; ockham measures finite weights only\n`);
  });

  it('Infinity in a 1-D bias is not blamed on --delta', async () => {
    const b = new Float32Array(8);
    b[3] = Infinity;
    const f = weights('fc.bias', b, [8]);
    const r = await runIn(['report', f]);
    expect(r.code).toBe(EXIT.INPUT);
    expect(r.stderr).toContain(`NON_FINITE: ${f}: tensor "fc.bias" [8] holds Infinity at element 3`);
    expect(r.stderr).not.toContain('--delta');
  });
});

describe('arguments are checked before the work', () => {
  it('--seed above 2^53 − 1 (or not an integer) is refused when parsed', async () => {
    for (const s of ['9007199254740992', '9007199254740993', '1e16', '9007199254740991.4', '-1']) {
      expect(() => parseArgs(['report', 'x', '--seed', s])).toThrow(UsageError);
    }
    expect(parseArgs(['report', 'x', '--seed', '9007199254740991']).o.seed).toBe(2 ** 53 - 1);
    const r = await runIn(['report', ck, '--seed', '9007199254740993']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.ms).toBeLessThan(1000);
  });

  it('--plot into a missing folder fails before the computation', async () => {
    const r = await runIn(['report', ck, '--plot', join(dir, 'no', 'such', 'folder', 'x.svg')]);
    expect(r.code).toBe(EXIT.INPUT);
    expect(r.stderr).toMatch(/^ockham report: INVALID_ARGUMENT: --plot: cannot write .*: its folder .* does not exist\n$/);
    expect(r.stdout).toBe('');
    expect(r.ms).toBeLessThan(1000);
    const folder = await runIn(['report', ck, '--plot', dir]);
    expect(folder.stderr).toMatch(/it is a folder/);
  });

  it('--table that is a FIFO is refused, not waited on', async () => {
    const fifo = join(dir, 'table.tsv');
    execFileSync('mkfifo', [fifo]);
    const r = await runIn(['report', ck, '--table', fifo]);
    expect(r.code).toBe(EXIT.INPUT);
    expect(r.stderr).toMatch(/INVALID_ARGUMENT: .*table\.tsv: CTM table .* is a FIFO/);
  });

  it('budget flags reach the readers; bad values are usage errors', async () => {
    const r = await runIn(['report', ck, '--max-header-bytes', '64']);
    expect(r.code).toBe(EXIT.INPUT);
    expect(r.stderr).toContain(`OUT_OF_RANGE: ${ck}: header length`);
    expect(r.stderr).toContain('maxHeaderBytes = 64');
    const t = await runIn(['report', ck, '--max-tensor-bytes', '1Ki']);
    expect(t.stderr).toMatch(/maxTensorBytes = 1024/);
    expect(parseArgs(['report', 'x', '--max-total-bytes', '2Gi', '--max-tensors', '10', '--max-expansion', '4']).o.budget).toEqual({
      maxTotalBytes: 2 ** 31,
      maxTensors: 10,
      maxExpansion: 4,
    });
    for (const v of ['-1', '1.5', 'lots', '1Q', '99999999999Ti']) expect(() => parseArgs(['report', 'x', '--max-header-bytes', v])).toThrow(UsageError);
  });
});

describe('closed or full output streams (spawned)', () => {
  function spawnCli(args: string[], stdout: 'pipe' | number, closeAt = 10): Promise<{ code: number | null; signal: string | null; stderr: string; first: string }> {
    return new Promise((res) => {
      const p = spawn(process.execPath, [tsx, main, ...args], { cwd: root, stdio: ['ignore', stdout, 'pipe'] });
      let stderr = '';
      let first = '';
      p.stderr!.on('data', (d) => (stderr += d));
      if (p.stdout && closeAt === 0) p.stdout.destroy(); // the reader is gone before the first write
      else if (p.stdout) {
        // `| head -c 10`: read ten bytes, then close the pipe.
        p.stdout.once('data', (d: Buffer) => {
          first = d.subarray(0, closeAt).toString();
          p.stdout!.destroy();
        });
      }
      p.on('close', (code, signal) => res({ code, signal, stderr, first }));
    });
  }

  it('report --json | head -c 10: ends quietly (exit 0), no stack trace', async () => {
    const r = await spawnCli(['report', ck, '--json', '--no-compress', '--shuffles', '1'], 'pipe');
    expect(r.first).toBe('{\n  "schem');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Reader gone before the first write: the write fails with EPIPE, still quiet.
    const gone = await spawnCli(['report', ck, '--no-compress', '--shuffles', '1'], 'pipe', 0);
    expect(gone.stderr).toBe('');
    expect(gone.code).toBe(0);
  });

  it.skipIf(!existsSync('/dev/full'))('output to /dev/full (ENOSPC): one clean error line, exit 2', async () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const r = await spawnCli(['report', ck, '--no-compress', '--no-spectral', '--shuffles', '1'], fd);
      expect(r.code).toBe(EXIT.INPUT);
      expect(r.stderr).toBe('ockham: cannot write the output: ENOSPC ENOSPC: no space left on device, write\n');
    } finally {
      closeSync(fd);
    }
  });
});
