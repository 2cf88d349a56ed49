/**
 * Browser side of the file readers: turns the files a user picked (or dropped) into one
 * `WeightsFile`, the same way `ockham report` reads a path — by extension, then by magic bytes.
 * TF.js: the model.json plus the shard files it lists, matched by file name.
 */
import { OckhamError, npyToTensor, parseNpy, parseNpz, parseSafetensors, parseTfjsModel, tfjsManifest } from '../../src/index.js';
import type { WeightsFile } from '../../src/index.js';

/** A picked file, read into memory (nothing leaves the machine). */
export interface PickedFile {
  name: string;
  bytes: ArrayBuffer;
}

type Format = WeightsFile['format'];

function sniff(f: PickedFile): Format | undefined {
  const lower = f.name.toLowerCase();
  if (lower.endsWith('.safetensors')) return 'safetensors';
  if (lower.endsWith('.npy')) return 'npy';
  if (lower.endsWith('.npz')) return 'npz';
  if (lower.endsWith('.json')) return 'tfjs';
  const h = new Uint8Array(f.bytes, 0, Math.min(16, f.bytes.byteLength));
  if (h.length >= 6 && h[0] === 0x93 && String.fromCharCode(...h.subarray(1, 6)) === 'NUMPY') return 'npy';
  if (h.length >= 4 && h[0] === 0x50 && h[1] === 0x4b && h[2] === 0x03 && h[3] === 0x04) return 'npz';
  if (h.length >= 9 && h[8] === 0x7b) return 'safetensors';
  return undefined;
}

/** The file whose report is shown: a model.json when one was picked, else the first file. */
export function mainFile(files: readonly PickedFile[]): PickedFile {
  if (files.length === 0) throw new OckhamError('EMPTY', 'files', 'pick a .safetensors, .npy, .npz or model.json (+ shards)');
  return files.find((f) => f.name.toLowerCase().endsWith('.json')) ?? files[0];
}

/** Parses the picked files into one weights file (throws OckhamError naming the file). */
export function readPicked(files: readonly PickedFile[]): WeightsFile {
  const main = mainFile(files);
  const format = sniff(main);
  switch (format) {
    case 'safetensors':
      return parseSafetensors(main.bytes);
    case 'npz':
      return parseNpz(main.bytes);
    case 'npy': {
      const stem = main.name.replace(/\.npy$/i, '');
      return { format: 'npy', tensors: [npyToTensor(stem, parseNpy(main.bytes, main.name))], metadata: {} };
    }
    case 'tfjs': {
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(main.bytes));
      } catch (e) {
        throw new OckhamError('PARSE_ERROR', main.name, `is not valid JSON (${(e as Error).message})`);
      }
      const byName = new Map(files.map((f) => [f.name, f.bytes]));
      const shards: Record<string, ArrayBuffer> = {};
      for (const g of tfjsManifest(json)) {
        for (const p of g.paths) {
          let base = p.slice(p.lastIndexOf('/') + 1);
          try {
            base = decodeURIComponent(base);
          } catch {
            // not percent-encoded
          }
          const b = byName.get(base);
          if (b === undefined) throw new OckhamError('INVALID_ARGUMENT', main.name, `shard ${JSON.stringify(p)} listed in the manifest was not picked: select model.json together with its shard files`);
          shards[p] = b;
        }
      }
      return parseTfjsModel(json, shards);
    }
    default:
      throw new OckhamError('UNSUPPORTED', main.name, 'unknown format: expected .safetensors, .npy, .npz or a TensorFlow.js model.json (+ shards)');
  }
}
