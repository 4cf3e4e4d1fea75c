// Method overrides in the query and the body: a `_method` parameter that frameworks behind
// meshguard read as the request's real method (Laravel and Symfony from the query, a form or a
// JSON body; Rails, Spring, ASP.NET and Express's method-override from a form), so that a POST the
// policy allowed runs as the DELETE it did not. The override headers are stripped instead
// (config/compile.ts); a parameter cannot be taken out of a query or a body without changing the
// request, so with method_override: strip a request carrying one is refused. Pure: bytes in, a
// verdict out.
//
// Names are matched as the most lenient of those readers would read them: percent-decoded ('+' a
// space), case-insensitive (ı and İ read as i, ſ as s, the Kelvin sign as k: lib/text.ts
// foldCase), with PHP's renaming (leading spaces dropped; ' ', '.' and '[' read as '_'), cut at a
// NUL, and in the array form `_method[...]`; Rack before 3 drops leading '[' and ']' and closing
// ones after the name (`[_method`, `]_method]` are _method; `_method]x` a hash). The body scanners keep O(1) state and take the body
// in pieces of any size (JSON details in override-body.ts, multipart in multipart-names.ts).
import { hexDigit } from "../lib/text";
import { eitherByteAt } from "../lib/json-runs";
import { ValueCapture, formValueProblem } from "./bound-values";
import { QueryParam } from "./shape";

export const METHOD_PARAMETER = "_method";
const MATCHING = 0;
const MATCHED = 1;   // settled: a NUL after the name
const DEAD = 2;
const ARRAY = 3;     // settled: the array form, name[...]
const CLOSED = 4;    // ']' after the name: the name itself while only ']' follow (Rack before 3)

// One parameter name, fed its decoded bytes in order, against one target name (lowercase, with
// '_' for the characters PHP renames: shape.ts lenientName's form).
export class NameMatch {
  private at: i32 = 0;          // bytes of the target matched so far
  private state: i32 = MATCHING;
  private started: bool = false;

  constructor(readonly target: string) {}

  reset(): void { this.at = 0; this.state = MATCHING; this.started = false; }

  push(b: i32): void {
    const state = this.state;
    if (state == CLOSED) { if (b == 0) this.state = MATCHED; else if (b != 0x5d) this.state = ARRAY; return; }
    if (state != MATCHING) return;
    const len = this.target.length;
    if (b == 0) { this.state = this.at == len ? MATCHED : DEAD; return; }   // a C reader stops at NUL
    if (!this.started && (b == 0x20 || b == 0x5b || b == 0x5d)) return;   // PHP drops leading spaces, Rack 2 brackets
    this.started = true;
    if (this.at == len) { this.state = b == 0x5b ? ARRAY : b == 0x5d ? CLOSED : DEAD; return; }   // "name[...]", "name]"
    let c = b;
    if (c == 0x20 || c == 0x2e || c == 0x5b) c = 0x5f;   // PHP reads ' ', '.' and '[' as '_'
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c == this.target.charCodeAt(this.at)) this.at++;
    else this.state = DEAD;
  }

  get matched(): bool { return this.state == MATCHED || this.state == ARRAY || this.state == CLOSED || (this.state == MATCHING && this.at == this.target.length); }
  get array(): bool { return this.state == ARRAY; }
}

// Several names matched at once: the first target a name matches, once one has. Fed a name's
// bytes as UTF-8; the four letters that case-insensitive readers equate with ASCII ones (lib/text.ts
// foldCase: ASP.NET binds `userıd` to userId) are read as those.
export class NameMatches {
  found: string = "";
  foundIndex: i32 = -1;    // found's index among the targets
  array: bool = false;     // the last name endNameIndex matched was in the array form
  private readonly names: NameMatch[];
  private lead: i32 = 0;   // the first byte(s) of such a letter, while its last is awaited; 0: none

  constructor(targets: string[]) {
    const names = new Array<NameMatch>(targets.length);
    for (let i = 0; i < targets.length; i++) names[i] = new NameMatch(targets[i]);
    this.names = names;
  }

  // One byte of a name (0xff: a character that matches nothing).
  push(b: i32): void {
    const lead = this.lead;
    if (lead != 0) {
      this.lead = 0;
      if (lead == 0xc4 && (b == 0xb0 || b == 0xb1)) { this.each(0x69); return; }   // İ ı
      if (lead == 0xc5 && b == 0xbf) { this.each(0x73); return; }                   // ſ
      if (lead == 0xe2 && b == 0x84) { this.lead = 0xe284; return; }
      if (lead == 0xe284 && b == 0xaa) { this.each(0x6b); return; }                 // the Kelvin sign
      this.flushLead(lead);
    }
    if (b == 0xc4 || b == 0xc5 || b == 0xe2) { this.lead = b; return; }
    this.each(b);
  }

  // A character given as its code point (a JSON escape): 0xff unless ASCII or one of those letters.
  pushCode(code: i32): void {
    const lead = this.lead;
    if (lead != 0) { this.lead = 0; this.flushLead(lead); }
    if (code < 0x80) { this.each(code); return; }
    this.each(code == 0x130 || code == 0x131 ? 0x69 : code == 0x17f ? 0x73 : code == 0x212a ? 0x6b : 0xff);
  }

  private flushLead(lead: i32): void {
    if (lead > 0xff) { this.each(lead >> 8); this.each(lead & 0xff); } else this.each(lead);
  }

  private each(b: i32): void { for (let i = 0; i < this.names.length; i++) unchecked(this.names[i]).push(b); }

  // The end of one name: remembers the first target it matched, and starts over.
  endName(): void {
    const k = this.endNameIndex();
    if (k >= 0 && this.found.length == 0) { this.found = unchecked(this.names[k]).target; this.foundIndex = k; }
  }

  // The end of one name: the index of the first target it matched (-1: none), remembering
  // nothing but whether it matched in the array form (`array`); starts over.
  endNameIndex(): i32 {
    const lead = this.lead;
    if (lead != 0) { this.lead = 0; this.flushLead(lead); }
    let k = -1;
    this.array = false;
    for (let i = 0; i < this.names.length; i++) {
      const m = unchecked(this.names[i]);
      if (m.matched && k < 0) { k = i; this.array = m.array; }
      m.reset();
    }
    return k;
  }


  target(i: i32): string { return unchecked(this.names[i]).target; }

  // Forgets the name in progress (a string that was no name after all).
  reset(): void {
    this.lead = 0;
    for (let i = 0; i < this.names.length; i++) unchecked(this.names[i]).reset();
  }
}

// A form's (or a query's) parameter names: name=value pairs split on '&' and ';' (older Rack and
// some servlet containers split on both), each name percent-decoded and matched against targets.
// A target with a rule (a declared query parameter's: bound-values.ts) is found only when its
// value fails that rule, one with a path value only when its value is another (decoded as a
// query's), and either in the array form; one with neither is found by its name.
export class FormNames {
  found: string = "";        // the first target found; "" while none has
  why: string = "";          // for a target judged by its value, why that value failed
  private readonly name: NameMatches;
  private inName: bool = true;
  private escape: i32 = 0;   // 0: none; 1: after '%'; 2: after '%' and one hex digit
  private high: i32 = 0;     // that digit, as written
  private pending: i32 = -1; // the target whose value is being read; -1: none
  private value: ValueCapture | null = null;

  constructor(private readonly targets: string[], private readonly rules: Array<QueryParam | null> | null = null,
    private readonly pathValues: Array<string | null> | null = null) {
    this.name = new NameMatches(targets);
  }

  // One byte (or a UTF-16 unit of a query string).
  push(c: i32): void {
    if (c == 0x3b && this.pending >= 0 && this.found.length == 0) {
      // PHP reads `limit=1;x` as 1;x, older Rack and Python as 1: a judged value must not hold one.
      this.found = unchecked(this.targets[this.pending]);
      this.why = "its value holds a ';' (older Rack and Python end a parameter there, PHP does not)";
    }
    if (c == 0x26 || c == 0x3b) { this.endPair(); return; }
    if (!this.inName) {
      const v = this.value;
      if (this.pending >= 0 && v !== null) v.push(c);
      return;
    }
    if (c == 0x3d) { this.endName(); this.inName = false; return; }
    this.decode(c);
  }

  // The bytes from `i` of a value that is not judged, read in place (byte-scan.ts) up to the byte
  // that ends it (`&` or `;`): push() does nothing else with them. Returns the first byte push()
  // must read, or `n`.
  skip(p: usize, i: i32, n: i32): i32 {
    if (this.inName || this.pending >= 0) return i;
    return eitherByteAt(p, i, n, 0x26, 0x3b);   // '&' or ';' ends the value
  }

  // What the reading holds between pieces, for the unit fuzz that compares the two ways.
  stateText(): string {
    return (this.inName ? "name" : "value") + " escape " + this.escape.toString() + " pending " + this.pending.toString();
  }

  // The end of the form.
  end(): void { this.endPair(); }

  private decode(c: i32): void {
    const m = this.name;
    if (this.escape == 1) {
      if (hexDigit(c) >= 0) { this.high = c; this.escape = 2; return; }
      this.escape = 0;
      m.push(0x25);   // a malformed escape stays as written
    } else if (this.escape == 2) {
      this.escape = 0;
      const l = hexDigit(c);
      if (l >= 0) { m.push((hexDigit(this.high) << 4) | l); return; }
      m.push(0x25);
      m.push(this.high);
    }
    if (c == 0x25) { this.escape = 1; return; }
    if (c > 0xff) m.pushCode(c);   // a UTF-16 unit of a query string
    else m.push(c == 0x2b ? 0x20 : c);
  }

  private endName(): void {
    if (this.escape > 0) {   // a name ending in a cut escape: as written
      this.name.push(0x25);
      if (this.escape == 2) this.name.push(this.high);
      this.escape = 0;
    }
    const k = this.name.endNameIndex();
    if (k < 0 || this.found.length > 0) return;
    if (!this.judged(k) || this.name.array) { this.found = unchecked(this.targets[k]); return; }
    let v = this.value;
    if (v === null) { v = new ValueCapture(); this.value = v; }
    v.reset();
    this.pending = k;
  }

  // Whether target k is judged by its value (a rule, or a path value).
  private judged(k: i32): bool {
    const rules = this.rules;
    const paths = this.pathValues;
    return (rules !== null && unchecked(rules[k]) !== null) || (paths !== null && unchecked(paths[k]) !== null);
  }

  // A pair ended (or the form): a pending value is judged by its target's rule or path value.
  private endPair(): void {
    if (this.inName) this.endName();
    else this.name.reset();
    this.inName = true;
    const k = this.pending;
    const v = this.value;
    if (k < 0 || v === null) return;
    this.pending = -1;
    const rules = this.rules;
    const paths = this.pathValues;
    const why = formValueProblem(rules !== null ? unchecked(rules[k]) : null, paths !== null ? unchecked(paths[k]) : null, v);
    if (why.length > 0) { this.found = unchecked(this.targets[k]); this.why = why; }
  }
}

const METHOD_ONLY: string[] = [METHOD_PARAMETER];

// Whether a raw query string carries a `_method` parameter.
export function queryOverrides(query: string): bool {
  if (query.length < METHOD_PARAMETER.length) return false;   // decoding never lengthens a name
  const form = new FormNames(METHOD_ONLY);
  for (let i = 0; i < query.length; i++) form.push(query.charCodeAt(i));
  form.end();
  return form.found.length > 0;
}
