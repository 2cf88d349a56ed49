/**
 * Every `@example` in src/ runs as written: each is extracted from its TSDoc, type-checked under
 * `strict` as a module of its own (imports from 'ockham' / 'ockham/node' mapped to src/), then run.
 * An example is what a user copies: it must carry its imports and define everything it uses.
 * Examples whose first line is a `// browser: …` comment need browser APIs (Web Workers): they are
 * type-checked (with the DOM library) but not run here.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const SRC = path.join(ROOT, 'src');
const SCRATCH = path.join(ROOT, `.scratch-examples-${process.pid}`);

interface Example {
  /** e.g. src/qubd/qubd.ts:99 qubd */
  id: string;
  code: string;
}

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = path.join(dir, f);
      return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
    });
}

/** The `@example` blocks of one source file (fenced or not), with the name they document. */
export function extractExamples(file: string, text: string): Example[] {
  const out: Example[] = [];
  const comment = /\/\*\*([\s\S]*?)\*\//g;
  for (let m = comment.exec(text); m; m = comment.exec(text)) {
    const lines = m[1].split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
    const startLine = text.slice(0, m.index).split('\n').length;
    const after = text.slice(m.index + m[0].length).match(/^\s*(?:export\s+)?(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type)\s+([A-Za-z0-9_$]+)/);
    const name = after?.[1] ?? '?';
    for (let i = 0; i < lines.length; i++) {
      if (!/^@example\b/.test(lines[i].trim())) continue;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !/^@\w/.test(lines[j].trim()); j++) body.push(lines[j]);
      let code = body.join('\n');
      const fence = code.match(/```(?:ts|typescript|js|javascript)?\n([\s\S]*?)```/);
      if (fence) code = fence[1];
      out.push({ id: `${path.relative(ROOT, file)}:${startLine + i} ${name}`, code: code.trim() + '\n' });
      i = j - 1;
    }
  }
  return out;
}

const examples: Example[] = files(SRC).flatMap((f) => extractExamples(f, readFileSync(f, 'utf8')));
const fileOf = (i: number) => path.join(SCRATCH, `example-${String(i).padStart(3, '0')}.ts`);
let diagnostics = new Map<string, string[]>();

beforeAll(() => {
  rmSync(SCRATCH, { recursive: true, force: true });
  mkdirSync(SCRATCH, { recursive: true });
  // `export {}` makes each a module (top-level await allowed, no clashes between examples).
  examples.forEach((e, i) => writeFileSync(fileOf(i), `${e.code}\nexport {};\n`));
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    isolatedModules: true,
    esModuleInterop: true,
    baseUrl: ROOT,
    paths: { ockham: ['src/index.ts'], 'ockham/node': ['src/node.ts'] },
  };
  const program = ts.createProgram(examples.map((_, i) => fileOf(i)), options);
  diagnostics = new Map();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const f = d.file?.fileName ?? '';
    if (!f.startsWith(SCRATCH)) continue;
    const where = d.file && d.start !== undefined ? `line ${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    const list = diagnostics.get(f) ?? [];
    list.push(`${where}TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    diagnostics.set(f, list);
  }
}, 120_000);

afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

describe('every @example in src/', () => {
  it('finds the examples', () => expect(examples.length).toBeGreaterThan(100));
  it('runs all but a few browser-only ones', () => expect(examples.filter((e) => /^\/\/ browser:/.test(e.code)).length).toBeLessThanOrEqual(3));

  examples.forEach((e, i) => {
    const browserOnly = /^\/\/ browser:/.test(e.code);
    it(`${e.id}${browserOnly ? ' (browser: type-checked, not run)' : ''}`, async () => {
      expect(diagnostics.get(path.resolve(fileOf(i))) ?? diagnostics.get(fileOf(i)) ?? [], `type errors under strict in\n${e.code}`).toEqual([]);
      if (browserOnly) return;
      // Run it: the same code, with 'ockham' / 'ockham/node' resolved to the sources.
      const runnable = path.join(SCRATCH, `run-${String(i).padStart(3, '0')}.ts`);
      const code = e.code
        .replace(/from\s+'ockham\/node'/g, `from ${JSON.stringify(path.join(SRC, 'node.ts'))}`)
        .replace(/from\s+'ockham'/g, `from ${JSON.stringify(path.join(SRC, 'index.ts'))}`);
      writeFileSync(runnable, `${code}\nexport {};\n`);
      const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        await import(/* @vite-ignore */ pathToFileURL(runnable).href);
      } finally {
        log.mockRestore();
      }
    }, 120_000);
  });
});
