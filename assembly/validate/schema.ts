// Schema-lite: a declared subset of JSON Schema, compiled once (schema-compile.ts) and checked
// against a parsed body here. Pure. Errors carry the JSON Pointer of the offending value and the
// keyword that failed.
import { JsonKind, JsonValue } from "../lib/json";
import { Regex } from "../lib/regex";
import { codePointCount, foldCase } from "../lib/text";
import { jsonQuote } from "../reply/reply";
import { Decimal, Divisor, compareDecimal, isMultipleOf, parseDecimal } from "../lib/decimal";
import { decidedByDigits } from "../lib/float";
import { matchesFormat } from "./formats";
import { EQUAL_AS_DOUBLE, isInteger, numberKey, sameNumber } from "./numbers";

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
  // Per name in properties and required: the last string object a document's member name was
  // found equal to (findName).
  propertiesSeen: string[] = [];
  requiredSeen: string[] = [];
  requiredMissed: string | null = null;   // the last name object found absent from required (schema-stream.ts)
  foldedProperties: string[] | null = null;  // properties in ASCII lowercase, made on first use
  additional: SchemaNode | null = null;      // null: any additional property
  items: SchemaNode | null = null;
  minItems: i64 = -1; maxItems: i64 = -1; uniqueItems: bool = false;
  minLength: i64 = -1; maxLength: i64 = -1;
  minimum: f64 = NaN; maximum: f64 = NaN; exclusiveMinimum: f64 = NaN; exclusiveMaximum: f64 = NaN;
  // The bounds as written (null when not a number, or an exponent of over 15 digits): they decide
  // when a value's double equals the bound's (validateNumber).
  minimumExact: Decimal | null = null; maximumExact: Decimal | null = null;
  exclusiveMinimumExact: Decimal | null = null; exclusiveMaximumExact: Decimal | null = null;
  multipleOf: Divisor | null = null;
  minProperties: i64 = -1; maxProperties: i64 = -1;
  format: string = "";
  pattern: Regex | null = null;
  allOf: SchemaNode[] = []; anyOf: SchemaNode[] = []; oneOf: SchemaNode[] = [];
  not: SchemaNode | null = null;
  ref: SchemaNode | null = null;
  refTarget: string = "";
  plan: u8 = 0;                              // how schema-stream.ts checks it; decided on first use
  enumBytes: Uint8Array[] | null = null;     // enumStrings(), made on first use
  enumDecided: bool = false;

  // Whether x is one of the numeric bounds, as a double: then the literals decide.
  touchesBound(x: f64): bool {
    return x == this.minimum || x == this.maximum || x == this.exclusiveMinimum || x == this.exclusiveMaximum;
  }

  // Whether every bound's literal is one a double decides exactly (lib/float.ts, decidedByDigits):
  // then a value whose own literal is one too equals a bound exactly when their doubles are equal.
  boundsDecidedByDouble(): bool {
    return decidedByDouble(this.minimumExact, this.minimum) && decidedByDouble(this.maximumExact, this.maximum) &&
      decidedByDouble(this.exclusiveMinimumExact, this.exclusiveMinimum) && decidedByDouble(this.exclusiveMaximumExact, this.exclusiveMaximum);
  }
}

// The index of `name` in `names`, or -1. `seen` holds, per name, the last string object found
// equal to it: short member names come from lib/intern.ts's table, the same object body after
// body, so a name is usually found by its address alone. The object is held there, so its address
// cannot be reused by another string while it is compared against.
export function findName(names: string[], seen: string[], name: string): i32 {
  const at = changetype<usize>(name);
  const n = seen.length;
  for (let i = 0; i < n; i++) if (changetype<usize>(unchecked(seen[i])) == at) return i;
  const i = names.indexOf(name);
  if (i >= 0 && i < n) unchecked(seen[i] = name);
  return i;
}

// A member that is no declared property but is one to a lenient reader: in other case ("QTY" for
// "qty"; lib/text.ts foldCase), as ASP.NET's System.Text.Json and Go's encoding/json bind names, or
// cut at a NUL ("qty\u0000x"), as a parser handing C strings (cJSON) reads it. That reader takes it
// for the property, which nothing here checked. Refused as "properties". Its index, or -1.
export function propertyInOtherCase(n: SchemaNode, name: string): i32 {
  if (n.properties.length == 0) return -1;
  let folded = n.foldedProperties;
  if (folded === null) {
    folded = new Array<string>(n.properties.length);
    for (let i = 0; i < folded.length; i++) unchecked(folded[i] = foldCase(n.properties[i]));
    n.foldedProperties = folded;
  }
  const nul = name.indexOf("\u0000");
  return folded.indexOf(foldCase(nul < 0 ? name : name.substring(0, nul)));
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
    case JsonKind.Number: return isInteger(v) ? T_INT : T_NUM;
    case JsonKind.String: return T_STR;
    case JsonKind.Array: return T_ARR;
    default: return T_OBJ;
  }
}

// JSON equality: numbers by value as written (numbers.ts), objects regardless of member order.
// Every value compared, and every member looked up, costs the budget one; when it runs out the
// answer is false and the caller reports "complexity" (budget.left < 0).
export function jsonEqual(a: JsonValue, b: JsonValue, budget: Budget): bool {
  if (--budget.left < 0) return false;
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case JsonKind.Null: return true;
    case JsonKind.Bool: return a.bool == b.bool;
    case JsonKind.Number: return sameNumber(a, b);
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

// A text form in which two values are equal exactly when jsonEqual says they are: numbers by value
// (1, 1.0 and 1e0 alike; -0 is 0; numbers.ts), object members in sorted order, strings quoted and
// escaped.
export function canonical(v: JsonValue): string {
  switch (v.kind) {
    case JsonKind.Null: return "n";
    case JsonKind.Bool: return v.bool ? "t" : "f";
    case JsonKind.Number: return "#" + numberKey(v);
    case JsonKind.String: return jsonQuote(v.str, i32.MAX_VALUE, false);
    case JsonKind.Array: {
      let out = "[";
      for (let i = 0; i < v.items.length; i++) out += (i > 0 ? "," : "") + canonical(v.items[i]);
      return out + "]";
    }
    default: return canonicalObject(v);
  }
}

class Member {
  constructor(public readonly name: string, public readonly value: JsonValue) {}
}

function byName(a: Member, b: Member): i32 { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; }

function canonicalObject(v: JsonValue): string {
  const members = new Array<Member>(v.names.length);
  for (let i = 0; i < members.length; i++) members[i] = new Member(v.names[i], v.items[i]);
  members.sort(byName);
  let out = "{";
  for (let i = 0; i < members.length; i++) {
    out += (i > 0 ? "," : "") + jsonQuote(members[i].name, i32.MAX_VALUE, false) + ":" + canonical(members[i].value);
  }
  return out + "}";
}

function escapeToken(k: string): string { return k.replaceAll("~", "~0").replaceAll("/", "~1"); }

// Returns the first failure, or null when the value conforms. `budget` bounds the work (each
// visited node costs one) so a crafted schema cannot make validation unbounded.
// Nesting of validate() calls; compile refuses $ref cycles that never read deeper, and documents
// are at most json_max_depth deep, so this bound is for what slips past both: no stack overflow.
const MAX_NESTING: i32 = 1000;
let nesting: i32 = 0;

export function validate(v: JsonValue, n: SchemaNode, budget: Budget): SchemaError | null {
  if (nesting >= MAX_NESTING) return new SchemaError("complexity");
  nesting++;
  const e = validateNode(v, n, budget);
  nesting--;
  return e;
}

function validateNode(v: JsonValue, n: SchemaNode, budget: Budget): SchemaError | null {
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
  else if (v.isNumber()) e = validateNumber(v, n);
  else if (v.isArray()) e = validateArray(v, n, budget);
  else if (v.isObject()) e = validateObject(v, n, budget);
  return e !== null ? e : validateCombinators(v, n, budget);
}

function validateString(s: string, n: SchemaNode): SchemaError | null {
  const e = lengthError(n, (n.minLength >= 0 || n.maxLength >= 0) ? <i64>codePointCount(s) : 0);
  if (e !== null) return e;
  if (n.format.length > 0 && !matchesFormat(s, n.format)) return new SchemaError("format");
  const re = n.pattern;
  if (re !== null && !re.test(s)) return new SchemaError("pattern");
  return null;
}

export function lengthError(n: SchemaNode, codePoints: i64): SchemaError | null {
  if (n.minLength >= 0 && codePoints < n.minLength) return new SchemaError("minLength");
  if (n.maxLength >= 0 && codePoints > n.maxLength) return new SchemaError("maxLength");
  return null;
}

// A bound's literal (null: none, or not comparable) that its double `x` stands for exactly.
function decidedByDouble(d: Decimal | null, x: f64): bool {
  return d === null || decidedByDigits(d.digits.length, x);
}

// The value against a bound it equals as a double: -1, 0 or 1 by the exact literals, 2 when the
// value's literal is beyond lib/decimal.ts (an exponent of over 15 digits). Rounding to a double
// is monotonic, so doubles that differ already order the literals; only equal ones are ambiguous:
// 9223372036854775808 is 2^63 as a double, like a maximum of 9223372036854775807, and a service
// parsing 64-bit integers sees it over the bound (or wrapped around).
function exactOrder(v: JsonValue, bound: Decimal | null): i32 {
  if (bound === null || v.str === EQUAL_AS_DOUBLE) return 0;
  const d = parseDecimal(v.str);
  return d === null ? 2 : compareDecimal(d, bound);
}

function validateNumber(v: JsonValue, n: SchemaNode): SchemaError | null {
  const x = v.num;
  if (n.touchesBound(x)) {
    const e = exactBounds(v, n);
    if (e !== null) return e;
  }
  if (!isNaN(n.minimum) && x < n.minimum) return new SchemaError("minimum");
  if (!isNaN(n.maximum) && x > n.maximum) return new SchemaError("maximum");
  if (!isNaN(n.exclusiveMinimum) && x <= n.exclusiveMinimum && (x != n.exclusiveMinimum || exactOrder(v, n.exclusiveMinimumExact) <= 0)) return new SchemaError("exclusiveMinimum");
  if (!isNaN(n.exclusiveMaximum) && x >= n.exclusiveMaximum && (x != n.exclusiveMaximum || exactOrder(v, n.exclusiveMaximumExact) >= 0)) return new SchemaError("exclusiveMaximum");
  const m = n.multipleOf;
  if (m !== null) {
    // Exactly, on the literal as written (lib/decimal.ts); a literal whose exponent has more than
    // 15 digits is more work than meshguard does.
    const d = parseDecimal(v.str);
    if (d === null) return new SchemaError(v.str.length > 0 ? "complexity" : "multipleOf");
    if (!isMultipleOf(d, m)) return new SchemaError("multipleOf");
  }
  return null;
}

// A value equal to a bound as a double, judged on the literals: the inclusive bounds' violations
// here (the exclusive ones are judged in place), or "complexity" when the literal cannot be read.
function exactBounds(v: JsonValue, n: SchemaNode): SchemaError | null {
  const x = v.num;
  if (x == n.minimum) { const o = exactOrder(v, n.minimumExact); if (o == 2) return new SchemaError("complexity"); if (o < 0) return new SchemaError("minimum"); }
  if (x == n.maximum) { const o = exactOrder(v, n.maximumExact); if (o == 2) return new SchemaError("complexity"); if (o > 0) return new SchemaError("maximum"); }
  if ((x == n.exclusiveMinimum && exactOrder(v, n.exclusiveMinimumExact) == 2) || (x == n.exclusiveMaximum && exactOrder(v, n.exclusiveMaximumExact) == 2)) return new SchemaError("complexity");
  return null;
}

function validateArray(v: JsonValue, n: SchemaNode, budget: Budget): SchemaError | null {
  const len = <i64>v.items.length;
  if (n.minItems >= 0 && len < n.minItems) return new SchemaError("minItems");
  if (n.maxItems >= 0 && len > n.maxItems) return new SchemaError("maxItems");
  if (n.uniqueItems) {
    // Each item's canonical form (equal values, equal forms) into a set: linear in the array's
    // size, where comparing every pair was quadratic. Each character costs the budget one.
    const seen = new Set<string>();
    for (let i = 0; i < v.items.length; i++) {
      const key = canonical(v.items[i]);
      budget.left -= <i64>key.length;
      if (budget.left < 0) return new SchemaError("complexity");
      if (seen.has(key)) return new SchemaError("uniqueItems").at(i.toString());
      seen.add(key);
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
    const p = findName(n.properties, n.propertiesSeen, k);
    if (p >= 0) { const e = validate(v.items[i], n.propertyNodes[p], budget); if (e !== null) return e.at(k); continue; }
    if (propertyInOtherCase(n, k) >= 0) return new SchemaError("properties").at(k);
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

