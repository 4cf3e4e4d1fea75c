// Verified JWT claims, as Envoy's jwt_authn publishes them. Pure: no host calls.
//
// jwt_authn writes the verified payload into dynamic metadata (payload_in_metadata); Envoy hands
// the `metadata` property to wasm as the binary protobuf envoy.config.core.v3.Metadata, in which
// the payload is a google.protobuf.Struct (seen against Envoy 1.40). A path below `metadata` reaches
// one claim, but Envoy writes it without its type (a map or list as proxy-wasm pairs, a number as
// 8 bytes, a string as its bytes: "abcdefgh" and a number can be the same bytes; agreement test), so
// the whole, typed message is read once. Only Envoy filters write dynamic metadata: a
// client cannot forge it. This reader is bounded (bytes, depth, members, string length) and turns
// the Struct into the same JsonValue tree the JSON parser makes.
import { JsonKind, JsonValue } from "../lib/json";

export class ClaimLimits {
  constructor(
    public maxBytes: i32 = 65536,
    public maxDepth: i32 = 16,
    public maxMembers: i32 = 1000,
    public maxStringBytes: i32 = 8192,
  ) {}
}

export class ClaimsResult {
  constructor(public payload: JsonValue | null, public error: string) {}
  get ok(): bool { return this.error.length == 0; }
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

class Reader {
  error: string = "";
  members: i32 = 0;
  constructor(public buf: Uint8Array, public pos: i32, public end: i32, public limits: ClaimLimits) {}

  fail(message: string): void { if (this.error.length == 0) this.error = message; }
  get done(): bool { return this.pos >= this.end || this.error.length > 0; }

  varint(): u64 {
    let v: u64 = 0;
    for (let shift: u64 = 0; shift < 70; shift += 7) {
      if (this.pos >= this.end) { this.fail("truncated varint"); return 0; }
      const b = <u64>unchecked(this.buf[this.pos++]);
      v |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    this.fail("varint longer than 10 bytes");
    return 0;
  }

  // Returns the end of a length-delimited field starting at pos.
  lengthEnd(): i32 {
    const n = this.varint();
    if (this.error.length > 0) return this.pos;
    if (n > <u64>(this.end - this.pos)) { this.fail("length past the end of the message"); return this.pos; }
    return this.pos + <i32>n;
  }

  skip(wire: i32): void {
    if (wire == WIRE_VARINT) { this.varint(); return; }
    if (wire == WIRE_FIXED64) { if (this.end - this.pos < 8) this.fail("truncated fixed64"); else this.pos += 8; return; }
    if (wire == WIRE_FIXED32) { if (this.end - this.pos < 4) this.fail("truncated fixed32"); else this.pos += 4; return; }
    if (wire == WIRE_LEN) { this.pos = this.lengthEnd(); return; }
    this.fail("unsupported wire type " + wire.toString());
  }

  str(): string {
    const e = this.lengthEnd();
    if (this.error.length > 0) return "";
    if (e - this.pos > this.limits.maxStringBytes) { this.fail("string longer than " + this.limits.maxStringBytes.toString() + " bytes"); return ""; }
    // Protobuf strings are UTF-8 by contract; decoding replaces anything else, never traps.
    const s = String.UTF8.decodeUnsafe(this.buf.dataStart + <usize>this.pos, <usize>(e - this.pos), false);
    this.pos = e;
    return s;
  }

  // Narrows reading to [pos, end) and returns the outer end, for leave().
  enter(end: i32): i32 {
    const outer = this.end;
    this.end = end;
    return outer;
  }

  leave(end: i32, outer: i32): void {
    this.pos = end;
    this.end = outer;
  }

  countMember(): bool {
    if (++this.members > this.limits.maxMembers) { this.fail("more than " + this.limits.maxMembers.toString() + " claim values"); return false; }
    return true;
  }
}

// google.protobuf.Struct { map<string, Value> fields = 1; }
function readStruct(r: Reader, depth: i32): JsonValue {
  const obj = JsonValue.object();
  if (depth > r.limits.maxDepth) { r.fail("claims nested deeper than " + r.limits.maxDepth.toString()); return obj; }
  while (!r.done) {
    const tag = <i32>r.varint();
    if (r.error.length > 0) break;
    if ((tag >>> 3) != 1 || (tag & 7) != WIRE_LEN) { r.skip(tag & 7); continue; }
    const entryEnd = r.lengthEnd();
    if (r.error.length > 0) break;
    const outer = r.enter(entryEnd);
    let key = "";
    let value: JsonValue | null = null;
    while (!r.done) {
      const t = <i32>r.varint();
      if (r.error.length > 0) break;
      if (t == ((1 << 3) | WIRE_LEN)) key = r.str();
      else if (t == ((2 << 3) | WIRE_LEN)) {
        const vEnd = r.lengthEnd();
        if (r.error.length > 0) break;
        const o = r.enter(vEnd);
        value = readValue(r, depth + 1);
        r.leave(vEnd, o);
      } else r.skip(t & 7);
    }
    r.leave(entryEnd, outer);
    if (r.error.length > 0) break;
    if (!r.countMember()) break;
    if (obj.member(key) !== null) { r.fail("duplicate claim name \"" + key + "\""); break; }
    obj.names.push(key);
    obj.items.push(value !== null ? value : new JsonValue());
  }
  return obj;
}

// google.protobuf.ListValue { repeated Value values = 1; }
function readList(r: Reader, depth: i32): JsonValue {
  const arr = JsonValue.array();
  if (depth > r.limits.maxDepth) { r.fail("claims nested deeper than " + r.limits.maxDepth.toString()); return arr; }
  while (!r.done) {
    const tag = <i32>r.varint();
    if (r.error.length > 0) break;
    if (tag != ((1 << 3) | WIRE_LEN)) { r.skip(tag & 7); continue; }
    const vEnd = r.lengthEnd();
    if (r.error.length > 0) break;
    const o = r.enter(vEnd);
    const item = readValue(r, depth + 1);
    r.leave(vEnd, o);
    if (r.error.length > 0 || !r.countMember()) break;
    arr.items.push(item);
  }
  return arr;
}

// google.protobuf.Value: null 1, number 2 (double), string 3, bool 4, struct 5, list 6.
function readValue(r: Reader, depth: i32): JsonValue {
  let v = new JsonValue();
  while (!r.done) {
    const tag = <i32>r.varint();
    if (r.error.length > 0) break;
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field == 1 && wire == WIRE_VARINT) { r.varint(); v = new JsonValue(); }
    else if (field == 2 && wire == WIRE_FIXED64) {
      if (r.end - r.pos < 8) { r.fail("truncated number"); break; }
      v = new JsonValue();
      v.kind = JsonKind.Number;
      v.num = load<f64>(r.buf.dataStart + <usize>r.pos);
      r.pos += 8;
    } else if (field == 3 && wire == WIRE_LEN) {
      v = new JsonValue();
      v.kind = JsonKind.String;
      v.str = r.str();
    } else if (field == 4 && wire == WIRE_VARINT) {
      v = new JsonValue();
      v.kind = JsonKind.Bool;
      v.bool = r.varint() != 0;
    } else if ((field == 5 || field == 6) && wire == WIRE_LEN) {
      const end = r.lengthEnd();
      if (r.error.length > 0) break;
      const o = r.enter(end);
      v = field == 5 ? readStruct(r, depth) : readList(r, depth);
      r.leave(end, o);
    } else r.skip(wire);
  }
  return v;
}

// envoy.config.core.v3.Metadata { map<string, Struct> filter_metadata = 1; ... }
// Returns the Struct under `namespace`, key `payloadKey` (the jwt_authn payload_in_metadata name),
// or null payload with no error when that key is absent.
export function readJwtPayload(metadata: Uint8Array, namespace: string, payloadKeys: string[], limits: ClaimLimits = new ClaimLimits()): ClaimsResult {
  if (metadata.length > limits.maxBytes) return new ClaimsResult(null, "dynamic metadata larger than " + limits.maxBytes.toString() + " bytes");
  const r = new Reader(metadata, 0, metadata.length, limits);
  while (!r.done) {
    const tag = <i32>r.varint();
    if (r.error.length > 0) break;
    if (tag != ((1 << 3) | WIRE_LEN)) { r.skip(tag & 7); continue; }
    const entryEnd = r.lengthEnd();
    if (r.error.length > 0) break;
    const outer = r.enter(entryEnd);
    let key = "";
    let structAt = -1;
    let structEnd = -1;
    while (!r.done) {
      const t = <i32>r.varint();
      if (r.error.length > 0) break;
      if (t == ((1 << 3) | WIRE_LEN)) key = r.str();
      else if (t == ((2 << 3) | WIRE_LEN)) { structEnd = r.lengthEnd(); structAt = r.pos; r.pos = structEnd; }
      else r.skip(t & 7);
    }
    r.leave(entryEnd, outer);
    if (r.error.length > 0 || key != namespace || structAt < 0) continue;
    const s = new Reader(metadata, structAt, structEnd, limits);
    const filterStruct = readStruct(s, 0);
    if (s.error.length > 0) return new ClaimsResult(null, s.error);
    for (let i = 0; i < payloadKeys.length; i++) {
      const payload = filterStruct.member(payloadKeys[i]);
      if (payload !== null) {
        if (!payload.isObject()) return new ClaimsResult(null, "the JWT payload is not an object");
        return new ClaimsResult(payload, "");
      }
    }
  }
  if (r.error.length > 0) return new ClaimsResult(null, r.error);
  return new ClaimsResult(null, "");
}
