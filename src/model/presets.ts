/**
 * Model descriptions of the shipped experiments.
 */
import type { SequentialSpec } from './sequential.js';

/**
 * The shipped grokking network (examples/grokking): logits = relu([embed[a], embed[b]]·hidden)·output,
 * no biases; parameter names and shapes as in its checkpoints (embed p×d, hidden 2d×h, output h×p).
 *
 * @param p - Modulus (vocabulary and classes). Default 47.
 * @param d - Embedding width. Default 24.
 * @param h - Hidden width. Default 96.
 * @returns The {@link SequentialSpec} (pass to `sequentialModel`).
 * @example
 * ```ts
 * import { sequentialModel, grokkingMlpSpec } from 'ockham';
 * const model = sequentialModel(grokkingMlpSpec());
 * model.size; // 10248
 * ```
 */
export function grokkingMlpSpec(p = 47, d = 24, h = 96): SequentialSpec {
  return {
    input: { tokens: 2 },
    layers: [
      { type: 'embedding', vocab: p, dim: d, name: 'embed' },
      { type: 'dense', units: h, bias: false, name: 'hidden' },
      { type: 'relu' },
      { type: 'dense', units: p, bias: false, name: 'output' },
    ],
    loss: 'crossEntropy',
  };
}

/**
 * An MLP on flattened 28×28 digits: 784 → hidden (relu) → … → 10, with biases, PyTorch init.
 *
 * @param hidden - Hidden widths. Default [256] (784→256→10, the QuBD paper's MNIST MLP scale).
 * @returns The {@link SequentialSpec}.
 * @example
 * ```ts
 * import { sequentialModel, mnistMlpSpec } from 'ockham';
 * sequentialModel(mnistMlpSpec()).size; // 203530
 * ```
 */
export function mnistMlpSpec(hidden: readonly number[] = [256]): SequentialSpec {
  const layers: SequentialSpec['layers'][number][] = [];
  hidden.forEach((u, i) => {
    layers.push({ type: 'dense', units: u, name: `fc${i + 1}` });
    layers.push({ type: 'relu' });
  });
  layers.push({ type: 'dense', units: 10, name: `fc${hidden.length + 1}` });
  return { input: { features: 784 }, layers, loss: 'crossEntropy' };
}
