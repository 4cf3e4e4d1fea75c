// A strict (RFC 8259), bounded JSON parser. Pure: no host calls.
//
// Errors are values: parse() returns a JsonResult whose `error` is empty on success. Every limit
// (bytes, depth, members, string and number length) is checked before work is done, so hostile
// input costs at most the limits. Duplicate member names are refused: a second value for the same
// name is a classic way to smuggle data past a validator.

import { NumberText, jsonNumberValue } from "./float";
import { JsonLimits } from "./json-limits";
export { JsonLimits };

export const enum JsonKind { Null = 0, Bool = 1, Number = 2, String = 3, Array = 4, Object = 5 }

// Scalars share these empty lists; only JsonValue.object() and JsonValue.array() make their own,
// so nothing ever pushes into the shared ones (and a scalar costs one allocation, not five).
const NO_ITEMS: JsonValue[] = [];
const NO_NAMES: string[] = [];

export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  bool: bool = false;
  num: f64 = 0;
  str: string = "";                  // string value, or the number's source text
  items: JsonValue[] = NO_ITEMS;     // array elements, or object member values
  names: string[] = NO_NAMES;        // object member names, in document order

  static object(): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Object;
    v.items = [];
    v.names = [];
    return v;
  }

  static array(): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Array;
    v.items = [];
    return v;
  }

  isNull(): bool { return this.kind == JsonKind.Null; }
  isBool(): bool { return this.kind == JsonKind.Bool; }
  isNumber(): bool { return this.kind == JsonKind.Number; }
  isString(): bool { return this.kind == JsonKind.String; }
  isArray(): bool { return this.kind == JsonKind.Array; }
  isObject(): bool { return this.kind == JsonKind.Object; }

  // Member by name, or null. Objects are small here; a linear scan avoids a Map per object.
  member(name: string): JsonValue | null {
    for (let i = 0; i < this.names.length; i++) {
      if (this.names[i] == name) return this.items[i];
    }
    return null;
  }
}

export function kindName(kind: JsonKind): string {
  switch (kind) {
    case JsonKind.Null: return "null";
    case JsonKind.Bool: return "boolean";
    case JsonKind.Number: return "number";
    case JsonKind.String: return "string";
    case JsonKind.Array: return "array";
    default: return "object";
  }
}

export class JsonResult {
  constructor(public value: JsonValue | null, public error: string, public offset: i32) {}
  get ok(): bool { return this.error.length == 0; }
}

export function parseJson(input: Uint8Array, limits: JsonLimits = new JsonLimits()): JsonResult {
  if (input.length > limits.maxBytes) {
    return new JsonResult(null, "document exceeds " + limits.maxBytes.toString() + " bytes", 0);
  }
  const p = new JsonParser(input, limits);
  p.skipSpace();
  const v = p.parseValue(0);
  if (p.error.length == 0) {
    p.skipSpace();
    if (p.pos < input.length) p.fail("unexpected data after the document");
  }
  if (p.error.length > 0) return new JsonResult(null, p.error, p.pos);
  return new JsonResult(v, "", p.pos);
}

export class JsonParser {
  pos: i32 = 0;
  error: string = "";
  end: i32;                   // input[0, end) is read
  constructor(public input: Uint8Array, public limits: JsonLimits) { this.end = input.length; }

  // Reuse for the first `end` bytes of another input (the streaming tokenizer decodes one token at
  // a time from its carry buffer, without a view per token).
  reset(input: Uint8Array, end: i32): JsonParser {
    this.input = input;
    this.end = end;
    this.pos = 0;
    this.error = "";
    return this;
  }

  fail(message: string): JsonValue {
    if (this.error.length == 0) this.error = message;
    return new JsonValue();
  }

  @inline peek(): i32 {
    return this.pos < this.end ? <i32>unchecked(this.input[this.pos]) : -1;
  }

  skipSpace(): void {
    while (this.pos < this.end) {
      const c = unchecked(this.input[this.pos]);
      if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) this.pos++;
      else break;
    }
  }

  literal(word: string): bool {
    const n = word.length;
    if (this.pos + n > this.end) return false;
    for (let i = 0; i < n; i++) {
      if (<i32>unchecked(this.input[this.pos + i]) != word.charCodeAt(i)) return false;
    }
    this.pos += n;
    return true;
  }

  parseValue(depth: i32): JsonValue {
    const c = this.peek();
    if (c == 0x7b) return this.parseObject(depth + 1);
    if (c == 0x5b) return this.parseArray(depth + 1);
    if (c == 0x22) {
      const v = new JsonValue();
      v.kind = JsonKind.String;
      v.str = this.parseString();
      return v;
    }
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    const v = new JsonValue();
    if (this.literal("true")) { v.kind = JsonKind.Bool; v.bool = true; return v; }
    if (this.literal("false")) { v.kind = JsonKind.Bool; return v; }
    if (this.literal("null")) return v;
    if (c < 0) return this.fail("unexpected end of document");
    return this.fail("unexpected character");
  }

  parseObject(depth: i32): JsonValue {
    if (depth > this.limits.maxDepth) return this.fail("nesting deeper than " + this.limits.maxDepth.toString());
    this.pos++; // {
    const v = JsonValue.object();
    this.skipSpace();
    if (this.peek() == 0x7d) { this.pos++; return v; }
    while (true) {
      this.skipSpace();
      if (this.peek() != 0x22) return this.fail("expected a member name");
      const keyAt = this.pos;
      const key = this.parseString();
      if (this.error.length > 0) return v;
      for (let i = 0; i < v.names.length; i++) {
        if (v.names[i] == key) { this.pos = keyAt; return this.fail("duplicate member name \"" + key + "\""); }
      }
      if (v.names.length >= this.limits.maxMembers) return this.fail("more than " + this.limits.maxMembers.toString() + " members");
      this.skipSpace();
      if (this.peek() != 0x3a) return this.fail("expected ':'");
      this.pos++;
      this.skipSpace();
      const item = this.parseValue(depth);
      if (this.error.length > 0) return v;
      v.names.push(key);
      v.items.push(item);
      this.skipSpace();
      const c = this.peek();
      if (c == 0x2c) { this.pos++; continue; }
      if (c == 0x7d) { this.pos++; return v; }
      return this.fail("expected ',' or '}'");
    }
  }

  parseArray(depth: i32): JsonValue {
    if (depth > this.limits.maxDepth) return this.fail("nesting deeper than " + this.limits.maxDepth.toString());
    this.pos++; // [
    const v = JsonValue.array();
    this.skipSpace();
    if (this.peek() == 0x5d) { this.pos++; return v; }
    while (true) {
      this.skipSpace();
      if (v.items.length >= this.limits.maxMembers) return this.fail("more than " + this.limits.maxMembers.toString() + " elements");
      const item = this.parseValue(depth);
      if (this.error.length > 0) return v;
      v.items.push(item);
      this.skipSpace();
      const c = this.peek();
      if (c == 0x2c) { this.pos++; continue; }
      if (c == 0x5d) { this.pos++; return v; }
      return this.fail("expected ',' or ']'");
    }
  }

  parseNumber(): JsonValue {
    if (!this.scanNumber()) return new JsonValue();
    const v = new JsonValue();
    v.kind = JsonKind.Number;
    v.str = this.numberText;
    v.num = this.numberValue;
    return v;
  }

  // The number at `pos` into numberSource (its text as written) and numberValue; false (with
  // `error`) when it is malformed. No JsonValue and no string: the streaming tokenizer hands the
  // parts to its sink, which decodes the text only when it needs it.
  readonly numberSource: NumberText = new NumberText();
  numberValue: f64 = 0;
  get numberText(): string { return this.numberSource.toString(); }
  scanNumber(): bool {
    const start = this.pos;
    const input = this.input;
    const n = this.end;
    if (this.peek() == 0x2d) this.pos++;
    if (this.pos >= n) { this.fail("truncated number"); return false; }
    let c = <i32>unchecked(input[this.pos]);
    if (c == 0x30) {
      this.pos++;
      if (this.pos < n && isDigit(unchecked(input[this.pos]))) { this.fail("leading zero in number"); return false; }
    } else if (c >= 0x31 && c <= 0x39) {
      while (this.pos < n && isDigit(unchecked(input[this.pos]))) this.pos++;
    } else {
      this.fail("invalid number");
      return false;
    }
    if (this.pos < n && unchecked(input[this.pos]) == 0x2e) {
      this.pos++;
      if (this.pos >= n || !isDigit(unchecked(input[this.pos]))) { this.fail("digit expected after '.'"); return false; }
      while (this.pos < n && isDigit(unchecked(input[this.pos]))) this.pos++;
    }
    if (this.pos < n && (unchecked(input[this.pos]) | 0x20) == 0x65) {
      this.pos++;
      if (this.pos < n && (unchecked(input[this.pos]) == 0x2b || unchecked(input[this.pos]) == 0x2d)) this.pos++;
      if (this.pos >= n || !isDigit(unchecked(input[this.pos]))) { this.fail("digit expected in exponent"); return false; }
      while (this.pos < n && isDigit(unchecked(input[this.pos]))) this.pos++;
    }
    if (this.pos - start > this.limits.maxNumberChars) {
      this.pos = start;
      this.fail("number longer than " + this.limits.maxNumberChars.toString() + " characters");
      return false;
    }
    const src = this.numberSource;
    src.ptr = input.dataStart + <usize>start;
    src.len = this.pos - start;
    this.numberValue = jsonNumberValue(src.ptr, src.len);
    return true;
  }

  // Returns the decoded string; sets error on bad escapes, control characters, invalid UTF-8,
  // lone surrogates, or length over the limit.
  parseString(): string {
    const input = this.input;
    const n = this.end;
    this.pos++; // opening quote
    const start = this.pos;
    // Fast path: no escapes. Validate UTF-8 as we go.
    let escaped = false;
    while (true) {
      if (this.pos >= n) { this.fail("unterminated string"); return ""; }
      const c = <i32>unchecked(input[this.pos]);
      if (c == 0x22) break;
      if (c < 0x20) { this.fail("control character in string"); return ""; }
      if (c == 0x5c) {
        escaped = true;
        this.pos++;
        if (this.pos >= n) { this.fail("unterminated string"); return ""; }
        this.pos++;
        continue;
      }
      if (c < 0x80) { this.pos++; continue; }
      const len = utf8SequenceLength(input, this.pos, n);
      if (len == 0) { this.fail("invalid UTF-8 in string"); return ""; }
      this.pos += len;
    }
    const end = this.pos;
    this.pos++; // closing quote
    if (end - start > this.limits.maxStringBytes) {
      this.pos = start;
      this.fail("string longer than " + this.limits.maxStringBytes.toString() + " bytes");
      return "";
    }
    if (!escaped) return String.UTF8.decodeUnsafe(input.dataStart + <usize>start, <usize>(end - start), false);
    return this.unescape(start, end);
  }

  unescape(start: i32, end: i32): string {
    const input = this.input;
    let out = "";
    let runStart = start;
    let i = start;
    while (i < end) {
      const c = <i32>unchecked(input[i]);
      if (c != 0x5c) { i++; continue; }
      if (i > runStart) out += String.UTF8.decodeUnsafe(input.dataStart + <usize>runStart, <usize>(i - runStart), false);
      const e = <i32>unchecked(input[i + 1]);
      i += 2;
      switch (e) {
        case 0x22: out += "\""; break;
        case 0x5c: out += "\\"; break;
        case 0x2f: out += "/"; break;
        case 0x62: out += "\b"; break;
        case 0x66: out += "\f"; break;
        case 0x6e: out += "\n"; break;
        case 0x72: out += "\r"; break;
        case 0x74: out += "\t"; break;
        case 0x75: {
          const hi = hex4(input, i, end);
          if (hi < 0) { this.pos = i; this.fail("invalid \\u escape"); return ""; }
          i += 4;
          if (hi >= 0xd800 && hi <= 0xdbff) {
            if (i + 6 > end || unchecked(input[i]) != 0x5c || unchecked(input[i + 1]) != 0x75) { this.pos = i; this.fail("lone surrogate in string"); return ""; }
            const lo = hex4(input, i + 2, end);
            if (lo < 0xdc00 || lo > 0xdfff) { this.pos = i; this.fail("lone surrogate in string"); return ""; }
            i += 6;
            out += String.fromCharCodes([hi, lo]);
          } else if (hi >= 0xdc00 && hi <= 0xdfff) {
            this.pos = i; this.fail("lone surrogate in string"); return "";
          } else {
            out += String.fromCharCode(hi);
          }
          break;
        }
        default:
          this.pos = i - 1;
          this.fail("invalid escape in string");
          return "";
      }
      runStart = i;
    }
    if (end > runStart) out += String.UTF8.decodeUnsafe(input.dataStart + <usize>runStart, <usize>(end - runStart), false);
    return out;
  }
}

@inline function isDigit(c: u8): bool { return c >= 0x30 && c <= 0x39; }

function hex4(input: Uint8Array, at: i32, end: i32): i32 {
  if (at + 4 > end) return -1;
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const c = <i32>unchecked(input[at + k]);
    let d: i32;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
    else return -1;
    v = (v << 4) | d;
  }
  return v;
}

// Length of the well-formed UTF-8 sequence at `at` (RFC 3629), or 0 if it is not well formed:
// overlong forms, surrogates and code points above U+10FFFF are refused.
export function utf8SequenceLength(input: Uint8Array, at: i32, n: i32): i32 {
  const b0 = <i32>unchecked(input[at]);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    if (at + 1 < n && isCont(unchecked(input[at + 1]))) return 2;
    return 0;
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (at + 2 >= n) return 0;
    const b1 = <i32>unchecked(input[at + 1]);
    if (b0 == 0xe0 && b1 < 0xa0) return 0;       // overlong
    if (b0 == 0xed && b1 > 0x9f) return 0;       // surrogate
    if (!isCont(<u8>b1) || !isCont(unchecked(input[at + 2]))) return 0;
    return 3;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (at + 3 >= n) return 0;
    const b1 = <i32>unchecked(input[at + 1]);
    if (b0 == 0xf0 && b1 < 0x90) return 0;       // overlong
    if (b0 == 0xf4 && b1 > 0x8f) return 0;       // above U+10FFFF
    if (!isCont(<u8>b1) || !isCont(unchecked(input[at + 2])) || !isCont(unchecked(input[at + 3]))) return 0;
    return 4;
  }
  return 0;
}

@inline function isCont(b: u8): bool { return (b & 0xc0) == 0x80; }
