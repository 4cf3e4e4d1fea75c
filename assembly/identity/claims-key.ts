// An order-free key for the dynamic metadata that carries the verified claims, so the user's
// claims are decoded once per token rather than once per request. Envoy serialises protobuf maps
// (filter_metadata, and a Struct's fields at every depth) in a different order on every request:
// the same token gives different bytes each time (seen against Envoy 1.40: 20 distinct orders in
// 20 requests). The key lists each map's entries sorted, each piece length-prefixed, and keeps
// everything else (a Value's fields, a list's items) in order, so two inputs with the same key
// decode to the same claims, the same error included. Pure and bounded: any input it cannot read
// exactly (malformed, too deep, a key repeated in one map, where order would decide) gives null:
// then the claims are simply decoded.
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;
const MAX_DEPTH = 40;          // nesting of maps, lists and values (the claims reader stops at 16)

class Out {
  buf: Uint8Array;
  len: i32 = 0;
  constructor(capacity: i32) { this.buf = new Uint8Array(max(capacity, 64)); }
  reserve(n: i32): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = new Uint8Array(max(this.buf.length * 2, this.len + n));
    memory.copy(bigger.dataStart, this.buf.dataStart, <usize>this.len);
    this.buf = bigger;
  }
  u32(v: u32): void { this.reserve(4); store<u32>(this.buf.dataStart + <usize>this.len, v); this.len += 4; }
  bytes(src: Uint8Array, from: i32, to: i32): void {
    const n = to - from;
    this.reserve(n);
    memory.copy(this.buf.dataStart + <usize>this.len, src.dataStart + <usize>from, <usize>n);
    this.len += n;
  }
  done(): Uint8Array { return this.buf.subarray(0, this.len); }
}

// What a length-delimited field holds, for the canonical form.
const AS_RAW: i32 = 0;        // bytes, kept as they are
const AS_METADATA: i32 = 1;   // envoy.config.core.v3.Metadata: maps 1 and 2 (values: Struct, Any)
const AS_MAP_ENTRY_STRUCT: i32 = 2;   // a map entry whose value (field 2) is a Struct
const AS_STRUCT: i32 = 3;     // google.protobuf.Struct: map 1 of Value
const AS_MAP_ENTRY_VALUE: i32 = 4;    // a map entry whose value (field 2) is a Value
const AS_VALUE: i32 = 5;      // google.protobuf.Value: struct 5, list 6
const AS_LIST: i32 = 6;       // google.protobuf.ListValue: repeated Value 1

class Reader {
  failed: bool = false;
  constructor(public buf: Uint8Array, public pos: i32, public end: i32) {}
  varint(): u64 {
    let v: u64 = 0;
    for (let shift: u64 = 0; shift < 70; shift += 7) {
      if (this.pos >= this.end) { this.failed = true; return 0; }
      const b = <u64>unchecked(this.buf[this.pos++]);
      v |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    this.failed = true;
    return 0;
  }
}

// The field's kind inside a message of kind `as`.
function childKind(as: i32, field: u64): i32 {
  if (as == AS_METADATA) return field == 1 ? AS_MAP_ENTRY_STRUCT : AS_RAW;
  if (as == AS_MAP_ENTRY_STRUCT) return field == 2 ? AS_STRUCT : AS_RAW;
  if (as == AS_STRUCT) return field == 1 ? AS_MAP_ENTRY_VALUE : AS_RAW;
  if (as == AS_MAP_ENTRY_VALUE) return field == 2 ? AS_VALUE : AS_RAW;
  if (as == AS_VALUE) return field == 5 ? AS_STRUCT : field == 6 ? AS_LIST : AS_RAW;
  if (as == AS_LIST) return field == 1 ? AS_VALUE : AS_RAW;
  return AS_RAW;
}

function isMap(as: i32): bool { return as == AS_METADATA || as == AS_STRUCT; }

function compareBytes(a: Uint8Array, b: Uint8Array): i32 {
  const n = min(a.length, b.length);
  const c = memory.compare(a.dataStart, b.dataStart, <usize>n);
  return c != 0 ? c : a.length - b.length;
}

// The map key of an entry (field 1), as bytes, or null.
function entryKey(buf: Uint8Array, from: i32, to: i32): Uint8Array | null {
  const r = new Reader(buf, from, to);
  while (r.pos < r.end && !r.failed) {
    const tag = r.varint();
    const wire = <i32>(tag & 7);
    if (wire != WIRE_LEN) return null;   // map entries hold only the key and the value
    const n = r.varint();
    if (r.failed || n > <u64>(r.end - r.pos)) return null;
    if ((tag >>> 3) == 1) return buf.subarray(r.pos, r.pos + <i32>n);
    r.pos += <i32>n;
  }
  return null;
}

// Appends the canonical form of the message [from, to) of kind `as` to `out`; false when it
// cannot be read exactly.
function canon(buf: Uint8Array, from: i32, to: i32, as: i32, depth: i32, out: Out): bool {
  if (depth > MAX_DEPTH) return false;
  const pieces: Uint8Array[] | null = isMap(as) ? [] : null;
  const keys: Uint8Array[] = [];
  const r = new Reader(buf, from, to);
  while (r.pos < r.end) {
    const tag = r.varint();
    if (r.failed) return false;
    const wire = <i32>(tag & 7);
    const target = pieces !== null ? new Out(32) : out;
    target.u32(<u32>(tag & 0xffffffff));
    if (wire == WIRE_VARINT) {
      const at = r.pos;
      r.varint();
      if (r.failed) return false;
      target.bytes(buf, at, r.pos);
    } else if (wire == WIRE_FIXED64 || wire == WIRE_FIXED32) {
      const n = wire == WIRE_FIXED64 ? 8 : 4;
      if (r.end - r.pos < n) return false;
      target.bytes(buf, r.pos, r.pos + n);
      r.pos += n;
    } else if (wire == WIRE_LEN) {
      const n = r.varint();
      if (r.failed || n > <u64>(r.end - r.pos)) return false;
      const end = r.pos + <i32>n;
      const kind = childKind(as, tag >>> 3);
      if (kind == AS_RAW) {
        target.u32(<u32>n);
        target.bytes(buf, r.pos, end);
      } else {
        const inner = new Out(<i32>n + 16);
        if (!canon(buf, r.pos, end, kind, depth + 1, inner)) return false;
        target.u32(<u32>inner.len);
        target.bytes(inner.buf, 0, inner.len);
        if (pieces !== null && (kind == AS_MAP_ENTRY_STRUCT || kind == AS_MAP_ENTRY_VALUE)) {
          const key = entryKey(buf, r.pos, end);
          if (key === null) return false;
          keys.push(key);
        }
      }
      r.pos = end;
    } else {
      return false;   // groups: never in these messages
    }
    if (pieces !== null) pieces.push((<Out>target).done());
  }
  if (pieces === null) return true;
  // A key twice in one map: the decoder's answer would depend on the order. Not keyed.
  keys.sort(compareBytes);
  for (let i = 1; i < keys.length; i++) if (compareBytes(keys[i - 1], keys[i]) == 0) return false;
  pieces.sort(compareBytes);
  out.u32(<u32>pieces.length);
  for (let i = 0; i < pieces.length; i++) {
    out.u32(<u32>pieces[i].length);
    out.bytes(pieces[i], 0, pieces[i].length);
  }
  return true;
}

// The key of a serialised envoy.config.core.v3.Metadata, or null.
export function claimsKey(metadata: Uint8Array, maxBytes: i32): Uint8Array | null {
  if (metadata.length > maxBytes) return null;
  const out = new Out(metadata.length * 2 + 16);
  return canon(metadata, 0, metadata.length, AS_METADATA, 0, out) ? out.done() : null;
}
