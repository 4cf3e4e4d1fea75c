// The parameter names of a multipart body (multipart/form-data), for the body scans of
// override-body.ts: frameworks read each part as a parameter named by its Content-Disposition's
// `name` (PHP's $_POST and $_FILES, so Laravel's $request->input() and ->all(); Rails; ASP.NET's
// model binding), as they read a form's fields. Fed the body in pieces of any size, O(1) state per
// name looked for. Pure.
//
// Only header blocks are read: from each line that opens with "--" (a delimiter, whatever boundary
// follows: the content-type's boundary parameter is not trusted, since readers disagree on where it
// ends and which one counts) to the next empty line (or one holding only "\r"). Part content is
// never read as a name. In a header block, escapes are decoded (RFC 2231's name*=utf-8''%5Fmethod;
// a malformed escape is dropped) and backslashes skipped (a quoted-pair), then:
//   - "_method", when looked for, anywhere, case-insensitively (a file named my_method.txt is
//     refused too: over-reading is the safe side);
//   - every `name` parameter (a `name` not preceded by a letter or digit, so not `filename`; `name*`
//     and `name*0` too, spaces around '=' allowed), its value in double or single quotes (PHP
//     takes both) or a token, the charset and language of an extended value dropped, matched as a
//     form's names are (override.ts NameMatch). Every reader takes a part's name from its
//     Content-Disposition header, so a `name` counts only after "content-disposition"
//     (case-insensitively): read twice, once line by line (after it on the same line), and once
//     with the line breaks taken out (after it anywhere in the block), since PHP appends a header
//     line that starts with a space or has no ':' to the line before, as it is (`name=` then a
//     line `userId` is name=userId to PHP). File content after a line that merely starts with
//     "--" (an SQL comment) is then not read as names unless it says Content-Disposition.
//     RFC 2231 continuations (name*0=us; name*1=erId) are joined (NameParameters).
// A name counts once its header block ends, unless the block is a plain form field part whose
// value multipart-values.ts judges instead (by the route's rule for that name).
import { hexDigit } from "../lib/text";
import { METHOD_PARAMETER, NameMatches } from "./override";
import { PartValues } from "./multipart-values";

export class PartNames {
  private committed: string = "";   // a name found in a header block that ended, and not excused
  private readonly opening: Needle = new Needle("\n--");
  private readonly disposition: Needle = new Needle("content-disposition");
  private readonly method: Needle | null;
  private readonly byLine: NameParameters;
  private readonly joined: NameParameters;
  private methodFound: bool = false;
  private inHeaders: bool = false;
  private blockLines: i32 = 0;  // lines of the current header block so far (its opening line one)
  private lineBytes: i32 = 0;   // bytes on the current header line
  private lastByte: i32 = 0;
  private escape: i32 = 0;      // 0: none; 1: after '%'; 2: after '%' and one hex digit
  private high: i32 = 0;

  // `names`: lenient names (override.ts NameMatch) looked for as part names; `method`: "_method"
  // is also looked for anywhere in a header block; `values`: the judge of plain parts' values
  // (multipart-values.ts), which excuses a block whose name it judges by the part's value.
  constructor(names: string[], method: bool, private readonly values: PartValues | null = null) {
    this.byLine = new NameParameters(names, false);
    this.joined = new NameParameters(names, true);
    this.method = method ? new Needle(METHOD_PARAMETER) : null;
    this.opening.push(0x0a);   // a body may open with a delimiter
  }

  // The first name looked for that a part carried ("_method" when found anywhere), once its header
  // block ended (or the body); "" while none. A plain part's name counts only when its value
  // fails (`why`).
  get found(): string {
    if (this.methodFound) return METHOD_PARAMETER;
    if (this.committed.length > 0) return this.committed;
    const v = this.values;
    return v !== null ? v.found : "";
  }

  get why(): string {
    const v = this.values;
    return this.methodFound || this.committed.length > 0 || v === null ? "" : v.why;
  }

  push(c: i32): void {
    const v = this.values;
    if (v !== null) v.push(c);
    if (!this.inHeaders) {
      if (this.opening.push(c)) {
        this.inHeaders = true;
        this.blockLines = 0;
        this.lineBytes = 1;
        this.lastByte = 0;
        this.byLine.clearFound();
        this.joined.clearFound();
      }
      return;
    }
    this.headerByte(c);
    if (c != 0x0a) { this.lineBytes++; this.lastByte = c; return; }
    this.byLine.endLine();   // a new line: its own header
    this.blockLines++;
    const empty = this.lineBytes == 0 || (this.lineBytes == 1 && this.lastByte == 0x0d);
    this.lineBytes = 0;
    if (!empty) return;
    this.inHeaders = false;
    this.joined.endBlock();
    this.blockEnded(true);
    this.opening.push(0x0a);   // this line break may open a delimiter
  }

  // The end of the body: a value cut by it counts as ended.
  end(): void {
    this.byLine.endBlock();
    this.joined.endBlock();
    if (this.inHeaders) this.blockEnded(false);
    const v = this.values;
    if (v !== null) v.end();
  }

  // A header block ended: a name it carried is found, unless the block was a plain part whose
  // value will be judged instead (`complete`: it ended with its empty line). A plain part's block
  // is its three lines, opened by its own delimiter: a block opened by an earlier "--" line may be
  // another reader's part (one that takes another boundary), whose content runs elsewhere.
  private blockEnded(complete: bool): void {
    const a = this.byLine.foundIndex;
    const b = this.joined.foundIndex;
    const k = a >= 0 ? a : b;
    if (k < 0 || this.committed.length > 0) return;
    const v = this.values;
    if (complete && this.blockLines == 3 && v !== null && (b < 0 || b == k) && v.excuse(k)) return;
    this.committed = this.byLine.found.length > 0 ? this.byLine.found : this.joined.found;
  }

  private headerByte(c: i32): void {
    if (c == 0x5c) return;
    if (this.escape == 1) {
      if (hexDigit(c) >= 0) { this.high = c; this.escape = 2; return; }
      this.escape = 0;
    } else if (this.escape == 2) {
      this.escape = 0;
      const l = hexDigit(c);
      if (l >= 0) { this.see((hexDigit(this.high) << 4) | l); return; }
    }
    if (c == 0x25) { this.escape = 1; return; }
    this.see(c);
  }

  private see(c: i32): void {
    const method = this.method;
    if (method !== null && method.push(c)) this.methodFound = true;
    if (this.disposition.push(c)) { this.byLine.allowed = true; this.joined.allowed = true; }
    this.byLine.see(c);
    this.joined.see(c);
  }
}

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
class NameParameters {
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

  constructor(names: string[], private readonly joinLines: bool) { this.names = new NameMatches(names); }

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

  // Looks for `name` outside a parameter's value.
  private keyByte(c: i32): void {
    const lower = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
    if (this.keyAt == 0) {
      if (lower == 0x6e && !isWordByte(this.previous)) this.keyAt = 1;
      return;
    }
    if (lower != "name".charCodeAt(this.keyAt)) { this.keyAt = 0; return; }
    if (++this.keyAt < 4) return;
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
class Needle {
  private at: i32 = 0;
  constructor(private readonly text: string) {}

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
