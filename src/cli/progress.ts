/**
 * A one-line progress bar with ETA on stderr. Drawn only when enabled (stderr is a TTY or
 * `--progress`), redrawn at most every 100 ms, erased when done.
 */
import { escapeControl } from './escape.js';

/** Formats seconds as "12s", "3m04s", "1h02m". */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A progress reporter: `update(done, total, label)`, `done()`. */
export interface ProgressBar {
  update(done: number, total: number, label: string): void;
  finish(): void;
}

/**
 * Creates a progress bar writing to `stream` (default process.stderr). ETA = elapsed · (total −
 * done) / done, from the start of the first update (work is measured in parameters).
 */
export function progressBar(enabled: boolean, prefix = '', stream: NodeJS.WriteStream = process.stderr, now = () => performance.now()): ProgressBar {
  let start = -1;
  let last = -Infinity;
  let drawn = false;
  const tty = Boolean(stream.isTTY);
  const draw = (done: number, total: number, label: string, force: boolean) => {
    const t = now();
    if (start < 0) start = t;
    if (!force && t - last < 100) return;
    last = t;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const width = 24;
    const full = Math.round(frac * width);
    const elapsed = (t - start) / 1000;
    const eta = done > 0 && done < total ? formatDuration((elapsed * (total - done)) / done) : done >= total ? '0s' : '?';
    const shown = escapeControl(label);
    const name = shown.length > 28 ? shown.slice(0, 27) + '…' : shown;
    const line = `${prefix}[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(100 * frac).toFixed(0).padStart(3)}%  ETA ${eta}  ${name}`;
    // On a TTY redraw in place; otherwise (forced with --progress into a file/pipe) one line per update.
    stream.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    drawn = true;
  };
  return {
    update(done, total, label) {
      // The first and the last update always draw, so a fast run still shows 0 % and 100 %.
      if (enabled) draw(done, total, label, (done === 0 && start < 0) || done >= total);
    },
    finish() {
      if (enabled && drawn && tty) stream.write('\r\x1b[2K');
    },
  };
}
