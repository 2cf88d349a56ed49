/**
 * The core entry must run in browsers: no `node:` imports, no `fs`, no `Buffer` outside the
 * Node-only files (src/node.ts, src/io/node/, src/cli/); the playground's sources (site/src) too.
 * The only runtime dependency is fflate: nothing in src/ may import another package (dist/ is
 * checked against an install of the dependencies alone by scripts/check-dist.mjs).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const SRC = path.join(ROOT, 'src');
const SITE = path.join(ROOT, 'site', 'src');
const NODE_ONLY = [path.join(SRC, 'node.ts'), path.join(SRC, 'io', 'node'), path.join(SRC, 'cli')];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Module specifiers of static and dynamic imports and re-exports (outside comments: examples import 'ockham'). */
function specifiers(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) out.push(m[1]);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) out.push(m[1]);
  // Not inside a string (src/compress/parallel.ts builds a tsx bootstrap as code text for tests).
  for (const m of text.matchAll(/(?<![`'"])\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

describe('browser safety of the core entry', () => {
  const core = files(SRC).filter((f) => !NODE_ONLY.some((n) => f === n || f.startsWith(n + path.sep)));
  const site = existsSync(SITE) ? files(SITE) : [];
  it('finds the core sources', () => expect(core.length).toBeGreaterThan(20));
  for (const f of [...core, ...site]) {
    it(path.relative(ROOT, f), () => {
      // Code only: TSDoc examples may show Node usage (readFileSync of a fixture).
      const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
      expect(text).not.toMatch(/from\s+['"](node:|fs['"]|path['"]|os['"]|worker_threads['"])/);
      expect(text).not.toMatch(/\brequire\(/);
      expect(text).not.toMatch(/\bBuffer\./);
      expect(text).not.toMatch(/\bprocess\./);
    });
  }
});

describe('runtime dependencies', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const deps = new Set(Object.keys(pkg.dependencies ?? {}));
  it('ml-matrix is a devDependency only', () => {
    expect(deps.has('ml-matrix')).toBe(false);
    expect(pkg.devDependencies?.['ml-matrix']).toBeDefined();
  });
  it('src/ imports only relative paths, node: built-ins (Node-only files) and the declared dependencies', () => {
    const bad: string[] = [];
    for (const f of files(SRC)) {
      for (const s of specifiers(readFileSync(f, 'utf8'))) {
        if (s.startsWith('.') || s.startsWith('node:')) continue;
        const name = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0];
        if (!deps.has(name)) bad.push(`${path.relative(ROOT, f)}: '${s}'`);
      }
    }
    expect(bad).toEqual([]);
  });
});
