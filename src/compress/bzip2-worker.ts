/**
 * Worker entry for {@link compressAsync}'s parallel bzip2 path (Node `worker_threads` only;
 * never imported by the library's entries). A job message carries the input in a
 * SharedArrayBuffer, the block end offsets and a shared counter; the worker claims block
 * indices with `Atomics.add` (as does the main thread) and replies `{ job, id, bytes, bitLen,
 * crc }` per block (bits transferred), then `{ job, done: true }`. Encoder scratch is
 * allocated once per worker; workers persist between jobs.
 *
 * `node:worker_threads` is loaded by a dynamic import with a computed specifier so that
 * browser bundlers, which never reach this file, have nothing to resolve either.
 */
import { bzip2EncodeBlock } from './bzip2-encode.js';

interface Job {
  job: number;
  input: SharedArrayBuffer;
  length: number;
  ends: Int32Array;
  counter: Int32Array;
  level: number;
}
interface Port {
  on(event: 'message', fn: (m: Job) => void): void;
  postMessage(value: unknown, transfer?: ArrayBuffer[]): void;
}

const spec = 'node:worker_threads';
void (async () => {
  const wt = (await import(/* @vite-ignore */ spec)) as { parentPort: Port | null };
  const port = wt.parentPort;
  if (!port) return;
  port.on('message', (m) => {
    const input = new Uint8Array(m.input, 0, m.length);
    const n = m.ends.length;
    for (let id = Atomics.add(m.counter, 0, 1); id < n; id = Atomics.add(m.counter, 0, 1)) {
      const start = id === 0 ? 0 : m.ends[id - 1];
      const b = bzip2EncodeBlock(input, start, m.ends[id], m.level);
      const out = b.bytes.slice();
      port.postMessage({ job: m.job, id, bytes: out, bitLen: b.bitLen, crc: b.crc }, [out.buffer]);
    }
    port.postMessage({ job: m.job, done: true });
  });
  port.postMessage({ ready: true });
})();
