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
//     RFC 2231 continuations (name*0=us; name*1=erId) are not joined.
import { hexDigit } from "../lib/text";
import { METHOD_PARAMETER, NameMatches } from "./override";

export class PartNames {
  private readonly opening: Needle = new Needle("\n--");
  private readonly disposition: Needle = new Needle("content-disposition");
  private readonly method: Needle | null;
  private readonly byLine: NameParameters;
  private readonly joined: NameParameters;
  private methodFound: bool = false;
  private inHeaders: bool = false;
  private lineBytes: i32 = 0;   // bytes on the current header line
  private lastByte: i32 = 0;
  private escape: i32 = 0;      // 0: none; 1: after '%'; 2: after '%' and one hex digit
  private high: i32 = 0;

  // `names`: lenient names (override.ts NameMatch) looked for as part names; `method`: "_method"
  // is also looked for anywhere in a header block.
  constructor(names: string[], method: bool) {
    this.byLine = new NameParameters(names, false);
    this.joined = new NameParameters(names, true);
    this.method = method ? new Needle(METHOD_PARAMETER) : null;
    this.opening.push(0x0a);   // a body may open with a delimiter
  }

  // The first name looked for that a part carried ("_method" when found anywhere); "" while none.
  get found(): string {
    if (this.methodFound) return METHOD_PARAMETER;
    const f = this.byLine.found;
    return f.length > 0 ? f : this.joined.found;
  }

  push(c: i32): void {
    if (!this.inHeaders) {
      if (this.opening.push(c)) { this.inHeaders = true; this.lineBytes = 1; this.lastByte = 0; }
      return;
    }
    this.headerByte(c);
    if (c != 0x0a) { this.lineBytes++; this.lastByte = c; return; }
    this.byLine.allowed = false;   // a new line: its own header
    const empty = this.lineBytes == 0 || (this.lineBytes == 1 && this.lastByte == 0x0d);
    this.lineBytes = 0;
    if (!empty) return;
    this.inHeaders = false;
    this.joined.endBlock();
    this.opening.push(0x0a);   // this line break may open a delimiter
  }

  // The end of the body: a value cut by it counts as ended.
  end(): void { this.byLine.endBlock(); this.joined.endBlock(); }

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

// The `name` parameters of header blocks, fed their decoded bytes. `joinLines`: line breaks are
// taken out (PHP's joining of continued header lines); otherwise they end a parameter.
class NameParameters {
  allowed: bool = false;        // "content-disposition" came first (on the line, or in the block)
  private readonly names: NameMatches;
  private state: i32 = OUTSIDE;
  private keyAt: i32 = 0;       // bytes of "name" matched
  private extended: bool = false;
  private quote: i32 = 0;       // the quoted value's quote
  private previous: i32 = 0x0a; // the byte before this one

  constructor(names: string[], private readonly joinLines: bool) { this.names = new NameMatches(names); }

  get found(): string { return this.names.found; }

  // A header block (or the body) ended: a value in progress ends with it.
  endBlock(): void {
    if (this.state == QUOTED || this.state == TOKEN) this.names.endName();
    this.state = OUTSIDE;
    this.allowed = false;
    this.keyAt = 0;
    this.previous = 0x0a;
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
      if (c == 0x20 || c == 0x09 || c == 0x2a || (c >= 0x30 && c <= 0x39)) { if (c == 0x2a) this.extended = true; this.previous = c; return; }
      this.state = c == 0x3d ? BEFORE : OUTSIDE;
      if (c == 0x3d) { this.previous = c; return; }
    } else if (s == BEFORE) {
      this.previous = c;
      if (c == 0x20 || c == 0x09) return;
      if (lineBreak || c == 0x3b) { this.state = OUTSIDE; return; }
      this.names.reset();
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
  }

  private valueByte(c: i32): void {
    if (this.extended && c == 0x27) { this.names.reset(); return; }   // charset'language' comes first
    this.names.push(c);
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
