// Schema-lite: a declared subset of JSON Schema, compiled once (refusing any keyword outside the
// subset, by name) and checked against a parsed body. Pure. Errors carry the JSON Pointer of the
// offending value and the keyword that failed.
import { JsonKind, JsonValue } from "../lib/json";
import { Regex, compileRegex } from "../lib/regex";
import { codePointCount, hexDigit, isCanonicalUuid } from "../lib/text";

const T_NULL: u8 = 1, T_BOOL: u8 = 2, T_INT: u8 = 4, T_NUM: u8 = 8, T_STR: u8 = 16, T_ARR: u8 = 32, T_OBJ: u8 = 64;
const T_ANY: u8 = 127;

// Annotations are accepted and ignored; everything else outside the subset is refused.
const ANNOTATIONS: string[] = ["$schema", "$id", "id", "title", "description", "default", "examples", "$comment", "definitions", "$defs"];
const KEYWORDS: string[] = ["type", "enum", "const", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
  "uniqueItems", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
  "minProperties", "maxProperties", "nullable", "format", "allOf", "anyOf", "oneOf", "not", "$ref", "pattern"];
const FORMATS: string[] = ["email", "uuid", "date-time", "date", "ipv4", "ipv6", "uri"];

export class SchemaNode {
  alwaysFalse: bool = false;
  types: u8 = T_ANY;
  enumValues: JsonValue[] | null = null;
  constValue: JsonValue | null = null;
  properties: string[] = [];
  propertyNodes: SchemaNode[] = [];
  required: string[] = [];
  additional: SchemaNode | null = null;      // null: any additional property
  items: SchemaNode | null = null;
  minItems: i64 = -1; maxItems: i64 = -1; uniqueItems: bool = false;
  minLength: i64 = -1; maxLength: i64 = -1;
  minimum: f64 = NaN; maximum: f64 = NaN; exclusiveMinimum: f64 = NaN; exclusiveMaximum: f64 = NaN;
  multipleOf: f64 = NaN;
  minProperties: i64 = -1; maxProperties: i64 = -1;
  format: string = "";
  pattern: Regex | null = null;
  allOf: SchemaNode[] = []; anyOf: SchemaNode[] = []; oneOf: SchemaNode[] = [];
  not: SchemaNode | null = null;
  ref: SchemaNode | null = null;
  refTarget: string = "";
}

export class SchemaCompile {
  constructor(public node: SchemaNode | null, public error: string) {}
}

class SchemaCompiler {
  error: string = "";
  pending: SchemaNode[] = [];     // nodes with a $ref to resolve once everything is compiled
  targets: string[] = [];         // each $ref target compiled once, shared (cycles allowed)
  targetNodes: SchemaNode[] = [];
  constructor(public root: JsonValue) {}
  fail(at: string, message: string): void { if (this.error.length == 0) this.error = (at.length > 0 ? at : "/") + ": " + message; }
}

export function compileSchema(schema: JsonValue): SchemaCompile {
  const c = new SchemaCompiler(schema);
  const node = compileNode(c, schema, "", 0);
  c.targets.push("#");
  c.targetNodes.push(node);
  // Resolving a reference may compile new nodes with references of their own: the list grows
  // while it is walked, and ends because each target is compiled at most once (and a schema has
  // finitely many places to point at).
  for (let i = 0; i < c.pending.length && c.error.length == 0; i++) {
    if (i > 10000) { c.fail("", "too many references"); break; }
    const n = c.pending[i];
    const known = c.targets.indexOf(n.refTarget);
    if (known >= 0) { n.ref = c.targetNodes[known]; continue; }
    const target = resolvePointer(schema, n.refTarget);
    if (target === null) { c.fail(n.refTarget, "$ref points nowhere"); break; }
    c.targets.push(n.refTarget);
    const compiled = new SchemaNode();
    c.targetNodes.push(compiled);
    const built = compileNode(c, target, n.refTarget, 0);
    c.targetNodes[c.targetNodes.length - 1] = built;
    n.ref = built;
  }
  // A node that referenced a target before it was built points at the placeholder: relink.
  for (let i = 0; i < c.pending.length; i++) {
    const k = c.targets.indexOf(c.pending[i].refTarget);
    if (k >= 0) c.pending[i].ref = c.targetNodes[k];
  }
  return c.error.length > 0 ? new SchemaCompile(null, c.error) : new SchemaCompile(node, "");
}

function unescapePointer(s: string): string { return s.replaceAll("~1", "/").replaceAll("~0", "~"); }

function resolvePointer(root: JsonValue, ref: string): JsonValue | null {
  if (ref == "#") return root;
  if (!ref.startsWith("#/")) return null;
  const parts = ref.substring(2).split("/");
  let v: JsonValue | null = root;
  for (let i = 0; i < parts.length && v !== null; i++) {
    const p = unescapePointer(parts[i]);
    if (v.isObject()) v = v.member(p);
    else if (v.isArray()) { const k = I32.parseInt(p); v = k >= 0 && k < v.items.length ? v.items[k] : null; }
    else v = null;
  }
  return v;
}

function typeBit(name: string): u8 {
  if (name == "null") return T_NULL;
  if (name == "boolean") return T_BOOL;
  if (name == "integer") return T_INT;
  if (name == "number") return T_NUM | T_INT;
  if (name == "string") return T_STR;
  if (name == "array") return T_ARR;
  if (name == "object") return T_OBJ;
  return 0;
}

function count(c: SchemaCompiler, at: string, v: JsonValue, key: string): i64 {
  if (!v.isNumber() || v.num < 0 || Math.floor(v.num) != v.num) { c.fail(at + "/" + key, "must be a whole number of at least 0"); return -1; }
  return <i64>v.num;
}

function number(c: SchemaCompiler, at: string, v: JsonValue, key: string): f64 {
  if (!v.isNumber()) { c.fail(at + "/" + key, "must be a number"); return NaN; }
  return v.num;
}

// Cycles through $ref are resolved lazily, so recursion here only follows the schema's own nesting.
function compileNode(c: SchemaCompiler, s: JsonValue, at: string, depth: i32): SchemaNode {
  const n = new SchemaNode();
  if (depth > 64) { c.fail(at, "schema nested deeper than 64"); return n; }
  if (s.isBool()) { n.alwaysFalse = !s.bool; return n; }
  if (!s.isObject()) { c.fail(at, "a schema must be an object or a boolean"); return n; }
  for (let i = 0; i < s.names.length; i++) {
    const k = s.names[i];
    if (!KEYWORDS.includes(k) && !ANNOTATIONS.includes(k)) { c.fail(at + "/" + k, "keyword \"" + k + "\" is outside meshguard's schema subset"); return n; }
  }
  for (let i = 0; i < s.names.length && c.error.length == 0; i++) {
    const k = s.names[i];
    const v = s.items[i];
    const here = at + "/" + k;
    if (k == "type") {
      if (v.isString()) { n.types = typeBit(v.str); if (n.types == 0) c.fail(here, "unknown type \"" + v.str + "\""); }
      else if (v.isArray()) {
        n.types = 0;
        for (let j = 0; j < v.items.length; j++) {
          const b = v.items[j].isString() ? typeBit(v.items[j].str) : 0;
          if (b == 0) { c.fail(here, "unknown type"); break; }
          n.types |= b;
        }
      } else c.fail(here, "must be a string or a list of strings");
    } else if (k == "enum") { if (!v.isArray()) c.fail(here, "must be a list"); else n.enumValues = v.items; }
    else if (k == "const") n.constValue = v;
    else if (k == "properties") {
      if (!v.isObject()) { c.fail(here, "must be an object"); break; }
      for (let j = 0; j < v.names.length; j++) { n.properties.push(v.names[j]); n.propertyNodes.push(compileNode(c, v.items[j], here + "/" + v.names[j], depth + 1)); }
    } else if (k == "required") {
      if (!v.isArray()) { c.fail(here, "must be a list of names"); break; }
      for (let j = 0; j < v.items.length; j++) { if (!v.items[j].isString()) { c.fail(here, "must be a list of names"); break; } n.required.push(v.items[j].str); }
    } else if (k == "additionalProperties") n.additional = compileNode(c, v, here, depth + 1);
    else if (k == "items") {
      if (v.isArray()) { c.fail(here, "tuple form (a list of schemas) is outside meshguard's schema subset"); break; }
      n.items = compileNode(c, v, here, depth + 1);
    }
    else if (k == "minItems") n.minItems = count(c, at, v, k);
    else if (k == "maxItems") n.maxItems = count(c, at, v, k);
    else if (k == "uniqueItems") { if (!v.isBool()) c.fail(here, "must be a boolean"); else n.uniqueItems = v.bool; }
    else if (k == "minLength") n.minLength = count(c, at, v, k);
    else if (k == "maxLength") n.maxLength = count(c, at, v, k);
    else if (k == "minProperties") n.minProperties = count(c, at, v, k);
    else if (k == "maxProperties") n.maxProperties = count(c, at, v, k);
    else if (k == "minimum") n.minimum = number(c, at, v, k);
    else if (k == "maximum") n.maximum = number(c, at, v, k);
    else if (k == "exclusiveMinimum" || k == "exclusiveMaximum") {
      // Draft 6+: a number. Draft 4: a boolean that makes minimum/maximum exclusive.
      if (!v.isBool() && !v.isNumber()) { c.fail(here, "must be a number (or, draft 4, a boolean)"); break; }
      if (v.isNumber()) { if (k == "exclusiveMinimum") n.exclusiveMinimum = v.num; else n.exclusiveMaximum = v.num; }
    }
    else if (k == "multipleOf") { n.multipleOf = number(c, at, v, k); if (!(n.multipleOf > 0)) c.fail(here, "must be above 0"); }
    else if (k == "nullable") { if (!v.isBool()) c.fail(here, "must be a boolean"); }
    else if (k == "format") {
      if (!v.isString()) { c.fail(here, "must be a string"); break; }
      if (!FORMATS.includes(v.str)) { c.fail(here, "format \"" + v.str + "\" is outside meshguard's schema subset"); break; }
      n.format = v.str;
    }
    else if (k == "allOf" || k == "anyOf" || k == "oneOf") {
      if (!v.isArray() || v.items.length == 0) { c.fail(here, "must be a non-empty list of schemas"); break; }
      const list = k == "allOf" ? n.allOf : k == "anyOf" ? n.anyOf : n.oneOf;
      for (let j = 0; j < v.items.length; j++) list.push(compileNode(c, v.items[j], here + "/" + j.toString(), depth + 1));
    }
    else if (k == "not") n.not = compileNode(c, v, here, depth + 1);
    else if (k == "pattern") {
      if (!v.isString()) { c.fail(here, "must be a string"); break; }
      const r = compileRegex(v.str);
      if (r.regex === null) { c.fail(here, "\"" + v.str + "\": " + r.error); break; }
      n.pattern = r.regex;
    }
    else if (k == "$ref") {
      if (!v.isString() || !v.str.startsWith("#")) { c.fail(here, "only local references (\"#...\") are in meshguard's schema subset"); break; }
      n.refTarget = v.str;
      c.pending.push(n);
    }
  }
  // Draft 4 boolean exclusives.
  const exMin = s.member("exclusiveMinimum");
  if (exMin !== null && exMin.isBool() && exMin.bool) { n.exclusiveMinimum = n.minimum; n.minimum = NaN; }
  const exMax = s.member("exclusiveMaximum");
  if (exMax !== null && exMax.isBool() && exMax.bool) { n.exclusiveMaximum = n.maximum; n.maximum = NaN; }
  const nullable = s.member("nullable");
  if (nullable !== null && nullable.isBool() && nullable.bool) n.types |= T_NULL;
  return n;
}

// Where validation failed: the pointer's tokens are collected innermost first while the recursion
// unwinds, so no pointer string is built for the (many) values that pass.
export class SchemaError {
  tokens: string[] = [];
  constructor(public readonly keyword: string) {}
  at(token: string): SchemaError { this.tokens.push(token); return this; }
  get pointer(): string {
    let out = "";
    for (let i = this.tokens.length - 1; i >= 0; i--) out += "/" + escapeToken(this.tokens[i]);
    return out;
  }
}

function bitOf(v: JsonValue): u8 {
  switch (v.kind) {
    case JsonKind.Null: return T_NULL;
    case JsonKind.Bool: return T_BOOL;
    case JsonKind.Number: return Math.floor(v.num) == v.num && isFinite(v.num) ? T_INT : T_NUM;
    case JsonKind.String: return T_STR;
    case JsonKind.Array: return T_ARR;
    default: return T_OBJ;
  }
}

// JSON equality: numbers by value, objects regardless of member order. Every value compared, and
// every member looked up, costs the budget one; when it runs out the answer is false and the
// caller reports "complexity" (budget.left < 0).
export function jsonEqual(a: JsonValue, b: JsonValue, budget: Budget): bool {
  if (--budget.left < 0) return false;
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case JsonKind.Null: return true;
    case JsonKind.Bool: return a.bool == b.bool;
    case JsonKind.Number: return a.num == b.num;
    case JsonKind.String: return a.str == b.str;
    case JsonKind.Array: {
      if (a.items.length != b.items.length) return false;
      for (let i = 0; i < a.items.length; i++) if (!jsonEqual(a.items[i], b.items[i], budget)) return false;
      return true;
    }
    default: {
      if (a.names.length != b.names.length) return false;
      // member() scans b's keys: the lookups cost their length.
      budget.left -= <i64>a.names.length * <i64>b.names.length;
      if (budget.left < 0) return false;
      for (let i = 0; i < a.names.length; i++) {
        const other = b.member(a.names[i]);
        if (other === null || !jsonEqual(a.items[i], other, budget)) return false;
      }
      return true;
    }
  }
}

function escapeToken(k: string): string { return k.replaceAll("~", "~0").replaceAll("/", "~1"); }

// Returns the first failure, or null when the value conforms. `budget` bounds the work (each
// visited node costs one) so a crafted schema cannot make validation unbounded.
export function validate(v: JsonValue, n: SchemaNode, budget: Budget): SchemaError | null {
  if (--budget.left < 0) return new SchemaError("complexity");
  if (n.alwaysFalse) return new SchemaError("false");
  const ref = n.ref;
  if (ref !== null) { const e = validate(v, ref, budget); if (e !== null) return e; }
  const bit = bitOf(v);
  if ((n.types & bit) == 0) return new SchemaError("type");
  const en = n.enumValues;
  if (en !== null) {
    let found = false;
    for (let i = 0; i < en.length && !found; i++) found = jsonEqual(v, en[i], budget);
    if (budget.left < 0) return new SchemaError("complexity");
    if (!found) return new SchemaError("enum");
  }
  const cv = n.constValue;
  if (cv !== null && !jsonEqual(v, cv, budget)) return new SchemaError(budget.left < 0 ? "complexity" : "const");
  if (v.isString()) {
    const len = (n.minLength >= 0 || n.maxLength >= 0) ? <i64>codePointCount(v.str) : 0;
    if (n.minLength >= 0 && len < n.minLength) return new SchemaError("minLength");
    if (n.maxLength >= 0 && len > n.maxLength) return new SchemaError("maxLength");
    if (n.format.length > 0 && !matchesFormat(v.str, n.format)) return new SchemaError("format");
    const re = n.pattern;
    if (re !== null && !re.test(v.str)) return new SchemaError("pattern");
  } else if (v.isNumber()) {
    const x = v.num;
    if (!isNaN(n.minimum) && x < n.minimum) return new SchemaError("minimum");
    if (!isNaN(n.maximum) && x > n.maximum) return new SchemaError("maximum");
    if (!isNaN(n.exclusiveMinimum) && x <= n.exclusiveMinimum) return new SchemaError("exclusiveMinimum");
    if (!isNaN(n.exclusiveMaximum) && x >= n.exclusiveMaximum) return new SchemaError("exclusiveMaximum");
    if (!isNaN(n.multipleOf)) {
      const q = x / n.multipleOf;
      if (!isFinite(q) || Math.abs(q - Math.round(q)) > 1e-9 * Math.max(1, Math.abs(q))) return new SchemaError("multipleOf");
    }
  } else if (v.isArray()) {
    const len = <i64>v.items.length;
    if (n.minItems >= 0 && len < n.minItems) return new SchemaError("minItems");
    if (n.maxItems >= 0 && len > n.maxItems) return new SchemaError("maxItems");
    if (n.uniqueItems) {
      // Pairwise: each comparison costs the budget at least one, so the loop ends when it runs out
      // (counted in 64 bits: n * n overflows 32 from n = 46,341).
      for (let i = 0; i < v.items.length; i++) {
        for (let j = i + 1; j < v.items.length; j++) {
          const same = jsonEqual(v.items[i], v.items[j], budget);
          if (budget.left < 0) return new SchemaError("complexity");
          if (same) return new SchemaError("uniqueItems").at(j.toString());
        }
      }
    }
    const items = n.items;
    if (items !== null) for (let i = 0; i < v.items.length; i++) { const e = validate(v.items[i], items, budget); if (e !== null) return e.at(i.toString()); }
  } else if (v.isObject()) {
    const len = <i64>v.names.length;
    if (n.minProperties >= 0 && len < n.minProperties) return new SchemaError("minProperties");
    if (n.maxProperties >= 0 && len > n.maxProperties) return new SchemaError("maxProperties");
    // member() and indexOf() scan: their cost is charged up front.
    budget.left -= <i64>n.required.length * len + len * <i64>n.properties.length;
    if (budget.left < 0) return new SchemaError("complexity");
    for (let i = 0; i < n.required.length; i++) if (v.member(n.required[i]) === null) return new SchemaError("required").at(n.required[i]);
    for (let i = 0; i < v.names.length; i++) {
      const k = v.names[i];
      const p = n.properties.indexOf(k);
      if (p >= 0) { const e = validate(v.items[i], n.propertyNodes[p], budget); if (e !== null) return e.at(k); }
      else {
        const add = n.additional;
        if (add !== null) { const e = validate(v.items[i], add, budget); if (e !== null) return e.keyword == "false" && e.tokens.length == 0 ? new SchemaError("additionalProperties").at(k) : e.at(k); }
      }
    }
  }
  for (let i = 0; i < n.allOf.length; i++) { const e = validate(v, n.allOf[i], budget); if (e !== null) return e; }
  if (n.anyOf.length > 0) {
    let any = false;
    for (let i = 0; i < n.anyOf.length && !any; i++) any = validate(v, n.anyOf[i], budget) === null;
    if (budget.left < 0) return new SchemaError("complexity");
    if (!any) return new SchemaError("anyOf");
  }
  if (n.oneOf.length > 0) {
    let matches = 0;
    for (let i = 0; i < n.oneOf.length; i++) if (validate(v, n.oneOf[i], budget) === null) matches++;
    if (budget.left < 0) return new SchemaError("complexity");
    if (matches != 1) return new SchemaError("oneOf");
  }
  const not = n.not;
  if (not !== null) {
    const e = validate(v, not, budget);
    if (budget.left < 0) return new SchemaError("complexity");
    if (e === null) return new SchemaError("not");
  }
  return null;
}

export class Budget { constructor(public left: i64) {} }

// ------------------------------------------------------------------ formats (a documented subset)
function isDigits(s: string, from: i32, n: i32): bool {
  if (from + n > s.length) return false;
  for (let i = from; i < from + n; i++) { const c = s.charCodeAt(i); if (c < 0x30 || c > 0x39) return false; }
  return true;
}
function num(s: string, from: i32, n: i32): i32 { return I32.parseInt(s.substring(from, from + n)); }

function isDate(s: string): bool {
  if (s.length != 10 || !isDigits(s, 0, 4) || s.charCodeAt(4) != 0x2d || !isDigits(s, 5, 2) || s.charCodeAt(7) != 0x2d || !isDigits(s, 8, 2)) return false;
  const y = num(s, 0, 4), m = num(s, 5, 2), d = num(s, 8, 2);
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const days: i32[] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

function isDateTime(s: string): bool {
  if (s.length < 20 || !isDate(s.substring(0, 10))) return false;
  const t = s.charCodeAt(10) | 0x20;
  if (t != 0x74) return false;
  if (!isDigits(s, 11, 2) || s.charCodeAt(13) != 0x3a || !isDigits(s, 14, 2) || s.charCodeAt(16) != 0x3a || !isDigits(s, 17, 2)) return false;
  if (num(s, 11, 2) > 23 || num(s, 14, 2) > 59 || num(s, 17, 2) > 60) return false;
  let i = 19;
  if (i < s.length && s.charCodeAt(i) == 0x2e) { i++; const f = i; while (i < s.length && isDigits(s, i, 1)) i++; if (i == f) return false; }
  if (i < s.length && (s.charCodeAt(i) | 0x20) == 0x7a) return i + 1 == s.length;
  if (i + 6 != s.length) return false;
  const sign = s.charCodeAt(i);
  return (sign == 0x2b || sign == 0x2d) && isDigits(s, i + 1, 2) && s.charCodeAt(i + 3) == 0x3a && isDigits(s, i + 4, 2) && num(s, i + 1, 2) <= 23 && num(s, i + 4, 2) <= 59;
}

function isIpv4(s: string): bool {
  const parts = s.split(".");
  if (parts.length != 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (p.length == 0 || p.length > 3 || !isDigits(p, 0, p.length) || (p.length > 1 && p.charCodeAt(0) == 0x30) || I32.parseInt(p) > 255) return false;
  }
  return true;
}

function isHexGroup(g: string): bool {
  if (g.length == 0 || g.length > 4) return false;
  for (let i = 0; i < g.length; i++) if (hexDigit(g.charCodeAt(i)) < 0) return false;
  return true;
}

function isIpv6(s: string): bool {
  if (s.length < 2 || s.length > 45) return false;
  let body = s;
  let groupsNeeded = 8;
  const lastColon = s.lastIndexOf(":");
  if (s.indexOf(".") > lastColon && lastColon >= 0) {
    if (!isIpv4(s.substring(lastColon + 1))) return false;
    body = s.substring(0, lastColon + 1) + "0";
    groupsNeeded = 7;
  }
  const dbl = body.indexOf("::");
  if (dbl >= 0 && body.indexOf("::", dbl + 1) >= 0) return false;
  if (dbl < 0) {
    const g = body.split(":");
    if (g.length != groupsNeeded) return false;
    for (let i = 0; i < g.length; i++) if (!isHexGroup(g[i])) return false;
    return true;
  }
  const left = body.substring(0, dbl), right = body.substring(dbl + 2);
  const lg = left.length > 0 ? left.split(":") : new Array<string>(0);
  const rg = right.length > 0 ? right.split(":") : new Array<string>(0);
  if (lg.length + rg.length >= groupsNeeded) return false;
  for (let i = 0; i < lg.length; i++) if (!isHexGroup(lg[i])) return false;
  for (let i = 0; i < rg.length; i++) if (!isHexGroup(rg[i])) return false;
  return true;
}

function matchesFormat(s: string, f: string): bool {
  if (f == "date") return isDate(s);
  if (f == "date-time") return isDateTime(s);
  if (f == "ipv4") return isIpv4(s);
  if (f == "ipv6") return isIpv6(s);
  if (f == "uuid") return isCanonicalUuid(s);
  if (f == "email") {
    // One '@', a non-empty local part and a dotted domain; no spaces. Deliberately simple.
    const at = s.indexOf("@");
    if (at <= 0 || at != s.lastIndexOf("@") || s.includes(" ")) return false;
    const domain = s.substring(at + 1);
    return domain.includes(".") && !domain.startsWith(".") && !domain.endsWith(".") && !domain.includes("..");
  }
  // uri: a scheme (letter, then letters, digits, + - .), ':', then no spaces.
  const colon = s.indexOf(":");
  if (colon <= 0 || s.includes(" ")) return false;
  for (let i = 0; i < colon; i++) {
    const c = s.charCodeAt(i);
    const letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
    if (i == 0 ? !letter : !(letter || (c >= 0x30 && c <= 0x39) || c == 0x2b || c == 0x2d || c == 0x2e)) return false;
  }
  return true;
}

