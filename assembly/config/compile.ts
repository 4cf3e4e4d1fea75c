// Plugin configuration: JSON in, an immutable Policy out (config/policy.ts), or an error that names
// the field. Runs once per configure, never per request. Pure: no host calls. The format is
// documented in docs/policy.md; every field is checked, and unknown fields are refused.
import { RouteTable, UnmatchedRoutes } from "../authz/routes";
import { ApiClient, ClaimPath, JwtSettings } from "../identity/caller";
import { SPIFFE_SCHEME, parseSpiffeId } from "../identity/spiffe";
import { ApiKey, IdentityHeaders, IdentitySources } from "../identity/sources";
import { HeaderName, fieldValueProblem } from "../lib/headers";
import { JsonKind, JsonLimits, JsonValue, parseJson } from "../lib/json";
import { parseHexDigest } from "../lib/sha256";
import { RateLimits } from "../ratelimit/limits";
import { HeaderLimits } from "../validate/hygiene";
import { HeaderTwins } from "../validate/twins";
import { HOST_HEADERS } from "../validate/forwarded";
import { RoutePolicy } from "../authz/route";
import { compileRateLimits } from "./limits";
import { compileMonitoring } from "./monitoring";
import { Monitoring } from "../monitor/detectors";
import { Policy, RequestLimits } from "./policy";
import { ConfigReader } from "./reader";
import { API_KEYS_FIELDS, API_KEY_FIELDS, JWT_FIELDS, POLICY_FIELDS, REQUEST_LIMITS_FIELDS } from "./fields";
import { compileRoutes } from "./routes";

// Safe defaults for request hygiene: as many headers as Envoy allows by default (100), room for a
// large token, and a 1 MiB body (Envoy's default buffer limit).
export const DEFAULT_MAX_HEADERS = 100;
export const DEFAULT_MAX_HEADER_BYTES = 65536;
export const DEFAULT_MAX_HEADER_VALUE_BYTES = 32768;
export const DEFAULT_MAX_BODY_BYTES: i64 = 1 << 20;

export const DEFAULT_PEER_HEADER = "x-meshguard-peer-id";
export const DEFAULT_USER_HEADER = "x-meshguard-user";
export const DEFAULT_CLIENT_HEADER = "x-meshguard-api-client";
// Headers only the mesh may set, stripped when `strip_headers` is not given. A sidecar whose Envoy
// sets x-forwarded-client-cert itself (forward_client_cert_details: SANITIZE_SET) can list its
// own set instead. The identity headers meshguard forwards are stripped whatever the list says.
export const DEFAULT_STRIP_HEADERS: string[] = ["x-forwarded-client-cert"];
// Headers some frameworks read to replace the request's method, and (x-original-url,
// x-rewrite-url: IIS's, read by Zend and older Symfony) its path: stripped with method_override:
// strip, so the service runs the request the policy judged.
export const METHOD_OVERRIDE_HEADERS: string[] = ["x-http-method-override", "x-http-method", "x-method-override", "x-original-url", "x-rewrite-url"];
export const DEFAULT_JWT_NAMESPACE = "envoy.filters.http.jwt_authn";
export const DEFAULT_JWT_PAYLOAD_KEY = "jwt_payload";

export const MAX_CONFIG_BYTES = 4 << 20;
export const MAX_STRIP_HEADERS = 64;
export const MAX_API_KEYS = 10000;


export class CompileResult {
  constructor(public policy: Policy | null, public error: string) {}
  get ok(): bool { return this.policy !== null; }
}

export function compileConfig(bytes: Uint8Array): CompileResult {
  if (bytes.length == 0) return new CompileResult(null, "configuration: empty; meshguard needs a policy");
  const parsed = parseJson(bytes, new JsonLimits(MAX_CONFIG_BYTES, 32, 100000, 65536, 64));
  if (!parsed.ok) {
    return new CompileResult(null, "configuration: invalid JSON at byte " + parsed.offset.toString() + ": " + parsed.error);
  }
  const c = new ConfigReader();
  const root = parsed.value!;
  if (!c.expectKind("configuration", root, JsonKind.Object)) return new CompileResult(null, c.error);
  c.onlyKnown("", root, POLICY_FIELDS);

  const audit = c.mode("mode", root.member("mode"));
  const headers = compileIdentityHeaders(c, root);
  c.trustDomains = compileTrustDomains(c, root.member("trust_domains"));
  const requirePeer = c.bool("require_peer", root.member("require_peer"), false);
  const unmatched = c.choice("unmatched_routes", root.member("unmatched_routes"), ["deny", "allow"], 0) == 1 ? UnmatchedRoutes.Allow : UnmatchedRoutes.Deny;
  const apiKeys = new Array<ApiKey>(0);
  const keysV = root.member("api_keys");
  const apiKeyHeader = keysV !== null ? compileApiKeys(c, keysV, apiKeys) : "";
  const routes = compileRoutes(c, root.member("routes"));
  const limits = compileRequestLimits(c, root.member("request_limits"));
  const rlV = root.member("rate_limits");
  const rateLimits: RateLimits | null = rlV !== null ? compileRateLimits(c, rlV, routes) : null;
  const monV = root.member("monitoring");
  const monitoring: Monitoring | null = monV !== null ? compileMonitoring(c, monV, routes) : null;
  const jwtV = root.member("jwt");
  // After the routes and limits: they say whether any rule reads user claims.
  const jwt: JwtSettings | null = jwtV !== null || c.usesUserClaims ? compileJwt(c, jwtV) : null;
  const accessLog = c.bool("access_log", root.member("access_log"), false);
  if (c.failed) return new CompileResult(null, c.error);
  const identity = new IdentitySources(jwt, apiKeyHeader.length > 0 ? new HeaderName(apiKeyHeader) : null, apiKeys, c.trustDomains, requirePeer);
  const twins = compileTwins(headers, apiKeyHeader, routes, rateLimits);
  return new CompileResult(new Policy(new RouteTable(routes, unmatched), audit, identity, headers, twins, limits, rateLimits, monitoring, accessLog), "");
}

// The headers whose '_' spellings are twins (validate/twins.ts): those meshguard removes (and the
// twins of those Envoy sets), and those
// it reads: the body's framing and type, the API key, every route's header rules, the headers a
// rate limit is keyed by, and the headers naming a host when routes are limited to hosts.
const READ_HEADERS: string[] = ["content-type", "content-length", "transfer-encoding", "content-encoding"];
// Headers Envoy sets or appends to, which services trust as the proxy's (the client's address, the
// scheme, the request id): their twins are removed, the headers themselves left to Envoy.
const ENVOY_SET_HEADERS: string[] = ["x-forwarded-for", "x-forwarded-proto", "x-request-id", "x-envoy-external-address"];
function compileTwins(headers: IdentityHeaders, apiKeyHeader: string, routes: RoutePolicy[], rateLimits: RateLimits | null): HeaderTwins {
  const twins = new HeaderTwins();
  for (let i = 0; i < headers.strip.length; i++) twins.removes(headers.strip[i].name);
  for (let i = 0; i < ENVOY_SET_HEADERS.length; i++) twins.removes(ENVOY_SET_HEADERS[i]);
  for (let i = 0; i < READ_HEADERS.length; i++) twins.reads(READ_HEADERS[i]);
  if (apiKeyHeader.length > 0) twins.reads(apiKeyHeader);
  if (rateLimits !== null) for (let i = 0; i < rateLimits.headers.length; i++) twins.reads(rateLimits.headers[i].name);
  let hosts = false;
  for (let r = 0; r < routes.length; r++) {
    if (routes[r].hosts.length > 0) hosts = true;
    const shape = routes[r].shape;
    if (shape === null) continue;
    for (let i = 0; i < shape.headers.length; i++) twins.reads(shape.headers[i].name.name);
  }
  if (hosts) for (let i = 0; i < HOST_HEADERS.length; i++) twins.reads(HOST_HEADERS[i].name);
  return twins;
}

// The identity headers meshguard sets, and the headers it strips (its own three always; the
// method-override headers unless method_override is "keep").
function compileIdentityHeaders(c: ConfigReader, root: JsonValue): IdentityHeaders {
  const peer = c.headerName("peer_header", root.member("peer_header"), DEFAULT_PEER_HEADER);
  const user = c.headerName("user_header", root.member("user_header"), DEFAULT_USER_HEADER);
  const client = c.headerName("client_header", root.member("client_header"), DEFAULT_CLIENT_HEADER);
  // "strip" (the default): the method-override headers never reach the service, and a `_method`
  // parameter in the query or a POST body is refused, so a method the policy allowed (POST) cannot
  // become another (DELETE) behind it. "keep": the service relies on them, and the policy's
  // method checks then cover only what Envoy saw.
  const keepOverride = c.choice("method_override", root.member("method_override"), ["strip", "keep"], 0) == 1;
  const always = [peer, user, client];
  if (!keepOverride) for (let i = 0; i < METHOD_OVERRIDE_HEADERS.length; i++) always.push(METHOD_OVERRIDE_HEADERS[i]);
  return new IdentityHeaders(peer, user, client, compileStripHeaders(c, root.member("strip_headers"), always), !keepOverride);
}

// Trust domains whose workloads may call (SPIFFE trust domain names). A peer from any other is
// untrusted: refused on routes that are not public, never forwarded as an identity.
function compileTrustDomains(c: ConfigReader, v: JsonValue | null): string[] {
  const list = c.strings("trust_domains", v);
  if (v !== null && list.length == 0 && !c.failed) c.fail("trust_domains", "empty: name at least one trust domain, or leave the field out");
  for (let i = 0; i < list.length; i++) {
    const parsed = parseSpiffeId(SPIFFE_SCHEME + list[i]);
    if (parsed === null || parsed.segments.length > 0) { c.fail("trust_domains[" + i.toString() + "]", "\"" + list[i] + "\" is not a SPIFFE trust domain name (lowercase letters, digits, '.', '-', '_')"); break; }
  }
  return list;
}

function compileStripHeaders(c: ConfigReader, v: JsonValue | null, always: string[]): string[] {
  const out = always.slice(0);
  if (v === null) {
    for (let i = 0; i < DEFAULT_STRIP_HEADERS.length; i++) if (!out.includes(DEFAULT_STRIP_HEADERS[i])) out.push(DEFAULT_STRIP_HEADERS[i]);
    return out;
  }
  if (!c.expectKind("strip_headers", v, JsonKind.Array)) return out;
  if (v.items.length > MAX_STRIP_HEADERS) { c.fail("strip_headers", "more than " + MAX_STRIP_HEADERS.toString() + " entries"); return out; }
  for (let i = 0; i < v.items.length; i++) {
    const name = c.headerName("strip_headers[" + i.toString() + "]", v.items[i], "");
    if (name.length > 0 && !out.includes(name)) out.push(name);
  }
  return out;
}

function compileRequestLimits(c: ConfigReader, v: JsonValue | null): RequestLimits {
  const f = "request_limits.";
  const l = c.object("request_limits", v, REQUEST_LIMITS_FIELDS);
  const get = (name: string, l: JsonValue | null): JsonValue | null => l !== null ? l.member(name) : null;
  const headers = new HeaderLimits(
    <i32>c.wholeNumber(f + "max_headers", get("max_headers", l), 1, 10000, DEFAULT_MAX_HEADERS),
    <i32>c.wholeNumber(f + "max_header_bytes", get("max_header_bytes", l), 256, 1048576.0, DEFAULT_MAX_HEADER_BYTES),
    <i32>c.wholeNumber(f + "max_header_value_bytes", get("max_header_value_bytes", l), 64, 1048576.0, DEFAULT_MAX_HEADER_VALUE_BYTES));
  const maxBody = c.wholeNumber(f + "max_body_bytes", get("max_body_bytes", l), 0, 1099511627776.0, DEFAULT_MAX_BODY_BYTES);
  // RFC 8259 sets no bound on numbers; 1024 admits every ordinary one (JSONTestSuite y_ cases).
  const json = new JsonLimits(0,
    <i32>c.wholeNumber(f + "json_max_depth", get("json_max_depth", l), 1, 256.0, 32),
    <i32>c.wholeNumber(f + "json_max_members", get("json_max_members", l), 1, 1000000.0, 10000),
    <i32>c.wholeNumber(f + "json_max_string_bytes", get("json_max_string_bytes", l), 1, 16777216.0, 65536),
    <i32>c.wholeNumber(f + "json_max_number_chars", get("json_max_number_chars", l), 1, 65536.0, 1024));
  return new RequestLimits(headers, maxBody, json);
}

function compileJwt(c: ConfigReader, v: JsonValue | null): JwtSettings {
  let namespace = DEFAULT_JWT_NAMESPACE;
  let keys: string[] = [DEFAULT_JWT_PAYLOAD_KEY];
  let subject: ClaimPath = ["sub"];
  let roles: ClaimPath = ["roles"];
  let scopes: ClaimPath = ["scope"];
  const j = c.object("jwt", v, JWT_FIELDS);
  if (j !== null) {
    const ns = j.member("metadata_namespace");
    if (ns !== null && c.expectKind("jwt.metadata_namespace", ns, JsonKind.String)) {
      if (ns.str.length == 0) c.fail("jwt.metadata_namespace", "empty"); else namespace = ns.str;
    }
    const pk = j.member("payload_keys");
    if (pk !== null) {
      keys = c.strings("jwt.payload_keys", pk);
      if (keys.length == 0 && !c.failed) c.fail("jwt.payload_keys", "empty; name the payload_in_metadata key(s) of jwt_authn (Istio uses the issuer)");
    }
    const s = j.member("subject_claim"); if (s !== null) subject = c.claimPath("jwt.subject_claim", s);
    const r = j.member("roles_claim"); if (r !== null) roles = c.claimPath("jwt.roles_claim", r);
    const sc = j.member("scopes_claim"); if (sc !== null) scopes = c.claimPath("jwt.scopes_claim", sc);
  }
  return new JwtSettings(namespace, keys, subject, roles, scopes);
}

// Returns the API-key header name ("" on failure); the keys go into `out`.
function compileApiKeys(c: ConfigReader, v: JsonValue, out: ApiKey[]): string {
  if (c.object("api_keys", v, API_KEYS_FIELDS) === null) return "";
  const header = c.headerName("api_keys.header", v.member("header"), "x-api-key");
  const keys = v.member("keys");
  if (keys === null) { c.fail("api_keys.keys", "required"); return ""; }
  if (!c.expectKind("api_keys.keys", keys, JsonKind.Array)) return "";
  if (keys.items.length > MAX_API_KEYS) { c.fail("api_keys.keys", "more than " + MAX_API_KEYS.toString() + " keys"); return ""; }
  for (let i = 0; i < keys.items.length; i++) {
    const key = compileApiKey(c, "api_keys.keys[" + i.toString() + "]", keys.items[i], out);
    if (key === null) return "";
    out.push(key);
    if (!c.clients.includes(key.client.name)) c.clients.push(key.client.name);
  }
  return header;
}

function compileApiKey(c: ConfigReader, f: string, k: JsonValue, seen: ApiKey[]): ApiKey | null {
  if (c.object(f, k, API_KEY_FIELDS) === null) return null;
  const d = k.member("sha256");
  if (d === null) { c.fail(f + ".sha256", "required (the hex SHA-256 of the key; the key itself never goes in a policy)"); return null; }
  if (!c.expectKind(f + ".sha256", d, JsonKind.String)) return null;
  const digest = parseHexDigest(d.str);
  if (digest === null) { c.fail(f + ".sha256", "expected 64 hex digits"); return null; }
  const name = k.member("client");
  if (name === null) { c.fail(f + ".client", "required"); return null; }
  if (!c.expectKind(f + ".client", name, JsonKind.String)) return null;
  if (name.str.length == 0) { c.fail(f + ".client", "empty"); return null; }
  // Forwarded in the client header: it must reach the service as written.
  const problem = fieldValueProblem(name.str);
  if (problem.length > 0) { c.fail(f + ".client", "the name " + problem + " (it is forwarded as a header value)"); return null; }
  const roles = c.strings(f + ".roles", k.member("roles"));
  for (let j = 0; j < seen.length; j++) {
    let same = true;
    for (let b = 0; b < 32; b++) if (seen[j].digest[b] != digest[b]) same = false;
    if (same) { c.fail(f + ".sha256", "the same key digest appears twice"); return null; }
  }
  return new ApiKey(digest, new ApiClient(name.str, roles));
}
