// Compiling a schema of the subset into SchemaNodes, once (refusing any keyword outside the subset,
// by name, with the JSON Pointer of the place). Pure.
import { Decimal, MAX_DIVISOR_DIGITS, divisorOf, parseDecimal } from "../lib/decimal";
import { JsonValue } from "../lib/json";
import { compileRegex } from "../lib/regex";
import { FORMATS } from "./formats";
import { ANNOTATIONS, KEYWORDS, SchemaNode, T_ARR, T_BOOL, T_INT, T_NULL, T_NUM, T_OBJ, T_STR } from "./schema";

export class SchemaCompile {
  constructor(public node: SchemaNode | null, public error: string) {}
}

// The drafts a root `$schema` may name. Drafts 4, 6 and 7 differ where it matters here: a `$ref`
// there overrides its siblings (from 2019-09 on, they apply beside it). No `$schema`: 2020-12.
const LEGACY_DRAFTS: string[] = ["json-schema.org/draft-04/schema", "json-schema.org/draft-06/schema", "json-schema.org/draft-07/schema"];
const CURRENT_DRAFTS: string[] = ["json-schema.org/draft/2019-09/schema", "json-schema.org/draft/2020-12/schema"];

function draftOf(uri: string): i32 {
  let u = uri;
  if (u.startsWith("https://")) u = u.substring(8); else if (u.startsWith("http://")) u = u.substring(7); else return -1;
  if (u.endsWith("#")) u = u.substring(0, u.length - 1);
  if (LEGACY_DRAFTS.includes(u)) return 0;
  if (CURRENT_DRAFTS.includes(u)) return 1;
  return -1;
}

class SchemaCompiler {
  error: string = "";
  legacyRef: bool = false;        // draft 4, 6 or 7: `$ref` overrides its siblings
  pending: SchemaNode[] = [];     // nodes with a $ref to resolve once everything is compiled
  targets: string[] = [];         // each $ref target compiled once, shared (cycles allowed)
  targetNodes: SchemaNode[] = [];
  constructor(public root: JsonValue) {}
  fail(at: string, message: string): void { if (this.error.length == 0) this.error = (at.length > 0 ? at : "/") + ": " + message; }
}

export function compileSchema(schema: JsonValue): SchemaCompile {
  const c = new SchemaCompiler(schema);
  const declared = schema.isObject() ? schema.member("$schema") : null;
  if (declared !== null) {
    const draft = declared.isString() ? draftOf(declared.str) : -1;
    if (draft < 0) return new SchemaCompile(null, "/$schema: not a JSON Schema draft meshguard knows (draft 4, 6, 7, 2019-09, 2020-12); custom meta-schemas and vocabularies are outside its subset");
    c.legacyRef = draft == 0;
  }
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
  // A cycle through $ref and the combinators alone comes back to the same value: validation
  // would never end. Refused here, by the $ref that closes it (schema.ts also bounds the nesting).
  if (c.error.length == 0) {
    const at = inPlaceCycle(node);
    if (at !== null) c.fail(at.refTarget, "$ref cycle that never reads deeper into the document (validation would never end)");
  }
  return c.error.length > 0 ? new SchemaCompile(null, c.error) : new SchemaCompile(node, "");
}

// The nodes that check the same value as `n` (not a member or an item of it).
function inPlace(n: SchemaNode): SchemaNode[] {
  const out: SchemaNode[] = [];
  const ref = n.ref;
  if (ref !== null) out.push(ref);
  for (let i = 0; i < n.allOf.length; i++) out.push(n.allOf[i]);
  for (let i = 0; i < n.anyOf.length; i++) out.push(n.anyOf[i]);
  for (let i = 0; i < n.oneOf.length; i++) out.push(n.oneOf[i]);
  const not = n.not;
  if (not !== null) out.push(not);
  return out;
}

// A node on a cycle of in-place edges, or null. Every node reachable from the root is visited
// (members and items included); the search along in-place edges colours each node once.
function inPlaceCycle(root: SchemaNode): SchemaNode | null {
  const all: SchemaNode[] = [];
  const reached = new Set<usize>();
  const todo: SchemaNode[] = [root];
  while (todo.length > 0) {
    const n = todo.pop();
    const id = changetype<usize>(n);
    if (reached.has(id)) continue;
    reached.add(id);
    all.push(n);
    const near = inPlace(n);
    for (let i = 0; i < near.length; i++) todo.push(near[i]);
    for (let i = 0; i < n.propertyNodes.length; i++) todo.push(n.propertyNodes[i]);
    const add = n.additional;
    if (add !== null) todo.push(add);
    const items = n.items;
    if (items !== null) todo.push(items);
  }
  const colour = new Map<usize, u8>();   // 1: on the path being searched, 2: no cycle through it
  for (let i = 0; i < all.length; i++) {
    const at = cycleFrom(all[i], colour);
    if (at !== null) return at;
  }
  return null;
}

function cycleFrom(n: SchemaNode, colour: Map<usize, u8>): SchemaNode | null {
  const id = changetype<usize>(n);
  const c = colour.has(id) ? colour.get(id) : <u8>0;
  if (c == 1) return n;
  if (c == 2) return null;
  colour.set(id, 1);
  const near = inPlace(n);
  for (let i = 0; i < near.length; i++) {
    const at = cycleFrom(near[i], colour);
    if (at !== null) return at;
  }
  colour.set(id, 2);
  return null;
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

// A bound's literal as written, for values whose double equals the bound's (schema.ts).
function literal(v: JsonValue): Decimal | null {
  return v.isNumber() ? parseDecimal(v.str) : null;
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
    // A schema resource inside the schema changes what `$ref`s below it point at; meshguard
    // resolves references against the root only, so it refuses them rather than guess.
    if (at.length > 0 && (k == "$id" || k == "id" || k == "$schema")) { c.fail(at + "/" + k, "a nested " + k + " (a schema resource inside the schema) is outside meshguard's schema subset"); return n; }
  }
  // Drafts 4 to 7: beside `$ref`, every other keyword is ignored.
  const legacyRef = c.legacyRef && s.member("$ref") !== null;
  for (let i = 0; i < s.names.length && c.error.length == 0; i++) {
    const k = s.names[i];
    if (legacyRef && k != "$ref") continue;
    const v = s.items[i];
    if (!compileStructure(c, n, k, v, at, depth) && !compileBound(c, n, k, v, at)) compileOther(c, n, k, v, at, depth);
  }
  if (legacyRef) return n;
  // Draft 4 boolean exclusives.
  const exMin = s.member("exclusiveMinimum");
  if (exMin !== null && exMin.isBool() && exMin.bool) {
    n.exclusiveMinimum = n.minimum; n.minimum = NaN; n.exclusiveMinimumExact = n.minimumExact; n.minimumExact = null;
  }
  const exMax = s.member("exclusiveMaximum");
  if (exMax !== null && exMax.isBool() && exMax.bool) {
    n.exclusiveMaximum = n.maximum; n.maximum = NaN; n.exclusiveMaximumExact = n.maximumExact; n.maximumExact = null;
  }
  const nullable = s.member("nullable");
  if (nullable !== null && nullable.isBool() && nullable.bool) n.types |= T_NULL;
  return n;
}

// type, enum, const, properties, required, additionalProperties, items. False: not one of them.
function compileStructure(c: SchemaCompiler, n: SchemaNode, k: string, v: JsonValue, at: string, depth: i32): bool {
  const here = at + "/" + k;
  if (k == "type") compileType(c, n, v, here);
  else if (k == "enum") { if (!v.isArray()) c.fail(here, "must be a list"); else n.enumValues = v.items; }
  else if (k == "const") n.constValue = v;
  else if (k == "properties") {
    if (!v.isObject()) { c.fail(here, "must be an object"); return true; }
    for (let j = 0; j < v.names.length; j++) { n.properties.push(v.names[j]); n.propertiesSeen.push(v.names[j]); n.propertyNodes.push(compileNode(c, v.items[j], here + "/" + v.names[j], depth + 1)); }
  } else if (k == "required") {
    if (!v.isArray()) { c.fail(here, "must be a list of names"); return true; }
    for (let j = 0; j < v.items.length; j++) { if (!v.items[j].isString()) { c.fail(here, "must be a list of names"); break; } n.required.push(v.items[j].str); n.requiredSeen.push(v.items[j].str); }
  } else if (k == "additionalProperties") n.additional = compileNode(c, v, here, depth + 1);
  else if (k == "items") {
    if (v.isArray()) { c.fail(here, "tuple form (a list of schemas) is outside meshguard's schema subset"); return true; }
    n.items = compileNode(c, v, here, depth + 1);
  } else return false;
  return true;
}

function compileType(c: SchemaCompiler, n: SchemaNode, v: JsonValue, here: string): void {
  if (v.isString()) { n.types = typeBit(v.str); if (n.types == 0) c.fail(here, "unknown type \"" + v.str + "\""); return; }
  if (!v.isArray()) { c.fail(here, "must be a string or a list of strings"); return; }
  n.types = 0;
  for (let j = 0; j < v.items.length; j++) {
    const b = v.items[j].isString() ? typeBit(v.items[j].str) : 0;
    if (b == 0) { c.fail(here, "unknown type"); return; }
    n.types |= b;
  }
}

// Sizes and numeric bounds. False: not one of them.
function compileBound(c: SchemaCompiler, n: SchemaNode, k: string, v: JsonValue, at: string): bool {
  const here = at + "/" + k;
  if (k == "minItems") n.minItems = count(c, at, v, k);
  else if (k == "maxItems") n.maxItems = count(c, at, v, k);
  else if (k == "uniqueItems") { if (!v.isBool()) c.fail(here, "must be a boolean"); else n.uniqueItems = v.bool; }
  else if (k == "minLength") n.minLength = count(c, at, v, k);
  else if (k == "maxLength") n.maxLength = count(c, at, v, k);
  else if (k == "minProperties") n.minProperties = count(c, at, v, k);
  else if (k == "maxProperties") n.maxProperties = count(c, at, v, k);
  else if (k == "minimum") { n.minimum = number(c, at, v, k); n.minimumExact = literal(v); }
  else if (k == "maximum") { n.maximum = number(c, at, v, k); n.maximumExact = literal(v); }
  else if (k == "exclusiveMinimum" || k == "exclusiveMaximum") {
    // Draft 6+: a number. Draft 4: a boolean that makes minimum/maximum exclusive.
    if (!v.isBool() && !v.isNumber()) { c.fail(here, "must be a number (or, draft 4, a boolean)"); return true; }
    if (v.isNumber()) {
      if (k == "exclusiveMinimum") { n.exclusiveMinimum = v.num; n.exclusiveMinimumExact = literal(v); }
      else { n.exclusiveMaximum = v.num; n.exclusiveMaximumExact = literal(v); }
    }
  }
  else if (k == "multipleOf") {
    const d = v.isNumber() ? parseDecimal(v.str) : null;
    const divisor = d !== null ? divisorOf(d) : null;
    if (divisor === null) c.fail(here, "must be a number above 0 with at most " + MAX_DIVISOR_DIGITS.toString() + " significant digits");
    n.multipleOf = divisor;
  }
  else return false;
  return true;
}

// nullable, format, the combinators, pattern, $ref.
function compileOther(c: SchemaCompiler, n: SchemaNode, k: string, v: JsonValue, at: string, depth: i32): void {
  const here = at + "/" + k;
  if (k == "nullable") { if (!v.isBool()) c.fail(here, "must be a boolean"); }
  else if (k == "format") {
    if (!v.isString()) { c.fail(here, "must be a string"); return; }
    if (!FORMATS.includes(v.str)) { c.fail(here, "format \"" + v.str + "\" is outside meshguard's schema subset"); return; }
    n.format = v.str;
  }
  else if (k == "allOf" || k == "anyOf" || k == "oneOf") {
    if (!v.isArray() || v.items.length == 0) { c.fail(here, "must be a non-empty list of schemas"); return; }
    const list = k == "allOf" ? n.allOf : k == "anyOf" ? n.anyOf : n.oneOf;
    for (let j = 0; j < v.items.length; j++) list.push(compileNode(c, v.items[j], here + "/" + j.toString(), depth + 1));
  }
  else if (k == "not") n.not = compileNode(c, v, here, depth + 1);
  else if (k == "pattern") {
    if (!v.isString()) { c.fail(here, "must be a string"); return; }
    const r = compileRegex(v.str);
    if (r.regex === null) { c.fail(here, "\"" + v.str + "\": " + r.error); return; }
    n.pattern = r.regex;
  }
  else if (k == "$ref") {
    if (!v.isString() || !v.str.startsWith("#")) { c.fail(here, "only local references (\"#...\") are in meshguard's schema subset"); return; }
    n.refTarget = v.str;
    c.pending.push(n);
  }
}
