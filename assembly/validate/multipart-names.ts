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
//   - a part Rack reads no name for is named by its Content-ID, filename or Content-Type, as Rack
//     names it (multipart-unnamed.ts): `filename="limit"` alone is params["limit"] to Rails.
// A name counts once its header block ends, unless the block is a plain form field part whose
// value multipart-values.ts judges instead (by the route's rule for that name).
import { hexDigit } from "../lib/text";
import { byteAt } from "../lib/json-runs";
import { METHOD_PARAMETER } from "./override";
import { NameParameters, Needle } from "./multipart-params";
import { PartValues } from "./multipart-values";
import { UnnamedPart } from "./multipart-unnamed";

export class PartNames {
  private committed: string = "";   // a name found in a header block that ended, and not excused
  private readonly opening: Needle = new Needle("\n--");
  private readonly disposition: Needle = new Needle("content-disposition");
  private readonly method: Needle | null;
  private readonly byLine: NameParameters;
  private readonly joined: NameParameters;
  private readonly unnamed: UnnamedPart;   // a part Rack names by its filename, Content-ID or type
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
    this.unnamed = new UnnamedPart(names);
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
    this.unnamed.raw(c);
    this.headerByte(c);
    if (c != 0x0a) { this.lineBytes++; this.lastByte = c; return; }
    this.byLine.endLine();   // a new line: its own header
    this.unnamed.endLine();
    this.blockLines++;
    const empty = this.lineBytes == 0 || (this.lineBytes == 1 && this.lastByte == 0x0d);
    this.lineBytes = 0;
    if (!empty) return;
    this.inHeaders = false;
    this.joined.endBlock();
    this.blockEnded(true);
    this.opening.push(0x0a);   // this line break may open a delimiter
  }

  // The bytes from `i` read in place (byte-scan.ts): outside header blocks, while no delimiter has
  // begun, only a line break matters to the names; the bytes before it go to the values' reader at
  // once. Returns the first byte push() must read, or `n`.
  skip(p: usize, i: i32, n: i32): i32 {
    if (this.inHeaders || !this.opening.idle) return i;
    const j = byteAt(p, i, n, 0x0a);
    const v = this.values;
    if (v !== null) v.take(p, i, j);
    return j;
  }

  // What the reading holds between pieces, for the unit fuzz that compares the two ways.
  stateText(): string {
    const v = this.values;
    return (this.inHeaders ? "headers " + this.blockLines.toString() + "/" + this.lineBytes.toString() + "/" + this.lastByte.toString() : "content") +
      (this.opening.idle ? "" : " opening") + (v !== null ? " " + v.stateText() : "");
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
  // A part without a name Rack reads is named as Rack names it (multipart-unnamed.ts).
  private blockEnded(complete: bool): void {
    const unnamed = this.unnamed.endBlock();
    const a = this.byLine.foundIndex;
    const b = this.joined.foundIndex;
    const k = a >= 0 ? a : b;
    if (this.committed.length > 0) return;
    if (k < 0) { this.committed = unnamed; return; }
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
    const disposition = this.disposition.push(c);
    if (disposition) { this.byLine.allowed = true; this.joined.allowed = true; }
    this.byLine.see(c);
    this.joined.see(c);
    this.unnamed.see(c, disposition);
  }
}
