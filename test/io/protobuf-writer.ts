/** A minimal protobuf writer for tests (hand-built ONNX models, hostile fields). */

/** Varint of a safe integer; negatives as 10-byte two's complement (int64). */
export function encodeVarint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

/** A field key followed by an already-encoded value. */
export function field(num: number, wireType: number, value: number[] | Uint8Array): number[] {
  return [...encodeVarint(num * 8 + wireType), ...value];
}

/** A length-delimited field. */
export function lenField(num: number, value: number[] | Uint8Array): number[] {
  return [...encodeVarint(num * 8 + 2), ...encodeVarint(value.length), ...value];
}

export const strField = (num: number, s: string): number[] => lenField(num, new TextEncoder().encode(s));
export const varField = (num: number, v: number): number[] => field(num, 0, encodeVarint(v));

/** A TensorProto from its fields. */
export function tensorProto(t: { name: string; dataType: number; dims: number[]; raw?: Uint8Array; extra?: number[] }): number[] {
  return [
    ...t.dims.flatMap((d) => varField(1, d)),
    ...varField(2, t.dataType),
    ...strField(8, t.name),
    ...(t.raw ? lenField(9, t.raw) : []),
    ...(t.extra ?? []),
  ];
}

/** A ModelProto with one graph holding the given initializers. */
export function modelProto(initializers: number[][], extra: number[] = []): Uint8Array {
  const graph = [...strField(2, 'g'), ...initializers.flatMap((t) => lenField(5, t))];
  return new Uint8Array([...varField(1, 8), ...strField(2, 'test'), ...lenField(7, graph), ...extra]);
}
