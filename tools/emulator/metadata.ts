// Envoy's `metadata` property: the stream's dynamic metadata as a serialised
// envoy.config.core.v3.Metadata, whose filter_metadata values are google.protobuf.Struct. This is
// how jwt_authn's verified payload reaches wasm (test/agreement.e2e.test.ts shows it).
// Envoy serialises every protobuf map (filter_metadata, each Struct's fields) in an order that
// changes from one request to the next (agreement test: distinct orders for one token); the
// emulator does the same with `order`, so a cache keyed on the bytes cannot pass here and fail there.

import { WasmResult, serializePairs } from "./abi";

// The order map entries are written in: a shuffle (the host's, seeded) or as given.
export type EntryOrder = <T>(entries: T[]) => T[];
const AS_GIVEN: EntryOrder = (entries) => entries;

// A seeded shuffle (mulberry32, Fisher–Yates): repeatable runs, a new order on each call.
export function shuffler(seed: number): EntryOrder {
  let state = seed | 0;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return <T>(entries: T[]) => {
    const out = entries.slice();
    for (let i = out.length - 1; i > 0; i--) { const j = Math.floor(next() * (i + 1)); [out[i], out[j]] = [out[j], out[i]]; }
    return out;
  };
}

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

function value(v: unknown, order: EntryOrder): Buffer {
  if (v === null || v === undefined) return field(1, 0, varint(0));
  if (typeof v === "number") { const b = Buffer.alloc(8); b.writeDoubleLE(v); return field(2, 1, b); }
  if (typeof v === "string") return str(3, v);
  if (typeof v === "boolean") return field(4, 0, varint(v ? 1 : 0));
  if (Array.isArray(v)) return field(6, 2, Buffer.concat(v.map((x) => field(1, 2, value(x, order)))));
  return field(5, 2, struct(v as Record<string, unknown>, order));
}

export function struct(obj: Record<string, unknown>, order: EntryOrder = AS_GIVEN): Buffer {
  return Buffer.concat(order(Object.entries(obj)).map(([k, v]) => field(1, 2, Buffer.concat([str(1, k), field(2, 2, value(v, order))]))));
}

export function encodeMetadata(md: FilterMetadata, order: EntryOrder = AS_GIVEN): Buffer {
  return Buffer.concat(order(Object.entries(md)).map(([ns, s]) => field(1, 2, Buffer.concat([str(1, ns), field(2, 2, struct(s, order))]))));
}

// A path below `metadata`, as Envoy 1.40 reads one (context.cc: the Metadata message's field, then
// map keys; the value found written by serializeValue; agreement test): a string is its bytes, a
// number 8 bytes (a little-endian double), a bool one byte, a map (filter_metadata, a Struct) the
// proxy-wasm pairs of its keys and written values, a list the pairs of its written items and empty
// values; a null, or a map or list holding one at any depth, cannot be written (SerializationFailure).
// No type is written: the claim "abcdefgh" and the claim 8.54e194 are the same 8 bytes, which is
// why meshguard reads the whole `metadata` (typed protobuf) and never a claim's own path.
// undefined: NotFound.
export function metadataAt(md: FilterMetadata, path: string[], order: EntryOrder = AS_GIVEN): Buffer | { status: WasmResult } | undefined {
  if (path[0] !== "filter_metadata") return undefined;
  let v: unknown = md;
  for (const key of path.slice(1)) {
    if (v === null || typeof v !== "object" || Array.isArray(v) || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return written(v, order) ?? { status: WasmResult.SerializationFailure };
}

// null: the value cannot be written.
function written(v: unknown, order: EntryOrder): Buffer | null {
  if (typeof v === "string") return Buffer.from(v, "utf8");
  if (typeof v === "number") { const b = Buffer.alloc(8); b.writeDoubleLE(v); return b; }
  if (typeof v === "boolean") return Buffer.from([v ? 1 : 0]);
  if (v === null || typeof v !== "object") return null;
  const list = Array.isArray(v);
  const items: [string, unknown][] = list ? v.map((x) => ["", x]) : order(Object.entries(v as Record<string, unknown>));
  const pairs: [string | Buffer, string | Buffer][] = [];
  for (const [key, x] of items) {
    const w = written(x, order);
    if (w === null) return null;
    pairs.push(list ? [w, ""] : [key, w]);   // a list's items are written as keys, with empty values
  }
  return serializePairs(pairs);
}
