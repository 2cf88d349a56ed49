/**
 * Node-only zip access through a file handle: the directory and local headers are read from the
 * file, members one at a time, so a multi-gigabyte archive (a 7B-parameter PyTorch checkpoint is
 * ~14 GB) never has to be in memory — only the member being read.
 */
import { readSync } from 'node:fs';
import { OckhamError } from '../../errors.js';
import { decodeZipMember, checkEntry, listZipSource, type ZipBudget, type ZipEntry } from '../zip.js';
import { rethrowWithPath } from './errors.js';
import { openRegularFile } from './tfjs-file.js';

/** Largest single read; fs reads are capped at 2 GiB − 1. */
const CHUNK = 1 << 30;

/** An open zip archive: its checked member list and a reader for one member at a time. */
export interface ZipFile {
  readonly path: string;
  /** Archive size, bytes. */
  readonly size: number;
  /** The members, checked as by `listZipEntries`. */
  readonly entries: readonly ZipEntry[];
  /** Reads, inflates (if deflated) and CRC-checks one member; one allocation of its size. */
  read(entry: ZipEntry): Promise<Uint8Array>;
  /** Closes the file. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Opens a zip archive on disk and lists its members with every check of `listZipEntries`, reading
 * only the end records, the central directory and the local headers. The file must be a regular
 * file (FIFOs and devices are refused).
 *
 * @param path - The archive's path.
 * @param budget - Zip limits (`maxEntries`, `maxEntryBytes`, `maxTotalBytes`; see `ZIP_DEFAULT_BUDGET`).
 * @returns An open {@link ZipFile}; call `close()` when done.
 * @throws {OckhamError} with `argument` = path, as `listZipEntries`, or INVALID_ARGUMENT when the
 *   file cannot be read.
 * @example
 * import { openZipFile } from 'ockham/node';
 * const zip = await openZipFile('test/fixtures/pytorch/state-dict-zip.pt');
 * try {
 *   const pkl = zip.entries.find((e) => e.name.endsWith('/data.pkl'));
 *   if (pkl) console.log((await zip.read(pkl)).length);
 * } finally {
 *   await zip.close();
 * }
 */
export async function openZipFile(path: string, budget?: ZipBudget): Promise<ZipFile> {
  if (typeof path !== 'string' || path.length === 0) throw new OckhamError('INVALID_ARGUMENT', 'path', 'expected a non-empty file path');
  let opened: Awaited<ReturnType<typeof openRegularFile>>;
  try {
    opened = await openRegularFile(path, Number.MAX_SAFE_INTEGER, 'zip archive', path);
  } catch (e) {
    rethrowWithPath(path, e);
  }
  const { fh, size } = opened;
  const readAt = (offset: number, length: number): Uint8Array => {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fh.fd, out, done, Math.min(CHUNK, length - done), offset + done);
      if (n === 0) throw new OckhamError('PARSE_ERROR', path, `file ended at byte ${offset + done} (changed while reading?)`);
      done += n;
    }
    return out;
  };
  let entries: ZipEntry[];
  try {
    entries = listZipSource({ size, read: readAt }, budget, path);
  } catch (e) {
    await fh.close();
    rethrowWithPath(path, e);
  }
  let closed = false;
  return {
    path,
    size,
    entries,
    async read(entry: ZipEntry): Promise<Uint8Array> {
      if (closed) throw new OckhamError('INVALID_ARGUMENT', path, 'the zip file is closed');
      checkEntry(entry, size, budget, path);
      const stored = new Uint8Array(entry.compressedSize);
      let done = 0;
      while (done < stored.length) {
        const { bytesRead } = await fh.read(stored, done, Math.min(CHUNK, stored.length - done), entry.dataOffset + done);
        if (bytesRead === 0) throw new OckhamError('PARSE_ERROR', path, `file ended at byte ${entry.dataOffset + done} (changed while reading?)`);
        done += bytesRead;
      }
      return decodeZipMember(stored, entry, budget, path);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await fh.close();
    },
  };
}
