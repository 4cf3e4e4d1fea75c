// The parameters of a multipart part's header block that name it (multipart-names.ts,
// multipart-unnamed.ts): `name` (or `filename`) parameters read from the block's decoded bytes,
// and a case-insensitive needle for header names. Pure.
import { NameMatches } from "./override";

const OUTSIDE = 0;   // not in a `name` parameter
const KEY = 1;       // after `name`: spaces, '*' and digits until '='
const BEFORE = 2;    // after '=': spaces until the value
const QUOTED = 3;    // in a quoted value
const TOKEN = 4;     // in a token value

// The most `name` values of a line (or a block) joined as RFC 2231 continuations, and their bytes.
const MAX_SEGMENTS = 8;
const CHAIN_BYTES = 256;

// The `name` parameters of header blocks, fed their decoded bytes. `joinLines`: line breaks are
// taken out (PHP's joining of continued header lines); otherwise they end a parameter. Each value
// is matched, and, when a line (or a block) holds several, their concatenation too: RFC 2231
// continuations (name*0=us; name*1=erId) joined in the order written (Werkzeug appends each to
// the last) and in the order of their numbers (Python's email package sorts them), a value without
// a number first; the first MAX_SEGMENTS values, the first CHAIN_BYTES bytes.
export class NameParameters {
  allowed: bool = false;        // "content-disposition" came first (on the line, or in the block)
  private readonly names: NameMatches;
  private state: i32 = OUTSIDE;
  private keyAt: i32 = 0;       // bytes of "name" matched
  private extended: bool = false;
  private keyNumber: i32 = -1;  // the digits after `name*`; -1: none
  private numberDigits: i32 = 0;
  private inSegment: bool = false;   // the value being read has its segment in the chain
  private quote: i32 = 0;       // the quoted value's quote
  private previous: i32 = 0x0a; // the byte before this one
  private readonly chain: Uint8Array = new Uint8Array(CHAIN_BYTES);
  private chainLen: i32 = 0;
  private segments: i32 = 0;
  private readonly segmentStart: StaticArray<i32> = new StaticArray<i32>(MAX_SEGMENTS);
  private readonly segmentNumber: StaticArray<i32> = new StaticArray<i32>(MAX_SEGMENTS);
  private readonly order: StaticArray<i32> = new StaticArray<i32>(MAX_SEGMENTS);

  // `key`: the parameter read ("name"; "filename" for multipart-unnamed.ts), in lowercase.
  constructor(names: string[], private readonly joinLines: bool, private readonly key: string = "name") { this.names = new NameMatches(names); }

  get found(): string { return this.names.found; }
  get foundIndex(): i32 { return this.names.foundIndex; }

  // A new header block: what the last one carried was taken.
  clearFound(): void { this.names.found = ""; this.names.foundIndex = -1; }

  // A header block (or the body) ended: a value in progress ends with it.
  endBlock(): void {
    if (this.state == QUOTED || this.state == TOKEN) this.names.endName();
    this.state = OUTSIDE;
    this.allowed = false;
    this.keyAt = 0;
    this.previous = 0x0a;
    this.joinSegments();
  }

  // A line feed as written (not a decoded one): the line's own header ends.
  endLine(): void {
    this.allowed = false;
    if (!this.joinLines) this.joinSegments();
  }

  // The values seen since the last line (or block) joined, in both orders.
  private joinSegments(): void {
    const n = this.segments;
    this.segments = 0;
    const len = this.chainLen;
    this.chainLen = 0;
    if (n < 2) return;
    const order = this.order;
    for (let k = 0; k < n; k++) {
      // Insertion by number, stable: a value without one (-1) first.
      let at = k;
      const number = unchecked(this.segmentNumber[k]);
      while (at > 0 && unchecked(this.segmentNumber[unchecked(order[at - 1])]) > number) { unchecked(order[at] = unchecked(order[at - 1])); at--; }
      unchecked(order[at] = k);
    }
    this.matchChain(false, n, len);
    this.matchChain(true, n, len);
  }

  private matchChain(sorted: bool, n: i32, len: i32): void {
    const names = this.names;
    names.reset();
    for (let k = 0; k < n; k++) {
      const s = sorted ? unchecked(this.order[k]) : k;
      const end = s + 1 < n ? unchecked(this.segmentStart[s + 1]) : len;
      for (let i = unchecked(this.segmentStart[s]); i < end; i++) names.push(<i32>unchecked(this.chain[i]));
    }
    names.endName();
  }

  // A value starts: a segment of the chain, when there is room for one.
  private startSegment(): void {
    const k = this.segments;
    this.inSegment = k < MAX_SEGMENTS;
    if (!this.inSegment) return;
    unchecked(this.segmentStart[k] = this.chainLen);
    unchecked(this.segmentNumber[k] = this.keyNumber);
    this.segments = k + 1;
  }

  see(c: i32): void {
    const lineBreak = c == 0x0d || c == 0x0a;
    if (lineBreak && this.joinLines) return;
    const s = this.state;
    if (s == QUOTED || s == TOKEN) {
      const ends = lineBreak || (s == QUOTED ? c == this.quote : c == 0x3b || c == 0x20 || c == 0x09 || c == 0x2c);
      if (!ends) { this.valueByte(c); this.previous = c; return; }
      this.names.endName();
      this.state = OUTSIDE;
      if (s == QUOTED && !lineBreak) { this.previous = c; return; }
    } else if (s == KEY) {
      if (c == 0x20 || c == 0x09 || c == 0x2a || (c >= 0x30 && c <= 0x39)) { this.keyChar(c); this.previous = c; return; }
      this.state = c == 0x3d ? BEFORE : OUTSIDE;
      if (c == 0x3d) { this.previous = c; return; }
    } else if (s == BEFORE) {
      this.previous = c;
      if (c == 0x20 || c == 0x09) return;
      if (lineBreak || c == 0x3b) { this.state = OUTSIDE; return; }
      this.names.reset();
      this.startSegment();
      if (c == 0x22 || (c == 0x27 && !this.extended)) { this.state = QUOTED; this.quote = c; return; }
      this.state = TOKEN;
      this.valueByte(c);
      return;
    }
    this.keyByte(c);
    this.previous = c;
  }

  // Looks for the key (`name`) outside a parameter's value.
  private keyByte(c: i32): void {
    const lower = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
    const key = this.key;
    if (this.keyAt == 0) {
      if (lower == key.charCodeAt(0) && !isWordByte(this.previous)) this.keyAt = 1;
      return;
    }
    if (lower != key.charCodeAt(this.keyAt)) { this.keyAt = 0; return; }
    if (++this.keyAt < key.length) return;
    this.keyAt = 0;
    if (!this.allowed) return;   // not a Content-Disposition's parameter
    this.state = KEY;
    this.extended = false;
    this.keyNumber = -1;
  }

  // Between `name` and '=': spaces, '*' (an extended value) and a continuation's number (its first
  // run of digits).
  // (Its first six digits: a continuation's number is small.)
  private keyChar(c: i32): void {
    const digit = c >= 0x30 && c <= 0x39;
    if (c == 0x2a) this.extended = true;
    if (!digit) { if (this.keyNumber >= 0) this.numberDigits = 6; return; }
    if (this.keyNumber < 0) { this.keyNumber = c - 0x30; this.numberDigits = 1; return; }
    if (this.numberDigits < 6) { this.keyNumber = this.keyNumber * 10 + (c - 0x30); this.numberDigits++; }
  }

  private valueByte(c: i32): void {
    const inChain = this.inSegment;
    if (this.extended && c == 0x27) {   // charset'language' comes first
      this.names.reset();
      if (inChain) this.chainLen = unchecked(this.segmentStart[this.segments - 1]);
      return;
    }
    this.names.push(c);
    if (inChain && this.chainLen < CHAIN_BYTES) unchecked(this.chain[this.chainLen++] = <u8>c);
  }
}

function isWordByte(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

// A needle whose first byte does not recur in it, searched for case-insensitively, byte by byte.
export class Needle {
  private at: i32 = 0;
  constructor(private readonly text: string) {}

  // Nothing of the needle matched yet: a byte that is not its first leaves it so.
  get idle(): bool { return this.at == 0; }

  // True when this byte completes the needle.
  push(c: i32): bool {
    const lower = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
    if (lower == this.text.charCodeAt(this.at)) this.at++;
    else this.at = lower == this.text.charCodeAt(0) ? 1 : 0;
    if (this.at < this.text.length) return false;
    this.at = 0;
    return true;
  }
}
