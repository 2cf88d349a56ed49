/**
 * Browser side of the file readers: turns the files a user picked (or dropped) into one
 * `WeightsFile`, the same way `ockham report` reads a path: TF.js (the model.json plus the shard
 * files it lists, matched by file name) and .npy by name; every other single file (safetensors,
 * .npz, GGUF, PyTorch, ONNX without external data) through `parseWeights`, which detects the
 * format from the content and keeps the stored bytes for the naive size, as the CLI does.
 */
import { OckhamError, npyToTensor, parseNpy, parseTfjsModel, parseWeights, tfjsManifest } from '../../src/index.js';
import type { WeightsFile } from '../../src/index.js';

/** A picked file, read into memory (nothing leaves the machine). */
export interface PickedFile {
  name: string;
  bytes: ArrayBuffer;
}

type Format = WeightsFile['format'];

function sniff(f: PickedFile): Format | undefined {
  const lower = f.name.toLowerCase();
  if (lower.endsWith('.json')) return 'tfjs';
  const h = new Uint8Array(f.bytes, 0, Math.min(16, f.bytes.byteLength));
  if (h.length >= 6 && h[0] === 0x93 && String.fromCharCode(...h.subarray(1, 6)) === 'NUMPY') return 'npy';
  return undefined;
}

/** The file whose report is shown: a model.json when one was picked, else the first file. */
export function mainFile(files: readonly PickedFile[]): PickedFile {
  if (files.length === 0) throw new OckhamError('EMPTY', 'files', 'pick a .safetensors, .gguf, .pt/.bin, .onnx, .npy, .npz or model.json (+ shards)');
  return files.find((f) => f.name.toLowerCase().endsWith('.json')) ?? files[0];
}

/** Parses the picked files into one weights file (throws OckhamError naming the file). */
export function readPicked(files: readonly PickedFile[]): WeightsFile {
  const main = mainFile(files);
  const format = sniff(main);
  switch (format) {
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
      return parseWeights(main.bytes, { stored: true });
  }
}
