/** Assembles a pickle for tests: numbers are single bytes, strings latin-1 bytes, arrays raw bytes. */
export function pk(...parts: (number | string | Uint8Array | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') for (let i = 0; i < p.length; i++) out.push(p.charCodeAt(i) & 0xff);
    else out.push(...p);
  }
  return new Uint8Array(out);
}
