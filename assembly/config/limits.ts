// Compiling rate_limits: the limits, what each bucket is per, and the table they share. Pure.
import { RoutePolicy } from "../authz/route";
import { HeaderName } from "../lib/headers";
import { JsonKind, JsonValue } from "../lib/json";
import { Limit } from "../ratelimit/bucket";
import { BucketPart, LimitRule, PartKind, RateLimits, WhenFull } from "../ratelimit/limits";
import { ConfigReader } from "./reader";
import { CLIENT_IP_FIELDS, LIMIT_FIELDS, RATE_LIMITS_FIELDS, REFILL_FIELDS } from "./fields";

export const MAX_LIMITS = 64;
export const MAX_SLOTS = 1000000;

function isMetricName(s: string): bool {
  if (s.length == 0 || s.length > 64) return false;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (!((ch >= 0x61 && ch <= 0x7a) || (ch >= 0x30 && ch <= 0x39) || ch == 0x5f || ch == 0x2d)) return false;
  }
  return true;
}

// What the limits read from a request, gathered while they compile.
class LimitReads {
  headers: string[] = [];   // headers some bucket is per
  clientIp: bool = false;
  names: string[] = [];     // limit names so far (they name metrics: unique)
  constructor(public readonly routeNames: string[]) {}
}

export function compileRateLimits(c: ConfigReader, v: JsonValue, routes: RoutePolicy[]): RateLimits | null {
  if (c.object("rate_limits", v, RATE_LIMITS_FIELDS) === null) return null;
  const slots = <i32>c.wholeNumber("rate_limits.table_slots", v.member("table_slots"), 16, <f64>MAX_SLOTS, 10000);
  const shared = c.bool("rate_limits.shared", v.member("shared"), true);
  const responseHeaders = c.bool("rate_limits.response_headers", v.member("response_headers"), false);
  const whenFull = c.choice("rate_limits.when_full", v.member("when_full"), ["deny", "allow"], 0) == 1 ? WhenFull.Allow : WhenFull.Deny;
  let trustedHops = 0;
  const ip = c.object("rate_limits.client_ip", v.member("client_ip"), CLIENT_IP_FIELDS);
  if (ip !== null) trustedHops = <i32>c.wholeNumber("rate_limits.client_ip.trusted_hops", ip.member("trusted_hops"), 0, 16, 0);
  const limitsV = v.member("limits");
  if (limitsV === null) { c.fail("rate_limits.limits", "required"); return null; }
  if (!c.expectKind("rate_limits.limits", limitsV, JsonKind.Array)) return null;
  if (limitsV.items.length == 0) { c.fail("rate_limits.limits", "empty"); return null; }
  if (limitsV.items.length > MAX_LIMITS) { c.fail("rate_limits.limits", "more than " + MAX_LIMITS.toString() + " limits"); return null; }
  const routeNames = new Array<string>(0);
  for (let i = 0; i < routes.length; i++) routeNames.push(routes[i].name);
  const reads = new LimitReads(routeNames);
  const rules = new Array<LimitRule>(0);
  for (let i = 0; i < limitsV.items.length; i++) {
    const rule = compileLimit(c, "rate_limits.limits[" + i.toString() + "]", limitsV.items[i], i, reads);
    if (rule === null) return null;
    rules.push(rule);
  }
  if (c.failed) return null;
  const headers = new Array<HeaderName>(reads.headers.length);
  for (let i = 0; i < headers.length; i++) headers[i] = new HeaderName(reads.headers[i]);
  return new RateLimits(rules, slots, shared, whenFull, responseHeaders, trustedHops, headers, reads.clientIp);
}

function compileLimit(c: ConfigReader, f: string, l: JsonValue, index: i32, reads: LimitReads): LimitRule | null {
  if (c.object(f, l, LIMIT_FIELDS) === null) return null;
  const nameV = l.member("name");
  if (nameV === null) { c.fail(f + ".name", "required"); return null; }
  if (!c.expectKind(f + ".name", nameV, JsonKind.String)) return null;
  const name = nameV.str;
  if (!isMetricName(name)) { c.fail(f + ".name", "\"" + name + "\": use 1 to 64 of a-z, 0-9, '_' and '-' (it names metrics)"); return null; }
  if (reads.names.includes(name)) { c.fail(f + ".name", "duplicate \"" + name + "\""); return null; }
  reads.names.push(name);
  const capacity = c.positiveNumber(f + ".capacity", l.member("capacity"), 1e9);
  const refill = c.object(f + ".refill", l.member("refill"), REFILL_FIELDS);
  if (l.member("refill") === null) { c.fail(f + ".refill", "required, e.g. {\"tokens\": 100, \"seconds\": 60}"); return null; }
  let rate = 1.0;
  if (refill !== null) {
    const tokens = c.positiveNumber(f + ".refill.tokens", refill.member("tokens"), 1e9);
    const seconds = c.positiveNumber(f + ".refill.seconds", refill.member("seconds"), 86400 * 366);
    rate = tokens / seconds;
  }
  if (capacity < 1) { c.fail(f + ".capacity", "must be at least 1 (one request)"); return null; }
  const bucket = compileBucket(c, f + ".key", l.member("key"), reads);
  const limitRoutes = c.strings(f + ".routes", l.member("routes"));
  for (let r = 0; r < limitRoutes.length; r++) {
    if (!reads.routeNames.includes(limitRoutes[r])) { c.fail(f + ".routes[" + r.toString() + "]", "no route is named \"" + limitRoutes[r] + "\""); return null; }
  }
  const audit = c.mode(f + ".mode", l.member("mode"));
  if (c.failed) return null;
  return new LimitRule(new Limit(name, index, capacity, rate), bucket, limitRoutes, audit);
}

// The limit's `key`: what a bucket is per, in any combination.
function compileBucket(c: ConfigReader, field: string, v: JsonValue | null, reads: LimitReads): BucketPart[] {
  const parts = new Array<BucketPart>(0);
  if (v === null) { c.fail(field, "required: what the bucket is per (e.g. [\"user\"], [\"client_ip\", \"route\"])"); return parts; }
  const names = c.strings(field, v);
  if (names.length == 0 && !c.failed) { c.fail(field, "empty; use [\"route\"] for one bucket per route"); return parts; }
  for (let k = 0; k < names.length; k++) {
    const part = compileBucketPart(c, field + "[" + k.toString() + "]", names[k], reads);
    if (part === null) break;
    parts.push(part);
  }
  return parts;
}

function compileBucketPart(c: ConfigReader, kf: string, s: string, reads: LimitReads): BucketPart | null {
  if (s == "peer") return new BucketPart(PartKind.Peer, [], -1);
  if (s == "user") { c.usesUserClaims = true; return new BucketPart(PartKind.User, [], -1); }
  if (s == "api_client") return new BucketPart(PartKind.ApiClient, [], -1);
  if (s == "client_ip") { reads.clientIp = true; return new BucketPart(PartKind.ClientIp, [], -1); }
  if (s == "route") return new BucketPart(PartKind.Route, [], -1);
  if (s.startsWith("claim:")) { c.usesUserClaims = true; return new BucketPart(PartKind.Claim, c.dottedClaimPath(kf, s.substring(6)), -1); }
  if (s.startsWith("header:")) {
    const h = s.substring(7);
    if (h.length == 0 || h != h.toLowerCase() || h.startsWith(":")) { c.fail(kf, "\"" + s + "\": the header name must be lowercase and not a pseudo-header"); return null; }
    if (!reads.headers.includes(h)) reads.headers.push(h);
    return new BucketPart(PartKind.Header, [], reads.headers.indexOf(h));
  }
  c.fail(kf, "\"" + s + "\": expected peer, user, claim:<path>, api_client, client_ip, header:<name> or route");
  return null;
}
