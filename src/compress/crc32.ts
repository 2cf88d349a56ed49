/**
 * bzip2's CRC-32: polynomial 0x04c11db7 processed MSB-first (the "CRC-32/BZIP2" variant),
 * initial value 0xffffffff, final complement. Unlike zlib's reflected CRC-32, bytes enter
 * at the top of the register, so the table is indexed by `(crc >>> 24) ^ byte`.
 */
const TABLE = /* @__PURE__ */ (() => {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c;
  }
  return t;
})();

/**
 * Slicing-by-4 tables: T1[b], T2[b], T3[b] are the CRC register after byte b followed by 1, 2,
 * 3 zero bytes, so four bytes fold into the register with four lookups.
 */
const SLICE = /* @__PURE__ */ (() => {
  const t = new Int32Array(4 * 256);
  t.set(TABLE);
  for (let k = 1; k < 4; k++) {
    for (let i = 0; i < 256; i++) {
      const c = t[(k - 1) * 256 + i];
      t[k * 256 + i] = (c << 8) ^ TABLE[(c >>> 24) & 0xff];
    }
  }
  return t;
})();

/**
 * Updates a running bzip2 CRC (as a signed 32-bit int, un-complemented) with `buf[start..end)`.
 * Start from `-1` (0xffffffff) and complement the result (`~crc >>> 0`) when done.
 */
export function crc32Update(crc: number, buf: Uint8Array, start: number, end: number): number {
  let c = crc | 0;
  const T = SLICE;
  let i = start;
  for (const e4 = end - 3; i < e4; i += 4) {
    c ^= (buf[i] << 24) | (buf[i + 1] << 16) | (buf[i + 2] << 8) | buf[i + 3];
    c = T[768 + (c >>> 24)] ^ T[512 + ((c >>> 16) & 0xff)] ^ T[256 + ((c >>> 8) & 0xff)] ^ T[c & 0xff];
  }
  for (; i < end; i++) c = (c << 8) ^ TABLE[((c >>> 24) ^ buf[i]) & 0xff];
  return c;
}

/** Updates a running bzip2 CRC with `count` copies of `byte` (used for run-length expansion). */
export function crc32UpdateRun(crc: number, byte: number, count: number): number {
  let c = crc | 0;
  for (let i = 0; i < count; i++) c = (c << 8) ^ TABLE[((c >>> 24) ^ byte) & 0xff];
  return c;
}

/** bzip2 CRC-32 of a whole buffer, as an unsigned 32-bit number. */
export function crc32(buf: Uint8Array): number {
  return ~crc32Update(-1, buf, 0, buf.length) >>> 0;
}

/** zlib/gzip CRC-32 (reflected polynomial 0xedb88320), used to verify gzip trailers. */
const ZTABLE = /* @__PURE__ */ (() => {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** zlib CRC-32 of a whole buffer, as an unsigned 32-bit number. */
export function zlibCrc32(buf: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < buf.length; i++) c = (c >>> 8) ^ ZTABLE[(c ^ buf[i]) & 0xff];
  return ~c >>> 0;
}
