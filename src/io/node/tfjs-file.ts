/**
 * Node-only TensorFlow.js model reader: `model.json` plus the shard files its manifest lists,
 * hardened for folders from strangers (see docs/security.md).
 */
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { OckhamError } from '../../errors.js';
import { assertKnownOptions } from '../../util/validate.js';
import { BUDGET_KEYS, resolveReadBudget, type ReadBudget } from '../budget.js';
import { parseModelJson, parseTfjsModel, tfjsGroupBytes, tfjsManifest } from '../tfjs.js';
import type { WeightsFile } from '../types.js';
import { rethrowWithPath } from './errors.js';

/** Largest single read; fs reads are capped at 2 GiB − 1. */
const CHUNK = 1 << 30;

/**
 * Opens `path` for reading without blocking on FIFOs and checks that it is a regular file of at
 * most `maxBytes` bytes; returns the handle and size. Devices, FIFOs, sockets and folders are refused.
 */
export async function openRegularFile(path: string, maxBytes: number, what: string, argument: string): Promise<{ fh: FileHandle; size: number }> {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
  const fh = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      const kind = st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : st.isDirectory() ? 'a folder' : 'not a regular file';
      throw new OckhamError('INVALID_ARGUMENT', argument, `${what} ${JSON.stringify(path)} is ${kind}; only regular files are read`);
    }
    if (st.size > maxBytes) {
      throw new OckhamError('OUT_OF_RANGE', argument, `${what} ${JSON.stringify(path)} is ${st.size} bytes, more than the ${maxBytes} allowed`);
    }
    return { fh, size: st.size };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Reads exactly `size` bytes from the start of the file (never more: the buffer is the cap). */
export async function readAtMost(fh: FileHandle, size: number, path: string, argument: string): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let done = 0;
  while (done < size) {
    const { bytesRead } = await fh.read(out, done, Math.min(CHUNK, size - done), done);
    if (bytesRead === 0) throw new OckhamError('PARSE_ERROR', argument, `${JSON.stringify(path)} ended at byte ${done} of ${size} (changed while reading?)`);
    done += bytesRead;
  }
  return out;
}

function isInside(dir: string, full: string): boolean {
  return full === dir || full.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * Reads a TensorFlow.js `model.json` and its weight shards, hardened for untrusted folders.
 *
 * Before any shard byte is read: the model.json must be a regular file within `maxHeaderBytes`
 * and pass the JSON pre-scan; the bytes each manifest group needs are computed from the manifest
 * (and every weight's float32 output counted against the budget); each shard path, after URL
 * decoding, must stay inside the model folder both lexically and after resolving symlinks
 * (`realpath`); each must be a regular file (FIFOs, devices such as `/dev/zero`, sockets are
 * refused); two manifest paths may not resolve to the same file; and the shard sizes of each group
 * must add up to exactly what its weights need. Each read is then capped at that size.
 *
 * @param path - Path of model.json.
 * @param options - Budget ({@link ReadBudget}); defaults in `READ_BUDGET_DEFAULTS`.
 * @returns As {@link parseTfjsModel}.
 * @throws {OckhamError} with `argument` = path: INVALID_ARGUMENT for unreadable files, non-regular
 *   shards, shard paths outside the model folder or listed twice; PARSE_ERROR / UNSUPPORTED as
 *   {@link parseTfjsModel}; OUT_OF_RANGE when a budget is exceeded.
 * @example
 * import { readTfjsModelFile } from 'ockham/node';
 * const { tensors } = await readTfjsModelFile('test/fixtures/upscaler/model.json');
 */
export async function readTfjsModelFile(path: string, options?: ReadBudget): Promise<WeightsFile> {
  assertKnownOptions(options, 'options', BUDGET_KEYS);
  const budget = resolveReadBudget(options);
  const handles: FileHandle[] = [];
  try {
    if (typeof path !== 'string' || path.length === 0) throw new OckhamError('INVALID_ARGUMENT', 'path', 'expected a non-empty file path');
    const { fh, size } = await openRegularFile(path, budget.maxHeaderBytes, 'model.json', path);
    handles.push(fh);
    const json = parseModelJson(await readAtMost(fh, size, path, path), budget, path);
    const groups = tfjsManifest(json);
    const expected = tfjsGroupBytes(json, budget, path);
    const lexicalDir = resolve(dirname(path));
    const realDir = await realpath(lexicalDir);
    const seen = new Map<string, string>();
    const shards: Record<string, Uint8Array> = {};
    const opened: { p: string; full: string; size: number }[][] = [];
    for (let gi = 0; gi < groups.length; gi++) {
      const group: (typeof opened)[number] = [];
      let total = 0;
      for (const p of groups[gi].paths) {
        let rel = p;
        try {
          rel = decodeURIComponent(p); // manifests hold URL paths (spaces as %20)
        } catch {
          // not percent-encoded: use as is
        }
        const lexical = resolve(lexicalDir, rel);
        if (lexical === lexicalDir || !isInside(lexicalDir, lexical)) {
          throw new OckhamError('INVALID_ARGUMENT', path, `shard path ${JSON.stringify(p)} points outside the model folder`);
        }
        let full: string;
        try {
          full = await realpath(lexical);
        } catch (e) {
          throw new OckhamError('INVALID_ARGUMENT', path, `shard ${JSON.stringify(p)} listed in the manifest cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        }
        if (!isInside(realDir, full) || full === realDir) {
          throw new OckhamError('INVALID_ARGUMENT', path, `shard path ${JSON.stringify(p)} resolves (through a symlink) to ${JSON.stringify(full)}, outside the model folder`);
        }
        const twin = seen.get(full);
        if (twin !== undefined) {
          throw new OckhamError('INVALID_ARGUMENT', path, `shard paths ${JSON.stringify(twin)} and ${JSON.stringify(p)} are the same file; each shard may be listed once`);
        }
        seen.set(full, p);
        const { fh: sfh, size: ssize } = await openRegularFile(full, expected[gi], 'shard', path).catch((e: unknown) => {
          if (e instanceof OckhamError) throw e;
          throw new OckhamError('INVALID_ARGUMENT', path, `shard ${JSON.stringify(p)} listed in the manifest cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        });
        await sfh.close();
        group.push({ p, full, size: ssize });
        total += ssize;
        if (total > expected[gi]) {
          throw new OckhamError('PARSE_ERROR', path, `group ${gi}'s shards hold more than the ${expected[gi]} bytes its weights need (at ${JSON.stringify(p)})`);
        }
      }
      if (total !== expected[gi]) {
        throw new OckhamError('PARSE_ERROR', path, `group ${gi}'s shards hold ${total} bytes but its weights need ${expected[gi]}`);
      }
      opened.push(group);
    }
    for (const group of opened) {
      for (const s of group) {
        // Reopened with the same checks; the read is capped at the size the manifest implies.
        const { fh: sfh, size } = await openRegularFile(s.full, s.size, 'shard', path);
        handles.push(sfh);
        // defineProperty: a shard named __proto__ stays an own entry.
        Object.defineProperty(shards, s.p, { value: await readAtMost(sfh, size, s.full, path), enumerable: true });
        if (size !== s.size) throw new OckhamError('PARSE_ERROR', path, `shard ${JSON.stringify(s.p)} changed size while reading`);
      }
    }
    return parseTfjsModel(json, shards, budget);
  } catch (e) {
    rethrowWithPath(path, e);
  } finally {
    await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
  }
}
