// A test-only build (build/unit.wasm, never shipped) that exposes pure modules to the vitest
// suite, so they are tested on their own, without a host. Results come back as UTF-8 text.
import { NumberText } from "../../assembly/lib/float";
import { JsonKind, JsonLimits, JsonParser, JsonValue, parseJson } from "../../assembly/lib/json";
import { JsonSink } from "../../assembly/lib/json-sink";
import { JsonStream } from "../../assembly/lib/jsonstream";

// One line per event; the same format for the streaming tokenizer and the whole-document parser.
class Trace extends JsonSink {
  out: string = "";
  events: i32 = 0;
  refuseAfter: i32 = -1;   // the sink refuses the event after this many (-1: never)
  private next(): bool { return this.refuseAfter < 0 || ++this.events <= this.refuseAfter; }
  startObject(): bool { this.out += "{\n"; return this.next(); }
  endObject(): bool { this.out += "}\n"; return this.next(); }
  startArray(): bool { this.out += "[\n"; return this.next(); }
  endArray(): bool { this.out += "]\n"; return this.next(); }
  memberName(name: string): bool { this.out += "k " + name + "\n"; return this.next(); }
  string(value: string): bool { this.out += "s " + value + "\n"; return this.next(); }
  number(value: f64, text: NumberText): bool { this.out += "n " + text.toString() + "\n"; return this.next(); }
  boolean(value: bool): bool { this.out += value ? "b true\n" : "b false\n"; return this.next(); }
  nul(): bool { this.out += "z\n"; return this.next(); }
}

function walk(v: JsonValue, t: Trace): void {
  switch (v.kind) {
    case JsonKind.Object:
      t.startObject();
      for (let i = 0; i < v.names.length; i++) { t.memberName(v.names[i]); walk(v.items[i], t); }
      t.endObject();
      break;
    case JsonKind.Array:
      t.startArray();
      for (let i = 0; i < v.items.length; i++) walk(v.items[i], t);
      t.endArray();
      break;
    case JsonKind.String: t.string(v.str); break;
    case JsonKind.Number: t.out += "n " + v.str + "\n"; break;
    case JsonKind.Bool: t.boolean(v.bool); break;
    default: t.nul();
  }
}

let resultBytes: ArrayBuffer = new ArrayBuffer(0);
function result(s: string): usize {
  resultBytes = String.UTF8.encode(s);
  return changetype<usize>(resultBytes);
}
export function resultLength(): i32 { return resultBytes.byteLength; }

export function alloc(n: usize): usize { return heap.alloc(n); }
export function release(p: usize): void { heap.free(p); }

let limits = new JsonLimits();
export function setLimits(maxBytes: i32, maxDepth: i32, maxMembers: i32, maxString: i32, maxNumber: i32): void {
  limits = new JsonLimits(maxBytes, maxDepth, maxMembers, maxString, maxNumber);
}

function bytesAt(ptr: usize, len: i32): Uint8Array {
  const b = new Uint8Array(len);
  memory.copy(b.dataStart, ptr, <usize>len);
  return b;
}

// The whole document at once: "OK\n" + trace, or "ERR <message>\n".
export function parseWhole(ptr: usize, len: i32): usize {
  const r = parseJson(bytesAt(ptr, len), limits);
  if (!r.ok) return result("ERR " + r.error + "\n");
  const t = new Trace();
  walk(r.value!, t);
  return result("OK\n" + t.out);
}

let trace = new Trace();
let stream = new JsonStream(trace, limits);
let refuseAfter: i32 = -1;
export function setSinkRefusesAfter(events: i32): void { refuseAfter = events; }
export function streamStart(): void {
  trace = new Trace();
  trace.refuseAfter = refuseAfter;
  stream = new JsonStream(trace, limits);
}
export function streamFeed(ptr: usize, len: i32, last: i32): i32 {
  return stream.feed(bytesAt(ptr, len), last != 0) ? 1 : 0;
}
export function streamResult(): usize {
  if (stream.failed) return result("ERR " + stream.error + " at " + stream.offset.toString() + (stream.limit.length > 0 ? " (" + stream.limit + ")" : "") + "\n");
  if (!stream.done) return result("ERR not finished\n");
  return result("OK\n" + trace.out);
}

export function unitAbort(message: string | null, fileName: string | null, line: u32, column: u32): void { unreachable(); }

// Schema-lite: compile a schema (JSON text), then validate documents against it.
import { Budget, SchemaNode, validate } from "../../assembly/validate/schema";
import { compileSchema } from "../../assembly/validate/schema-compile";
let schema: SchemaNode | null = null;
export function schemaCompile(ptr: usize, len: i32): usize {
  const parsed = parseJson(bytesAt(ptr, len), new JsonLimits());
  if (!parsed.ok) { schema = null; return result("ERR " + parsed.error); }
  const c = compileSchema(parsed.value!);
  schema = c.node;
  return result(c.node !== null ? "OK" : "ERR " + c.error);
}
export function schemaValidate(ptr: usize, len: i32): usize {
  const s = schema;
  if (s === null) return result("ERR no schema");
  const parsed = parseJson(bytesAt(ptr, len), new JsonLimits());
  if (!parsed.ok) return result("BADJSON " + parsed.error);
  const e = validate(parsed.value!, s, new Budget(1000000));
  return result(e === null ? "VALID" : "INVALID " + e.pointer + " " + e.keyword);
}

// The same verdict from the events, without a document (validate/schema-stream.ts), the bytes fed
// in chunks of `chunk` bytes (the body arrives so): same answers as schemaValidate.
import { SchemaStream } from "../../assembly/validate/schema-stream";
export function schemaValidateStream(ptr: usize, len: i32, chunk: i32): usize {
  const s = schema;
  if (s === null) return result("ERR no schema");
  const checker = new SchemaStream(s, 1000000);
  const stream = new JsonStream(checker, new JsonLimits());
  const bytes = bytesAt(ptr, len);
  const step = max(1, chunk);
  for (let at = 0; at < len; at += step) {
    if (!stream.feed(bytes.subarray(at, min(len, at + step)), false)) return result("BADJSON " + stream.error);
  }
  if (!stream.feed(new Uint8Array(0), true)) return result("BADJSON " + stream.error);
  const e = checker.error;
  return result(e === null ? "VALID" : "INVALID " + e.pointer + " " + e.keyword);
}

// Regular expressions: compile, then test strings. "ERR <why>", "MATCH" or "NO".
import { Regex, compileRegex } from "../../assembly/lib/regex";
let regex: Regex | null = null;
export function regexCompile(ptr: usize, len: i32): usize {
  const c = compileRegex(String.UTF8.decodeUnsafe(ptr, <usize>len, false));
  regex = c.regex;
  return result(c.regex !== null ? "OK" : "ERR " + c.error);
}
export function regexTest(ptr: usize, len: i32): usize {
  const r = regex;
  if (r === null) return result("ERR no regex");
  return result(r.test(String.UTF8.decodeUnsafe(ptr, <usize>len, false)) ? "MATCH" : "NO");
}

// SHA-256 of the given bytes, as lowercase hex.
import { sha256 } from "../../assembly/lib/sha256";
import { hexOf } from "../../assembly/lib/text";
export function sha256Hex(ptr: usize, len: i32): usize {
  return result(hexOf(sha256(bytesAt(ptr, len))));
}

// The whole request pipeline without a host (unit/pipeline.ts).
export * from "./pipeline";

// Exact multipleOf (lib/decimal.ts): 1 when x is a multiple of m, 0 when not, -1 when either is
// not a literal it takes (m: zero, negative or over 17 significant digits; x: exponent too long).
import { divisorOf, isMultipleOf, parseDecimal } from "../../assembly/lib/decimal";
let divisorText = "";
export function setDivisor(ptr: usize, len: i32): void { divisorText = String.UTF8.decodeUnsafe(ptr, <usize>len, false); }
export function multipleOf(ptr: usize, len: i32): i32 {
  const m = parseDecimal(divisorText);
  const d = m !== null ? divisorOf(m) : null;
  const x = parseDecimal(String.UTF8.decodeUnsafe(ptr, <usize>len, false));
  if (d === null || x === null) return -1;
  return isMultipleOf(x, d) ? 1 : 0;
}

// Whether two dynamic metadata carry the same claims (identity/same-claims.ts): the input is a's
// length (u32, little-endian), a, then b; "SAME" or "DIFFERENT". And the claims the reader decodes
// from one input: "OK\n" + trace, "ABSENT", or "ERR <message>".
import { sameClaims } from "../../assembly/identity/same-claims";
import { readJwtPayload } from "../../assembly/identity/claims";
export function claimsSameOf(ptr: usize, len: i32): usize {
  if (len < 4) return result("DIFFERENT");
  const n = <i32>load<u32>(ptr);
  if (n < 0 || n > len - 4) return result("DIFFERENT");
  const a = bytesAt(ptr + 4, n);
  const b = bytesAt(ptr + 4 + <usize>n, len - 4 - n);
  return result(sameClaims(a, b, 65536) ? "SAME" : "DIFFERENT");
}
// Claims are read by name (identity/caller.ts), so objects print with their members sorted.
function sortedText(v: JsonValue): string {
  switch (v.kind) {
    case JsonKind.Object: {
      const order: i32[] = [];   // insertion sort of member indexes by name (claims are few)
      for (let i = 0; i < v.names.length; i++) {
        let j = order.length;
        order.push(i);
        while (j > 0 && v.names[order[j - 1]] > v.names[i]) { order[j] = order[j - 1]; j--; }
        order[j] = i;
      }
      let out = "{";
      for (let i = 0; i < order.length; i++) out += (i > 0 ? "," : "") + JSON_QUOTE + v.names[order[i]] + JSON_QUOTE + ":" + sortedText(v.items[order[i]]);
      return out + "}";
    }
    case JsonKind.Array: {
      let out = "[";
      for (let i = 0; i < v.items.length; i++) out += (i > 0 ? "," : "") + sortedText(v.items[i]);
      return out + "]";
    }
    case JsonKind.String: return JSON_QUOTE + v.str + JSON_QUOTE;
    case JsonKind.Number: return "n" + v.num.toString();
    case JsonKind.Bool: return v.bool ? "true" : "false";
    default: return "null";
  }
}
const JSON_QUOTE = "\"";
export function claimsOf(ptr: usize, len: i32): usize {
  const r = readJwtPayload(bytesAt(ptr, len), "envoy.filters.http.jwt_authn", ["jwt_payload"]);
  if (!r.ok) return result("ERR " + r.error);
  if (r.payload === null) return result("ABSENT");
  return result("OK " + sortedText(r.payload!));
}

// A number's value as the JSON parser reads it (NaN when the text is not a JSON number).
export function numberValue(ptr: usize, len: i32): f64 {
  const p = new JsonParser(bytesAt(ptr, len), new JsonLimits(1 << 20, 32, 10000, 65536, 65536));
  return p.scanNumber() && p.pos == len ? p.numberValue : NaN;
}
// The same number as the streaming tokenizer reads it in a body: `[<number>]` in one piece, so the
// number ends where it lies and is read there (lib/jsonstream.ts); NaN when refused.
class LastNumber extends Trace {
  value: f64 = NaN;
  number(value: f64, text: NumberText): bool { this.value = value; return true; }
}
export function numberValueStreamed(ptr: usize, len: i32): f64 {
  const doc = new Uint8Array(len + 2);
  doc[0] = 0x5b;
  memory.copy(doc.dataStart + 1, ptr, <usize>len);
  doc[len + 1] = 0x5d;
  const sink = new LastNumber();
  const s = new JsonStream(sink, new JsonLimits(1 << 20, 32, 10000, 65536, 65536));
  return s.feed(doc, true) ? sink.value : NaN;
}

// Method overrides (validate/override.ts, override-body.ts): 1 when a `_method` parameter is found,
// 0 when not; for a body, -1 when its content-type needs no scan. The body is fed in `chunk`-byte
// pieces, as it arrives.
import { mediaType } from "../../assembly/validate/hygiene";
import { METHOD_PARAMETER, queryOverrides } from "../../assembly/validate/override";
import { ScanTargets, bodyParameterScan } from "../../assembly/validate/override-body";
import { QueryParam, ValueType } from "../../assembly/validate/shape";
const METHOD_ONLY: string[] = [METHOD_PARAMETER];
const NO_VALUES: string[] = [];
let overrideType = "";
export function setOverrideType(ptr: usize, len: i32): void { overrideType = String.UTF8.decodeUnsafe(ptr, <usize>len, false); }
// The names a body is scanned for (lenient, comma-separated; none bound to a value); "": `_method` only.
let overrideNames: string[] = METHOD_ONLY;
export function setOverrideNames(ptr: usize, len: i32): void {
  const text = String.UTF8.decodeUnsafe(ptr, <usize>len, false);
  overrideNames = text.length > 0 ? text.split(",") : METHOD_ONLY;
}
export function overrideQuery(ptr: usize, len: i32): i32 {
  return queryOverrides(String.UTF8.decodeUnsafe(ptr, <usize>len, false)) ? 1 : 0;
}
// The value type (shape.ts ValueType) of a rule every scanned name but `_method` gets (a declared
// query parameter's: bound-values.ts); -1: none, each name is found by itself.
let overrideRuleType: i32 = -1;
export function setOverrideRuleType(t: i32): void { overrideRuleType = t; }
export function overrideBody(ptr: usize, len: i32, chunk: i32): i32 {
  const targets = new ScanTargets(false);
  for (let i = 0; i < overrideNames.length; i++) {
    const name = overrideNames[i];
    const rule = overrideRuleType >= 0 && name != METHOD_PARAMETER ? new QueryParam(name, <ValueType>overrideRuleType, false, -1, [], null) : null;
    targets.inForms(name, rule, -1);
    targets.inJson(name, rule);
  }
  const scan = bodyParameterScan(mediaType(overrideType), overrideType, targets, NO_VALUES);
  if (scan === null) return -1;
  const bytes = bytesAt(ptr, len);
  const step = max(1, chunk);
  for (let at = 0; at < len; at += step) if (scan.feed(bytes.subarray(at, min(len, at + step)))) return 1;
  return scan.end() ? 1 : 0;
}

// A path's segments (authz/template.ts splitPathInto, into one reused array, as route matching
// does): JSON array text.
import { splitPathInto } from "../../assembly/authz/template";
import { jsonQuote } from "../../assembly/reply/reply";
const pathSegments: string[] = [];
export function pathSegmentsOf(ptr: usize, len: i32): usize {
  const segs = splitPathInto(String.UTF8.decodeUnsafe(ptr, <usize>len, false), pathSegments);
  let out = "[";
  for (let i = 0; i < segs.length; i++) out += (i > 0 ? "," : "") + jsonQuote(segs[i], i32.MAX_VALUE, false);
  return result(out + "]");
}

// lib/float-fast.ts on its own: w × 10^q to the nearest double, or NaN where it leaves the number
// to the exact path.
import { fastDecimal } from "../../assembly/lib/float-fast";
export function fastDecimalValue(w: u64, q: i32): f64 { return fastDecimal(w, q); }

// The body scans read in place (byte-scan.ts feedScan) and byte by byte (the definition), on one body
// in `chunk`-byte pieces: what each way found, why, and the state after every piece,
// "found|why|states" twice, separated by "~". Each scan looks for `_method`, `limit` (an integer
// rule) and `id` (the path's value "7"): validate/json-names.ts, override.ts FormNames, and
// multipart-names.ts PartNames with multipart-values.ts judging plain parts (boundary "XyZ").
import { feedScan } from "../../assembly/validate/byte-scan";
import { JsonNames } from "../../assembly/validate/json-names";
import { FormNames } from "../../assembly/validate/override";
import { PartNames } from "../../assembly/validate/multipart-names";
import { PartValues } from "../../assembly/validate/multipart-values";
const SCAN_NAMES: string[] = [METHOD_PARAMETER, "limit", "id"];
const SCAN_PATH_VALUES: Array<string | null> = [null, null, "7"];
function scanRules(): Array<QueryParam | null> { return [null, new QueryParam("limit", ValueType.Integer, false, -1, [], null), null]; }
function readTwoWays<T>(scan: T, bytes: Uint8Array, chunk: i32, inPlace: bool): string {
  let state = "";
  for (let at = 0; at < bytes.length; at += chunk) {
    const piece = bytes.subarray(at, min(bytes.length, at + chunk));
    if (inPlace) feedScan(scan, piece);
    else for (let i = 0; i < piece.length; i++) scan.push(<i32>piece[i]);   // the definition
    state += scan.stateText() + ";";
  }
  scan.end();
  return scan.found + "|" + scan.why + "|" + state;
}
function jsonScan(): JsonNames { return new JsonNames(SCAN_NAMES, scanRules(), 2, ["7"]); }
function formScan(): FormNames { return new FormNames(SCAN_NAMES, scanRules(), SCAN_PATH_VALUES); }
function partScan(): PartNames { return new PartNames(SCAN_NAMES, true, new PartValues("XyZ", SCAN_NAMES, scanRules(), SCAN_PATH_VALUES)); }
export function jsonNamesBothWays(ptr: usize, len: i32, chunk: i32): usize {
  const bytes = bytesAt(ptr, len);
  return result(readTwoWays(jsonScan(), bytes, max(1, chunk), true) + "~" + readTwoWays(jsonScan(), bytes, max(1, chunk), false));
}
export function formNamesBothWays(ptr: usize, len: i32, chunk: i32): usize {
  const bytes = bytesAt(ptr, len);
  return result(readTwoWays(formScan(), bytes, max(1, chunk), true) + "~" + readTwoWays(formScan(), bytes, max(1, chunk), false));
}
export function partNamesBothWays(ptr: usize, len: i32, chunk: i32): usize {
  const bytes = bytesAt(ptr, len);
  return result(readTwoWays(partScan(), bytes, max(1, chunk), true) + "~" + readTwoWays(partScan(), bytes, max(1, chunk), false));
}

// lib/intern.ts stringRun on the string content at `ptr`, `stop` bytes in sight: its length, and
// then the intern hash and plainness it found.
import { runHash, runPlain, stringRun } from "../../assembly/lib/intern";
export function stringRunOf(ptr: usize, stop: i32): i32 { return stringRun(ptr, ptr + <usize>stop); }
export function lastRunHash(): i32 { return runHash; }
export function lastRunPlain(): i32 { return runPlain ? 1 : 0; }

// lib/json-runs.ts byteAt and eitherByteAt on the `stop` bytes at `ptr`: the index of the first
// `b` (or `a`), or `stop`.
import { byteAt, eitherByteAt } from "../../assembly/lib/json-runs";
export function byteAtOf(ptr: usize, stop: i32, b: u8): i32 { return byteAt(ptr, 0, stop, b); }
export function eitherByteAtOf(ptr: usize, stop: i32, a: u8, b: u8): i32 { return eitherByteAt(ptr, 0, stop, a, b); }
