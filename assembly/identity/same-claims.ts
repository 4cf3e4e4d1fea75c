// Whether two serialised dynamic metadata carry the same claims, whatever order their maps were
// written in, so the user's claims are decoded once per token rather than once per request. Envoy
// serialises protobuf maps (filter_metadata, and a Struct's fields at every depth) in a different
// order on every request: the same token gives different bytes each time (seen against Envoy
// 1.40: 20 distinct orders in 20 requests).
//
// Two inputs are the same when their maps hold the same entries (matched by key, each key once
// per map) and everything else (a Value's fields, a list's items) is equal in order, so the
// claims reader (claims.ts) decodes both alike, the same error included. It compares the bytes in
// place: no allocation, which matters more than anything else here (an earlier version built a
// sorted copy of both and cost more than decoding the claims). Pure and bounded (depth, entries
// per map, fields read): anything it cannot compare exactly (malformed, too large, a key twice in
// one map, where order would decide) is "not the same", and the claims are simply decoded.
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;
const MAX_DEPTH = 40;          // nesting of maps, lists and values (the claims reader stops at 16)
const MAX_ENTRIES = 64;        // entries per map (matching is quadratic in them)
const MAX_FIELDS_READ = 20000; // fields read in one comparison, all maps together

// What a length-delimited field holds.
const AS_RAW: i32 = 0;        // bytes, compared as they are
const AS_METADATA: i32 = 1;   // envoy.config.core.v3.Metadata: maps 1 and 2 (values: Struct, Any)
const AS_MAP_ENTRY_STRUCT: i32 = 2;   // a map entry whose value (field 2) is a Struct
const AS_STRUCT: i32 = 3;     // google.protobuf.Struct: map 1 of Value
const AS_MAP_ENTRY_VALUE: i32 = 4;    // a map entry whose value (field 2) is a Value
const AS_VALUE: i32 = 5;      // google.protobuf.Value: struct 5, list 6
const AS_LIST: i32 = 6;       // google.protobuf.ListValue: repeated Value 1

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

// The reader's state: module globals, so reading a field allocates nothing. Callers copy what they
// need into locals before reading another field (the comparison recurses).
let varintValue: u64 = 0;
let fieldTag: u64 = 0;
let fieldFrom: i32 = 0;      // the content: a varint's bytes, a fixed value, a length-delimited body
let fieldTo: i32 = 0;        // where the next field starts
let fieldsLeft: i32 = 0;

// The varint at buf[pos, end): its end, or -1.
function varint(buf: Uint8Array, pos: i32, end: i32): i32 {
  let v: u64 = 0;
  let p = pos;
  for (let shift: u64 = 0; shift < 70; shift += 7) {
    if (p >= end) return -1;
    const b = <u64>unchecked(buf[p++]);
    v |= (b & 0x7f) << shift;
    if ((b & 0x80) == 0) { varintValue = v; return p; }
  }
  return -1;
}

// Reads the field at buf[pos, end) into fieldTag/fieldFrom/fieldTo; false when malformed or when
// the comparison has read its share of fields.
function readField(buf: Uint8Array, pos: i32, end: i32): bool {
  if (--fieldsLeft < 0) return false;
  const p = varint(buf, pos, end);
  if (p < 0) return false;
  const tag = varintValue;
  const wire = <i32>(tag & 7);
  if (wire == WIRE_VARINT) {
    const q = varint(buf, p, end);
    if (q < 0) return false;
    fieldFrom = p; fieldTo = q;
  } else if (wire == WIRE_FIXED64 || wire == WIRE_FIXED32) {
    const n = wire == WIRE_FIXED64 ? 8 : 4;
    if (end - p < n) return false;
    fieldFrom = p; fieldTo = p + n;
  } else if (wire == WIRE_LEN) {
    const q = varint(buf, p, end);
    if (q < 0 || varintValue > <u64>(end - q)) return false;
    fieldFrom = q; fieldTo = q + <i32>varintValue;
  } else {
    return false;   // groups: never in these messages
  }
  fieldTag = tag;
  return true;
}

function sameRange(a: Uint8Array, af: i32, at: i32, b: Uint8Array, bf: i32, bt: i32): bool {
  return at - af == bt - bf && memory.compare(a.dataStart + <usize>af, b.dataStart + <usize>bf, <usize>(at - af)) == 0;
}

// The key (field 1) of the map entry buf[from, to), into keyFrom/keyTo; false when the entry has
// a field that is not length-delimited, no key, or two.
let keyFrom: i32 = 0;
let keyTo: i32 = 0;
function entryKey(buf: Uint8Array, from: i32, to: i32): bool {
  let p = from;
  let found = false;
  let kf = 0, kt = 0;
  while (p < to) {
    if (!readField(buf, p, to) || (fieldTag & 7) != WIRE_LEN) return false;
    if ((fieldTag >>> 3) == 1) {
      if (found) return false;
      found = true; kf = fieldFrom; kt = fieldTo;
    }
    p = fieldTo;
  }
  keyFrom = kf; keyTo = kt;
  return found;
}

// The contents of two fields with the same tag, inside messages of kind `kind`.
function sameContent(a: Uint8Array, af: i32, at: i32, b: Uint8Array, bf: i32, bt: i32, tag: u64, kind: i32, depth: i32): bool {
  if (<i32>(tag & 7) != WIRE_LEN) return sameRange(a, af, at, b, bf, bt);
  const child = childKind(kind, tag >>> 3);
  return child == AS_RAW ? sameRange(a, af, at, b, bf, bt) : same(a, af, at, b, bf, bt, child, depth + 1);
}

function same(a: Uint8Array, af: i32, at: i32, b: Uint8Array, bf: i32, bt: i32, kind: i32, depth: i32): bool {
  if (depth > MAX_DEPTH) return false;
  return isMap(kind) ? sameMap(a, af, at, b, bf, bt, kind, depth) : sameFields(a, af, at, b, bf, bt, kind, depth);
}

// A message that is not a map: the same fields in the same order.
function sameFields(a: Uint8Array, af: i32, at: i32, b: Uint8Array, bf: i32, bt: i32, kind: i32, depth: i32): bool {
  let pa = af;
  let pb = bf;
  while (pa < at) {
    if (pb >= bt || !readField(a, pa, at)) return false;
    const tag = fieldTag, aFrom = fieldFrom, aTo = fieldTo;
    if (!readField(b, pb, bt) || fieldTag != tag) return false;
    const bFrom = fieldFrom, bTo = fieldTo;
    if (!sameContent(a, aFrom, aTo, b, bFrom, bTo, tag, kind, depth)) return false;
    pa = aTo;
    pb = bTo;
  }
  return pb >= bt;
}

// Entries in buf[from, to), or -1 when unreadable or more than MAX_ENTRIES.
function countFields(buf: Uint8Array, from: i32, to: i32): i32 {
  let n = 0;
  let p = from;
  while (p < to) {
    if (!readField(buf, p, to) || ++n > MAX_ENTRIES) return -1;
    p = fieldTo;
  }
  return n;
}

// Whether an entry with field number `tag` and key buf[kf, kt) occurs in buf[from, to); when it
// does, its content is in foundFrom/foundTo.
let foundFrom: i32 = 0;
let foundTo: i32 = 0;
function findEntry(buf: Uint8Array, from: i32, to: i32, tag: u64, key: Uint8Array, kf: i32, kt: i32): bool {
  let p = from;
  while (p < to) {
    if (!readField(buf, p, to)) return false;
    const t = fieldTag, f = fieldFrom, e = fieldTo;
    if (t == tag && entryKey(buf, f, e) && sameRange(buf, keyFrom, keyTo, key, kf, kt)) {
      foundFrom = f; foundTo = e;
      return true;
    }
    p = e;
  }
  return false;
}

// A map: as many entries on both sides, each key once in `a`, and each entry of `a` equal to the
// entry of `b` with its key (so `b`'s keys are distinct too: it has as many entries).
function sameMap(a: Uint8Array, af: i32, at: i32, b: Uint8Array, bf: i32, bt: i32, kind: i32, depth: i32): bool {
  const n = countFields(a, af, at);
  if (n < 0 || n != countFields(b, bf, bt)) return false;
  let pa = af;
  while (pa < at) {
    if (!readField(a, pa, at)) return false;
    const tag = fieldTag, from = fieldFrom, to = fieldTo;
    if (<i32>(tag & 7) != WIRE_LEN || !entryKey(a, from, to)) return false;   // a map holds entries only
    const kf = keyFrom, kt = keyTo;
    if (findEntry(a, af, pa, tag, a, kf, kt)) return false;    // the key twice: order would decide
    if (!findEntry(b, bf, bt, tag, a, kf, kt)) return false;
    if (!sameContent(a, from, to, b, foundFrom, foundTo, tag, kind, depth)) return false;
    pa = to;
  }
  return true;
}

// Whether two serialised envoy.config.core.v3.Metadata decode to the same claims (see above).
export function sameClaims(a: Uint8Array, b: Uint8Array, maxBytes: i32): bool {
  if (a.length > maxBytes || b.length > maxBytes) return false;
  fieldsLeft = MAX_FIELDS_READ;
  return same(a, 0, a.length, b, 0, b.length, AS_METADATA, 0);
}
