// The values of multipart parts named as a route's bound parameters (multipart-names.ts finds the
// names): such a part passes when it is a plain form field, unambiguous to every reader, whose
// content holds the path parameter's value or passes the declared query parameter's rule
// (bound-values.ts), as a form field's would. Otherwise it is refused by its name, as before.
//
// A plain part, read line by line on the body as written, is exactly:
//   --B CRLF                                       (B: the content-type's boundary, read strictly)
//   Content-Disposition: form-data; name="X" CRLF  (X: letters, digits, '_', '.' or '-')
//   CRLF
//   content CRLF
//   --B CRLF   or   --B-- (the next delimiter)
// Its value is the content, as PHP hands it over (no decoding). A content line that starts with
// "--B" but is not such a delimiter (transport padding, a stray CR) leaves the part's end to the
// reader: refused. So is a part after the closing delimiter, or one the body ends inside. The
// boundary must be one token (or a quoted string without spaces) given once; otherwise no part is
// plain. Pure; O(1) state but one line of up to MAX_VALUE_BYTES.
import { MAX_VALUE_BYTES, ValueCapture, valueProblem } from "./bound-values";
import { NameMatches } from "./override";
import { QueryParam } from "./shape";
import { isUtf8, lowerAscii } from "../lib/text";

// The boundary parameter of a multipart content-type, when every reader must read it alike: given
// once, a token (or quoted, without spaces, quotes or backslashes) of 1 to 70 characters with
// nothing around it before the next ';'; "" else. PHP takes the first "boundary" anywhere in the
// value (`xboundary=zz; boundary=b0` is zz to it) and keeps spaces after an unquoted one, so the
// word may appear only once.
export function strictBoundary(contentType: string): string {
  if (contentType.includes(",")) return "";
  const lower = lowerAscii(contentType);
  const at = lower.indexOf("boundary");
  if (at < 0 || lower.indexOf("boundary", at + 1) >= 0) return "";
  const params = contentType.split(";");
  let found = "";
  for (let i = 1; i < params.length; i++) {
    const p = params[i];
    const eq = p.indexOf("=");
    if (eq < 0 || lowerAscii(p.substring(0, eq).trim()) != "boundary") continue;
    let v = p.substring(eq + 1);
    if (v != v.trim()) return "";
    if (v.length >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length - 1);
    if (v.length == 0 || v.length > 70) return "";
    for (let k = 0; k < v.length; k++) if (!boundaryChar(v.charCodeAt(k))) return "";
    found = v;
  }
  return found;
}

function boundaryChar(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x27 || c == 0x28 || c == 0x29 ||
    c == 0x2b || c == 0x5f || c == 0x2d || c == 0x2e || c == 0x2f || c == 0x3a || c == 0x3d || c == 0x3f;
}

const SEEK = 0;      // waiting for a delimiter line
const HEADER = 1;    // after a delimiter: the Content-Disposition line
const BLANK = 2;     // after it: the empty line
const CONTENT = 3;   // a plain part's content
const CLOSED = 4;    // after the closing delimiter

const PREFIX = "content-disposition: form-data; name=\"";

export class PartValues {
  found: string = "";
  why: string = "";
  private state: i32 = SEEK;
  private readonly delimiter: Uint8Array;   // "--B"
  private readonly line: Uint8Array = new Uint8Array(MAX_VALUE_BYTES + 8);
  private lineLen: i32 = 0;                 // bytes of the current line (the first line.length kept)
  private name: string = "";                // the plain part's name, from its Content-Disposition
  private entered: bool = false;            // CONTENT began at the line just ended
  private pending: i32 = -1;                // the target whose value the content is; -1: none
  private readonly value: ValueCapture = new ValueCapture();
  private readonly names: NameMatches;

  // `targets`: the lenient names looked for (override.ts NameMatch); aligned, a rule for a
  // declared query parameter or a path value for a path parameter (null for neither: `_method`).
  constructor(boundary: string, private readonly targets: string[], private readonly rules: Array<QueryParam | null>,
    private readonly pathValues: Array<string | null>) {
    this.delimiter = Uint8Array.wrap(String.UTF8.encode("--" + boundary));
    this.names = new NameMatches(targets);
  }

  push(c: i32): void {
    this.entered = false;
    if (this.lineLen < this.line.length) unchecked(this.line[this.lineLen] = <u8>c);
    this.lineLen++;
    if (c == 0x0a) { this.endLine(); this.lineLen = 0; }
  }

  // Bytes of a line that hold no line break, at once, as push() takes them one by one: the first
  // line.length bytes of a line kept, the rest counted.
  take(p: usize, from: i32, to: i32): void {
    const count = to - from;
    if (count <= 0) return;
    this.entered = false;
    const room = this.line.length - this.lineLen;
    if (room > 0) memory.copy(this.line.dataStart + <usize>this.lineLen, p + <usize>from, <usize>min(room, count));
    this.lineLen += count;
  }

  // What the reading holds between pieces, for the unit fuzz that compares feeding ways.
  stateText(): string {
    return "state " + this.state.toString() + " line " + this.lineLen.toString() + (this.entered ? " entered" : "") + " pending " + this.pending.toString();
  }

  // The body ended: a part still open was cut.
  end(): void {
    if (this.state == CONTENT) this.refuse("the body ends inside it");
  }

  // At the end of a header block, just fed: whether it was a plain part named as target k, whose
  // value is then judged here rather than its name refused.
  excuse(k: i32): bool {
    if (!this.entered || this.targets[k] == "_method") return false;
    const rules = this.rules;
    const paths = this.pathValues;
    if (unchecked(rules[k]) === null && unchecked(paths[k]) === null) return false;
    // The name scanner found target k in this block; the part's own name must read as k too.
    const names = this.names;
    const name = this.name;
    for (let i = 0; i < name.length; i++) names.push(name.charCodeAt(i));
    if (names.endNameIndex() != k || names.array) return false;
    this.pending = k;
    this.value.reset();
    return true;
  }

  private endLine(): void {
    const n = this.lineLen;
    const crlf = n >= 2 && n <= this.line.length && unchecked(this.line[n - 2]) == 0x0d;
    const text = crlf ? n - 2 : -1;   // the line's length without CRLF; -1: it ends in a bare LF or is too long
    const s = this.state;
    if (s == CONTENT) { this.contentLine(n, text); return; }
    if (s == CLOSED) return;
    const delimiter = this.delimiterKind(text);
    if (delimiter != 0) { this.state = delimiter == 1 ? HEADER : CLOSED; return; }
    if (s == HEADER) {
      this.state = SEEK;
      if (text > PREFIX.length + 1 && this.startsWithPrefix() && unchecked(this.line[text - 1]) == 0x22) {
        const name = String.UTF8.decodeUnsafe(this.line.dataStart + <usize>PREFIX.length, <usize>(text - 1 - PREFIX.length), false);
        if (plainName(name)) { this.name = name; this.state = BLANK; }
      }
    } else if (s == BLANK) {
      this.state = text == 0 ? CONTENT : SEEK;
      this.entered = text == 0;
      this.pending = -1;
    }
  }

  // A line of the plain part's content, or the delimiter that ends it.
  private contentLine(n: i32, text: i32): void {
    const delimiter = this.delimiterKind(text);
    const k = this.pending;
    if (delimiter != 0) {
      this.state = delimiter == 1 ? HEADER : CLOSED;
      if (k >= 0) this.judge(k);
      this.pending = -1;
      return;
    }
    if (k < 0) return;
    if (this.startsWithDelimiter(n)) { this.refuse("a line in it starts with the boundary: readers disagree where it ends"); return; }
    const v = this.value;
    const kept = min(n, this.line.length);
    for (let i = 0; i < kept; i++) v.push(<i32>unchecked(this.line[i]));
    if (n > kept) v.push(0);   // (over the bound: overflow)
  }

  private judge(k: i32): void {
    const v = this.value;
    // The content ends with the CRLF before the delimiter, which belongs to the delimiter.
    if (v.overflow || v.length < 2 || v.byteAt(v.length - 1) != 0x0a || v.byteAt(v.length - 2) != 0x0d) { this.refuse(v.overflow ? "its value is longer than " + MAX_VALUE_BYTES.toString() + " bytes, more than meshguard judges" : "its content does not end in CRLF"); return; }
    const bytes = v.bytes.subarray(0, v.length - 2);
    if (!isUtf8(bytes)) { this.refuse("its value is not UTF-8"); return; }
    const text = String.UTF8.decodeUnsafe(bytes.dataStart, <usize>bytes.length, false);
    const why = valueProblem(unchecked(this.rules[k]), unchecked(this.pathValues[k]), text);
    if (why.length > 0) this.refuseAs(k, why);
  }

  private refuse(why: string): void { if (this.pending >= 0) this.refuseAs(this.pending, why); this.pending = -1; }

  private refuseAs(k: i32, why: string): void {
    if (this.found.length > 0) return;
    this.found = unchecked(this.targets[k]);
    this.why = why;
  }

  // 1: the line (`text` bytes without CRLF) is a delimiter "--B"; 2: the closing "--B--"; 0: neither.
  private delimiterKind(text: i32): i32 {
    const d = this.delimiter.length;
    if (text != d && text != d + 2) return 0;
    if (!this.startsWithDelimiter(text)) return 0;
    if (text == d) return 1;
    return unchecked(this.line[d]) == 0x2d && unchecked(this.line[d + 1]) == 0x2d ? 2 : 0;
  }

  private startsWithDelimiter(n: i32): bool {
    const d = this.delimiter;
    if (n < d.length) return false;
    for (let i = 0; i < d.length; i++) if (unchecked(this.line[i]) != unchecked(d[i])) return false;
    return true;
  }

  private startsWithPrefix(): bool {
    for (let i = 0; i < PREFIX.length; i++) {
      let c = <i32>unchecked(this.line[i]);
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      if (c != PREFIX.charCodeAt(i)) return false;
    }
    return true;
  }
}

// A part name every reader reads alike: 1 to 64 letters, digits, '_', '.' or '-'.
function plainName(name: string): bool {
  if (name.length == 0 || name.length > 64) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c == 0x2e || c == 0x2d)) return false;
  }
  return true;
}
