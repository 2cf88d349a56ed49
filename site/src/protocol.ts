/** Messages between the page and its analysis worker. */
import type { BackendInfo, OckhamWarning } from '../../src/index.js';
import type { PickedFile } from './files.js';
import type { PageOptions, Report } from './analyse.js';

export type ToWorker = { type: 'hello' } | { type: 'run'; id: number; files: PickedFile[]; options: PageOptions };

export type FromWorker =
  | { type: 'backend'; backend: BackendInfo; warnings: OckhamWarning[] }
  | { type: 'progress'; id: number; done: number; total: number; label: string }
  | { type: 'done'; id: number; report: Report; backend: BackendInfo; warnings: OckhamWarning[] }
  | { type: 'error'; id: number; message: string };
