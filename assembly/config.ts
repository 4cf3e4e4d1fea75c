// Plugin configuration: JSON in, an immutable Policy out, or an error that names the field.
// Runs once per configure, never per request. Pure: no host calls.
import { JsonKind, JsonLimits, JsonValue, kindName, parseJson } from "./json";
import { checkPath } from "./path";
import { Policy, RoutePolicy, UnmatchedRoutes } from "./policy";
import { SpiffePattern, parseSpiffePattern } from "./spiffe";

export const DEFAULT_PEER_HEADER = "x-meshguard-peer-id";

// Headers only the mesh may set, stripped when `strip_headers` is not given. A sidecar whose Envoy
// sets x-forwarded-client-cert itself (forward_client_cert_details: SANITIZE_SET) can list its
// own set instead. The peer header is stripped whatever the list says.
export const DEFAULT_STRIP_HEADERS: string[] = ["x-forwarded-client-cert"];

export const MAX_CONFIG_BYTES = 1 << 20;
export const MAX_ROUTES = 1000;
export const MAX_PATTERNS_PER_ROUTE = 1000;
export const MAX_STRIP_HEADERS = 64;

export class CompileResult {
  constructor(public policy: Policy | null, public error: string) {}
  get ok(): bool { return this.policy !== null; }
}

// Tracks the first error; every check names the field it refuses.
class Compiler {
  error: string = "";
  fail(field: string, message: string): void {
    if (this.error.length == 0) this.error = field + ": " + message;
  }
  get failed(): bool { return this.error.length > 0; }

  expectKind(field: string, v: JsonValue, kind: JsonKind): bool {
    if (v.kind == kind) return true;
    this.fail(field, "expected " + kindName(kind) + ", got " + kindName(v.kind));
    return false;
  }

  onlyKnown(field: string, obj: JsonValue, known: string[]): void {
    for (let i = 0; i < obj.keys.length; i++) {
      if (!known.includes(obj.keys[i])) {
        this.fail(field.length > 0 ? field + "." + obj.keys[i] : obj.keys[i], "unknown field");
        return;
      }
    }
  }
}

export function compileConfig(bytes: Uint8Array): CompileResult {
  if (bytes.length == 0) return new CompileResult(null, "configuration: empty; meshguard needs a policy");
  const parsed = parseJson(bytes, new JsonLimits(MAX_CONFIG_BYTES, 32, 10000, 65536, 64));
  if (!parsed.ok) {
    return new CompileResult(null, "configuration: invalid JSON at byte " + parsed.offset.toString() + ": " + parsed.error);
  }
  const c = new Compiler();
  const root = parsed.value!;
  if (!c.expectKind("configuration", root, JsonKind.Object)) return new CompileResult(null, c.error);
  c.onlyKnown("", root, ["routes", "unmatched_routes", "peer_header", "strip_headers"]);

  const peerHeader = compileHeaderName(c, "peer_header", root.member("peer_header"), DEFAULT_PEER_HEADER);
  const strip = compileStripHeaders(c, root.member("strip_headers"), peerHeader);
  const unmatched = compileUnmatched(c, root.member("unmatched_routes"));
  const routes = compileRoutes(c, root.member("routes"));
  if (c.failed) return new CompileResult(null, c.error);
  return new CompileResult(new Policy(routes, unmatched, peerHeader, strip), "");
}

function isTokenChar(ch: i32): bool {
  // RFC 9110 token characters, lowercase only: Envoy lowercases header names.
  return (ch >= 0x61 && ch <= 0x7a) || (ch >= 0x30 && ch <= 0x39) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(ch));
}

function compileHeaderName(c: Compiler, field: string, v: JsonValue | null, fallback: string): string {
  if (v === null) return fallback;
  if (!c.expectKind(field, v, JsonKind.String)) return fallback;
  const name = v.str;
  if (name.length == 0 || name.length > 256) { c.fail(field, "header name must be 1 to 256 characters"); return fallback; }
  for (let i = 0; i < name.length; i++) {
    if (!isTokenChar(name.charCodeAt(i))) {
      c.fail(field, "\"" + name + "\" is not a lowercase HTTP header name");
      return fallback;
    }
  }
  return name;
}

function compileStripHeaders(c: Compiler, v: JsonValue | null, peerHeader: string): string[] {
  // The peer header is ours: whatever a client sent under that name is dropped.
  const out: string[] = [peerHeader];
  if (v === null) {
    for (let i = 0; i < DEFAULT_STRIP_HEADERS.length; i++) {
      if (!out.includes(DEFAULT_STRIP_HEADERS[i])) out.push(DEFAULT_STRIP_HEADERS[i]);
    }
    return out;
  }
  if (!c.expectKind("strip_headers", v, JsonKind.Array)) return out;
  if (v.items.length > MAX_STRIP_HEADERS) { c.fail("strip_headers", "more than " + MAX_STRIP_HEADERS.toString() + " entries"); return out; }
  for (let i = 0; i < v.items.length; i++) {
    const name = compileHeaderName(c, "strip_headers[" + i.toString() + "]", v.items[i], "");
    if (name.length > 0 && !out.includes(name)) out.push(name);
  }
  return out;
}

function compileUnmatched(c: Compiler, v: JsonValue | null): UnmatchedRoutes {
  if (v === null) return UnmatchedRoutes.Deny;
  if (!c.expectKind("unmatched_routes", v, JsonKind.String)) return UnmatchedRoutes.Deny;
  if (v.str == "deny") return UnmatchedRoutes.Deny;
  if (v.str == "allow") return UnmatchedRoutes.Allow;
  c.fail("unmatched_routes", "must be \"deny\" or \"allow\", got \"" + v.str + "\"");
  return UnmatchedRoutes.Deny;
}

function compileRoutes(c: Compiler, v: JsonValue | null): RoutePolicy[] {
  const routes = new Array<RoutePolicy>(0);
  if (v === null) { c.fail("routes", "required"); return routes; }
  if (!c.expectKind("routes", v, JsonKind.Array)) return routes;
  if (v.items.length > MAX_ROUTES) { c.fail("routes", "more than " + MAX_ROUTES.toString() + " routes"); return routes; }
  for (let i = 0; i < v.items.length; i++) {
    const field = "routes[" + i.toString() + "]";
    const route = compileRoute(c, field, v.items[i]);
    if (route === null) return routes;
    for (let j = 0; j < routes.length; j++) {
      if (routes[j].prefix == route.prefix) { c.fail(field + ".prefix", "duplicate prefix \"" + route.prefix + "\""); return routes; }
    }
    routes.push(route);
  }
  // Longest prefix first, so the most specific route decides. Stable for equal lengths.
  return sortByPrefixLength(routes);
}

function sortByPrefixLength(routes: RoutePolicy[]): RoutePolicy[] {
  const out = routes.slice(0);
  // Insertion sort: few routes, runs once, and stable.
  for (let i = 1; i < out.length; i++) {
    const r = out[i];
    let j = i - 1;
    while (j >= 0 && out[j].prefix.length < r.prefix.length) {
      out[j + 1] = out[j];
      j--;
    }
    out[j + 1] = r;
  }
  return out;
}

function compileRoute(c: Compiler, field: string, v: JsonValue): RoutePolicy | null {
  if (!c.expectKind(field, v, JsonKind.Object)) return null;
  c.onlyKnown(field, v, ["prefix", "allow", "public"]);
  const prefixV = v.member("prefix");
  if (prefixV === null) { c.fail(field + ".prefix", "required"); return null; }
  if (!c.expectKind(field + ".prefix", prefixV, JsonKind.String)) return null;
  const prefix = prefixV.str;
  const check = checkPath(prefix);
  if (!check.ok) { c.fail(field + ".prefix", "\"" + prefix + "\": " + check.error); return null; }
  if (check.path != prefix) { c.fail(field + ".prefix", "must not contain a query string"); return null; }

  let isPublic = false;
  const publicV = v.member("public");
  if (publicV !== null) {
    if (!c.expectKind(field + ".public", publicV, JsonKind.Bool)) return null;
    isPublic = publicV.bool;
  }
  const patterns = new Array<SpiffePattern>(0);
  const allowV = v.member("allow");
  if (allowV === null) {
    if (!isPublic) { c.fail(field + ".allow", "required unless the route is public"); return null; }
  } else {
    if (isPublic) { c.fail(field + ".allow", "a public route takes no allow list"); return null; }
    if (!c.expectKind(field + ".allow", allowV, JsonKind.Array)) return null;
    if (allowV.items.length == 0) { c.fail(field + ".allow", "empty; a route nobody may call is a route to delete"); return null; }
    if (allowV.items.length > MAX_PATTERNS_PER_ROUTE) { c.fail(field + ".allow", "more than " + MAX_PATTERNS_PER_ROUTE.toString() + " entries"); return null; }
    for (let i = 0; i < allowV.items.length; i++) {
      const f = field + ".allow[" + i.toString() + "]";
      const item = allowV.items[i];
      if (!c.expectKind(f, item, JsonKind.String)) return null;
      const parsed = parseSpiffePattern(item.str);
      if (parsed.pattern === null) { c.fail(f, "\"" + item.str + "\": " + parsed.error); return null; }
      patterns.push(parsed.pattern!);
    }
  }
  if (c.failed) return null;
  return new RoutePolicy(prefix, patterns, isPublic);
}
