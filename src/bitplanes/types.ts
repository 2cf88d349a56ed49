/**
 * A packed binary plane (rows × cols), 32 cells per `Uint32Array` word, MSB-first:
 * cell (i, j) is bit `31 − (j & 31)` of `data[i * stride + (j >>> 5)]`. Unused tail bits of a
 * row are zero. MSB-first keeps each 4-cell run a shift-and-mask away, and matches numpy's
 * `packbits` bit order.
 */
export interface BitPlane {
  readonly rows: number;
  readonly cols: number;
  /** Uint32 words per row: ceil(cols / 32). */
  readonly stride: number;
  readonly data: Uint32Array;
}
