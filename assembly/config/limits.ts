// Compiling the policy's numeric limits: rate limits, and the whole-number bounds config.ts uses
// for request limits. Pure.
import { Limit } from "../ratelimit/bucket";
import { Compiler } from "./compile";
import { JsonKind, JsonValue } from "../lib/json";
import { RoutePolicy } from "../authz/policy";
import { KeyKind, KeyPart, LimitRule, RateLimits, WhenFull } from "../ratelimit/limits";
import { QueryParam, RequestShape, ValueType } from "../validate/shape";
import { Regex, compileRegex } from "../lib/regex";

function valueType(c: Compiler, field: string, v: JsonValue): ValueType {
  if (!c.expectKind(field, v, JsonKind.String)) return ValueType.String;
  const s = v.str;
  if (s == "string") return ValueType.String;
  if (s == "integer") return ValueType.Integer;
  if (s == "number") return ValueType.Number;
  if (s == "boolean") return ValueType.Boolean;
  if (s == "uuid") return ValueType.Uuid;
  c.fail(field, "\"" + s + "\": expected string, integer, number, boolean or uuid");
  return ValueType.String;
}

function headerList(c: Compiler, field: string, v: JsonValue | null): string[] {
  const names = c.strings(field, v);
  for (let i = 0; i < names.length; i++) {
    if (names[i] != names[i].toLowerCase() || names[i].startsWith(":") || names[i].includes(" ")) c.fail(field + "[" + i.toString() + "]", "\"" + names[i] + "\" must be a lowercase header name");
  }
  return names;
}

// A route's typed path parameters, query parameters and required or forbidden headers; null when
// the route declares none of them.
export function compileShape(c: Compiler, field: string, v: JsonValue, params: string[]): RequestShape | null {
  const types = new Array<ValueType>(params.length);
  for (let i = 0; i < params.length; i++) types[i] = ValueType.String;
  const pt = v.member("param_types");
  if (pt !== null && c.expectKind(field + ".param_types", pt, JsonKind.Object)) {
    for (let i = 0; i < pt.keys.length; i++) {
      const at = params.indexOf(pt.keys[i]);
      if (at < 0) { c.fail(field + ".param_types." + pt.keys[i], "the route's path has no {" + pt.keys[i] + "}"); return null; }
      types[at] = valueType(c, field + ".param_types." + pt.keys[i], pt.items[i]);
    }
  }
  const query = new Array<QueryParam>(0);
  const q = v.member("query");
  if (q !== null && c.expectKind(field + ".query", q, JsonKind.Object)) {
    for (let i = 0; i < q.keys.length; i++) {
      const f = field + ".query." + q.keys[i];
      const spec = q.items[i];
      if (!c.expectKind(f, spec, JsonKind.Object)) return null;
      c.onlyKnown(f, spec, ["type", "required", "max_length", "enum", "pattern"]);
      const typeV = spec.member("type");
      const t = typeV !== null ? valueType(c, f + ".type", typeV) : ValueType.String;
      const required = c.bool(f + ".required", spec.member("required"), false);
      const maxLength = <i32>wholeNumber(c, f + ".max_length", spec.member("max_length"), 0, 65536.0, -1);
      const values = c.strings(f + ".enum", spec.member("enum"));
      const re = pattern(c, f + ".pattern", spec.member("pattern"));
      query.push(new QueryParam(q.keys[i], t, required, maxLength, values, re));
    }
  }
  const additional = c.bool(field + ".query_additional", v.member("query_additional"), true);
  const required = headerList(c, field + ".required_headers", v.member("required_headers"));
  const forbidden = headerList(c, field + ".forbidden_headers", v.member("forbidden_headers"));
  const patternNames = new Array<string>(0);
  const regexes = new Array<Regex>(0);
  const hp = v.member("header_patterns");
  if (hp !== null && c.expectKind(field + ".header_patterns", hp, JsonKind.Object)) {
    for (let i = 0; i < hp.keys.length; i++) {
      const name = hp.keys[i];
      if (name != name.toLowerCase() || name.startsWith(":")) { c.fail(field + ".header_patterns." + name, "must be a lowercase header name"); return null; }
      const re = pattern(c, field + ".header_patterns." + name, hp.items[i]);
      if (re === null) return null;
      patternNames.push(name);
      regexes.push(re);
    }
  }
  const shape = new RequestShape(params, types, query, additional, encodeAll(required), required, encodeAll(forbidden), forbidden, encodeAll(patternNames), patternNames, regexes);
  return shape.empty ? null : shape;
}

function pattern(c: Compiler, field: string, v: JsonValue | null): Regex | null {
  if (v === null) return null;
  if (!c.expectKind(field, v, JsonKind.String)) return null;
  const r = compileRegex(v.str);
  if (r.regex === null) { c.fail(field, "\"" + v.str + "\": " + r.error); return null; }
  return r.regex;
}

function encodeAll(names: string[]): ArrayBuffer[] {
  const out = new Array<ArrayBuffer>(names.length);
  for (let i = 0; i < names.length; i++) out[i] = String.UTF8.encode(names[i]);
  return out;
}

export function wholeNumber(c: Compiler, field: string, v: JsonValue | null, lo: f64, hi: f64, fallback: i64): i64 {
  if (v === null) return fallback;
  if (!c.expectKind(field, v, JsonKind.Number)) return fallback;
  if (v.num < lo || v.num > hi || Math.floor(v.num) != v.num) {
    c.fail(field, "must be a whole number from " + (<i64>lo).toString() + " to " + (<i64>hi).toString());
    return fallback;
  }
  return <i64>v.num;
}

export const MAX_LIMITS = 64;
export const MAX_SLOTS = 1000000;

function positiveNumber(c: Compiler, field: string, v: JsonValue | null, max: f64): f64 {
  if (v === null) { c.fail(field, "required"); return 1; }
  if (!c.expectKind(field, v, JsonKind.Number)) return 1;
  if (!(v.num > 0) || v.num > max) { c.fail(field, "must be a number above 0 and at most " + max.toString()); return 1; }
  return v.num;
}

function isMetricName(s: string): bool {
  if (s.length == 0 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (!((ch >= 0x61 && ch <= 0x7a) || (ch >= 0x30 && ch <= 0x39) || ch == 0x5f || ch == 0x2d)) return false;
  }
  return true;
}

export function compileRateLimits(c: Compiler, v: JsonValue, routes: RoutePolicy[]): RateLimits | null {
  if (!c.expectKind("rate_limits", v, JsonKind.Object)) return null;
  c.onlyKnown("rate_limits", v, ["limits", "table_slots", "shared", "when_full", "response_headers", "client_ip"]);
  let slots = 10000;
  const slotsV = v.member("table_slots");
  if (slotsV !== null) {
    if (c.expectKind("rate_limits.table_slots", slotsV, JsonKind.Number)) {
      if (slotsV.num < 16 || slotsV.num > <f64>MAX_SLOTS || Math.floor(slotsV.num) != slotsV.num) c.fail("rate_limits.table_slots", "must be a whole number from 16 to " + MAX_SLOTS.toString());
      else slots = <i32>slotsV.num;
    }
  }
  const shared = c.bool("rate_limits.shared", v.member("shared"), true);
  const responseHeaders = c.bool("rate_limits.response_headers", v.member("response_headers"), false);
  let whenFull = WhenFull.Deny;
  const wf = v.member("when_full");
  if (wf !== null && c.expectKind("rate_limits.when_full", wf, JsonKind.String)) {
    if (wf.str == "allow") whenFull = WhenFull.Allow;
    else if (wf.str != "deny") c.fail("rate_limits.when_full", "must be \"deny\" or \"allow\", got \"" + wf.str + "\"");
  }
  let trustedHops = 0;
  const ipV = v.member("client_ip");
  if (ipV !== null && c.expectKind("rate_limits.client_ip", ipV, JsonKind.Object)) {
    c.onlyKnown("rate_limits.client_ip", ipV, ["trusted_hops"]);
    const th = ipV.member("trusted_hops");
    if (th !== null && c.expectKind("rate_limits.client_ip.trusted_hops", th, JsonKind.Number)) {
      if (th.num < 0 || th.num > 16 || Math.floor(th.num) != th.num) c.fail("rate_limits.client_ip.trusted_hops", "must be a whole number from 0 to 16");
      else trustedHops = <i32>th.num;
    }
  }
  const limitsV = v.member("limits");
  const rules = new Array<LimitRule>(0);
  const headerNames = new Array<string>(0);
  let usesClientIp = false;
  if (limitsV === null) { c.fail("rate_limits.limits", "required"); return null; }
  if (!c.expectKind("rate_limits.limits", limitsV, JsonKind.Array)) return null;
  if (limitsV.items.length == 0) { c.fail("rate_limits.limits", "empty"); return null; }
  if (limitsV.items.length > MAX_LIMITS) { c.fail("rate_limits.limits", "more than " + MAX_LIMITS.toString() + " limits"); return null; }
  const routeNames = new Array<string>(0);
  for (let i = 0; i < routes.length; i++) routeNames.push(routes[i].name);
  const names = new Array<string>(0);
  for (let i = 0; i < limitsV.items.length; i++) {
    const f = "rate_limits.limits[" + i.toString() + "]";
    const l = limitsV.items[i];
    if (!c.expectKind(f, l, JsonKind.Object)) return null;
    c.onlyKnown(f, l, ["name", "capacity", "refill", "key", "routes", "mode"]);
    const nameV = l.member("name");
    if (nameV === null) { c.fail(f + ".name", "required"); return null; }
    if (!c.expectKind(f + ".name", nameV, JsonKind.String)) return null;
    if (!isMetricName(nameV.str)) { c.fail(f + ".name", "\"" + nameV.str + "\": use 1 to 64 of a-z, 0-9, '_' and '-' (it names metrics)"); return null; }
    if (names.includes(nameV.str)) { c.fail(f + ".name", "duplicate \"" + nameV.str + "\""); return null; }
    names.push(nameV.str);
    const capacity = positiveNumber(c, f + ".capacity", l.member("capacity"), 1e9);
    const refillV = l.member("refill");
    let rate = 1.0;
    if (refillV === null) { c.fail(f + ".refill", "required, e.g. {\"tokens\": 100, \"seconds\": 60}"); return null; }
    if (c.expectKind(f + ".refill", refillV, JsonKind.Object)) {
      c.onlyKnown(f + ".refill", refillV, ["tokens", "seconds"]);
      const tokens = positiveNumber(c, f + ".refill.tokens", refillV.member("tokens"), 1e9);
      const seconds = positiveNumber(c, f + ".refill.seconds", refillV.member("seconds"), 86400 * 366);
      rate = tokens / seconds;
    }
    if (capacity < 1) { c.fail(f + ".capacity", "must be at least 1 (one request)"); return null; }
    const keyParts = new Array<KeyPart>(0);
    const keyV = l.member("key");
    if (keyV === null) { c.fail(f + ".key", "required: what the bucket is per (e.g. [\"user\"], [\"client_ip\", \"route\"])"); return null; }
    const keys = c.strings(f + ".key", keyV);
    if (keys.length == 0 && !c.failed) { c.fail(f + ".key", "empty; use [\"route\"] for one bucket per route"); return null; }
    for (let k = 0; k < keys.length; k++) {
      const kf = f + ".key[" + k.toString() + "]";
      const s = keys[k];
      if (s == "peer") keyParts.push(new KeyPart(KeyKind.Peer, [], -1));
      else if (s == "user") { keyParts.push(new KeyPart(KeyKind.User, [], -1)); c.usesUserClaims = true; }
      else if (s == "api_client") keyParts.push(new KeyPart(KeyKind.ApiClient, [], -1));
      else if (s == "client_ip") { keyParts.push(new KeyPart(KeyKind.ClientIp, [], -1)); usesClientIp = true; }
      else if (s == "route") keyParts.push(new KeyPart(KeyKind.Route, [], -1));
      else if (s.startsWith("claim:")) {
        keyParts.push(new KeyPart(KeyKind.Claim, c.dottedClaimPath(kf, s.substring(6)), -1));
        c.usesUserClaims = true;
      } else if (s.startsWith("header:")) {
        const h = s.substring(7);
        if (h.length == 0 || h != h.toLowerCase() || h.startsWith(":")) { c.fail(kf, "\"" + s + "\": the header name must be lowercase and not a pseudo-header"); return null; }
        if (!headerNames.includes(h)) headerNames.push(h);
        keyParts.push(new KeyPart(KeyKind.Header, [], headerNames.indexOf(h)));
      } else { c.fail(kf, "\"" + s + "\": expected peer, user, claim:<path>, api_client, client_ip, header:<name> or route"); return null; }
    }
    const limitRoutes = c.strings(f + ".routes", l.member("routes"));
    for (let r = 0; r < limitRoutes.length; r++) {
      if (!routeNames.includes(limitRoutes[r])) { c.fail(f + ".routes[" + r.toString() + "]", "no route is named \"" + limitRoutes[r] + "\""); return null; }
    }
    const audit = c.mode(f + ".mode", l.member("mode"));
    if (c.failed) return null;
    rules.push(new LimitRule(new Limit(nameV.str, i, capacity, rate), keyParts, limitRoutes, audit));
  }
  if (c.failed) return null;
  return new RateLimits(rules, slots, shared, whenFull, responseHeaders, trustedHops, headerNames, usesClientIp);
}

