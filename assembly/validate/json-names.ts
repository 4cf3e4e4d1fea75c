// A JSON body's top-level member names, for the body scan (override-body.ts): `_method`, and the
// names the route binds, whose values are judged (bound-values.ts). Read as the lenient readers
// read them (Ruby's json gem: comments, escapes JSON has none for), in pieces of any size, with
// what cannot hold a top-level name read in place.
import { hexDigit } from "../lib/text";
import { quoteOrBackslash } from "../lib/json-runs";
import { NameMatches } from "./override";
import { ValueCapture, jsonValueProblem } from "./bound-values";
import { QueryParam } from "./shape";

// What a byte is to JsonNames' in-place reading below the top-level members (bit DEEP: `"`, `/`,
// brackets), with its kind. Inside strings, only quotes and backslashes matter (lib/json-runs.ts).
const DEEP: i32 = 2;
const QUOTE: i32 = DEEP | 4;
const SLASH: i32 = DEEP | 8;
const OPEN: i32 = DEEP | 16;
const CLOSE: i32 = DEEP | 32;
const SCAN_CLASS: usize = memory.data(256);
store<u8>(SCAN_CLASS + 0x22, <u8>QUOTE);
store<u8>(SCAN_CLASS + 0x2f, <u8>SLASH);
store<u8>(SCAN_CLASS + 0x7b, <u8>OPEN);
store<u8>(SCAN_CLASS + 0x5b, <u8>OPEN);
store<u8>(SCAN_CLASS + 0x7d, <u8>CLOSE);
store<u8>(SCAN_CLASS + 0x5d, <u8>CLOSE);

// The member names of a top-level JSON object. Lenient: it never refuses, it only watches names,
// so a malformed document is scanned as far as it goes (its service will refuse it, or read it).
// Comments are whitespace, as Ruby's json gem (Rails' params) reads them by default: `/* */`, and
// `//` to the end of the line; a comment may hide a bracket or a quote, or come before the object.
// A member named as a target with a rule, or as a path parameter, has its value read
// (MemberValue) and judged once it ends.
export class JsonNames {
  found: string = "";
  why: string = "";
  private readonly name: NameMatches;
  private value: MemberValue | null = null;   // made when a member whose value is judged is met
  private depth: i32 = 0;
  private started: bool = false;
  private topObject: bool = false;
  private expectName: bool = false;   // the next string at depth 1 is a member name
  private inString: bool = false;
  private comment: i32 = 0;           // outside strings: 1 after '/'; 2 in /* */, 3 there after '*'; 4 in //
  private isName: bool = false;       // the string being read is a top-level member name
  private escape: i32 = 0;            // 0: none; 1: after '\'; 2-5: \u and that many hex digits - 2
  private code: i32 = 0;
  private readonly names: string[];
  private readonly rules: Array<QueryParam | null>;
  private readonly boundFrom: i32;

  // The path's values the bound names are compared with (pathValues' copy, aligned with the names
  // from `boundFrom` on), each encoded once per body, when a member first names it.
  private readonly encoded: Array<ArrayBuffer | null>;

  // `names` (override-body.ts ScanTargets.jsonNames), with `rules` for those before `boundFrom` and
  // `values`, the path's, for those from `boundFrom` on.
  constructor(names: string[], rules: Array<QueryParam | null>, boundFrom: i32, private readonly values: Array<string | null>) {
    this.names = names;
    this.rules = rules;
    this.boundFrom = boundFrom;
    this.name = new NameMatches(names);
    this.encoded = new Array<ArrayBuffer | null>(values.length);
  }

  private expected(i: i32): ArrayBuffer {
    let e = unchecked(this.encoded[i]);
    if (e === null) {
      const value = unchecked(this.values[i]);
      e = String.UTF8.encode(value !== null ? value : "");
      unchecked(this.encoded[i] = e);
    }
    return e;
  }

  // The bytes from `i` that cannot hold a top-level name, read in place (byte-scan.ts): the inside
  // of a string that is neither a top-level name nor a judged value, and everything below the
  // top-level members outside comments (strings there included). Returns the first byte push()
  // must read, or `n`.
  skip(p: usize, i: i32, n: i32): i32 {
    while (i < n) {
      if (this.inString) {
        if (this.isName || this.reading) return i;
        i = this.skipString(p, i, n);
      } else if (this.depth >= 2 && this.comment == 0) {
        const j = this.skipDeep(p, i, n);
        if (j == i) return i;   // a '/', which may open a comment
        i = j;
      } else {
        return i;
      }
    }
    return i;
  }

  // What the reading holds between pieces, for the unit fuzz that compares the two ways.
  stateText(): string {
    return this.depth.toString() + (this.inString ? " string" : "") + (this.inString && this.isName ? " name" : "") + " escape " + this.escape.toString() +
      " comment " + this.comment.toString() + (this.expectName ? " expect" : "") + (this.reading ? " reading" : "");
  }

  // Inside a string that is not a top-level name nor a judged value, from `i`: its bytes up to and
  // with its closing quote, as inStringByte reads them (an escape's bytes are taken with it: `\"`
  // does not end the string, nor does the byte after `\u` and fewer than four hex digits). Returns
  // where reading goes on; the string is still open when that is `n`.
  private skipString(p: usize, i: i32, n: i32): i32 {
    let e = this.escape;
    while (i < n) {
      if (e == 0) {
        i = quoteOrBackslash(p, i, n);
        if (i == n) break;
        const q = load<u8>(p + <usize>i);
        i++;
        if (q == 0x22) { this.escape = 0; this.inString = false; return i; }
        e = 1;   // a backslash
      } else {
        const c = <i32>load<u8>(p + <usize>i);
        i++;
        e = e == 1 ? (c == 0x75 ? 2 : 0) : hexDigit(c) < 0 || e == 5 ? 0 : e + 1;   // (`code` is read only for names)
      }
    }
    this.escape = e;
    return i;
  }

  // Below the top-level members (depth 2 or more), outside comments and strings, from `i`: only
  // brackets, strings and comments matter there (no comma or string there starts a top-level name,
  // and expectName is false). Returns where reading goes on: after the bracket that closes back to
  // the top level, at a '/' (which may open a comment: push() reads it), or `n`.
  private skipDeep(p: usize, i: i32, n: i32): i32 {
    let depth = this.depth;
    while (i < n) {
      const k = <i32>load<u8>(SCAN_CLASS + <usize>load<u8>(p + <usize>i));
      if ((k & DEEP) == 0) { i++; continue; }
      if (k == QUOTE) {
        this.isName = false;
        // Most strings here hold no escape and end in this piece: read them here.
        const j = quoteOrBackslash(p, i + 1, n);
        if (j < n && load<u8>(p + <usize>j) == 0x22) { i = j + 1; continue; }
        this.inString = true;
        i = this.skipString(p, i + 1, n);
        if (this.inString) break;
        continue;
      }
      if (k == SLASH) break;
      i++;
      if (k == OPEN) depth++;
      else if (--depth < 2) break;
    }
    this.depth = depth;
    return i;
  }

  // The end of the body: a value still being read (the document is cut) is judged as it stands.
  end(): void {
    const v = this.value;
    if (v !== null && v.pending >= 0) this.settle(v);
  }

  private get reading(): bool { const v = this.value; return v !== null && v.pending >= 0; }

  push(c: i32): void {
    const v = this.value;
    if (this.inString) {
      if (v !== null && v.pending >= 0) { if (v.stringByte(c)) { this.inString = false; this.settle(v); } }
      else this.inStringByte(c);
      return;
    }
    if (this.inComment(c)) return;
    if (v !== null && v.pending >= 0 && this.depth == 1 && c != 0x3a && c > 0x20) {
      // A judged member's value: a string (read in stringByte), a number's or a literal's
      // characters, or anything else (an object or an array: no query or path value).
      if (v.start(c)) { if (c == 0x22) { this.inString = true; this.isName = false; } return; }
      this.settle(v);
    }
    if (c == 0x22) {
      this.inString = true;
      this.isName = this.topObject && this.depth == 1 && this.expectName;
      this.expectName = false;
      this.name.reset();
    } else if (c == 0x7b || c == 0x5b) {
      if (!this.started) { this.started = true; this.topObject = c == 0x7b; }
      this.depth++;
      this.expectName = this.depth == 1 && c == 0x7b;
    } else if (c == 0x7d || c == 0x5d) {
      this.depth--;
    } else if (c == 0x2c) {
      this.expectName = this.depth == 1;
    } else if (c > 0x20 && c < 0x80 && !this.started) {
      this.started = true;   // a scalar document: no names (bytes above 0x7f, a BOM, do not start one)
    }
  }

  // True when `c`, outside strings, opens, continues or closes a comment. A '/' that opens none is
  // read on as itself (the service's parser refuses the document).
  private inComment(c: i32): bool {
    const k = this.comment;
    if (k == 0) { if (c == 0x2f) { this.comment = 1; return true; } return false; }
    if (k == 1) { this.comment = c == 0x2a ? 2 : c == 0x2f ? 4 : 0; return this.comment != 0; }
    if (k == 4) { if (c == 0x0a) this.comment = 0; return true; }
    this.comment = c == 0x2a ? 3 : k == 3 && c == 0x2f ? 0 : 2;
    return true;
  }

  // A judged value ended: found when a path parameter's is not the path's value, or when a query
  // parameter's fails its rule.
  private settle(v: MemberValue): void {
    const k = v.pending;
    v.pending = -1;
    if (this.found.length > 0) return;
    if (k >= this.boundFrom) {
      if (!v.holds(this.expected(k - this.boundFrom))) this.found = unchecked(this.names[k]);
      return;
    }
    const why = v.problem(<QueryParam>unchecked(this.rules[k]));
    if (why.length > 0) { this.found = unchecked(this.names[k]); this.why = why; }
  }

  private inStringByte(c: i32): void {
    const e = this.escape;
    if (e == 1) {
      if (c == 0x75) { this.escape = 2; this.code = 0; return; }
      this.escape = 0;
      // \b \f \n \r \t are control characters; any other escaped byte stands for itself: \/ \\ \",
      // and one JSON has no escape for (`"\limit"`), which Ruby's json gem before 2.17 reads as
      // the byte alone (Rails' params: limit).
      this.nameByte(c == 0x62 || c == 0x66 || c == 0x6e || c == 0x72 || c == 0x74 ? 0xff : c);
    } else if (e >= 2) {
      const h = hexDigit(c);
      if (h < 0) { this.escape = 0; this.nameByte(0xff); return; }
      this.code = (this.code << 4) | h;
      if (++this.escape < 6) return;
      this.escape = 0;
      if (this.isName) this.name.pushCode(this.code);
    } else if (c == 0x5c) {
      this.escape = 1;
    } else if (c == 0x22) {
      this.inString = false;
      if (this.isName) this.nameEnded();
    } else {
      this.nameByte(c);
    }
  }

  private nameByte(c: i32): void { if (this.isName) this.name.push(c); }

  private nameEnded(): void {
    const k = this.name.endNameIndex();
    if (k < 0 || this.found.length > 0) return;
    // `_method`, and any name in the array form, count by themselves.
    if (this.name.array || (k < this.boundFrom && unchecked(this.rules[k]) === null)) { this.found = unchecked(this.names[k]); return; }
    let v = this.value;
    if (v === null) { v = new MemberValue(); this.value = v; }
    v.await(k);
  }
}

const NONE: i32 = 0;
const STRING: i32 = 1;
const NUMBER: i32 = 2;
const LITERAL: i32 = 3;
const OTHER: i32 = 4;   // an object, an array, or no value at all

// The value of a judged top-level member, as written (a string with its quotes), bounded.
class MemberValue {
  pending: i32 = -1;                  // the target whose value is being read; -1: none
  private kind: i32 = NONE;
  private escaped: bool = false;      // a string holding an escape
  private afterBackslash: bool = false;
  private readonly text: ValueCapture = new ValueCapture();

  await(k: i32): void {
    this.pending = k;
    this.kind = NONE;
    this.escaped = false;
    this.afterBackslash = false;
    this.text.reset();
  }

  // A byte outside strings, at the top level, after the name's colon: true when it is part of the
  // value (the value goes on).
  start(c: i32): bool {
    const number = (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2b || c == 0x2e;
    const letter = c >= 0x61 && c <= 0x7a;
    const kind = this.kind;
    if (kind == NONE) {
      this.kind = c == 0x22 ? STRING : number ? NUMBER : letter ? LITERAL : OTHER;
      if (this.kind == OTHER) return false;
    } else if (!((kind == NUMBER && (number || c == 0x65 || c == 0x45)) || (kind == LITERAL && letter))) {
      return false;
    }
    this.text.push(c);
    return true;
  }

  // A byte inside the string value: true when it ends the string.
  stringByte(c: i32): bool {
    this.text.push(c);
    if (this.afterBackslash) { this.afterBackslash = false; return false; }
    if (c == 0x5c) { this.afterBackslash = true; this.escaped = true; return false; }
    return c == 0x22;
  }

  // Whether the value is, plainly, the path's value (`expected`, its UTF-8): a string without
  // escapes holding it, or a number written as it.
  holds(expected: ArrayBuffer): bool {
    const t = this.text;
    if (t.overflow || this.escaped || !(this.kind == STRING || this.kind == NUMBER)) return false;
    const from = this.kind == STRING ? 1 : 0;
    const to = this.kind == STRING ? t.length - 1 : t.length;
    if (this.kind == STRING && (t.length < 2 || t.byteAt(t.length - 1) != 0x22)) return false;
    if (expected.byteLength != to - from) return false;
    for (let i = from; i < to; i++) if (t.byteAt(i) != <i32>load<u8>(changetype<usize>(expected) + <usize>(i - from))) return false;
    return true;
  }

  // Why the value cannot stand for the query parameter `rule`; "" when it can.
  problem(rule: QueryParam): string {
    if (this.kind == OTHER || this.kind == NONE) return "its value is not a string, a number or a boolean, which a query parameter cannot be";
    return jsonValueProblem(rule, this.text);
  }
}
