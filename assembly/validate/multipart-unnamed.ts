// A multipart part without a name, as Rack names it: Rack's parser (2.2 and 3,
// lib/rack/multipart/parser.rb) takes a part's name from its Content-Disposition's `name`, and
// when that gives none (or an empty one) from its Content-ID header, else its filename, else its
// Content-Type followed by "[]". So `Content-Disposition: form-data; filename="limit"` is
// params["limit"] to Rails, a part PHP skips. For multipart-names.ts, which feeds it a header
// block: unless the block names its part as Rack surely reads a name (after "Content-Disposition:"
// and before any ':' outside a quoted value, lines included, a last ';', spaces, `name=` and a
// non-empty token or closed quoted value), the filename, the Content-ID and the Content-Type are
// matched as the part's name too (decoded as the name scanner decodes: over-reading is the safe
// side). Pure.
import { NameMatches } from "./override";
import { NameParameters, Needle } from "./multipart-params";

const SEEK = 0;    // in a Content-Disposition's segment, before a ';'
const SEMI = 1;    // after ';': spaces, then "name="
const KEY = 2;     // in "name="
const FIRST = 3;   // after "name=": the value's first byte
const QUOTE = 4;   // after the opening quote: its first byte
const QUOTED = 5;  // in the quoted value
const ESCAPE = 6;  // after a backslash in it
const OFF = 7;     // outside a segment: before "Content-Disposition:", or after a ':' outside quotes

export class UnnamedPart {
  private named: bool = false;
  private decided: bool = false;
  private state: i32 = OFF;
  private keyAt: i32 = 0;
  private readonly rawDisposition: Needle = new Needle("content-disposition:");
  private readonly filenames: NameParameters;
  private readonly contentId: HeaderValue;
  private readonly contentType: HeaderValue;

  constructor(names: string[]) {
    this.filenames = new NameParameters(names, true, "filename");
    this.contentId = new HeaderValue(names, "content-id:");
    this.contentType = new HeaderValue(names, "content-type:");
  }

  // A byte of the block as written: does a Content-Disposition name the part? Rack's pattern
  // (/Content-Disposition:[^:]*;\s*name=(VALUE)/i) runs over the whole block, line breaks
  // included, and its greedy [^:]* takes the last `name=` before a ':' whose value it can read: so
  // a later `name=` (even one whose value is still to come) unnames the part until its value
  // proves non-empty. The first Content-Disposition (outside a quoted value) whose segment holds a
  // readable `name=` decides (`decided`): Rack looks no further.
  raw(c: i32): void {
    const s = this.state;
    const quoted = s == QUOTE || s == QUOTED || s == ESCAPE;
    if (this.rawDisposition.push(c) && !quoted) { this.state = this.decided ? OFF : SEEK; return; }
    if (s == OFF) return;
    if (s == QUOTED) { if (c == 0x5c) this.state = ESCAPE; else if (c == 0x22) { this.named = true; this.decided = true; this.state = SEEK; } return; }
    if (s == ESCAPE) { this.state = QUOTED; return; }
    if (s == QUOTE) { if (c == 0x22) this.decided = true; this.state = c == 0x22 ? SEEK : c == 0x5c ? ESCAPE : QUOTED; return; }
    if (s == FIRST) {
      if (c == 0x22) { this.state = QUOTE; return; }
      if (isTokenByte(c)) { this.named = true; this.decided = true; this.state = SEEK; return; }
    } else if (s == KEY) {
      const lower = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
      if (lower == "name=".charCodeAt(this.keyAt)) { if (++this.keyAt == 5) { this.state = FIRST; this.named = false; } return; }
    } else if (s == SEMI) {
      if (c == 0x20 || c == 0x09 || c == 0x0d || c == 0x0a || c == 0x0c || c == 0x0b) return;
      if (c == 0x6e || c == 0x4e) { this.state = KEY; this.keyAt = 1; return; }
    }
    this.state = c == 0x3a ? OFF : c == 0x3b ? SEMI : SEEK;
  }

  // A byte of the block as the name scanner decodes it; `disposition`: it completes
  // "content-disposition" (the name scanner's needle), after which filename parameters count.
  see(c: i32, disposition: bool): void {
    if (disposition) this.filenames.allowed = true;
    this.filenames.see(c);
    this.contentId.see(c);
    this.contentType.see(c);
  }

  // A line feed as written.
  endLine(): void {
    this.contentId.endLine();
    this.contentType.endLine();
  }

  // The block ended: the name looked for that Rack takes for the part's, or "".
  endBlock(): string {
    this.filenames.endBlock();
    this.endLine();
    let found = "";
    if (!this.named) {
      found = this.contentId.found;
      if (found.length == 0) found = this.filenames.found;
      if (found.length == 0) found = this.contentType.found;
    }
    this.named = false;
    this.decided = false;
    this.state = OFF;
    this.filenames.clearFound();
    this.contentId.found = "";
    this.contentType.found = "";
    return found;
  }
}

// RFC 2616's token, as Rack's TOKEN: no space, control, separator or quote.
function isTokenByte(c: i32): bool {
  if (c <= 0x20 || c == 0x7f) return false;
  return !(c == 0x28 || c == 0x29 || c == 0x3c || c == 0x3e || c == 0x2c || c == 0x3b || c == 0x3a || c == 0x5c || c == 0x22 || c == 0x2f ||
    c == 0x5b || c == 0x5d || c == 0x3f || c == 0x3d);
}

// The rest of the line after a header's name (`header`, with its ':'), leading spaces dropped,
// matched as a name: the first of the names looked for it was (`found`), in any of the block's
// lines.
class HeaderValue {
  found: string = "";
  private reading: bool = false;
  private readonly needle: Needle;
  private readonly names: NameMatches;

  constructor(names: string[], header: string) {
    this.needle = new Needle(header);
    this.names = new NameMatches(names);
  }

  see(c: i32): void {
    if (c == 0x0a || c == 0x0d) { this.endLine(); return; }
    if (this.reading) { this.names.push(c); return; }
    if (this.needle.push(c)) { this.reading = true; this.names.reset(); }
  }

  endLine(): void {
    if (!this.reading) return;
    this.reading = false;
    const k = this.names.endNameIndex();
    if (k >= 0 && this.found.length == 0) this.found = this.names.target(k);
  }
}
