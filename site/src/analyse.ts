/**
 * The report of picked files, computed by the same core as `ockham report` so the JSON is equal
 * for the same file and options (only `seconds` differs; `file` is the picked file's name).
 */
import { analyseTensor, assemble, DEFAULT_REPORT_OPTIONS } from '../../src/cli/report.js';
import type { Report, ReportOptions } from '../../src/cli/report.js';
import { mainFile, readPicked } from './files.js';
import type { PickedFile } from './files.js';

export type { Report, ReportOptions };
export { DEFAULT_REPORT_OPTIONS };

/** Options the page can set (the CLI's flags; a custom CTM table is not offered). */
export type PageOptions = Omit<ReportOptions, 'table' | 'tableName'>;

export function analyse(files: readonly PickedFile[], options: PageOptions, onProgress?: (done: number, total: number, label: string) => void): Report {
  const o: ReportOptions = { ...DEFAULT_REPORT_OPTIONS, ...options, table: null, tableName: 'built-in' };
  const t0 = performance.now();
  const w = readPicked(files);
  const total = w.tensors.reduce((s, t) => s + t.data.length, 0);
  let done = 0;
  const tensors = w.tensors.map((t) => {
    onProgress?.(done, total, t.name);
    const r = analyseTensor(t, w.format, o);
    done += t.data.length;
    return r;
  });
  onProgress?.(total, total, 'done');
  return assemble(mainFile(files).name, w.format, w.metadata, tensors, o, (performance.now() - t0) / 1000);
}
