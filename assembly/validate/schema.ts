// Schema-lite: a declared subset of JSON Schema, compiled once (schema-compile.ts) and checked
// against a parsed body here. Pure. Errors carry the JSON Pointer of the offending value and the
// keyword that failed.
import { JsonKind, JsonValue } from "../lib/json";
import { Regex } from "../lib/regex";
import { codePointCount } from "../lib/text";
import { matchesFormat } from "./formats";

export const T_NULL: u8 = 1, T_BOOL: u8 = 2, T_INT: u8 = 4, T_NUM: u8 = 8, T_STR: u8 = 16, T_ARR: u8 = 32, T_OBJ: u8 = 64;
export const T_ANY: u8 = 127;

// Annotations are accepted and ignored; everything else outside the subset is refused.
export const ANNOTATIONS: string[] = ["$schema", "$id", "id", "title", "description", "default", "examples", "$comment", "definitions", "$defs"];
export const KEYWORDS: string[] = ["type", "enum", "const", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
  "uniqueItems", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
  "minProperties", "maxProperties", "nullable", "format", "allOf", "anyOf", "oneOf", "not", "$ref", "pattern"];

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
  if ((n.types & bitOf(v)) == 0) return new SchemaError("type");
  const en = n.enumValues;
  if (en !== null) {
    let found = false;
    for (let i = 0; i < en.length && !found; i++) found = jsonEqual(v, en[i], budget);
    if (budget.left < 0) return new SchemaError("complexity");
    if (!found) return new SchemaError("enum");
  }
  const cv = n.constValue;
  if (cv !== null && !jsonEqual(v, cv, budget)) return new SchemaError(budget.left < 0 ? "complexity" : "const");
  let e: SchemaError | null = null;
  if (v.isString()) e = validateString(v.str, n);
  else if (v.isNumber()) e = validateNumber(v.num, n);
  else if (v.isArray()) e = validateArray(v, n, budget);
  else if (v.isObject()) e = validateObject(v, n, budget);
  return e !== null ? e : validateCombinators(v, n, budget);
}

function validateString(s: string, n: SchemaNode): SchemaError | null {
  const len = (n.minLength >= 0 || n.maxLength >= 0) ? <i64>codePointCount(s) : 0;
  if (n.minLength >= 0 && len < n.minLength) return new SchemaError("minLength");
  if (n.maxLength >= 0 && len > n.maxLength) return new SchemaError("maxLength");
  if (n.format.length > 0 && !matchesFormat(s, n.format)) return new SchemaError("format");
  const re = n.pattern;
  if (re !== null && !re.test(s)) return new SchemaError("pattern");
  return null;
}

function validateNumber(x: f64, n: SchemaNode): SchemaError | null {
  if (!isNaN(n.minimum) && x < n.minimum) return new SchemaError("minimum");
  if (!isNaN(n.maximum) && x > n.maximum) return new SchemaError("maximum");
  if (!isNaN(n.exclusiveMinimum) && x <= n.exclusiveMinimum) return new SchemaError("exclusiveMinimum");
  if (!isNaN(n.exclusiveMaximum) && x >= n.exclusiveMaximum) return new SchemaError("exclusiveMaximum");
  if (!isNaN(n.multipleOf)) {
    const q = x / n.multipleOf;
    if (!isFinite(q) || Math.abs(q - Math.round(q)) > 1e-9 * Math.max(1, Math.abs(q))) return new SchemaError("multipleOf");
  }
  return null;
}

function validateArray(v: JsonValue, n: SchemaNode, budget: Budget): SchemaError | null {
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
  return null;
}

function validateObject(v: JsonValue, n: SchemaNode, budget: Budget): SchemaError | null {
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
    if (p >= 0) { const e = validate(v.items[i], n.propertyNodes[p], budget); if (e !== null) return e.at(k); continue; }
    const add = n.additional;
    if (add === null) continue;
    const e = validate(v.items[i], add, budget);
    if (e !== null) return e.keyword == "false" && e.tokens.length == 0 ? new SchemaError("additionalProperties").at(k) : e.at(k);
  }
  return null;
}

function validateCombinators(v: JsonValue, n: SchemaNode, budget: Budget): SchemaError | null {
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

