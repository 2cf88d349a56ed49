/**
 * The core entry must run in browsers: no `node:` imports, no `fs`, no `Buffer` outside the
 * Node-only files (src/node.ts, src/io/node/, src/cli/).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '..', 'src');
const NODE_ONLY = [path.join(SRC, 'node.ts'), path.join(SRC, 'io', 'node'), path.join(SRC, 'cli')];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('browser safety of the core entry', () => {
  const core = files(SRC).filter((f) => !NODE_ONLY.some((n) => f === n || f.startsWith(n + path.sep)));
  it('finds the core sources', () => expect(core.length).toBeGreaterThan(20));
  for (const f of core) {
    it(path.relative(SRC, f), () => {
      const text = readFileSync(f, 'utf8');
      expect(text).not.toMatch(/from\s+['"](node:|fs['"]|path['"]|os['"]|worker_threads['"])/);
      expect(text).not.toMatch(/\brequire\(/);
      expect(text).not.toMatch(/\bBuffer\./);
      expect(text).not.toMatch(/\bprocess\./);
    });
  }
});
