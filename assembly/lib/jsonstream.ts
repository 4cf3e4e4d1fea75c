// A resumable push tokenizer for JSON: bytes go in chunk by chunk, as a request body streams
// through Envoy, and events come out to a sink. Only the token in progress is kept (a bounded carry
// buffer) and the open containers (a stack): never the document. Pure.
//
// Same grammar and limits as json.ts, the same verdict whatever the chunk boundaries, and the same
// refusal at the same byte (src-host-tests/jsonstream.test.ts). A token that ends in the chunk it
// began in is read where it lies; one that crosses chunks goes through the carry; either way a
// string is decoded by json.ts, or not at all when it is plain ASCII (short: lib/intern.ts's tables;
// a longer value: handed over undecoded), and a number by lib/float.ts. Request bodies go through
// it as they arrive (validate/body.ts), into the streaming schema check (validate/schema-stream.ts).
import { NAMES, runHash, runPlain, stringRun } from "./intern";
import { JsonSink } from "./json-sink";
import { MemberNames } from "./member-names";
import { JsonParser } from "./json";
import { JsonLimits, LIMIT_BYTES, LIMIT_DEPTH, LIMIT_MEMBERS, LIMIT_NUMBER, LIMIT_STRING } from "./json-limits";
import { simpleNumber, simpleValue } from "./float";
import { Expect, FALSE, NO_LITERAL, NULL, TRUE, Token, afterSeparator, literalAt, literalIn, runEnd } from "./json-runs";

const OBJECT: u8 = 1;
const ARRAY: u8 = 2;

export class JsonStream {
  error: string = "";
  limit: string = "";          // when a configured limit refused the document: its name
  offset: i64 = 0;             // bytes consumed so far; the error's position when there is one
  private expect: Expect = Expect.Value;
  private token: Token = Token.None;
  private tokenIsKey: bool = false;
  private tokenStart: i64 = 0;
  private escape: bool = false;  // in a string, the previous byte was a backslash
  private carry: Uint8Array;
  private carryLen: i32 = 0;
  private kinds: StaticArray<u8> = new StaticArray<u8>(16);     // open containers: [0, depth)
  private counts: StaticArray<i32> = new StaticArray<i32>(16);  // members or elements so far, per open container
  private depth: i32 = 0;
  private openNames: Array<MemberNames> = [];  // member names so far, per open object: [0, objects)
  private objects: i32 = 0;
  private parser: JsonParser;

  constructor(public readonly sink: JsonSink, public limits: JsonLimits = new JsonLimits()) {
    const carry = new Uint8Array(64);
    this.carry = carry;
    this.parser = new JsonParser(carry, limits);
  }

  // Ready for a new document under these limits, to the same sink, keeping the buffers it grew.
  reset(limits: JsonLimits): void {
    this.error = "";
    this.limit = "";
    this.offset = 0;
    this.expect = Expect.Value;
    this.token = Token.None;
    this.tokenIsKey = false;
    this.tokenStart = 0;
    this.escape = false;
    this.carryLen = 0;
    this.depth = 0;
    this.objects = 0;
    this.limits = limits;
    this.parser.limits = limits;
  }

  get done(): bool { return this.error.length == 0 && this.expect == Expect.Done && this.token == Token.None; }
  get failed(): bool { return this.error.length > 0; }

  // A document refused by a configured limit rather than by the grammar: `limit` names the setting.
  private failLimit(limit: string, message: string, at: i64): bool {
    if (this.error.length == 0) this.limit = limit;
    return this.fail(message, at);
  }

  private fail(message: string, at: i64): bool {
    if (this.error.length == 0) { this.error = message; this.offset = at; }
    return false;
  }

  // Feeds the next chunk; `last` ends the document. Returns false once the document is refused.
  feed(chunk: Uint8Array, last: bool): bool {
    if (this.failed) return false;
    if (this.offset + <i64>chunk.length > <i64>this.limits.maxBytes) {
      return this.failLimit(LIMIT_BYTES, "document exceeds " + this.limits.maxBytes.toString() + " bytes", this.offset);
    }
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const token = this.token;
      if (token == Token.None) {
        const c = unchecked(chunk[i]);
        if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) { this.offset++; i++; continue; }
        if (!this.structural(c)) return false;
        this.offset++;
        i++;
        // A token that ends in this chunk is read where it lies, when simple enough; else its first byte starts the carry.
        const begun = this.token;
        if (begun != Token.None) {
          const end = begun == Token.String ? this.wholeString(chunk, i) : begun == Token.Number ? this.wholeNumber(chunk, i) : this.wholeLiteral(chunk, i);
          if (end < 0) return false;
          if (this.token != Token.None) { this.carryFirst(c); i = end; }
          else i = end < n ? this.separator(chunk, end) : end;
        }
        continue;
      }
      // Inside a token, take the run of bytes that continue it in one go (for a string: up to the
      // next quote or backslash): a call per byte is most of the cost otherwise.
      if (token != Token.String || !this.escape) {
        const j = runEnd(chunk, i, n, token);
        if (j > i) {
          if (!this.pushRun(chunk, i, j)) return false;
          this.offset += <i64>(j - i);
          i = j;
          continue;
        }
      }
      if (!this.byte(unchecked(chunk[i]))) return false;
      this.offset++;
      i++;
    }
    if (last) {
      if (this.token == Token.Number || this.token == Token.Literal) { if (!this.endToken()) return false; }
      if (this.token != Token.None || this.expect != Expect.Done) return this.fail("unexpected end of document", this.offset);
    }
    return true;
  }

  // A token just ended, read in place, and chunk[at] follows it: when that is the ':' or ',' expected
  // next (the usual case), it is taken here. Returns the index of the next byte to read.
  private separator(chunk: Uint8Array, at: i32): i32 {
    const next = afterSeparator(unchecked(chunk[at]), this.expect);
    if (next == Expect.None) return at;
    this.expect = next;
    this.offset++;
    return at + 1;
  }

  // A string token has just begun (its quote at chunk[from - 1]), its content at chunk[from]. When its
  // closing quote is in this chunk, within json_max_string_bytes, the token ends there, read where
  // it lies in one pass (lib/intern.ts stringRun): returns the index after the quote, or -1 when the
  // document is refused (the offset then at the quote, as on the usual way); else `from` (the carry).
  private wholeString(chunk: Uint8Array, from: i32): i32 {
    const content = chunk.dataStart + <usize>from;
    const len = stringRun(content, chunk.dataStart + <usize>chunk.length);
    if (len < 0 || len > this.limits.maxStringBytes) return from;
    this.token = Token.None;
    this.offset += <i64>len;
    if (!this.stringEnds(chunk, from - 1, len + 2, runHash, runPlain)) return -1;
    this.offset++;
    return from + len + 1;
  }

  // A number or a literal token has just begun with chunk[from - 1]. When it is a number with no
  // exponent and at most 19 significant digits (lib/float.ts simpleNumber), within
  // json_max_number_chars, or `true`, `false` or `null`, and a byte that cannot continue it follows
  // in this chunk, the token ends there, read where it lies, as endToken() would end it at that byte
  // (the offset then at that byte): returns that byte's index, or -1 when the document is refused.
  // Otherwise returns `from`, and the token goes on the usual way (the carry).
  private wholeNumber(chunk: Uint8Array, from: i32): i32 {
    const start = from - 1;
    const len = simpleNumber(chunk.dataStart + <usize>start, chunk.dataStart + <usize>chunk.length);
    if (len < 0 || len > this.limits.maxNumberChars) return from;
    this.token = Token.None;
    const text = this.parser.numberSource;
    text.ptr = chunk.dataStart + <usize>start;
    text.len = len;
    this.offset += <i64>(len - 1);
    return this.value(this.sink.number(simpleValue, text)) ? start + len : -1;
  }

  private wholeLiteral(chunk: Uint8Array, from: i32): i32 {
    const start = from - 1;
    const literal = literalAt(chunk.dataStart + <usize>start, chunk.dataStart + <usize>chunk.length);
    if (literal == NO_LITERAL) return from;
    this.token = Token.None;
    const len = literal == FALSE ? 5 : 4;
    this.offset += <i64>(len - 1);
    return this.literal(literal) ? start + len : -1;
  }

  // The complete string token of `len` bytes (its quotes included) at input[start], `hash` and
  // `plain` what lib/intern.ts stringRun says of its content: short plain ASCII (most names
  // and many values) decoded once per VM (lib/intern.ts); a longer plain ASCII value handed over
  // undecoded (asciiString); anything else decoded by json.ts.
  private stringEnds(input: Uint8Array, start: i32, len: i32, hash: i32, plain: bool): bool {
    const content = input.dataStart + <usize>(start + 1);
    const n = len - 2;
    if (this.tokenIsKey) { if (hash >= 0) return this.memberName(NAMES.get(hash, content, n)); }
    else if (plain) return this.value(this.sink.asciiString(content, n, hash));
    const p = this.parser.reset(input, start + len);
    p.pos = start;
    const s = p.parseString();
    if (p.error.length > 0) return this.fail(p.error, this.tokenStart + <i64>(p.pos - start));
    return this.tokenIsKey ? this.memberName(s) : this.value(this.sink.string(s));
  }

  private byte(c: u8): bool {
    if (this.token == Token.String) return this.stringByte(c);
    if (this.token == Token.Number) {
      if ((c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2b || c == 0x2e || c == 0x65 || c == 0x45) return this.push(c);
      if (!this.endToken()) return false;
    } else if (this.token == Token.Literal) {
      if (c >= 0x61 && c <= 0x7a) return this.push(c);
      if (!this.endToken()) return false;
    }
    if (!this.structural(c)) return false;
    if (this.token != Token.None) this.carryFirst(c);
    return true;
  }

  // A token began with `c` and goes the carry way: its first byte (within every token's carryBound).
  private carryFirst(c: u8): void {
    unchecked(this.carry[0] = c);
    this.carryLen = 1;
  }

  private push(c: u8): bool {
    if (this.carryLen >= this.carryBound()) return this.outgrown();
    if (this.carryLen == this.carry.length) this.grow(this.carryLen + 1);
    unchecked(this.carry[this.carryLen++] = c);
    return true;
  }

  // Appends chunk[from, to) to the carry, within the same bound as push().
  private pushRun(chunk: Uint8Array, from: i32, to: i32): bool {
    const len = to - from;
    if (this.carryLen + len > this.carryBound()) return this.outgrown();
    if (this.carryLen + len > this.carry.length) this.grow(this.carryLen + len);
    memory.copy(this.carry.dataStart + <usize>this.carryLen, chunk.dataStart + <usize>from, <usize>len);
    this.carryLen += len;
    return true;
  }

  // The most bytes the carry may hold for the token in progress (a string's quotes included). A
  // literal is at most "false"; one byte more already tells it is none.
  private carryBound(): i32 {
    return this.token == Token.String ? this.limits.maxStringBytes + 2 : this.token == Token.Number ? this.limits.maxNumberChars + 1 : 6;
  }

  // The token in progress would pass its bound: refused, naming the limit.
  private outgrown(): bool {
    if (this.token == Token.String) return this.failLimit(LIMIT_STRING, "string longer than " + this.limits.maxStringBytes.toString() + " bytes", this.tokenStart);
    if (this.token == Token.Number) return this.failLimit(LIMIT_NUMBER, "number longer than " + this.limits.maxNumberChars.toString() + " characters", this.tokenStart);
    return this.fail("unexpected character", this.tokenStart);   // no literal is this long
  }

  // The carry, at least `size` bytes long (doubling), with what it holds.
  private grow(size: i32): void {
    let bigger = this.carry.length * 2;
    while (bigger < size) bigger *= 2;
    const carry = new Uint8Array(bigger);
    memory.copy(carry.dataStart, this.carry.dataStart, <usize>this.carryLen);
    this.carry = carry;
  }

  private stringByte(c: u8): bool {
    if (!this.push(c)) return false;
    if (this.escape) { this.escape = false; return true; }
    if (c == 0x5c) { this.escape = true; return true; }
    if (c == 0x22) return this.endToken();
    return true;
  }

  // A token begins at this byte; its caller puts the byte in the carry if it goes that way.
  private begin(t: Token): bool { this.token = t; this.carryLen = 0; this.tokenStart = this.offset; return true; }

  // A complete token: decoded by json.ts's own routines, then handed to the sink.
  private endToken(): bool {
    const t = this.token;
    this.token = Token.None;
    const len = this.carryLen;
    if (t == Token.String) {
      stringRun(this.carry.dataStart + 1, this.carry.dataStart + <usize>len);   // to its closing quote, the last byte
      return this.stringEnds(this.carry, 0, len, runHash, runPlain);
    }
    if (t == Token.Number) {
      const p = this.parser.reset(this.carry, len);
      if (!p.scanNumber()) return this.fail(p.error, this.tokenStart + <i64>p.pos);
      if (p.pos != len) return this.fail("invalid number", this.tokenStart + <i64>p.pos);
      return this.value(this.sink.number(p.numberValue, p.numberSource));
    }
    const literal = literalIn(this.carry.dataStart, len);   // the carry holds at least 64 bytes
    return literal != NO_LITERAL ? this.literal(literal) : this.fail("unexpected character", this.tokenStart);
  }

  private literal(literal: i32): bool {
    return this.value(literal == NULL ? this.sink.nul() : this.sink.boolean(literal == TRUE));
  }

  private memberName(name: string): bool {
    const names = unchecked(this.openNames[this.objects - 1]);   // a name is read only inside an object
    if (names.has(name)) return this.fail("duplicate member name \"" + name + "\"", this.tokenStart);
    if (names.size >= this.limits.maxMembers) return this.failLimit(LIMIT_MEMBERS, "more than " + this.limits.maxMembers.toString() + " members", this.tokenStart);
    names.add(name);
    this.expect = Expect.Colon;
    return this.sinkSays(this.sink.memberName(name));
  }

  // A value has ended (a scalar, or a container's close): what may follow depends on the parent.
  private value(sinkOk: bool): bool {
    if (!this.sinkSays(sinkOk)) return false;
    const d = this.depth;
    if (d == 0) { this.expect = Expect.Done; return true; }
    this.expect = unchecked(this.kinds[d - 1]) == OBJECT ? Expect.CommaOrEndObject : Expect.CommaOrEndArray;
    return true;
  }

  private sinkSays(ok: bool): bool {
    return ok ? true : this.fail("refused by the validator", this.offset);
  }

  private open(kind: u8): bool {
    const d = this.depth;
    if (d >= this.limits.maxDepth) return this.failLimit(LIMIT_DEPTH, "nesting deeper than " + this.limits.maxDepth.toString(), this.offset);
    if (d > 0 && this.countElement(d) > this.limits.maxMembers) {
      return this.failLimit(LIMIT_MEMBERS, "more than " + this.limits.maxMembers.toString() + " elements", this.offset);
    }
    if (d == this.kinds.length) this.growStack();
    unchecked(this.kinds[d] = kind);
    unchecked(this.counts[d] = 0);
    this.depth = d + 1;
    if (kind == OBJECT) {
      if (this.objects == this.openNames.length) this.openNames.push(new MemberNames());
      else unchecked(this.openNames[this.objects]).clear();
      this.objects++;
      this.expect = Expect.KeyOrEnd;
      return this.sinkSays(this.sink.startObject());
    }
    this.expect = Expect.ValueOrEndArray;
    return this.sinkSays(this.sink.startArray());
  }

  private close(kind: u8): bool {
    this.depth--;
    if (kind == OBJECT) { this.objects--; return this.value(this.sink.endObject()); }
    return this.value(this.sink.endArray());
  }

  // Room for one more open container (the stacks double; json_max_depth bounds them).
  private growStack(): void {
    const n = this.kinds.length << 1;
    const kinds = new StaticArray<u8>(n);
    const counts = new StaticArray<i32>(n);
    memory.copy(changetype<usize>(kinds), changetype<usize>(this.kinds), <usize>this.depth);
    memory.copy(changetype<usize>(counts), changetype<usize>(this.counts), <usize>this.depth << 2);
    this.kinds = kinds;
    this.counts = counts;
  }

  // One more member or element in the container open at depth d (> 0): the count so far.
  private countElement(d: i32): i32 {
    const count = unchecked(this.counts[d - 1]) + 1;
    unchecked(this.counts[d - 1] = count);
    return count;
  }

  // Counts a scalar against its array's element limit (an object's members count at their name).
  private scalarStart(t: Token): bool {
    const d = this.depth;
    if (d > 0 && unchecked(this.kinds[d - 1]) == ARRAY && this.countElement(d) > this.limits.maxMembers) {
      return this.failLimit(LIMIT_MEMBERS, "more than " + this.limits.maxMembers.toString() + " elements", this.offset);
    }
    return this.begin(t);
  }

  private structural(c: u8): bool {
    if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) return true;
    switch (this.expect) {
      case Expect.Value:
      case Expect.ValueOrEndArray: {
        if (this.expect == Expect.ValueOrEndArray && c == 0x5d) return this.close(ARRAY);
        if (c == 0x7b) return this.open(OBJECT);
        if (c == 0x5b) return this.open(ARRAY);
        this.tokenIsKey = false;
        if (c == 0x22) return this.scalarStart(Token.String);
        if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.scalarStart(Token.Number);
        if (c == 0x74 || c == 0x66 || c == 0x6e) return this.scalarStart(Token.Literal);
        return this.fail("unexpected character", this.offset);
      }
      case Expect.KeyOrEnd:
      case Expect.Key: {
        if (this.expect == Expect.KeyOrEnd && c == 0x7d) return this.close(OBJECT);
        if (c != 0x22) return this.fail("expected a member name", this.offset);
        this.tokenIsKey = true;
        return this.begin(Token.String);
      }
      case Expect.Colon:
        if (c != 0x3a) return this.fail("expected ':'", this.offset);
        this.expect = Expect.Value;
        return true;
      case Expect.CommaOrEndObject:
        if (c == 0x2c) { this.expect = Expect.Key; return true; }
        if (c == 0x7d) return this.close(OBJECT);
        return this.fail("expected ',' or '}'", this.offset);
      case Expect.CommaOrEndArray:
        if (c == 0x2c) { this.expect = Expect.Value; return true; }
        if (c == 0x5d) return this.close(ARRAY);
        return this.fail("expected ',' or ']'", this.offset);
      default:
        return this.fail("unexpected data after the document", this.offset);
    }
  }
}
