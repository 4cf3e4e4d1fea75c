// What a route accepts beyond identity: typed path parameters, query parameters, required and
// forbidden headers. Checked after authorization (an unauthorized caller learns nothing from a
// validation error). Pure: works on the path parameters, the raw query and a header snapshot.
import { codePointCount, hexDigit, isCanonicalUuid, isUtf8, percentDecode } from "../lib/text";
import { HeaderSnapshot } from "../lib/headers";
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
  constructor(public readonly reason: string, public readonly detail: string) {}
  get ok(): bool { return this.reason.length == 0; }
}

export const SHAPE_OK = new ShapeResult("", "");
export const REASON_PATH_PARAM_INVALID = "path_param_invalid";
export const REASON_QUERY_INVALID = "query_invalid";
export const REASON_HEADER_MISSING = "header_missing";
export const REASON_HEADER_FORBIDDEN = "header_forbidden";
export const REASON_HEADER_INVALID_VALUE = "header_value_invalid";


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


export class RequestShape {
  constructor(
    public readonly paramNames: string[],       // the template's parameters, in order
    public readonly paramTypes: ValueType[],    // aligned with paramNames
    public readonly query: QueryParam[],
    public readonly queryAdditional: bool,      // false: undeclared query parameters are refused
    public readonly requiredHeaders: ArrayBuffer[],
    public readonly requiredNames: string[],
    public readonly forbiddenHeaders: ArrayBuffer[],
    public readonly forbiddenNames: string[],
    public readonly headerPatterns: ArrayBuffer[],   // headers whose value must match (when present)
    public readonly headerPatternNames: string[],
    public readonly headerRegexes: Regex[],
  ) {}

  get empty(): bool {
    let typed = false;
    for (let i = 0; i < this.paramTypes.length; i++) if (this.paramTypes[i] != ValueType.String) typed = true;
    return !typed && this.query.length == 0 && this.queryAdditional && this.requiredHeaders.length == 0 && this.forbiddenHeaders.length == 0 && this.headerPatterns.length == 0;
  }

  check(params: string[], rawQuery: string, headers: HeaderSnapshot): ShapeResult {
    for (let i = 0; i < this.paramTypes.length && i < params.length; i++) {
      if (!hasType(params[i], this.paramTypes[i])) return new ShapeResult(REASON_PATH_PARAM_INVALID, "{" + this.paramNames[i] + "} is not " + typeName(this.paramTypes[i]));
    }
    for (let i = 0; i < this.requiredHeaders.length; i++) {
      if (!headers.has(this.requiredHeaders[i])) return new ShapeResult(REASON_HEADER_MISSING, this.requiredNames[i]);
    }
    for (let i = 0; i < this.forbiddenHeaders.length; i++) {
      if (headers.has(this.forbiddenHeaders[i])) return new ShapeResult(REASON_HEADER_FORBIDDEN, this.forbiddenNames[i]);
    }
    for (let i = 0; i < this.headerPatterns.length; i++) {
      const at = headers.find(this.headerPatterns[i]);
      if (at >= 0 && !this.headerRegexes[i].test(headers.valueOf(at))) return new ShapeResult(REASON_HEADER_INVALID_VALUE, this.headerPatternNames[i] + " does not match its pattern");
    }
    if (this.query.length == 0 && this.queryAdditional) return SHAPE_OK;
    return this.checkQuery(rawQuery);
  }

  checkQuery(rawQuery: string): ShapeResult {
    const seen = new Array<bool>(this.query.length);
    for (let i = 0; i < seen.length; i++) seen[i] = false;
    if (rawQuery.length > 0) {
      const pairs = rawQuery.split("&");
      if (pairs.length > MAX_QUERY_PARAMS) return new ShapeResult(REASON_QUERY_INVALID, "more than " + MAX_QUERY_PARAMS.toString() + " query parameters");
      for (let p = 0; p < pairs.length; p++) {
        const pair = pairs[p];
        if (pair.length == 0) continue;
        const eq = pair.indexOf("=");
        const name = decodeQueryPart(eq < 0 ? pair : pair.substring(0, eq));
        const value = decodeQueryPart(eq < 0 ? "" : pair.substring(eq + 1));
        if (name === null || value === null) return new ShapeResult(REASON_QUERY_INVALID, "malformed query encoding");
        let declared = -1;
        for (let i = 0; i < this.query.length; i++) if (this.query[i].name == name) declared = i;
        if (declared < 0) {
          if (!this.queryAdditional) return new ShapeResult(REASON_QUERY_INVALID, "undeclared query parameter " + name);
          continue;
        }
        // Twice is ambiguous: one layer may read the first, another the last (parameter pollution).
        if (seen[declared]) return new ShapeResult(REASON_QUERY_INVALID, "query parameter " + name + " given twice");
        seen[declared] = true;
        const spec = this.query[declared];
        if (stillEncoded(value)) return new ShapeResult(REASON_QUERY_INVALID, name + " is percent-encoded twice");
        if (!hasType(value, spec.type)) return new ShapeResult(REASON_QUERY_INVALID, name + " is not " + typeName(spec.type));
        if (spec.maxLength >= 0 && codePointCount(value) > spec.maxLength) return new ShapeResult(REASON_QUERY_INVALID, name + " is longer than " + spec.maxLength.toString());
        if (spec.values.length > 0 && !spec.values.includes(value)) return new ShapeResult(REASON_QUERY_INVALID, name + " is not an allowed value");
        const re = spec.pattern;
        if (re !== null && !re.test(value)) return new ShapeResult(REASON_QUERY_INVALID, name + " does not match its pattern");
      }
    }
    for (let i = 0; i < this.query.length; i++) {
      if (this.query[i].required && !seen[i]) return new ShapeResult(REASON_QUERY_INVALID, "missing query parameter " + this.query[i].name);
    }
    return SHAPE_OK;
  }
}
