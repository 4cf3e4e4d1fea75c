// What a route accepts beyond identity: typed path parameters, query parameters, required and
// forbidden headers. Checked after authorization (an unauthorized caller learns nothing from a
// validation error). Pure: works on the path parameters, the raw query and a header snapshot.
import { codePointCount, hexDigit, foldCase, isCanonicalUuid, isUtf8, percentDecode } from "../lib/text";
import { HeaderName, HeaderSnapshot } from "../lib/headers";
import { HEADER_FORBIDDEN, HEADER_MISSING, HEADER_VALUE_INVALID, PATH_PARAM_INVALID, QUERY_INVALID, Reason } from "../reply/reasons";
import { Regex } from "../lib/regex";

export const enum ValueType { String = 0, Integer = 1, Number = 2, Boolean = 3, Uuid = 4 }

export const MAX_QUERY_PARAMS = 100;

export function typeName(t: ValueType): string {
  switch (t) {
    case ValueType.Integer: return "integer";
    case ValueType.Number: return "number";
    case ValueType.Boolean: return "boolean";
    case ValueType.Uuid: return "uuid";
    default: return "string";
  }
}

// Strict forms: integers of at most 18 digits with an optional '-', JSON-like numbers, "true" or
// "false", and canonical 8-4-4-4-12 hex UUIDs.
export function hasType(v: string, t: ValueType): bool {
  if (t == ValueType.String) return true;
  if (t == ValueType.Boolean) return v == "true" || v == "false";
  if (t == ValueType.Uuid) return isCanonicalUuid(v);
  let i = v.startsWith("-") ? 1 : 0;
  const digitsStart = i;
  while (i < v.length && v.charCodeAt(i) >= 0x30 && v.charCodeAt(i) <= 0x39) i++;
  const digits = i - digitsStart;
  if (digits == 0) return false;
  if (digits > 1 && v.charCodeAt(digitsStart) == 0x30) return false;
  if (t == ValueType.Integer) return i == v.length && digits <= 18;
  if (i < v.length && v.charCodeAt(i) == 0x2e) {
    i++;
    const f = i;
    while (i < v.length && v.charCodeAt(i) >= 0x30 && v.charCodeAt(i) <= 0x39) i++;
    if (i == f) return false;
  }
  if (i < v.length && (v.charCodeAt(i) | 0x20) == 0x65) {
    i++;
    if (i < v.length && (v.charCodeAt(i) == 0x2b || v.charCodeAt(i) == 0x2d)) i++;
    const e = i;
    while (i < v.length && v.charCodeAt(i) >= 0x30 && v.charCodeAt(i) <= 0x39) i++;
    if (i == e) return false;
  }
  return i == v.length && v.length <= 64;
}

export class QueryParam {
  constructor(
    public readonly name: string,
    public readonly type: ValueType,
    public readonly required: bool,
    public readonly maxLength: i32,        // code points of the decoded value; -1: none
    public readonly values: string[],      // allowed values; empty: any
    public readonly pattern: Regex | null,
  ) {}
}

export class ShapeResult {
  constructor(public readonly reason: Reason | null, public readonly detail: string) {}
  get ok(): bool { return this.reason === null; }
}

export const SHAPE_OK = new ShapeResult(null, "");

// Percent-decodes a query name or value ('+' is a space, as HTML forms send it). null when an
// escape is malformed or the bytes are not strictly UTF-8 (no overlong forms, no surrogates): what
// a lenient decoder reads differently is refused, not guessed.
export function decodeQueryPart(s: string): string | null {
  if (!s.includes("%") && !s.includes("+")) return s;
  const bytes = percentDecode(s, true);
  if (bytes === null || !isUtf8(bytes)) return null;
  return String.UTF8.decodeUnsafe(bytes.dataStart, <usize>bytes.length, false);
}

// Whether a decoded value still holds an escape (%XX): encoded twice, it could pass a pattern as
// text and reach a service that decodes it once more into what the pattern refuses.
function stillEncoded(v: string): bool {
  for (let i = v.indexOf("%"); i >= 0 && i + 2 < v.length; i = v.indexOf("%", i + 1)) {
    if (hexDigit(v.charCodeAt(i + 1)) >= 0 && hexDigit(v.charCodeAt(i + 2)) >= 0) return true;
  }
  return false;
}


// A typed path parameter (param_types).
export class PathParam {
  constructor(public readonly name: string, public readonly type: ValueType, public readonly index: i32) {}
}

export const enum HeaderRuleKind { Required = 0, Forbidden = 1, Pattern = 2 }

// A header the route requires, forbids, or whose value (when present) must match a pattern: on
// every line of it, since the service behind may read any one of them.
export class HeaderRule {
  constructor(public readonly kind: HeaderRuleKind, public readonly name: HeaderName, public readonly pattern: Regex | null) {}

  check(headers: HeaderSnapshot): ShapeResult {
    const at = headers.find(this.name.bytes);
    if (this.kind == HeaderRuleKind.Required) return at >= 0 ? SHAPE_OK : new ShapeResult(HEADER_MISSING, this.name.name);
    if (this.kind == HeaderRuleKind.Forbidden) return at < 0 ? SHAPE_OK : new ShapeResult(HEADER_FORBIDDEN, this.name.name);
    const re = this.pattern;
    if (re === null) return SHAPE_OK;
    for (let i = at; i >= 0; i = headers.find(this.name.bytes, i + 1)) {
      if (!re.test(headers.valueOf(i))) return new ShapeResult(HEADER_VALUE_INVALID, this.name.name + " does not match its pattern");
    }
    return SHAPE_OK;
  }
}

export class QueryRules {
  // The params' names as a lenient binder reads them (lenientName), aligned: made once, compared
  // per request.
  readonly lenient: string[];
  constructor(
    public readonly params: QueryParam[],
    public readonly additional: bool,      // false: undeclared query parameters are refused
  ) {
    const lenient = new Array<string>(params.length);
    for (let i = 0; i < params.length; i++) lenient[i] = lenientName(params[i].name);
    this.lenient = lenient;
  }
  get empty(): bool { return this.params.length == 0 && this.additional; }
}

// What a route accepts beyond identity; null on a route that declares none of it.
export class RequestShape {
  constructor(
    public readonly pathParams: PathParam[],   // only the typed ones (not "string")
    public readonly headers: HeaderRule[],     // required first, then forbidden, then patterns
    public readonly query: QueryRules,
  ) {}

  get empty(): bool { return this.pathParams.length == 0 && this.headers.length == 0 && this.query.empty; }

  check(params: string[], rawQuery: string, headers: HeaderSnapshot): ShapeResult {
    for (let i = 0; i < this.pathParams.length; i++) {
      const p = this.pathParams[i];
      if (p.index < params.length && !hasType(params[p.index], p.type)) return new ShapeResult(PATH_PARAM_INVALID, "{" + p.name + "} is not " + typeName(p.type));
    }
    for (let i = 0; i < this.headers.length; i++) {
      const r = this.headers[i].check(headers);
      if (!r.ok) return r;
    }
    if (this.query.empty) return SHAPE_OK;
    return checkQuery(this.query, rawQuery);
  }
}

function queryProblem(detail: string): ShapeResult { return new ShapeResult(QUERY_INVALID, detail); }

export function checkQuery(rules: QueryRules, rawQuery: string): ShapeResult {
  const declared = rules.params;
  const seen = new Array<bool>(declared.length);
  for (let i = 0; i < seen.length; i++) seen[i] = false;
  if (rawQuery.length > 0) {
    // A raw ';' separates parameters to some servers (Rack before 3, Python before 3.9.2) and not to
    // others: "q=a;x=1" would be one declared value here and an undeclared parameter behind.
    if (rawQuery.indexOf(";") >= 0) return queryProblem("a ';' in the query (some servers read it as a separator; send it as %3B)");
    const pairs = rawQuery.split("&");
    if (pairs.length > MAX_QUERY_PARAMS) return queryProblem("more than " + MAX_QUERY_PARAMS.toString() + " query parameters");
    for (let p = 0; p < pairs.length; p++) {
      const pair = pairs[p];
      if (pair.length == 0) continue;
      const eq = pair.indexOf("=");
      const name = decodeQueryPart(eq < 0 ? pair : pair.substring(0, eq));
      const value = decodeQueryPart(eq < 0 ? "" : pair.substring(eq + 1));
      if (name === null || value === null) return queryProblem("malformed query encoding");
      let at = -1;
      for (let i = 0; i < declared.length; i++) if (declared[i].name == name) at = i;
      if (at < 0) {
        if (!rules.additional) return queryProblem("undeclared query parameter " + name);
        // A framework that binds names leniently reads "PAGE" (ASP.NET), "page[]" (PHP, Rack,
        // Express) or "pa.ge" as "pa_ge" (PHP) as the declared parameter, unchecked here.
        const same = lenientIndex(rules.lenient, name);
        if (same >= 0) return queryProblem("query parameter " + name + " is " + declared[same].name + " to frameworks that bind names leniently");
        continue;
      }
      // Twice is ambiguous: one layer may read the first, another the last (parameter pollution).
      if (seen[at]) return queryProblem("query parameter " + name + " given twice");
      seen[at] = true;
      const r = checkQueryValue(declared[at], value);
      if (!r.ok) return r;
    }
  }
  for (let i = 0; i < declared.length; i++) {
    if (declared[i].required && !seen[i]) return queryProblem("missing query parameter " + declared[i].name);
  }
  return SHAPE_OK;
}

// Which of `lenient` names (lenientName's) `name` is to a lenient binder, or -1. PHP reads a '['
// that no ']' closes as '_' ("per[page" is per_page): both readings are tried.
export function lenientIndex(lenient: string[], name: string): i32 {
  const read = lenientName(name);
  const open = name.indexOf("[");
  const unclosed = open >= 0 && name.indexOf("]", open) < 0 ? lenientName(name.substring(0, open) + "_" + name.substring(open + 1)) : read;
  for (let i = 0; i < lenient.length; i++) {
    const d = unchecked(lenient[i]);
    if (d == read || d == unclosed) return i;
  }
  return -1;
}

// A parameter name as the most lenient framework binds it: case folded (lib/text.ts foldCase:
// ASP.NET), cut at a NUL (C readers) and at the first '[' (the array and hash forms `page[]` and
// `page[x]` of PHP, Rack and Express's qs) or ']', leading spaces dropped and ' ' and '.' read as
// '_' (PHP), leading '[' and ']' dropped (Rack before 3 reads `[page`, `]page` and `page]` as page).
export function lenientName(name: string): string {
  let start = 0;
  while (start < name.length && (name.charCodeAt(start) == 0x20 || name.charCodeAt(start) == 0x5b || name.charCodeAt(start) == 0x5d)) start++;
  let end = start;
  let plain = true;
  for (; end < name.length; end++) {
    const c = name.charCodeAt(end);
    if (c == 0 || c == 0x5b || c == 0x5d) break;
    if (c == 0x20 || c == 0x2e || (c >= 0x41 && c <= 0x5a) || c > 0x7f) plain = false;
  }
  const cut = name.substring(start, end);
  if (plain) return cut;
  return foldCase(cut).replaceAll(" ", "_").replaceAll(".", "_");
}

// Whether a decoded value passes a declared query parameter's rule (also a cookie's or a body
// parameter's of that name: validate/bound-names.ts, bound-values.ts).
export function checkQueryValue(spec: QueryParam, value: string): ShapeResult {
  const name = spec.name;
  if (stillEncoded(value)) return queryProblem(name + " is percent-encoded twice");
  if (!hasType(value, spec.type)) return queryProblem(name + " is not " + typeName(spec.type));
  if (spec.maxLength >= 0 && codePointCount(value) > spec.maxLength) return queryProblem(name + " is longer than " + spec.maxLength.toString());
  if (spec.values.length > 0 && !spec.values.includes(value)) return queryProblem(name + " is not an allowed value");
  const re = spec.pattern;
  if (re !== null && !re.test(value)) return queryProblem(name + " does not match its pattern");
  return SHAPE_OK;
}
