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
  if (pos < end) {   // one byte: nearly every tag and length here
    const b0 = unchecked(buf[pos]);
    if (b0 < 0x80) { varintValue = <u64>b0; return pos + 1; }
  }
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

// The entries of the maps being compared, on a stack shared by the nested comparisons: per entry
// its tag, its content [from, to) and its key [keyFrom, keyTo) (ENTRY_INTS ints), so each entry is
// read once however many it is compared with. Grows by doubling (never shrinks: a VM compares the
// same few shapes again and again), bounded by MAX_ENTRIES and MAX_DEPTH.
const ENTRY_INTS = 5;
let entries = new Int32Array(64 * ENTRY_INTS);
let entriesTop = 0;

// Pushes the entries of the map buf[from, to); their count, or -1 when one is unreadable or not a
// map entry (not length-delimited, no key or two), or when there are more than MAX_ENTRIES.
// A -1 leaves what it pushed: sameMap pops it.
function pushEntries(buf: Uint8Array, from: i32, to: i32): i32 {
  let n = 0;
  let p = from;
  while (p < to) {
    if (!readField(buf, p, to) || ++n > MAX_ENTRIES) return -1;
    const tag = fieldTag, f = fieldFrom, e = fieldTo;
    // (A tag past 32 bits is no valid field: it could not be kept exactly below.)
    if (<i32>(tag & 7) != WIRE_LEN || tag > <u64>u32.MAX_VALUE || !entryKey(buf, f, e)) return -1;
    if (entriesTop + ENTRY_INTS > entries.length) {
      const bigger = new Int32Array(entries.length * 2);
      bigger.set(entries);
      entries = bigger;
    }
    const at = entriesTop;
    unchecked(entries[at] = <i32>tag);
    unchecked(entries[at + 1] = f);
    unchecked(entries[at + 2] = e);
    unchecked(entries[at + 3] = keyFrom);
    unchecked(entries[at + 4] = keyTo);
    entriesTop = at + ENTRY_INTS;
    p = e;
  }
  return n;
}

// Whether the entries pushed at i (in x) and j (in y) have the same tag and key.
function sameEntryKey(x: Uint8Array, i: i32, y: Uint8Array, j: i32): bool {
  return unchecked(entries[i]) == unchecked(entries[j]) &&
    sameRange(x, unchecked(entries[i + 3]), unchecked(entries[i + 4]), y, unchecked(entries[j + 3]), unchecked(entries[j + 4]));
}

// A map: as many entries on both sides, each key once in `a`, and each entry of `a` equal to the
// entry of `b` with its key (so `b`'s keys are distinct too: it has as many entries).
function sameMap(a: Uint8Array, af: i32, at: i32, b: Uint8Array, bf: i32, bt: i32, kind: i32, depth: i32): bool {
  const base = entriesTop;
  const result = sameEntries(a, af, at, b, bf, bt, kind, depth);
  entriesTop = base;
  return result;
}

function sameEntries(a: Uint8Array, af: i32, at: i32, b: Uint8Array, bf: i32, bt: i32, kind: i32, depth: i32): bool {
  const aBase = entriesTop;
  const n = pushEntries(a, af, at);
  if (n < 0) return false;
  const bBase = entriesTop;
  if (pushEntries(b, bf, bt) != n) return false;
  const bEnd = bBase + n * ENTRY_INTS;
  for (let i = aBase; i < bBase; i += ENTRY_INTS) {
    for (let k = aBase; k < i; k += ENTRY_INTS) if (sameEntryKey(a, i, a, k)) return false;   // the key twice: order would decide
    let j = bBase;
    while (j < bEnd && !sameEntryKey(a, i, b, j)) j += ENTRY_INTS;
    if (j == bEnd) return false;
    // The entries' contents: read from the stack before comparing them (which pushes above it).
    const tag = <u64><u32>unchecked(entries[i]);
    if (!sameContent(a, unchecked(entries[i + 1]), unchecked(entries[i + 2]), b, unchecked(entries[j + 1]), unchecked(entries[j + 2]), tag, kind, depth)) return false;
  }
  return true;
}

// Whether two serialised envoy.config.core.v3.Metadata decode to the same claims (see above).
export function sameClaims(a: Uint8Array, b: Uint8Array, maxBytes: i32): bool {
  if (a.length > maxBytes || b.length > maxBytes) return false;
  fieldsLeft = MAX_FIELDS_READ;
  return same(a, 0, a.length, b, 0, b.length, AS_METADATA, 0);
}
