/**
 * Node-only PyTorch checkpoint reader. For zip checkpoints (PyTorch ≥ 1.6, stored members) it
 * reads the zip directory from the end of the file, then `data.pkl`, then each storage's byte
 * range — never the whole file — so memory is the pickle, the storages in use and the float32
 * output. Legacy (non-zip) checkpoints and zips with compressed members are read whole and
 * parsed by {@link parsePytorch} (up to 2 GiB).
 */
import type { FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import { OckhamError } from '../../errors.js';
import { ITEM_SIZE } from '../dtypes.js';
import {
  materializeTensor,
  parsePytorchAs,
  planZipPickle,
  precheckBudget,
  resolvePytorchOptions,
  torchZipPrefix,
  type PytorchOptions,
} from '../pytorch.js';
import type { LoadedTensor, WeightsFile } from '../types.js';
import { crc32 } from '../zip.js';
import { rethrowWithPath } from './errors.js';
import { openRegularFile, readRange } from './onnx-file.js';

/** zlib's native CRC-32 where Node has it (≥ 20.15 / 22.2; ~2× the JS one here), else the JS one. */
const nativeCrc = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
function crc32Fast(bytes: Uint8Array): number {
  return nativeCrc ? nativeCrc(bytes) >>> 0 : crc32(bytes);
}

/** Largest file read whole (legacy format, compressed zips): one Node read buffer. */
const MAX_WHOLE = 2 ** 31 - 1;

interface Member {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  headerOffset: number;
}

function fail(argument: string, message: string): never {
  throw new OckhamError('PARSE_ERROR', argument, message);
}

function u64(dv: DataView, at: number, argument: string): number {
  const lo = dv.getUint32(at, true);
  const hi = dv.getUint32(at + 4, true);
  if (hi > 0x1fffff) fail(argument, 'zip: a 64-bit size or offset is beyond 2⁵³');
  return hi * 4294967296 + lo;
}

/**
 * Reads and checks a zip's central directory from the end of the file (EOCD, ZIP64 locator and
 * record when present): the directory lies inside the file, holds at most size/46 records and
 * at most `maxDirBytes` bytes, every saturated field has its ZIP64 value, and names are unique.
 */
async function readDirectory(fh: FileHandle, size: number, maxDirBytes: number, argument: string): Promise<{ members: Member[]; cdOffset: number }> {
  if (size < 22) fail(argument, `not a zip archive (${size} bytes)`);
  const tailLen = Math.min(size, 22 + 0xffff + 20);
  const tailStart = size - tailLen;
  const tail = await readRange(fh, tailStart, tailLen, argument, 'file');
  const tdv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let at = tailLen - 22; at >= 0; at--) {
    if (tail[at] === 0x50 && tdv.getUint32(at, true) === 0x06054b50 && at + 22 + tdv.getUint16(at + 20, true) <= tailLen) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) fail(argument, 'not a zip archive (no end-of-central-directory record)');
  let count = tdv.getUint16(eocd + 10, true);
  let cdSize = tdv.getUint32(eocd + 12, true);
  let cdOffset = tdv.getUint32(eocd + 16, true);
  let cdLimit = tailStart + eocd;
  if (tdv.getUint16(eocd + 4, true) !== 0 && tdv.getUint16(eocd + 4, true) !== 0xffff) throw new OckhamError('UNSUPPORTED', argument, 'multi-disk zip archives are not supported');
  if (eocd >= 20 && tdv.getUint32(eocd - 20, true) === 0x07064b50) {
    const at = u64(tdv, eocd - 20 + 8, argument);
    if (at + 56 > tailStart + eocd - 20) fail(argument, `ZIP64 end record offset ${at} is outside the archive`);
    const rec = await readRange(fh, at, 56, argument, 'file');
    const rdv = new DataView(rec.buffer);
    if (rdv.getUint32(0, true) !== 0x06064b50) fail(argument, `no ZIP64 end record at offset ${at}`);
    count = u64(rdv, 32, argument);
    cdSize = u64(rdv, 40, argument);
    cdOffset = u64(rdv, 48, argument);
    cdLimit = at;
  } else if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    fail(argument, 'the end record has saturated fields but no ZIP64 locator');
  }
  if (cdOffset > cdLimit || cdSize > cdLimit - cdOffset) fail(argument, `zip central directory (offset ${cdOffset}, ${cdSize} bytes) is outside the file`);
  if (cdSize > maxDirBytes) throw new OckhamError('OUT_OF_RANGE', argument, `zip central directory is ${cdSize} bytes, more than maxHeaderBytes = ${maxDirBytes}`);
  if (count > cdSize / 46) fail(argument, `zip directory declares ${count} members, more than its ${cdSize} bytes can hold`);
  const cd = await readRange(fh, cdOffset, cdSize, argument, 'file');
  const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const members: Member[] = [];
  const names = new Set<string>();
  const dec = new TextDecoder('utf-8', { fatal: true });
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cdSize || dv.getUint32(p, true) !== 0x02014b50) fail(argument, `zip directory record ${k} is missing or truncated`);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let usize = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let headerOffset = dv.getUint32(p + 42, true);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cdSize) fail(argument, `zip directory record ${k} runs past the directory`);
    let name: string;
    try {
      name = dec.decode(cd.subarray(p + 46, p + 46 + nameLen));
    } catch {
      fail(argument, `zip directory record ${k}: name is not UTF-8`);
    }
    if (usize === 0xffffffff || compressedSize === 0xffffffff || headerOffset === 0xffffffff) {
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      let found = false;
      while (e + 4 <= eEnd) {
        const id = dv.getUint16(e, true);
        const len = dv.getUint16(e + 2, true);
        if (e + 4 + len > eEnd) break;
        if (id === 1) {
          let q = e + 4;
          const end = q + len;
          const take = (): number => {
            if (q + 8 > end) fail(argument, `zip member ${JSON.stringify(name)}: ZIP64 extra field too short`);
            const v = u64(dv, q, argument);
            q += 8;
            return v;
          };
          if (usize === 0xffffffff) usize = take();
          if (compressedSize === 0xffffffff) compressedSize = take();
          if (headerOffset === 0xffffffff) headerOffset = take();
          found = true;
          break;
        }
        e += 4 + len;
      }
      if (!found) fail(argument, `zip member ${JSON.stringify(name)} has 0xFFFFFFFF fields but no ZIP64 extra field`);
    }
    if (names.has(name)) fail(argument, `zip archive lists member ${JSON.stringify(name)} twice`);
    names.add(name);
    if (headerOffset + 30 > cdOffset || compressedSize > cdOffset - headerOffset - 30) {
      fail(argument, `zip member ${JSON.stringify(name)} (offset ${headerOffset}, ${compressedSize} bytes) is outside the member area`);
    }
    members.push({ name, method, flags, crc, compressedSize, size: usize, headerOffset });
    p = next;
  }
  return { members, cdOffset };
}

/** Reads one stored member's bytes (after its local header), checking size and CRC-32. */
async function readStored(fh: FileHandle, m: Member, cdOffset: number, argument: string): Promise<{ bytes: Uint8Array; start: number; end: number }> {
  const what = `zip member ${JSON.stringify(m.name)}`;
  const head = await readRange(fh, m.headerOffset, 30, argument, 'file');
  const hdv = new DataView(head.buffer);
  if (hdv.getUint32(0, true) !== 0x04034b50) fail(argument, `${what}: no local header at offset ${m.headerOffset}`);
  const nameLen = hdv.getUint16(26, true);
  const start = m.headerOffset + 30 + nameLen + hdv.getUint16(28, true);
  const localName = new TextDecoder().decode(await readRange(fh, m.headerOffset + 30, nameLen, argument, 'file'));
  if (localName !== m.name) fail(argument, `${what}: local header at offset ${m.headerOffset} names a different member (${JSON.stringify(localName)})`);
  if (hdv.getUint16(8, true) !== m.method) fail(argument, `${what}: local header and directory disagree on the method`);
  if (m.size !== m.compressedSize || start + m.size > cdOffset) fail(argument, `${what}: data (offset ${start}, ${m.size} bytes) is inconsistent or outside the member area`);
  const bytes = await readRange(fh, start, m.size, argument, 'file');
  const sum = crc32Fast(bytes);
  if (sum !== m.crc >>> 0) fail(argument, `${what} is corrupt: CRC-32 0x${sum.toString(16)} differs from the recorded 0x${(m.crc >>> 0).toString(16)}`);
  return { bytes, start, end: start + m.size };
}

/**
 * Reads a PyTorch checkpoint from disk (as {@link parsePytorch}), streaming zip checkpoints:
 * only the zip directory, `data.pkl` and the storages the tensors use are read, each storage
 * once, and a storage's bytes are released after its last tensor.
 *
 * @param path - Path of the `.pt` / `.pth` / `.bin` file.
 * @param options - Budgets as {@link parsePytorch} ({@link PytorchOptions}); `maxHeaderBytes` also
 *   caps the zip directory.
 * @returns `{ format: 'pytorch', tensors, metadata }`.
 * @throws {OckhamError} with `argument` = path, as {@link parsePytorch}; INVALID_ARGUMENT for
 *   unreadable or non-regular files.
 * @example
 * import { readPytorchFile } from 'ockham/node';
 * const { tensors, metadata } = await readPytorchFile('test/fixtures/pytorch/checkpoint-zip.pt');
 * metadata.epoch; // '3'
 */
export async function readPytorchFile(path: string, options?: PytorchOptions): Promise<WeightsFile> {
  const budget = resolvePytorchOptions(options);
  let opened: { fh: FileHandle; size: number } | undefined;
  try {
    opened = await openRegularFile(path, path, 'checkpoint');
    const { fh, size } = opened;
    const magic = await readRange(fh, 0, Math.min(size, 4), path, 'file');
    const isZip = magic.length === 4 && magic[0] === 0x50 && magic[1] === 0x4b && magic[2] === 0x03 && magic[3] === 0x04;
    const whole = async (): Promise<WeightsFile> => {
      if (size > MAX_WHOLE) throw new OckhamError('UNSUPPORTED', path, `is ${size} bytes; legacy or compressed checkpoints are read whole, up to 2 GiB (re-save with torch.save's default zip format)`);
      return parsePytorchAs(await readRange(fh, 0, size, path, 'file'), options, path);
    };
    if (!isZip) return await whole();
    const { members, cdOffset } = await readDirectory(fh, size, budget.maxHeaderBytes, path);
    const byName = new Map<string, Member>();
    for (const m of members) byName.set(m.name, m);
    const prefix = torchZipPrefix(members.map((m) => m.name), path);
    if (members.some((m) => m.method !== 0 || (m.flags & 1) !== 0)) return await whole();
    const pkl = byName.get(`${prefix}data.pkl`)!;
    if (pkl.size > budget.maxHeaderBytes) throw new OckhamError('OUT_OF_RANGE', path, `data.pkl is ${pkl.size} bytes, more than maxHeaderBytes = ${budget.maxHeaderBytes}`);
    const ranges: { name: string; start: number; end: number }[] = [];
    const readMember = async (m: Member): Promise<Uint8Array> => {
      const r = await readStored(fh, m, cdOffset, path);
      for (const o of ranges) {
        if (r.start < o.end && o.start < r.end) fail(path, `zip members ${JSON.stringify(o.name)} and ${JSON.stringify(m.name)} overlap`);
      }
      ranges.push({ name: m.name, start: m.headerOffset, end: r.end });
      return r.bytes;
    };
    let littleEndian = true;
    const bo = byName.get(`${prefix}byteorder`);
    if (bo) {
      if (bo.size > 16) fail(path, 'byteorder member is too long');
      const text = new TextDecoder().decode(await readMember(bo)).trim();
      if (text !== 'little' && text !== 'big') fail(path, `byteorder member says ${JSON.stringify(text)}`);
      littleEndian = text === 'little';
    }
    const plan = planZipPickle(await readMember(pkl), path, budget.maxHeaderDepth, budget.maxTensors);
    precheckBudget(plan.tensors, budget, path);
    const lastUse = new Map<string, number>();
    plan.tensors.forEach((t, i) => lastUse.set(t.ref.storage.key, i));
    const storages = new Map<string, Uint8Array>();
    const tensors: LoadedTensor[] = [];
    for (let i = 0; i < plan.tensors.length; i++) {
      const t = plan.tensors[i];
      const key = t.ref.storage.key;
      let data = storages.get(key);
      if (!data) {
        const m = byName.get(`${prefix}data/${key}`);
        if (!m) fail(path, `tensor ${JSON.stringify(t.name)}: storage member ${JSON.stringify(`${prefix}data/${key}`)} is missing`);
        const want = t.ref.storage.numel * ITEM_SIZE[t.ref.storage.elem];
        if (m.size !== want) fail(path, `storage ${JSON.stringify(key)} holds ${m.size} bytes, its persistent id declares ${want}`);
        data = await readMember(m);
        storages.set(key, data);
      }
      const loaded = materializeTensor(t, data, path, budget, littleEndian);
      tensors.push(loaded);
      if (lastUse.get(key) === i) storages.delete(key);
    }
    return { format: 'pytorch', tensors, metadata: plan.metadata };
  } catch (e) {
    return rethrowWithPath(path, e);
  } finally {
    await opened?.fh.close();
  }
}
