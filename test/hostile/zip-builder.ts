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
    const comp = (m.method ?? 0) === 8 ? deflateSync(m.data) : m.data;
    const name = enc.encode(m.name);
    const h = new Uint8Array(30 + name.length);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, 0x04034b50, true);
    dv.setUint16(4, 20, true);
    dv.setUint16(6, m.flags ?? 0, true);
    dv.setUint16(8, m.method ?? 0, true);
    dv.setUint32(14, m.crc ?? crc32(m.data), true);
    dv.setUint32(18, comp.length, true);
    dv.setUint32(22, m.data.length, true);
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
