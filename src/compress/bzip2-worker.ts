/**
 * Worker entry for {@link compressAsync}'s parallel bzip2 path (Node `worker_threads` only;
 * never imported by the library's entries). Each message `{ id, bytes, level }` is one block
 * (exactly the input bytes bzip2 puts in it); the reply is `{ id, bytes, bitLen, crc }`, the
 * block's bits (transferred). The encoder scratch is allocated once per worker.
 *
 * `node:worker_threads` is loaded by a dynamic import with a computed specifier so that
 * browser bundlers, which never reach this file, have nothing to resolve either.
 */
import { bzip2EncodeBlock } from './bzip2-encode.js';

interface Port {
  on(event: 'message', fn: (m: { id: number; bytes: Uint8Array; level: number }) => void): void;
  postMessage(value: unknown, transfer?: ArrayBuffer[]): void;
}

const spec = 'node:worker_threads';
void (async () => {
  const wt = (await import(/* @vite-ignore */ spec)) as { parentPort: Port | null };
  const port = wt.parentPort;
  if (!port) return;
  port.on('message', (m) => {
    const b = bzip2EncodeBlock(m.bytes, 0, m.bytes.length, m.level);
    const out = b.bytes.slice();
    port.postMessage({ id: m.id, bytes: out, bitLen: b.bitLen, crc: b.crc }, [out.buffer]);
  });
})();
