/** Shared bench helpers: timing with warm-up and a baseline measured in the same run. */

/** Median wall time in ms of `fn` over `reps` runs after `warmup` runs. */
export function timeMs(fn: () => unknown, reps = 5, warmup = 1): number {
  for (let i = 0; i < warmup; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

/** A plain streaming pass over a Float32Array (sum): the baseline most ratios are against. */
export function plainPass(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

/** Prints a table of rows (objects with the same keys). */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n## ${title}`);
  console.table(rows);
}

export function fmt(x: number, digits = 2): string {
  return x.toFixed(digits);
}
