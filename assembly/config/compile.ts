// Plugin configuration: JSON in, an immutable Policy out, or an error that names the field.
// Runs once per configure, never per request. Pure: no host calls. The format is documented in
// the README ("A policy"); every field is checked, and unknown fields are refused.
import { ApiClient, ClaimPath, JwtSettings } from "../identity/caller";
import { JsonKind, JsonLimits, JsonValue, kindName, parseJson } from "../lib/json";
import { ApiKey, Policy, RoutePolicy, UnmatchedRoutes } from "../authz/policy";
import { RateLimits } from "../ratelimit/limits";
import { HeaderLimits, mediaType } from "../validate/hygiene";
import { compileRateLimits, compileShape, wholeNumber } from "./limits";
import { SchemaNode, compileSchema } from "../validate/schema";

// Safe defaults for request hygiene: as many headers as Envoy allows by default (100), room for a
// large token, and a 1 MiB body (Envoy's default buffer limit).
export const DEFAULT_MAX_HEADERS = 100;
export const DEFAULT_MAX_HEADER_BYTES = 65536;
export const DEFAULT_MAX_HEADER_VALUE_BYTES = 32768;
export const DEFAULT_MAX_BODY_BYTES: i64 = 1 << 20;

import { compileTemplate, isMethodToken } from "../authz/template";
import { ClaimCondition, ParamBinding, Rule } from "../authz/rules";
import { parseHexDigest } from "../lib/sha256";
import { SPIFFE_SCHEME, SpiffePattern, parseSpiffeId, parseSpiffePattern } from "../identity/spiffe";

export const DEFAULT_PEER_HEADER = "x-meshguard-peer-id";
export const DEFAULT_USER_HEADER = "x-meshguard-user";
export const DEFAULT_CLIENT_HEADER = "x-meshguard-api-client";
// Headers only the mesh may set, stripped when `strip_headers` is not given. A sidecar whose Envoy
// sets x-forwarded-client-cert itself (forward_client_cert_details: SANITIZE_SET) can list its
// own set instead. The identity headers meshguard forwards are stripped whatever the list says.
export const DEFAULT_STRIP_HEADERS: string[] = ["x-forwarded-client-cert"];
// Headers some frameworks read to replace the request's method (method_override: strip).
export const METHOD_OVERRIDE_HEADERS: string[] = ["x-http-method-override", "x-http-method", "x-method-override"];
export const DEFAULT_JWT_NAMESPACE = "envoy.filters.http.jwt_authn";
export const DEFAULT_JWT_PAYLOAD_KEY = "jwt_payload";

export const MAX_CONFIG_BYTES = 4 << 20;
export const MAX_ROUTES = 5000;
export const MAX_RULES_PER_ROUTE = 1000;
export const MAX_LIST = 1000;
export const MAX_STRIP_HEADERS = 64;
export const MAX_API_KEYS = 10000;

export class CompileResult {
  constructor(public policy: Policy | null, public error: string) {}
  get ok(): bool { return this.policy !== null; }
}

// Tracks the first error; every check names the field it refuses.
export class Compiler {
  error: string = "";
  usesUserClaims: bool = false;
  clients: string[] = [];
  trustDomains: string[] = [];   // trust_domains; empty: any

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

  bool(field: string, v: JsonValue | null, fallback: bool): bool {
    if (v === null) return fallback;
    if (!this.expectKind(field, v, JsonKind.Bool)) return fallback;
    return v.bool;
  }

  // A list of non-empty strings, at most MAX_LIST, no duplicates.
  strings(field: string, v: JsonValue | null): string[] {
    const out = new Array<string>(0);
    if (v === null) return out;
    if (!this.expectKind(field, v, JsonKind.Array)) return out;
    if (v.items.length > MAX_LIST) { this.fail(field, "more than " + MAX_LIST.toString() + " entries"); return out; }
    for (let i = 0; i < v.items.length; i++) {
      const f = field + "[" + i.toString() + "]";
      if (!this.expectKind(f, v.items[i], JsonKind.String)) return out;
      const s = v.items[i].str;
      if (s.length == 0) { this.fail(f, "empty"); return out; }
      if (out.includes(s)) { this.fail(f, "duplicate \"" + s + "\""); return out; }
      out.push(s);
    }
    return out;
  }

  // "enforce" (false) or "audit" (true).
  mode(field: string, v: JsonValue | null): bool {
    if (v === null) return false;
    if (!this.expectKind(field, v, JsonKind.String)) return false;
    if (v.str == "enforce") return false;
    if (v.str == "audit") return true;
    this.fail(field, "must be \"enforce\" or \"audit\", got \"" + v.str + "\"");
    return false;
  }

  // "a.b.c" or ["a", "b.c"] (for claim names that contain dots, such as URLs).
  claimPath(field: string, v: JsonValue): ClaimPath {
    if (v.isString()) return this.dottedClaimPath(field, v.str);
    const out = new Array<string>(0);
    if (v.isArray()) {
      const parts = this.strings(field, v);
      if (parts.length == 0 && !this.failed) this.fail(field, "empty claim path");
      return parts;
    }
    this.fail(field, "expected a claim path (string or list of strings), got " + kindName(v.kind));
    return out;
  }

  dottedClaimPath(field: string, s: string): ClaimPath {
    const out = new Array<string>(0);
    const parts = s.split(".");
    for (let i = 0; i < parts.length; i++) {
      if (parts[i].length == 0) { this.fail(field, "empty segment in claim path \"" + s + "\""); return out; }
      out.push(parts[i]);
    }
    return out;
  }
}

export function compileConfig(bytes: Uint8Array): CompileResult {
  if (bytes.length == 0) return new CompileResult(null, "configuration: empty; meshguard needs a policy");
  const parsed = parseJson(bytes, new JsonLimits(MAX_CONFIG_BYTES, 32, 100000, 65536, 64));
  if (!parsed.ok) {
    return new CompileResult(null, "configuration: invalid JSON at byte " + parsed.offset.toString() + ": " + parsed.error);
  }
  const c = new Compiler();
  const root = parsed.value!;
  if (!c.expectKind("configuration", root, JsonKind.Object)) return new CompileResult(null, c.error);
  c.onlyKnown("", root, ["routes", "mode", "unmatched_routes", "peer_header", "user_header", "client_header", "strip_headers", "method_override", "trust_domains", "require_peer", "jwt", "api_keys", "rate_limits", "request_limits"]);

  const audit = c.mode("mode", root.member("mode"));
  const peerHeader = compileHeaderName(c, "peer_header", root.member("peer_header"), DEFAULT_PEER_HEADER);
  const userHeader = compileHeaderName(c, "user_header", root.member("user_header"), DEFAULT_USER_HEADER);
  const clientHeader = compileHeaderName(c, "client_header", root.member("client_header"), DEFAULT_CLIENT_HEADER);
  const methodOverride = compileMethodOverride(c, root.member("method_override"));
  const always = [peerHeader, userHeader, clientHeader];
  if (!methodOverride) for (let i = 0; i < METHOD_OVERRIDE_HEADERS.length; i++) always.push(METHOD_OVERRIDE_HEADERS[i]);
  const strip = compileStripHeaders(c, root.member("strip_headers"), always);
  c.trustDomains = compileTrustDomains(c, root.member("trust_domains"));
  const requirePeer = c.bool("require_peer", root.member("require_peer"), false);
  const unmatched = compileUnmatched(c, root.member("unmatched_routes"));
  const keysV = root.member("api_keys");
  let apiKeyHeader = "";
  const apiKeys = new Array<ApiKey>(0);
  if (keysV !== null) apiKeyHeader = compileApiKeys(c, keysV, apiKeys);
  const routes = compileRoutes(c, root.member("routes"));
  const limitsV = root.member("request_limits");
  let maxHeaders = DEFAULT_MAX_HEADERS;
  let maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES;
  let maxValueBytes = DEFAULT_MAX_HEADER_VALUE_BYTES;
  let maxBody: i64 = DEFAULT_MAX_BODY_BYTES;
  let jsonDepth = 32;
  let jsonMembers = 10000;
  let jsonString = 65536;
  let jsonNumber = 1024;   // RFC 8259 sets no bound; this admits every ordinary number (JSONTestSuite y_ cases)
  if (limitsV !== null && c.expectKind("request_limits", limitsV, JsonKind.Object)) {
    c.onlyKnown("request_limits", limitsV, ["max_headers", "max_header_bytes", "max_header_value_bytes", "max_body_bytes", "json_max_depth", "json_max_members", "json_max_string_bytes", "json_max_number_chars"]);
    jsonDepth = <i32>wholeNumber(c, "request_limits.json_max_depth", limitsV.member("json_max_depth"), 1, 256.0, jsonDepth);
    jsonMembers = <i32>wholeNumber(c, "request_limits.json_max_members", limitsV.member("json_max_members"), 1, 1000000.0, jsonMembers);
    jsonString = <i32>wholeNumber(c, "request_limits.json_max_string_bytes", limitsV.member("json_max_string_bytes"), 1, 16777216.0, jsonString);
    jsonNumber = <i32>wholeNumber(c, "request_limits.json_max_number_chars", limitsV.member("json_max_number_chars"), 1, 65536.0, jsonNumber);
    maxHeaders = <i32>wholeNumber(c, "request_limits.max_headers", limitsV.member("max_headers"), 1, 10000, maxHeaders);
    maxHeaderBytes = <i32>wholeNumber(c, "request_limits.max_header_bytes", limitsV.member("max_header_bytes"), 256, 1048576.0, maxHeaderBytes);
    maxValueBytes = <i32>wholeNumber(c, "request_limits.max_header_value_bytes", limitsV.member("max_header_value_bytes"), 64, 1048576.0, maxValueBytes);
    maxBody = wholeNumber(c, "request_limits.max_body_bytes", limitsV.member("max_body_bytes"), 0, 1099511627776.0, maxBody);
  }
  const rlV = root.member("rate_limits");
  let rateLimits: RateLimits | null = null;
  if (rlV !== null) rateLimits = compileRateLimits(c, rlV, routes);
  const jwtV = root.member("jwt");
  let jwt: JwtSettings | null = null;
  if (jwtV !== null || c.usesUserClaims) jwt = compileJwt(c, jwtV);
  if (c.failed) return new CompileResult(null, c.error);
  const policy = new Policy(routes, unmatched, audit, peerHeader, userHeader, clientHeader, strip, jwt, apiKeyHeader, apiKeys, rateLimits,
    new HeaderLimits(maxHeaders, maxHeaderBytes, maxValueBytes), maxBody,
    new JsonLimits(0, jsonDepth, jsonMembers, jsonString, jsonNumber));
  policy.trustDomains = c.trustDomains;
  policy.requirePeer = requirePeer;
  return new CompileResult(policy, "");
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

// "strip" (the default): the method-override headers never reach the service, so a method the
// policy allowed (GET) cannot become another (DELETE) behind it. "keep": the service relies on
// them, and the policy's method checks then cover only what Envoy saw.
function compileMethodOverride(c: Compiler, v: JsonValue | null): bool {
  if (v === null) return false;
  if (!c.expectKind("method_override", v, JsonKind.String)) return false;
  if (v.str == "strip") return false;
  if (v.str == "keep") return true;
  c.fail("method_override", "must be \"strip\" or \"keep\", got \"" + v.str + "\"");
  return false;
}

// Trust domains whose workloads may call (SPIFFE trust domain names). A peer from any other is
// untrusted: refused on routes that are not public, never forwarded as an identity.
function compileTrustDomains(c: Compiler, v: JsonValue | null): string[] {
  const list = c.strings("trust_domains", v);
  if (v !== null && list.length == 0 && !c.failed) c.fail("trust_domains", "empty: name at least one trust domain, or leave the field out");
  for (let i = 0; i < list.length; i++) {
    const parsed = parseSpiffeId(SPIFFE_SCHEME + list[i]);
    if (parsed === null || parsed.segments.length > 0) { c.fail("trust_domains[" + i.toString() + "]", "\"" + list[i] + "\" is not a SPIFFE trust domain name (lowercase letters, digits, '.', '-', '_')"); break; }
  }
  return list;
}

function compileStripHeaders(c: Compiler, v: JsonValue | null, always: string[]): string[] {
  const out = always.slice(0);
  if (v === null) {
    for (let i = 0; i < DEFAULT_STRIP_HEADERS.length; i++) if (!out.includes(DEFAULT_STRIP_HEADERS[i])) out.push(DEFAULT_STRIP_HEADERS[i]);
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

function compileJwt(c: Compiler, v: JsonValue | null): JwtSettings {
  let namespace = DEFAULT_JWT_NAMESPACE;
  let keys: string[] = [DEFAULT_JWT_PAYLOAD_KEY];
  let subject: ClaimPath = ["sub"];
  let roles: ClaimPath = ["roles"];
  let scopes: ClaimPath = ["scope"];
  if (v !== null && c.expectKind("jwt", v, JsonKind.Object)) {
    c.onlyKnown("jwt", v, ["metadata_namespace", "payload_keys", "subject_claim", "roles_claim", "scopes_claim"]);
    const ns = v.member("metadata_namespace");
    if (ns !== null && c.expectKind("jwt.metadata_namespace", ns, JsonKind.String)) {
      if (ns.str.length == 0) c.fail("jwt.metadata_namespace", "empty"); else namespace = ns.str;
    }
    const pk = v.member("payload_keys");
    if (pk !== null) {
      keys = c.strings("jwt.payload_keys", pk);
      if (keys.length == 0 && !c.failed) c.fail("jwt.payload_keys", "empty; name the payload_in_metadata key(s) of jwt_authn (Istio uses the issuer)");
    }
    const s = v.member("subject_claim"); if (s !== null) subject = c.claimPath("jwt.subject_claim", s);
    const r = v.member("roles_claim"); if (r !== null) roles = c.claimPath("jwt.roles_claim", r);
    const sc = v.member("scopes_claim"); if (sc !== null) scopes = c.claimPath("jwt.scopes_claim", sc);
  }
  return new JwtSettings(namespace, keys, subject, roles, scopes);
}

function compileApiKeys(c: Compiler, v: JsonValue, out: ApiKey[]): string {
  if (!c.expectKind("api_keys", v, JsonKind.Object)) return "";
  c.onlyKnown("api_keys", v, ["header", "keys"]);
  const header = compileHeaderName(c, "api_keys.header", v.member("header"), "x-api-key");
  const keys = v.member("keys");
  if (keys === null) { c.fail("api_keys.keys", "required"); return ""; }
  if (!c.expectKind("api_keys.keys", keys, JsonKind.Array)) return "";
  if (keys.items.length > MAX_API_KEYS) { c.fail("api_keys.keys", "more than " + MAX_API_KEYS.toString() + " keys"); return ""; }
  for (let i = 0; i < keys.items.length; i++) {
    const f = "api_keys.keys[" + i.toString() + "]";
    const k = keys.items[i];
    if (!c.expectKind(f, k, JsonKind.Object)) return "";
    c.onlyKnown(f, k, ["sha256", "client", "roles"]);
    const d = k.member("sha256");
    if (d === null) { c.fail(f + ".sha256", "required (the hex SHA-256 of the key; the key itself never goes in a policy)"); return ""; }
    if (!c.expectKind(f + ".sha256", d, JsonKind.String)) return "";
    const digest = parseHexDigest(d.str);
    if (digest === null) { c.fail(f + ".sha256", "expected 64 hex digits"); return ""; }
    const name = k.member("client");
    if (name === null) { c.fail(f + ".client", "required"); return ""; }
    if (!c.expectKind(f + ".client", name, JsonKind.String)) return "";
    if (name.str.length == 0) { c.fail(f + ".client", "empty"); return ""; }
    const roles = c.strings(f + ".roles", k.member("roles"));
    for (let j = 0; j < out.length; j++) {
      let same = true;
      for (let b = 0; b < 32; b++) if (out[j].digest[b] != digest[b]) same = false;
      if (same) { c.fail(f + ".sha256", "the same key digest appears twice"); return ""; }
    }
    out.push(new ApiKey(digest, new ApiClient(name.str, roles)));
    if (!c.clients.includes(name.str)) c.clients.push(name.str);
  }
  return header;
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
      if (overlaps(routes[j], route)) {
        c.fail(field, "\"" + route.template.source + "\" matches the same requests (path, host, method) as routes[" + j.toString() + "] \"" + routes[j].template.source + "\", so one of them would never decide; merge them");
        return routes;
      }
    }
    routes.push(route);
  }
  return sortBySpecificity(routes);
}

// Two routes whose templates match the same paths ("/x" and "/x/", "/a/{id}" and "/a/{name}")
// and share a host and a method: the less specific one is dead for those requests.
function overlaps(a: RoutePolicy, b: RoutePolicy): bool {
  if (!a.template.sameShape(b.template)) return false;
  if (!intersects(a.hosts, b.hosts)) return false;
  return intersects(a.methods, b.methods);
}

// Empty means "any".
function intersects(a: string[], b: string[]): bool {
  if (a.length == 0 || b.length == 0) return true;
  for (let i = 0; i < a.length; i++) if (b.includes(a[i])) return true;
  return false;
}

// Most specific first; stable, so declaration order breaks ties.
function sortBySpecificity(routes: RoutePolicy[]): RoutePolicy[] {
  const out = routes.slice(0);
  for (let i = 1; i < out.length; i++) {
    const r = out[i];
    let j = i - 1;
    while (j >= 0 && out[j].template.compare(r.template) > 0) {
      out[j + 1] = out[j];
      j--;
    }
    out[j + 1] = r;
  }
  return out;
}

function compileRoute(c: Compiler, field: string, v: JsonValue): RoutePolicy | null {
  if (!c.expectKind(field, v, JsonKind.Object)) return null;
  c.onlyKnown(field, v, ["name", "path", "methods", "hosts", "public", "mode", "deny", "allow", "max_body_bytes", "content_types", "param_types", "query", "query_additional", "required_headers", "forbidden_headers", "header_patterns", "body_schema", "body_forwarding", "allow_encoded_percent"]);
  const pathV = v.member("path");
  if (pathV === null) { c.fail(field + ".path", "required"); return null; }
  if (!c.expectKind(field + ".path", pathV, JsonKind.String)) return null;
  const t = compileTemplate(pathV.str);
  if (t.template === null) { c.fail(field + ".path", "\"" + pathV.str + "\": " + t.error); return null; }
  const template = t.template!;

  const methods = c.strings(field + ".methods", v.member("methods"));
  for (let i = 0; i < methods.length; i++) {
    if (!isMethodToken(methods[i])) { c.fail(field + ".methods[" + i.toString() + "]", "\"" + methods[i] + "\" is not an uppercase HTTP method"); return null; }
  }
  const hosts = c.strings(field + ".hosts", v.member("hosts"));
  for (let i = 0; i < hosts.length; i++) {
    if (hosts[i] != hosts[i].toLowerCase() || hosts[i].includes(":") || hosts[i].includes("/")) {
      c.fail(field + ".hosts[" + i.toString() + "]", "\"" + hosts[i] + "\" must be a lowercase host name without port");
      return null;
    }
  }
  let name = (methods.length > 0 ? methods.join(",") : "*") + " " + pathV.str;
  const nameV = v.member("name");
  if (nameV !== null && c.expectKind(field + ".name", nameV, JsonKind.String)) name = nameV.str;
  const isPublic = c.bool(field + ".public", v.member("public"), false);
  const audit = c.mode(field + ".mode", v.member("mode"));
  const deny = compileRules(c, field + ".deny", v.member("deny"), template.params, true);
  const allowV = v.member("allow");
  if (isPublic && allowV !== null) { c.fail(field + ".allow", "a public route takes no allow rules (deny rules still apply)"); return null; }
  if (!isPublic && allowV === null) { c.fail(field + ".allow", "required unless the route is public"); return null; }
  const allow = compileRules(c, field + ".allow", allowV, template.params, false);
  if (!isPublic && allow.length == 0 && !c.failed) { c.fail(field + ".allow", "empty; a route nobody may call is a route to delete"); return null; }
  const maxBody = wholeNumber(c, field + ".max_body_bytes", v.member("max_body_bytes"), 0, 1099511627776.0, -1);
  const types = c.strings(field + ".content_types", v.member("content_types"));
  for (let i = 0; i < types.length; i++) {
    const t = types[i];
    if (mediaType(t) != t || !t.includes("/") || t.includes(" ")) { c.fail(field + ".content_types[" + i.toString() + "]", "\"" + t + "\" is not a lowercase media type such as application/json"); return null; }
  }
  const shape = compileShape(c, field, v, template.params);
  let schema: SchemaNode | null = null;
  const schemaV = v.member("body_schema");
  if (schemaV !== null) {
    const compiled = compileSchema(schemaV);
    if (compiled.node === null) {
      // The schema compiler names the place as a JSON Pointer into the schema: "/properties/x: ...".
      const sep = compiled.error.indexOf(": ");
      const where = sep > 0 ? compiled.error.substring(0, sep) : "";
      c.fail(field + ".body_schema" + (where == "/" ? "" : where), sep > 0 ? compiled.error.substring(sep + 2) : compiled.error);
      return null;
    }
    schema = compiled.node;
  }
  const streamBody = compileBodyForwarding(c, field + ".body_forwarding", v.member("body_forwarding"));
  if (streamBody && schema !== null) {
    c.fail(field + ".body_forwarding", "\"stream\" cannot go with body_schema: a body checked against a schema is held until it has passed");
    return null;
  }
  if (c.failed) return null;
  const route = new RoutePolicy(name, template, methods, hosts, isPublic, audit, deny, allow, maxBody, types, shape, schema, streamBody);
  route.allowEncodedPercent = c.bool(field + ".allow_encoded_percent", v.member("allow_encoded_percent"), false);
  return route;
}

// "hold" (default): a body that may still be refused stays in Envoy until it has passed.
// "stream": it goes on as it arrives; a size limit then cuts the stream (the service may see a
// prefix of a refused body, never its end). For streaming APIs and large uploads.
function compileBodyForwarding(c: Compiler, field: string, v: JsonValue | null): bool {
  if (v === null) return false;
  if (!c.expectKind(field, v, JsonKind.String)) return false;
  if (v.str == "hold") return false;
  if (v.str == "stream") return true;
  c.fail(field, "must be \"hold\" or \"stream\", got \"" + v.str + "\"");
  return false;
}

function compileRules(c: Compiler, field: string, v: JsonValue | null, params: string[], isDeny: bool): Rule[] {
  const out = new Array<Rule>(0);
  if (v === null) return out;
  if (!c.expectKind(field, v, JsonKind.Array)) return out;
  if (v.items.length > MAX_RULES_PER_ROUTE) { c.fail(field, "more than " + MAX_RULES_PER_ROUTE.toString() + " rules"); return out; }
  for (let i = 0; i < v.items.length; i++) {
    const rule = compileRule(c, field + "[" + i.toString() + "]", v.items[i], params, isDeny, i);
    if (rule === null) return out;
    out.push(rule);
  }
  return out;
}

function compileRule(c: Compiler, field: string, v: JsonValue, params: string[], isDeny: bool, index: i32): Rule | null {
  if (!c.expectKind(field, v, JsonKind.Object)) return null;
  c.onlyKnown(field, v, ["name", "mode", "authenticated", "peers", "any_role", "all_scopes", "claims", "api_clients", "path_params"]);
  let name = (isDeny ? "deny[" : "allow[") + index.toString() + "]";
  const nameV = v.member("name");
  if (nameV !== null && c.expectKind(field + ".name", nameV, JsonKind.String)) name = nameV.str;
  const modeV = v.member("mode");
  if (modeV !== null && !isDeny) { c.fail(field + ".mode", "only deny rules take a mode; put an allow rule in audit through its route's mode"); return null; }
  const audit = c.mode(field + ".mode", modeV);
  const authenticated = c.bool(field + ".authenticated", v.member("authenticated"), false);

  const peerStrings = c.strings(field + ".peers", v.member("peers"));
  const peers = new Array<SpiffePattern>(0);
  for (let i = 0; i < peerStrings.length; i++) {
    const p = parseSpiffePattern(peerStrings[i]);
    if (p.pattern === null) { c.fail(field + ".peers[" + i.toString() + "]", "\"" + peerStrings[i] + "\": " + p.error); return null; }
    const td = p.pattern!.trustDomain;
    if (c.trustDomains.length > 0 && td != "*" && !c.trustDomains.includes(td)) {
      c.fail(field + ".peers[" + i.toString() + "]", "trust domain \"" + td + "\" is not in trust_domains, so this pattern could never match");
      return null;
    }
    peers.push(p.pattern!);
  }
  const anyRole = c.strings(field + ".any_role", v.member("any_role"));
  const allScopes = c.strings(field + ".all_scopes", v.member("all_scopes"));
  const apiClients = c.strings(field + ".api_clients", v.member("api_clients"));
  for (let i = 0; i < apiClients.length; i++) {
    if (!c.clients.includes(apiClients[i])) { c.fail(field + ".api_clients[" + i.toString() + "]", "no API key belongs to client \"" + apiClients[i] + "\""); return null; }
  }

  const claims = new Array<ClaimCondition>(0);
  const claimsV = v.member("claims");
  if (claimsV !== null && c.expectKind(field + ".claims", claimsV, JsonKind.Object)) {
    for (let i = 0; i < claimsV.keys.length; i++) {
      const f = field + ".claims." + claimsV.keys[i];
      const path = c.dottedClaimPath(f, claimsV.keys[i]);
      let values: string[];
      const cv = claimsV.items[i];
      if (cv.isString()) values = [cv.str];
      else values = c.strings(f, cv);
      if (values.length == 0 && !c.failed) c.fail(f, "needs at least one value");
      claims.push(new ClaimCondition(path, values));
    }
  }

  const bindings = new Array<ParamBinding>(0);
  const bindV = v.member("path_params");
  if (bindV !== null && c.expectKind(field + ".path_params", bindV, JsonKind.Object)) {
    for (let i = 0; i < bindV.keys.length; i++) {
      const param = bindV.keys[i];
      const f = field + ".path_params." + param;
      const at = params.indexOf(param);
      if (at < 0) { c.fail(f, "the route's path has no {" + param + "}"); return null; }
      bindings.push(new ParamBinding(param, at, c.claimPath(f, bindV.items[i])));
    }
  }
  if (c.failed) return null;
  const conditions = (authenticated ? 1 : 0) + peers.length + anyRole.length + allScopes.length + claims.length + apiClients.length + bindings.length;
  if (conditions == 0) {
    c.fail(field, "a rule needs at least one condition; to let anyone in, make the route public");
    return null;
  }
  if (anyRole.length > 0 || allScopes.length > 0 || claims.length > 0 || bindings.length > 0) c.usesUserClaims = true;
  return new Rule(name, audit, authenticated, peers, anyRole, allScopes, claims, apiClients, bindings);
}


