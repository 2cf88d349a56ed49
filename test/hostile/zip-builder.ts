/**
 * Hand-built zip archives for hostile-input tests: every field can be set to a lie.
 * Layout: local headers + data, then the central directory, then (optionally) ZIP64 records, then EOCD.
 */
import { deflateSync } from 'fflate';
import { crc32 } from '../../src/io/zip.js';

export interface BuildMember {
  name: string;
  data: Uint8Array;
  /** 0 stored (default) or 8 deflate. */
  method?: number;
  /** Overrides of the directory's values (lies). */
  crc?: number;
  size?: number;
  compressedSize?: number;
  /** Ready-made member bytes as stored in the archive (e.g. a hand-built deflate stream); `data` is then only used for the CRC unless `crc` is given. */
  compressed?: Uint8Array;
  /** Raw extra field of the directory record. */
  extra?: Uint8Array;
  flags?: number;
}

export interface BuildOptions {
  /** Write a ZIP64 end record + locator (with saturated EOCD fields). */
  zip64?: boolean;
  /** Override the counts in the (ZIP64) end record. */
  count?: number;
  /** Extra directory records pointing at member `headerOf` (for the many-names-one-stream bomb). */
  aliases?: { name: string; of: number }[];
}

const enc = new TextEncoder();

export function buildZip(members: BuildMember[], opts: BuildOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const locals: { offset: number; comp: Uint8Array; member: BuildMember }[] = [];
  for (const m of members) {
    const comp = m.compressed ?? ((m.method ?? 0) === 8 ? deflateSync(m.data) : m.data);
    const name = enc.encode(m.name);
    const h = new Uint8Array(30 + name.length);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, 0x04034b50, true);
    dv.setUint16(4, 20, true);
    dv.setUint16(6, m.flags ?? 0, true);
    dv.setUint16(8, m.method ?? 0, true);
    dv.setUint32(14, m.crc ?? crc32(m.data), true);
    dv.setUint32(18, comp.length, true);
    dv.setUint32(22, m.size ?? m.data.length, true);
    dv.setUint16(26, name.length, true);
    h.set(name, 30);
    locals.push({ offset, comp, member: m });
    parts.push(h, comp);
    offset += h.length + comp.length;
  }
  const cdStart = offset;
  const records: { name: string; local: (typeof locals)[number] }[] = locals.map((l) => ({ name: l.member.name, local: l }));
  for (const a of opts.aliases ?? []) records.push({ name: a.name, local: locals[a.of] });
  for (const r of records) {
    const m = r.local.member;
    const target = r.local;
    const name = enc.encode(r.name);
    const extra = m.extra ?? new Uint8Array(0);
    const h = new Uint8Array(46 + name.length + extra.length);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, 0x02014b50, true);
    dv.setUint16(4, 20, true);
    dv.setUint16(6, 20, true);
    dv.setUint16(8, m.flags ?? 0, true);
    dv.setUint16(10, m.method ?? 0, true);
    dv.setUint32(16, m.crc ?? crc32(m.data), true);
    dv.setUint32(20, m.compressedSize ?? target.comp.length, true);
    dv.setUint32(24, m.size ?? m.data.length, true);
    dv.setUint16(28, name.length, true);
    dv.setUint16(30, extra.length, true);
    dv.setUint32(42, target.offset, true);
    h.set(name, 46);
    h.set(extra, 46 + name.length);
    parts.push(h);
    offset += h.length;
  }
  const cdSize = offset - cdStart;
  const count = opts.count ?? records.length;
  if (opts.zip64) {
    const z = new Uint8Array(56 + 20);
    const dv = new DataView(z.buffer);
    dv.setUint32(0, 0x06064b50, true);
    dv.setBigUint64(4, 44n, true);
    dv.setUint16(12, 45, true);
    dv.setUint16(14, 45, true);
    dv.setBigUint64(24, BigInt(count), true);
    dv.setBigUint64(32, BigInt(count), true);
    dv.setBigUint64(40, BigInt(cdSize), true);
    dv.setBigUint64(48, BigInt(cdStart), true);
    dv.setUint32(56, 0x07064b50, true);
    dv.setBigUint64(56 + 8, BigInt(offset), true);
    dv.setUint32(56 + 16, 1, true);
    parts.push(z);
    offset += z.length;
  }
  const e = new Uint8Array(22);
  const dv = new DataView(e.buffer);
  dv.setUint32(0, 0x06054b50, true);
  dv.setUint16(8, opts.zip64 ? 0xffff : count, true);
  dv.setUint16(10, opts.zip64 ? 0xffff : count, true);
  dv.setUint32(12, opts.zip64 ? 0xffffffff : cdSize, true);
  dv.setUint32(16, opts.zip64 ? 0xffffffff : cdStart, true);
  parts.push(e);
  const out = new Uint8Array(offset + 22);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

/** A `.npy` file (version 1.0) header for `descr` and `shape`, padded to a multiple of 64 bytes. */
export function npyHeader(descr: string, shape: number[], extra = ''): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), ${extra}}`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const text = dict.padEnd(total - 10 - 1) + '\n';
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(enc.encode(text), 10);
  return out;
}

/** A whole `.npy` file. */
export function npyFile(descr: string, shape: number[], data: Uint8Array): Uint8Array {
  const h = npyHeader(descr, shape);
  const out = new Uint8Array(h.length + data.length);
  out.set(h);
  out.set(data, h.length);
  return out;
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map((x) => parseInt(x, 16)));
}

// One zlib (level 9, raw deflate) block of 1 MiB of zero bytes, ended by a sync flush so that it
// is byte-aligned and can be repeated: generated with Python's zlib —
//   c = zlib.compressobj(9, zlib.DEFLATED, -15); c.compress(b'\0' * 2**20) + c.flush(zlib.Z_SYNC_FLUSH)
// = these 15 bytes, 1016 zero bytes, then 3e 03 00 00 ff ff (1037 bytes, a 1011× ratio).
const ZERO_BLOCK_HEAD = hex('ecc13101000000c2a0f54f6d085fa0');
const ZERO_BLOCK_TAIL = hex('3e030000ffff');
export const ZERO_BLOCK_BYTES = 2 ** 20;

/**
 * A raw deflate stream of `prefix` (as a stored block) followed by `mib` MiB of zero bytes: the
 * "honest" zip bomb (its declared size is true). 500 MiB → ~519 KB.
 */
export function zeroBomb(prefix: Uint8Array, mib: number): Uint8Array {
  const block = 15 + 1016 + 6;
  const out = new Uint8Array(5 + prefix.length + mib * block + 5);
  let p = 0;
  // Non-final stored block holding the prefix: BFINAL 0, BTYPE 00, LEN, NLEN.
  out.set([0, prefix.length & 0xff, prefix.length >> 8, ~prefix.length & 0xff, (~prefix.length >> 8) & 0xff], p);
  p += 5;
  out.set(prefix, p);
  p += prefix.length;
  for (let k = 0; k < mib; k++) {
    out.set(ZERO_BLOCK_HEAD, p);
    out.set(ZERO_BLOCK_TAIL, p + 15 + 1016);
    p += block;
  }
  out.set([1, 0, 0, 0xff, 0xff], p); // final empty stored block
  return out;
}
