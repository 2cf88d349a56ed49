/**
 * A small hardened zip reader (browser-safe) for archives from untrusted sources: `.npz` files
 * and PyTorch checkpoints (`archive/data.pkl`, `archive/data/0`, …).
 *
 * Reference: PKWARE APPNOTE.TXT 6.3.10 — §4.3.16 end of central directory (EOCD), §4.3.14–15
 * ZIP64 EOCD record and locator, §4.3.12 central directory header, §4.3.7 local file header,
 * §4.5.3 ZIP64 extended information extra field; CRC-32 as in ISO 3309 / ITU-T V.42.
 *
 * Why not fflate's `unzipSync`: given a hostile central directory it can loop past the buffer end
 * (ZIP64 sizes without the ZIP64 extra field), inflates one stream once per directory entry that
 * points at it (200 entries → 200 × the output), does not check CRC-32, and keeps the last of two
 * members with the same name. This reader checks every offset against the archive before use,
 * refuses duplicate names and overlapping member ranges, bounds each allocation by the declared
 * size (itself bounded by a budget) and stops a deflate stream that inflates past it, and checks
 * the CRC-32 of every member it returns. Deflate decoding itself is fflate's `Inflate`.
 */
import { Inflate } from 'fflate';
import { OckhamError } from '../errors.js';
import { assertInt, assertKnownOptions } from '../util/validate.js';

/** Limits of {@link listZipEntries} / {@link readZipEntry}; every field is optional. */
export interface ZipBudget {
  /** Most members the central directory may list (default 100,000). */
  maxEntries?: number;
  /** Largest uncompressed size of one member, bytes (default 2³² − 1, one `Uint8Array` in Node 20). */
  maxEntryBytes?: number;
  /** Largest sum of the members' uncompressed sizes, bytes (default 2⁴⁵ = 32 TiB, i.e. no limit beyond the file's own). */
  maxTotalBytes?: number;
}

/** Default limits of {@link ZipBudget}. */
export const ZIP_DEFAULT_BUDGET: Readonly<Required<ZipBudget>> = Object.freeze({
  maxEntries: 100_000,
  maxEntryBytes: 2 ** 32 - 1,
  maxTotalBytes: 2 ** 45,
});

/** One member of a zip archive, as listed by {@link listZipEntries}. */
export interface ZipEntry {
  /** Member name (UTF-8 when the archive flags it, else code page 437), as stored. */
  name: string;
  /** Compression method: 0 stored, 8 deflate (others are listed but {@link readZipEntry} refuses them). */
  method: number;
  /** General-purpose flags (bit 0: encrypted, bit 3: data descriptor, bit 11: UTF-8 name). */
  flags: number;
  /** CRC-32 of the uncompressed bytes, from the central directory (unsigned). */
  crc32: number;
  /** Compressed size in the archive, bytes. */
  compressedSize: number;
  /** Uncompressed size, bytes. */
  size: number;
  /** Offset of the member's local file header in the archive. */
  headerOffset: number;
  /** Offset of the member's (compressed) data in the archive. */
  dataOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

// Code page 437, bytes 0x80–0xFF: the zip default for names without the UTF-8 flag.
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

function fail(argument: string, message: string): never {
  throw new OckhamError('PARSE_ERROR', argument, message);
}

function resolveBudget(budget: ZipBudget | undefined): Required<ZipBudget> {
  assertKnownOptions(budget, 'budget', ['maxEntries', 'maxEntryBytes', 'maxTotalBytes']);
  const pick = (key: keyof ZipBudget): number =>
    budget?.[key] === undefined ? ZIP_DEFAULT_BUDGET[key] : assertInt(budget[key], `budget.${key}`, 0, Number.MAX_SAFE_INTEGER);
  return { maxEntries: pick('maxEntries'), maxEntryBytes: pick('maxEntryBytes'), maxTotalBytes: pick('maxTotalBytes') };
}

function asBytes(bytes: Uint8Array | ArrayBuffer, argument: string): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  throw new OckhamError('INVALID_ARGUMENT', argument, 'expected a Uint8Array or ArrayBuffer');
}

/** Little-endian unsigned 64-bit read; values above 2⁵³ − 1 are refused (no real archive has them). */
function u64(dv: DataView, at: number, argument: string, what: string): number {
  const lo = dv.getUint32(at, true);
  const hi = dv.getUint32(at + 4, true);
  if (hi > 0x1fffff) fail(argument, `zip ${what} ${hi} · 2³² + ${lo} is beyond 2⁵³ − 1`);
  return hi * 4294967296 + lo;
}

function decodeName(raw: Uint8Array, utf8: boolean, argument: string): string {
  if (utf8) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      fail(argument, 'zip member name flagged UTF-8 is not valid UTF-8');
    }
  }
  let s = '';
  for (let i = 0; i < raw.length; i++) s += raw[i] < 0x80 ? String.fromCharCode(raw[i]) : CP437_HIGH[raw[i] - 0x80];
  return s;
}

/**
 * Random access to an archive's bytes: `read(offset, length)` returns exactly `length` bytes (the
 * caller has checked the range against `size`). In memory this is a view; `openZipFile` (ockham/node)
 * reads from a file, so only the directory and local headers are ever loaded.
 */
export interface ZipSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Finds the end-of-central-directory record: the last signature whose comment ends in the file. */
function findEocd(tail: Uint8Array, tailStart: number, size: number, argument: string): number {
  const dv = view(tail);
  const stop = Math.max(0, tail.length - 22 - U16_MAX);
  for (let at = tail.length - 22; at >= stop; at--) {
    if (tail[at] === 0x50 && dv.getUint32(at, true) === SIG_EOCD && tailStart + at + 22 + dv.getUint16(at + 20, true) <= size) return at;
  }
  return fail(argument, 'not a zip archive (no end-of-central-directory record)');
}

/**
 * Lists the members of a zip archive after checking its structure, without decompressing anything.
 *
 * Checks, each failing with a typed error naming `argument`: the EOCD (and ZIP64 EOCD + locator when
 * any field is saturated) lies inside the archive; single-disk archive; the member count fits the
 * directory size (≥ 46 bytes a record) and `budget.maxEntries`; every saturated 32-bit field has its
 * ZIP64 extra value; every local header offset and data range lies inside the archive before the
 * central directory, with a local header whose signature, name and method match the directory;
 * member ranges (local header through data) do not overlap; names are unique; each uncompressed
 * size is within `budget.maxEntryBytes`, plausible for its compressed size (stored: equal; deflate:
 * at most 1032 × + 1 KiB), and their sum within `budget.maxTotalBytes`.
 *
 * Reference: PKWARE APPNOTE.TXT 6.3.10, §4.3 and §4.5.3.
 *
 * @param bytes - The archive contents (not modified, not retained).
 * @param budget - Limits; see {@link ZIP_DEFAULT_BUDGET} for the defaults.
 * @param argument - Name used in error messages (e.g. the file path). Default `'bytes'`.
 * @returns The members in central-directory order.
 * @throws {OckhamError} PARSE_ERROR for a malformed, inconsistent or overlapping archive or a
 *   duplicate name; UNSUPPORTED for multi-disk archives; OUT_OF_RANGE when a budget is exceeded.
 * @example
 * import { listZipEntries, readZipEntry } from 'ockham';
 * import { zipSync } from 'fflate';
 * const zip = zipSync({ 'a.txt': new TextEncoder().encode('hello') });
 * const [entry] = listZipEntries(zip);
 * new TextDecoder().decode(readZipEntry(zip, entry)); // 'hello'
 */
export function listZipEntries(bytes: Uint8Array | ArrayBuffer, budget?: ZipBudget, argument = 'bytes'): ZipEntry[] {
  const b = asBytes(bytes, argument);
  return listZipSource({ size: b.length, read: (o, n) => b.subarray(o, o + n) }, budget, argument);
}

/**
 * {@link listZipEntries} over any {@link ZipSource} (same checks, same result). Reads only the
 * end records, the central directory (at most `budget.maxEntries` × 1 KiB + 1 MiB of it) and
 * each member's local header.
 *
 * @param src - The archive's size and a random-access reader.
 * @param budget - Limits; see {@link ZIP_DEFAULT_BUDGET}.
 * @param argument - Name used in error messages.
 * @returns The members in central-directory order.
 * @throws {OckhamError} as {@link listZipEntries}.
 * @example
 * import { listZipSource } from 'ockham';
 * import { zipSync } from 'fflate';
 * const zip = zipSync({ 'a.txt': new Uint8Array([104, 105]) });
 * listZipSource({ size: zip.length, read: (o, n) => zip.subarray(o, o + n) })[0].name; // 'a.txt'
 */
export function listZipSource(src: ZipSource, budget?: ZipBudget, argument = 'bytes'): ZipEntry[] {
  const lim = resolveBudget(budget);
  const fileSize = src.size;
  if (fileSize < 22) fail(argument, `not a zip archive (${fileSize} bytes, shorter than the 22-byte end record)`);
  // The end record (≤ 22 + 65,535 bytes from the end) and the ZIP64 locator just before it.
  const tailStart = Math.max(0, fileSize - 22 - U16_MAX - 20);
  const tail = src.read(tailStart, fileSize - tailStart);
  const tdv = view(tail);
  const e = findEocd(tail, tailStart, fileSize, argument);
  const eocd = tailStart + e;
  let diskNo = tdv.getUint16(e + 4, true);
  let cdDisk = tdv.getUint16(e + 6, true);
  let countDisk = tdv.getUint16(e + 8, true);
  let count = tdv.getUint16(e + 10, true);
  let cdSize = tdv.getUint32(e + 12, true);
  let cdOffset = tdv.getUint32(e + 16, true);
  let cdLimit = eocd; // the central directory must end before this offset
  const saturated =
    diskNo === U16_MAX || cdDisk === U16_MAX || countDisk === U16_MAX || count === U16_MAX || cdSize === U32_MAX || cdOffset === U32_MAX;
  if (e >= 20 && tdv.getUint32(e - 20, true) === SIG_LOCATOR64) {
    const loc = eocd - 20;
    if (tdv.getUint32(e - 20 + 16, true) > 1) throw new OckhamError('UNSUPPORTED', argument, 'multi-disk (split) zip archives are not supported');
    const at = u64(tdv, e - 20 + 8, argument, 'ZIP64 end record offset');
    if (at + 56 > loc) fail(argument, `ZIP64 end record offset ${at} is outside the archive (its records end at ${loc})`);
    const z = view(src.read(at, 56));
    if (z.getUint32(0, true) !== SIG_EOCD64) fail(argument, `no ZIP64 end record at offset ${at}`);
    diskNo = z.getUint32(16, true);
    cdDisk = z.getUint32(20, true);
    countDisk = u64(z, 24, argument, 'member count');
    count = u64(z, 32, argument, 'member count');
    cdSize = u64(z, 40, argument, 'central directory size');
    cdOffset = u64(z, 48, argument, 'central directory offset');
    cdLimit = at;
  } else if (saturated) {
    fail(argument, 'the end record has saturated (0xFFFF…) fields but no ZIP64 end record locator');
  }
  if (diskNo !== 0 || cdDisk !== 0 || countDisk !== count) {
    throw new OckhamError('UNSUPPORTED', argument, 'multi-disk (split) zip archives are not supported');
  }
  if (cdOffset > cdLimit || cdSize > cdLimit - cdOffset) {
    fail(argument, `central directory (offset ${cdOffset}, ${cdSize} bytes) is outside the archive (its records end at ${cdLimit})`);
  }
  if (count > cdSize / 46) fail(argument, `zip directory declares ${count} members, more than its ${cdSize} bytes can hold`);
  if (count > lim.maxEntries) {
    throw new OckhamError('OUT_OF_RANGE', argument, `zip archive has ${count} members, more than budget.maxEntries = ${lim.maxEntries}`);
  }
  const maxCd = lim.maxEntries * 1024 + 2 ** 20;
  if (cdSize > maxCd) {
    throw new OckhamError('OUT_OF_RANGE', argument, `zip central directory is ${cdSize} bytes, more than budget.maxEntries × 1 KiB + 1 MiB = ${maxCd}`);
  }
  const cd = src.read(cdOffset, cdSize);
  const dv = view(cd);
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let total = 0;
  let p = 0; // offset in the central directory
  for (let k = 0; k < count; k++) {
    if (p + 46 > cdSize || dv.getUint32(p, true) !== SIG_CENTRAL) fail(argument, `zip directory record ${k} at offset ${cdOffset + p} is missing or truncated`);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc32 = dv.getUint32(p + 16, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let startDisk = dv.getUint16(p + 34, true);
    let headerOffset = dv.getUint32(p + 42, true);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdSize) fail(argument, `zip directory record ${k} at offset ${cdOffset + p} runs past the end of the directory`);
    const rawName = cd.subarray(p + 46, p + 46 + nameLen);
    const name = decodeName(rawName, (flags & 0x800) !== 0, argument);
    if (size === U32_MAX || compressedSize === U32_MAX || headerOffset === U32_MAX || startDisk === U16_MAX) {
      // §4.5.3: the ZIP64 extra field holds, in this order, only the fields saturated above.
      let x = p + 46 + nameLen;
      const xEnd = x + extraLen;
      let found = false;
      while (x + 4 <= xEnd) {
        const id = dv.getUint16(x, true);
        const len = dv.getUint16(x + 2, true);
        if (x + 4 + len > xEnd) break;
        if (id === 0x0001) {
          let q = x + 4;
          const end = q + len;
          const take = (what: string): number => {
            if (q + 8 > end) fail(argument, `zip member ${JSON.stringify(name)}: ZIP64 extra field lacks its ${what}`);
            const v = u64(dv, q, argument, what);
            q += 8;
            return v;
          };
          if (size === U32_MAX) size = take('uncompressed size');
          if (compressedSize === U32_MAX) compressedSize = take('compressed size');
          if (headerOffset === U32_MAX) headerOffset = take('local header offset');
          if (startDisk === U16_MAX) {
            if (q + 4 > end) fail(argument, `zip member ${JSON.stringify(name)}: ZIP64 extra field lacks its disk number`);
            startDisk = dv.getUint32(q, true);
          }
          found = true;
          break;
        }
        x += 4 + len;
      }
      if (!found) fail(argument, `zip member ${JSON.stringify(name)} has 0xFFFFFFFF sizes/offset but no ZIP64 extra field`);
    }
    if (startDisk !== 0) throw new OckhamError('UNSUPPORTED', argument, 'multi-disk (split) zip archives are not supported');
    if (names.has(name)) fail(argument, `zip archive lists member ${JSON.stringify(name)} twice`);
    names.add(name);
    if (headerOffset + 30 > cdOffset) {
      fail(argument, `zip member ${JSON.stringify(name)}: local header offset ${headerOffset} is outside the member area of the archive (0–${cdOffset} of ${fileSize} bytes)`);
    }
    const lh = view(src.read(headerOffset, 30));
    if (lh.getUint32(0, true) !== SIG_LOCAL) fail(argument, `zip member ${JSON.stringify(name)}: no local header at offset ${headerOffset}`);
    const lNameLen = lh.getUint16(26, true);
    const lExtraLen = lh.getUint16(28, true);
    const dataOffset = headerOffset + 30 + lNameLen + lExtraLen;
    if (lh.getUint16(8, true) !== method) fail(argument, `zip member ${JSON.stringify(name)}: local header and directory disagree on the method`);
    if (lNameLen !== nameLen || dataOffset > cdOffset || !sameBytes(src.read(headerOffset + 30, lNameLen), rawName)) {
      fail(argument, `zip member ${JSON.stringify(name)}: local header at offset ${headerOffset} names a different member`);
    }
    if (compressedSize > cdOffset - dataOffset) {
      fail(argument, `zip member ${JSON.stringify(name)}: ${compressedSize} data bytes at offset ${dataOffset} run past the member area (ends at ${cdOffset})`);
    }
    if (size > lim.maxEntryBytes) {
      throw new OckhamError('OUT_OF_RANGE', argument, `zip member ${JSON.stringify(name)} is ${size} bytes uncompressed, more than budget.maxEntryBytes = ${lim.maxEntryBytes}`);
    }
    const plausible = method === 0 ? compressedSize : compressedSize * 1032 + 1024;
    if ((method === 0 && size !== compressedSize) || size > plausible) {
      fail(argument, `zip member ${JSON.stringify(name)} declares ${size} bytes from ${compressedSize} compressed bytes (method ${method}), which is impossible`);
    }
    total += size;
    if (total > lim.maxTotalBytes) {
      throw new OckhamError('OUT_OF_RANGE', argument, `zip members total more than budget.maxTotalBytes = ${lim.maxTotalBytes} bytes uncompressed`);
    }
    entries.push({ name, method, flags, crc32, compressedSize, size, headerOffset, dataOffset });
    p = next;
  }
  // Member ranges (local header through data) must be disjoint: one stream listed under many
  // names would otherwise be inflated once per name.
  const order = entries.map((_, i) => i).sort((i, j) => entries[i].headerOffset - entries[j].headerOffset);
  for (let k = 1; k < order.length; k++) {
    const prev = entries[order[k - 1]];
    const cur = entries[order[k]];
    if (cur.headerOffset < prev.dataOffset + prev.compressedSize) {
      fail(argument, `zip members ${JSON.stringify(prev.name)} and ${JSON.stringify(cur.name)} overlap (offsets ${prev.headerOffset} and ${cur.headerOffset})`);
    }
  }
  return entries;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

let crcTables: Uint32Array | undefined;

/** Slicing-by-4 tables (4 × 256 entries) for the reflected CRC-32 polynomial 0xEDB88320. */
function crcTable(): Uint32Array {
  if (crcTables) return crcTables;
  const t = new Uint32Array(1024);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let s = 1; s < 4; s++) t[s * 256 + n] = t[(s - 1) * 256 + n] >>> 8 ^ t[t[(s - 1) * 256 + n] & 0xff];
  }
  crcTables = t;
  return t;
}

/**
 * CRC-32 (ISO 3309, the zip/gzip/PNG checksum) of `bytes`.
 *
 * @param bytes - Data to checksum.
 * @returns The checksum as an unsigned 32-bit integer.
 * @example
 * import { crc32 } from 'ockham';
 * crc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 */
export function crc32(bytes: Uint8Array): number {
  const t = crcTable();
  let c = 0xffffffff;
  const n = bytes.length;
  const n4 = n - (n & 3);
  let i = 0;
  for (; i < n4; i += 4) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = t[768 + (c & 0xff)] ^ t[512 + ((c >>> 8) & 0xff)] ^ t[256 + ((c >>> 16) & 0xff)] ^ t[c >>> 24];
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Deflate input chunk: one chunk inflates to at most ~1032 × 32 KiB = 33 MiB before we can stop it. */
const INFLATE_CHUNK = 32768;

/**
 * Returns one member's uncompressed bytes, after checking their size and CRC-32.
 *
 * A stored member is returned as a view on `bytes` (no copy: do not write to it); a deflated
 * member is inflated into a fresh array of exactly the declared size, allocated once, and a stream
 * that produces more or fewer bytes than declared is refused before more than ~33 MiB of excess
 * work. `entry` must come from {@link listZipEntries} on the same `bytes` (its offsets are
 * re-checked against `bytes`).
 *
 * @param bytes - The archive contents (not modified).
 * @param entry - A member from {@link listZipEntries}.
 * @param budget - Limits (only `maxEntryBytes` applies here).
 * @param argument - Name used in error messages. Default `'bytes'`.
 * @returns The member's bytes (`length === entry.size`).
 * @throws {OckhamError} PARSE_ERROR for a corrupt deflate stream, a size or CRC-32 mismatch, or an
 *   entry outside `bytes`; UNSUPPORTED for encrypted members or methods other than 0 and 8;
 *   OUT_OF_RANGE when `entry.size` exceeds `budget.maxEntryBytes`.
 * @example
 * import { listZipEntries, readZipEntry } from 'ockham';
 * import { zipSync } from 'fflate';
 * const zip = zipSync({ 'w.bin': new Uint8Array([1, 2, 3]) }, { level: 9 });
 * const entry = listZipEntries(zip).find((e) => e.name === 'w.bin')!;
 * readZipEntry(zip, entry); // Uint8Array [1, 2, 3]
 */
export function readZipEntry(bytes: Uint8Array | ArrayBuffer, entry: ZipEntry, budget?: ZipBudget, argument = 'bytes'): Uint8Array {
  const b = asBytes(bytes, argument);
  checkEntry(entry, b.length, budget, argument);
  return decodeZipMember(b.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize), entry, budget, argument);
}

/** Checks that `entry` is a plausible member of an archive of `size` bytes and within budget. */
export function checkEntry(entry: ZipEntry, size: number, budget: ZipBudget | undefined, argument: string): void {
  const lim = resolveBudget(budget);
  const what = `zip member ${JSON.stringify(entry?.name)}`;
  if (
    entry === null || typeof entry !== 'object' ||
    !Number.isSafeInteger(entry.dataOffset) || !Number.isSafeInteger(entry.compressedSize) || !Number.isSafeInteger(entry.size) ||
    entry.dataOffset < 0 || entry.compressedSize < 0 || entry.size < 0 || entry.dataOffset + entry.compressedSize > size
  ) {
    throw new OckhamError('INVALID_ARGUMENT', 'entry', `${what} does not describe a range inside the ${size}-byte archive; pass an entry from listZipEntries on the same bytes`);
  }
  if (entry.flags & 1) throw new OckhamError('UNSUPPORTED', argument, `${what} is encrypted`);
  if (entry.size > lim.maxEntryBytes) {
    throw new OckhamError('OUT_OF_RANGE', argument, `${what} is ${entry.size} bytes uncompressed, more than budget.maxEntryBytes = ${lim.maxEntryBytes}`);
  }
  const biggest = Math.max(entry.size, entry.compressedSize);
  if (biggest > MAX_ARRAY_BYTES) {
    throw new OckhamError('OUT_OF_RANGE', argument, `${what} is ${biggest} bytes, too large for one Uint8Array (at most ${MAX_ARRAY_BYTES} on this platform)`);
  }
}

/** Largest Uint8Array this engine allows (Node 20: buffer.constants.MAX_LENGTH = 2³²). */
const MAX_ARRAY_BYTES = (() => {
  const g = globalThis as { Buffer?: { constants?: { MAX_LENGTH?: number } } };
  const max = g.Buffer?.constants?.MAX_LENGTH;
  return typeof max === 'number' ? max : 2 ** 31 - 1;
})();

/**
 * Decodes a member's stored bytes (`entry.compressedSize` of them, as found at `entry.dataOffset`):
 * stored members are returned as is, deflated ones inflated into exactly `entry.size` bytes; the
 * CRC-32 is checked either way. Used by {@link readZipEntry} and by readers that fetch the bytes
 * themselves (e.g. from a file).
 *
 * @param stored - The member's bytes as stored in the archive.
 * @param entry - The member, from {@link listZipEntries} / {@link listZipSource}.
 * @param budget - Limits (only `maxEntryBytes` applies).
 * @param argument - Name used in error messages.
 * @returns The member's uncompressed bytes.
 * @throws {OckhamError} as {@link readZipEntry}.
 * @example
 * import { listZipEntries, decodeZipMember } from 'ockham';
 * import { zipSync } from 'fflate';
 * const zip = zipSync({ 'a.bin': new Uint8Array([5, 6]) }, { level: 9 });
 * const [e] = listZipEntries(zip);
 * decodeZipMember(zip.subarray(e.dataOffset, e.dataOffset + e.compressedSize), e); // Uint8Array [5, 6]
 */
export function decodeZipMember(stored: Uint8Array, entry: ZipEntry, budget?: ZipBudget, argument = 'bytes'): Uint8Array {
  checkEntry(entry, entry?.dataOffset + stored.length, budget, argument);
  const what = `zip member ${JSON.stringify(entry.name)}`;
  if (stored.length !== entry.compressedSize) {
    throw new OckhamError('INVALID_ARGUMENT', 'stored', `${what}: expected its ${entry.compressedSize} stored bytes, got ${stored.length}`);
  }
  let out: Uint8Array;
  if (entry.method === 0) {
    if (entry.size !== entry.compressedSize) fail(argument, `${what} is stored but declares ${entry.size} bytes from ${entry.compressedSize}`);
    out = stored;
  } else if (entry.method === 8) {
    out = inflateExactly(stored, entry.size, argument, what);
  } else {
    throw new OckhamError('UNSUPPORTED', argument, `${what} uses zip compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
  }
  const sum = crc32(out);
  if (sum !== entry.crc32 >>> 0) {
    fail(argument, `${what} is corrupt: CRC-32 ${hex(sum)} of its ${out.length} bytes differs from the recorded ${hex(entry.crc32 >>> 0)}`);
  }
  return out;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** Inflates `src` into one array of `size` bytes; refuses streams that end early, late, or never. */
function inflateExactly(src: Uint8Array, size: number, argument: string, what: string): Uint8Array {
  const out = new Uint8Array(size);
  let pos = 0;
  let done = false;
  const inf = new Inflate((chunk: Uint8Array, final: boolean) => {
    if (chunk.length > size - pos) fail(argument, `${what} inflates to more than its declared ${size} bytes`);
    out.set(chunk, pos);
    pos += chunk.length;
    if (final) done = true;
  });
  try {
    if (src.length === 0) fail(argument, `${what} has no deflate data`);
    for (let i = 0; i < src.length && !done; i += INFLATE_CHUNK) {
      const end = Math.min(src.length, i + INFLATE_CHUNK);
      inf.push(src.subarray(i, end), end === src.length);
    }
  } catch (e) {
    if (e instanceof OckhamError) throw e;
    fail(argument, `${what} is not a valid deflate stream (${(e as Error).message})`);
  }
  if (pos !== size) fail(argument, `${what} inflates to ${pos} bytes, not its declared ${size}`);
  return out;
}
