// Compiling what a route accepts beyond identity: typed path parameters, query parameters, and
// required, forbidden or patterned headers (validate/shape.ts). Pure.
import { HeaderName } from "../lib/headers";
import { JsonKind, JsonValue } from "../lib/json";
import { Regex, compileRegex } from "../lib/regex";
import { HeaderRule, HeaderRuleKind, PathParam, QueryParam, QueryRules, RequestShape, ValueType } from "../validate/shape";
import { ConfigReader, entry } from "./reader";
import { QUERY_PARAM_FIELDS } from "./fields";

const VALUE_TYPES: string[] = ["string", "integer", "number", "boolean", "uuid"];   // ValueType order

function valueType(c: ConfigReader, field: string, v: JsonValue): ValueType {
  if (!c.expectKind(field, v, JsonKind.String)) return ValueType.String;
  const at = VALUE_TYPES.indexOf(v.str);
  if (at >= 0) return <ValueType>at;
  c.fail(field, "\"" + v.str + "\": expected string, integer, number, boolean or uuid");
  return ValueType.String;
}

// The route's shape; null when it declares none of it.
export function compileShape(c: ConfigReader, field: string, v: JsonValue, params: string[]): RequestShape | null {
  const pathParams = compilePathParams(c, field + ".param_types", v.member("param_types"), params);
  const query = compileQuery(c, field, v);
  const headers = new Array<HeaderRule>(0);
  addHeaderRules(c, field + ".required_headers", v.member("required_headers"), HeaderRuleKind.Required, headers);
  addHeaderRules(c, field + ".forbidden_headers", v.member("forbidden_headers"), HeaderRuleKind.Forbidden, headers);
  addHeaderPatterns(c, field + ".header_patterns", v.member("header_patterns"), headers);
  if (c.failed) return null;
  const shape = new RequestShape(pathParams, headers, query);
  return shape.empty ? null : shape;
}

// Only the parameters typed as something other than "string" are checked.
function compilePathParams(c: ConfigReader, field: string, v: JsonValue | null, params: string[]): PathParam[] {
  const out = new Array<PathParam>(0);
  if (v === null || !c.expectKind(field, v, JsonKind.Object)) return out;
  for (let i = 0; i < v.names.length; i++) {
    const name = v.names[i];
    const at = params.indexOf(name);
    if (at < 0) { c.fail(field + "." + name, "the route's path has no {" + name + "}"); break; }
    const t = valueType(c, field + "." + name, v.items[i]);
    if (t != ValueType.String) out.push(new PathParam(name, t, at));
  }
  return out;
}

function compileQuery(c: ConfigReader, field: string, v: JsonValue): QueryRules {
  const params = new Array<QueryParam>(0);
  const q = v.member("query");
  if (q !== null && c.expectKind(field + ".query", q, JsonKind.Object)) {
    for (let i = 0; i < q.names.length; i++) {
      const f = field + ".query." + q.names[i];
      const spec = c.object(f, q.items[i], QUERY_PARAM_FIELDS);
      if (spec === null) break;
      const typeV = spec.member("type");
      const t = typeV !== null ? valueType(c, f + ".type", typeV) : ValueType.String;
      const required = c.bool(f + ".required", spec.member("required"), false);
      const maxLength = <i32>c.wholeNumber(f + ".max_length", spec.member("max_length"), 0, 65536.0, -1);
      const values = c.strings(f + ".enum", spec.member("enum"));
      const re = pattern(c, f + ".pattern", spec.member("pattern"));
      params.push(new QueryParam(q.names[i], t, required, maxLength, values, re));
    }
  }
  return new QueryRules(params, c.bool(field + ".query_additional", v.member("query_additional"), true));
}

function addHeaderRules(c: ConfigReader, field: string, v: JsonValue | null, kind: HeaderRuleKind, out: HeaderRule[]): void {
  const names = c.strings(field, v);
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    if (n != n.toLowerCase() || n.startsWith(":") || n.includes(" ")) { c.fail(entry(field, i), "\"" + n + "\" must be a lowercase header name"); return; }
    out.push(new HeaderRule(kind, new HeaderName(n), null));
  }
}

function addHeaderPatterns(c: ConfigReader, field: string, v: JsonValue | null, out: HeaderRule[]): void {
  if (v === null || !c.expectKind(field, v, JsonKind.Object)) return;
  for (let i = 0; i < v.names.length; i++) {
    const name = v.names[i];
    if (name != name.toLowerCase() || name.startsWith(":")) { c.fail(field + "." + name, "must be a lowercase header name"); return; }
    const re = pattern(c, field + "." + name, v.items[i]);
    if (re === null) return;
    out.push(new HeaderRule(HeaderRuleKind.Pattern, new HeaderName(name), re));
  }
}

function pattern(c: ConfigReader, field: string, v: JsonValue | null): Regex | null {
  if (v === null) return null;
  if (!c.expectKind(field, v, JsonKind.String)) return null;
  const r = compileRegex(v.str);
  if (r.regex === null) { c.fail(field, "\"" + v.str + "\": " + r.error); return null; }
  return r.regex;
}
