// Envoy's `metadata` property: the stream's dynamic metadata as a serialised
// envoy.config.core.v3.Metadata, whose filter_metadata values are google.protobuf.Struct. This is
// how jwt_authn's verified payload reaches wasm (test/agreement.e2e.test.ts shows it).

export type FilterMetadata = Record<string, Record<string, unknown>>;

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
  return Buffer.from(out);
}

function field(num: number, wire: number, body: Buffer): Buffer {
  const tag = varint(num * 8 + wire);
  return wire === 2 ? Buffer.concat([tag, varint(body.length), body]) : Buffer.concat([tag, body]);
}

const str = (num: number, s: string) => field(num, 2, Buffer.from(s, "utf8"));

function value(v: unknown): Buffer {
  if (v === null || v === undefined) return field(1, 0, varint(0));
  if (typeof v === "number") { const b = Buffer.alloc(8); b.writeDoubleLE(v); return field(2, 1, b); }
  if (typeof v === "string") return str(3, v);
  if (typeof v === "boolean") return field(4, 0, varint(v ? 1 : 0));
  if (Array.isArray(v)) return field(6, 2, Buffer.concat(v.map((x) => field(1, 2, value(x)))));
  return field(5, 2, struct(v as Record<string, unknown>));
}

export function struct(obj: Record<string, unknown>): Buffer {
  return Buffer.concat(Object.entries(obj).map(([k, v]) => field(1, 2, Buffer.concat([str(1, k), field(2, 2, value(v))]))));
}

export function encodeMetadata(md: FilterMetadata): Buffer {
  return Buffer.concat(Object.entries(md).map(([ns, s]) => field(1, 2, Buffer.concat([str(1, ns), field(2, 2, struct(s))]))));
}
