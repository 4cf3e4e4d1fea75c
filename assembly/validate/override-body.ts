// Parameters in a request body that frameworks read beside, or instead of, what meshguard checked:
// a `_method` parameter in a POST body (see override.ts), and a parameter named as one the route
// binds, a path or declared query parameter (validate/bound-names.ts: Rails, Laravel, PHP's
// $_REQUEST and ASP.NET's model binding merge body parameters with the others, the body's
// winning). Which body formats frameworks read them from, and a scanner for each, fed the body in
// pieces of any size with O(1) state per name (and one bounded value, bound-values.ts):
//
//   form       application/x-www-form-urlencoded, and no content-type at all (Rack reads a POST
//              without one as a form): every parameter name, and a declared query parameter's value
//   JSON       a content-type with "/json" or "+json" anywhere in it (Laravel's test), or
//              "/x-json" (Rails registers text/x-json as JSON and merges its members): the
//              top-level object's member names, escapes decoded, and the values of those named as
//              a declared query parameter or a path parameter
//   multipart  multipart/*: every part's name, and "_method" anywhere in its header block
//              (multipart-names.ts)
// Other media types are not read as parameters by those frameworks and are not scanned.
import { hexDigit, lowerAscii } from "../lib/text";
import { PartNames } from "./multipart-names";
import { PartValues, strictBoundary } from "./multipart-values";
import { FormNames, METHOD_PARAMETER, NameMatches } from "./override";
import { ValueCapture, jsonValueProblem } from "./bound-values";
import { QueryParam } from "./shape";

// The names one body scan looks for, and their rules (BodyRules keeps two: with `_method` first,
// for a POST, and without). `formNames`: those looked for in a form (lenient forms, override.ts
// NameMatch) and as multipart part names; `jsonNames`: those looked for among a JSON body's
// top-level members, those from `jsonBoundFrom` on path parameters' (passing when they hold the
// path's value, `pathParams` their template indices). `formRules` and `jsonRules`, aligned with the
// names (the JSON list up to `jsonBoundFrom`): a declared query parameter's rule, which its value
// must pass (bound-values.ts), or null for a name found by itself (`_method`), or, in a form, by
// a value other than the path's (`formPathParams`: the template index; -1 for the others).
export class ScanTargets {
  formNames: string[] = [];
  formRules: Array<QueryParam | null> = [];
  formPathParams: i32[] = [];
  jsonNames: string[] = [];
  jsonRules: Array<QueryParam | null> = [];
  jsonBoundFrom: i32 = 0;
  pathParams: i32[] = [];

  constructor(method: bool) {
    if (method) {
      this.inForms(METHOD_PARAMETER, null, -1);
      this.inJson(METHOD_PARAMETER, null);
    }
  }

  // A name looked for in forms and multipart bodies, once (`pathParam`: a path parameter's
  // template index, -1 for a query parameter's or `_method`).
  inForms(name: string, rule: QueryParam | null, pathParam: i32): void {
    if (this.formNames.includes(name)) return;
    this.formNames.push(name);
    this.formRules.push(rule);
    this.formPathParams.push(pathParam);
  }

  // A declared query parameter's name looked for among JSON members (before any path parameter).
  inJson(name: string, rule: QueryParam | null): void {
    this.jsonNames.push(name);
    this.jsonRules.push(rule);
    this.jsonBoundFrom = this.jsonNames.length;
  }

  // A path parameter's name looked for among JSON members (after the query parameters').
  pathInJson(name: string, templateIndex: i32): void {
    this.jsonNames.push(name);
    this.pathParams.push(templateIndex);
  }
}

// The scanners a body needs, from its media type (validate/hygiene.ts mediaType) and its whole
// content-type value (Laravel tests the value, parameters included), or null when none does. A
// body two frameworks would read as different formats is scanned as both. `params`: the path's
// values (read now: the array may be reused).
export function bodyParameterScan(mediaType: string, contentType: string, targets: ScanTargets, params: string[]): BodyParameters | null {
  const names = targets.formNames;
  const jsonNames = targets.jsonNames;
  const form = mediaType.length == 0 || mediaType == "application/x-www-form-urlencoded";
  const multipart = mediaType.startsWith("multipart/") && names.length > 0;
  const lower = lowerAscii(contentType);
  const json = (lower.includes("/json") || lower.includes("+json") || lower.includes("/x-json")) && jsonNames.length > 0;
  if (!((form && names.length > 0) || multipart || json)) return null;
  const paths = form || multipart ? pathValues(targets.formPathParams, params) : null;
  const jsonPaths = json ? pathValues(targets.pathParams, params) : null;
  // Plain parts named as bound parameters are judged by their values when the boundary is strict.
  const boundary = multipart ? strictBoundary(contentType) : "";
  const values = boundary.length > 0 ? new PartValues(boundary, names, targets.formRules, <Array<string | null>>paths) : null;
  const parts = multipart ? new PartNames(names, names.includes(METHOD_PARAMETER), values) : null;
  return new BodyParameters(form ? new FormNames(names, targets.formRules, paths) : null, json ? new JsonNames(targets, <Array<string | null>>jsonPaths) : null, parts);
}

// The path's values for the names that are path parameters' (null for the others): copied, since
// the route matcher reuses its parameter array for the next stream's path while a body arrives.
function pathValues(pathParams: i32[], params: string[]): Array<string | null> {
  const values = new Array<string | null>(pathParams.length);
  for (let i = 0; i < pathParams.length; i++) {
    const p = unchecked(pathParams[i]);
    values[i] = p >= 0 && p < params.length ? unchecked(params[p]) : null;
  }
  return values;
}

export class BodyParameters {
  constructor(private readonly form: FormNames | null, private readonly json: JsonNames | null, private readonly parts: PartNames | null) {}

  // The next bytes of the body; true once a parameter looked for was seen (`found`).
  feed(bytes: Uint8Array): bool {
    const n = bytes.length;
    const form = this.form;
    const json = this.json;
    const parts = this.parts;
    if (form !== null) for (let i = 0; i < n; i++) form.push(<i32>unchecked(bytes[i]));
    if (json !== null) json.feed(bytes);
    if (parts !== null) for (let i = 0; i < n; i++) parts.push(<i32>unchecked(bytes[i]));
    return this.found.length > 0;
  }

  // The end of the body: true when it carried a parameter looked for.
  end(): bool {
    const form = this.form;
    if (form !== null) form.end();
    const json = this.json;
    if (json !== null) json.end();
    const parts = this.parts;
    if (parts !== null) parts.end();
    return this.found.length > 0;
  }

  // The name of the first parameter looked for that the body carried (as looked for); "" if none.
  get found(): string {
    const form = this.form;
    if (form !== null && form.found.length > 0) return form.found;
    const json = this.json;
    if (json !== null && json.found.length > 0) return json.found;
    const parts = this.parts;
    return parts !== null ? parts.found : "";
  }

  // When `found` names a parameter judged by its value (a declared query parameter's rule, or
  // the path's value) and the value failed: why; "" when the name alone was refused.
  get why(): string {
    const form = this.form;
    if (form !== null && form.found.length > 0) return form.why;
    const json = this.json;
    if (json !== null && json.found.length > 0) return json.why;
    const parts = this.parts;
    return parts !== null ? parts.why : "";
  }
}

// The member names of a top-level JSON object. Lenient: it never refuses, it only watches names,
// so a malformed document is scanned as far as it goes (its service will refuse it, or read it).
// Comments are whitespace, as Ruby's json gem (Rails' params) reads them by default: `/* */`, and
// `//` to the end of the line; a comment may hide a bracket or a quote, or come before the object.
// A member named as a target with a rule, or as a path parameter, has its value read
// (MemberValue) and judged once it ends.
class JsonNames {
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

  constructor(targets: ScanTargets, private readonly values: Array<string | null>) {
    this.names = targets.jsonNames;
    this.rules = targets.jsonRules;
    this.boundFrom = targets.jsonBoundFrom;
    this.name = new NameMatches(targets.jsonNames);
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

  feed(bytes: Uint8Array): void {
    const n = bytes.length;
    for (let i = 0; i < n; i++) {
      if (this.inString) {
        // Inside a string that is not a top-level name (or a value being read), only its end or
        // an escape matters.
        if (!this.isName && this.escape == 0 && !this.reading) {
          while (i < n && unchecked(bytes[i]) != 0x22 && unchecked(bytes[i]) != 0x5c) i++;
          if (i == n) break;
        }
      } else if (this.depth >= 2 && this.comment == 0) {
        // Below the top-level object's members, only strings, brackets and comments matter (a
        // comma there never starts a top-level name).
        while (i < n) {
          const c = unchecked(bytes[i]);
          if (c == 0x22 || c == 0x7b || c == 0x7d || c == 0x5b || c == 0x5d || c == 0x2f) break;
          i++;
        }
        if (i == n) break;
      }
      this.push(<i32>unchecked(bytes[i]));
    }
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
