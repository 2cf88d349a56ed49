/**
 * The report of picked files: `buildReport`, the browser-safe core of `ockham report`, so the JSON
 * equals `ockham report --json` for the same file and options (only `seconds` differs; `file` is
 * the picked file's name). Results do not depend on the pool (src/report/pool.ts).
 */
import { buildReport, DEFAULT_REPORT_OPTIONS } from '../../src/index.js';
import type { Report, ReportOptions, ReportPool } from '../../src/index.js';
import { mainFile, readPicked } from './files.js';
import type { PickedFile } from './files.js';

export type { Report, ReportOptions };
export { DEFAULT_REPORT_OPTIONS };

/** Options the page can set (the CLI's flags; a custom CTM table is not offered). */
export type PageOptions = Omit<ReportOptions, 'table' | 'tableName' | 'budget'>;

export function analyse(
  files: readonly PickedFile[],
  options: PageOptions,
  control: { onProgress?: (done: number, total: number, label: string) => void; signal?: AbortSignal; pool?: ReportPool } = {},
): Promise<Report> {
  const w = readPicked(files);
  return buildReport(w, { ...options, table: null, tableName: 'built-in' }, { ...control, file: mainFile(files).name });
}
