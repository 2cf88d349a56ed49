/** bench/util.ts's one output format: markdown tables for people, the same data as JSON. */
import { describe, expect, it } from 'vitest';
import { beginArea, benchResults, mdCell, note, printTable, setBenchOutput } from '../bench/util.js';

describe('bench output', () => {
  it('prints markdown with right-aligned numeric columns and records typed JSON', () => {
    const lines: string[] = [];
    setBenchOutput('markdown', (s) => lines.push(s));
    beginArea('demo');
    printTable('t', [
      { input: '768×768', ms: '1.250', ratio: 2.3456, note: null },
      { input: 'a|b', ms: '10', ratio: 1, note: 'x' },
    ]);
    note('baseline: a plain pass');
    const text = lines.join('\n');
    expect(text).toContain('| input | ms | ratio | note |\n|---|---:|---:|---|');
    expect(text).toContain('| 768×768 | 1.250 | 2.346 | — |');
    expect(text).toContain('| a\\|b | 10 | 1 | x |');
    const area = benchResults().at(-1)!;
    expect(area.area).toBe('demo');
    expect(area.tables[0].rows[0]).toEqual({ input: '768×768', ms: 1.25, ratio: 2.3456, note: null });
    expect(area.notes).toEqual(['baseline: a plain pass']);
  });

  it('formats numbers to 4 significant digits, tiny and huge ones in exponent form', () => {
    expect(mdCell(3.14159265)).toBe('3.142');
    expect(mdCell(12345678.9)).toBe('1.235e+7');
    expect(mdCell(0.000123)).toBe('1.230e-4');
    expect(mdCell(42)).toBe('42');
    expect(mdCell(null)).toBe('—');
  });
});
