// Whole-request fuzzing: generated requests (method, path, headers, peer, verified claims or raw
// metadata, API keys, bodies in random chunkings and every framing) through the compiled filter in
// the emulator, against two policies that between them use every stage of the pipeline. Used by
// scripts/fuzz.ts (a million requests, not in CI) and src-host-tests/fuzz-scale.test.ts (CI).
//
// Besides "never a trap", every outcome is checked for what must hold whatever the input:
//   - every request is answered or forwarded whole (never left held), a refusal carries a known
//     reason, and the service never has the refused request complete;
//   - what reaches the service carries no method-override header and no identity header the
//     filter did not set itself, and (method_override: strip) no `_method` parameter in its query
//     or its POST form body (override-reference.ts decides, independently of the filter).
import { ACCESS_POLICY, OTHER_KEY, PARTNER_KEY, TD } from "../test/cases/access";
import { WasmResult } from "../tools/emulator/abi";
import { ProxyWasmHost } from "../tools/emulator/host";
import { encodeMetadata } from "../tools/emulator/metadata";
import { FRAMINGS, type RequestSpec, bodyBytes, header, headerPairs, runRequest } from "../tools/emulator/request";
import { filterBytes } from "./fixture";
import { formInteger, formReference, formValuesReference, integerText, multipartReference, nameMatchKind, plainPartsReference, queryReference, strictBoundaryReference } from "./override-reference";
import { Rng, mutate } from "./random";

const ORDER_SCHEMA = {
  type: "object", required: ["sku", "qty"], additionalProperties: false,
  properties: {
    sku: { type: "string", pattern: "^[a-z0-9-]{1,20}$" }, qty: { type: "integer", minimum: 1, maximum: 100 },
    tags: { type: "array", items: { type: "string", maxLength: 10 }, uniqueItems: true }, note: { type: ["string", "null"] },
  },
};

// Enforce mode: access rules, object-level rules, bodies held and streamed, typed parameters,
// rate limits keyed by user, address and header.
export const FUZZ_POLICY = {
  ...ACCESS_POLICY,
  jwt: {},
  routes: [
    ...ACCESS_POLICY.routes,
    { name: "orders", path: "/orders", methods: ["POST"], public: true, content_types: ["application/json"], max_body_bytes: 4096, body_schema: ORDER_SCHEMA },
    { name: "upload", path: "/upload", methods: ["POST", "PUT"], public: true, max_body_bytes: 2048, body_forwarding: "stream" },
    { name: "items", path: "/items/{id}", public: true, param_types: { id: "integer" }, query: { page: { type: "integer" } } },
    { name: "admin-host", path: "/hosted/**", hosts: ["admin.example.com"], allow: [{ peers: [`spiffe://${TD}/ns/ops/sa/*`] }] },
  ],
  rate_limits: {
    client_ip: { trusted_hops: 1 },
    limits: [
      { name: "per-user", capacity: 100, refill: { tokens: 40, seconds: 1 }, key: ["user"] },
      { name: "per-tenant", capacity: 100, refill: { tokens: 60, seconds: 1 }, key: ["header:x-tenant"] },
      { name: "per-ip", capacity: 20, refill: { tokens: 1, seconds: 1 }, key: ["client_ip"] },
    ],
  },
  // Small thresholds and small tables, so detectors fire, quarantines start and end, and the
  // tables fill up within a run.
  monitoring: {
    table_slots: 2048, quarantine_slots: 32, client_ip: { trusted_hops: 1 },
    quarantine: { seconds: 2, max_seconds: 8, never: ["alice"] },
    detectors: [
      { name: "scrape", kind: "enumeration", identity: "user", route: "read-order", param: "orderId", window_seconds: 5, threshold: 5, action: "quarantine" },
      { name: "guess", kind: "refusal_burst", identity: "client_ip", groups: ["credentials", "authentication"], window_seconds: 5, threshold: 3, action: "quarantine" },
      { name: "probe", kind: "refusal_burst", identity: "peer", groups: ["undeclared", "validation"], window_seconds: 5, threshold: 5, action: "alert" },
      { name: "keys", kind: "refusal_burst", identity: "api_client", groups: ["authorization"], window_seconds: 5, threshold: 3, action: "quarantine", mode: "audit" },
      { name: "flood", kind: "rate_jump", identity: "client_ip", window_seconds: 1, threshold: 5, factor: 2, warmup_windows: 2, action: "quarantine" },
    ],
  },
};

// Audit mode, trust domains and a required peer: refusals are logged, enforced limits still apply.
export const FUZZ_AUDIT_POLICY = {
  ...FUZZ_POLICY,
  mode: "audit",
  trust_domains: [TD, "partner.example"],
  require_peer: true,
  method_override: "keep",
};

const SEGMENTS = ["users", "alice", "bob", "orders", "7", "admin", "internal", "jobs", "catalog", "me", "accounts", "42", "partners", "reports", "items", "upload", "x", "q3"];
const HOSTILE = [".", "..", "%2e", "%2E%2e", "%2f", "%5c", "%25", "%252e", "%41", "%c0%ae", "%ff", "\\", ";", "//", "?", "#", "\u0000", "é", " ", "*", "~", "%00", "%"];
const METHODS = ["GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "get", "G\u0000T"];
const HEADER_NAMES = ["content-type", "content-encoding", "content-length", "transfer-encoding", "x-tenant", "x-forwarded-for", "x-http-method-override", "x-http-method", "x-method-override",
  "x-original-url", "x-meshguard-peer-id", "x-meshguard-user", "x-meshguard-api-client", "x-forwarded-client-cert", "x-api-key", "accept", "cookie", "x-a"];
// Less often: spellings CGI-style servers read as the names above (validate/twins.ts), and hosts
// named besides :authority (validate/forwarded.ts).
const RARER_NAMES = ["x_forwarded_for", "x_meshguard_peer_id", "x-meshguard_user", "x.meshguard.api-client", "x_http_method_override", "x_tenant", "content_type", "x_a",
  "x-forwarded-host", "forwarded", "x-original-host", "x_forwarded_host"];
const PEERS = [`spiffe://${TD}/ns/shop/sa/worker`, `spiffe://${TD}/ns/dev/sa/web`, "spiffe://partner.example/ns/billing/sa/invoicer", "spiffe://evil.example/ns/shop/sa/worker", "https://x/y", `spiffe://${TD}/ns/shop/sa/..`];
const CLAIMS = [
  { sub: "alice", scope: "orders:read profile", roles: ["customer"] }, { sub: "bob", roles: ["admin"], org: { id: "acme" } },
  { sub: "ann", roles: ["support"] }, { sub: "x", roles: [1, null, { admin: true }], suspended: "true" }, { sub: 42, account: { id: 42 } }, { roles: "admin" },
  { sub: " alice", roles: ["admin"] }, { sub: "alice\r\nx-meshguard-peer-id: spiffe://x", roles: ["customer"] }, { sub: "b\u0000b" },
];
// Removed from every request, with every spelling a CGI-style reader takes for them.
const REMOVED = new Set(["x-meshguard-peer-id", "x-meshguard-user", "x-meshguard-api-client", "x-forwarded-client-cert", "x-forwarded-for", "x-request-id"]);
const INJECTED = [WasmResult.InternalFailure, WasmResult.NotFound, WasmResult.BadArgument];
const FAILING = ["proxy_get_property", "proxy_get_shared_data", "proxy_set_shared_data", "proxy_get_buffer_bytes", "proxy_replace_header_map_value", "proxy_remove_header_map_value", "proxy_get_header_map_pairs", "proxy_increment_metric"];

// The routes with path parameters, as the fuzz's paths reach them, and their parameters' names as
// lenient binders read them.
// (The third element: the path segment each parameter is.)
const PATH_PARAMS: [RegExp, string[], number[]][] = [[/^\/users\/[^/]+\/orders\/[^/]+$/, ["userid", "orderid"], [2, 4]], [/^\/items\/[^/]+$/, ["id"], [2]], [/^\/accounts\/[^/]+$/, ["accountid"], [2]]];
const ROUTES = ["/hosted/x", "/orders", "/orders", "/upload", "/items/7", "/items/x", "/users/alice/orders/7", "/users/bob/orders/7", "/admin/users", "/catalog/x", "/me", "/accounts/42", "/partners/reports", "/internal/jobs", "/reports/q3"];

function path(rng: Rng): string {
  if (rng.int(2) === 0) return rng.pick(ROUTES) + (rng.int(6) === 0 ? "?page=" + rng.pick(["2", "x", "%32"]) : rng.int(8) === 0 ? "?" + rng.pick(["userId=bob", "a=1&USERID=x", "orderid=1", "id=8", "accountId[]=1", "ids=1", "]id=8", "[userId]=bob", "accountid]=1", "id]x=1"]) : "");
  let p = "";
  const n = 1 + rng.int(5);
  for (let i = 0; i < n; i++) p += "/" + (rng.int(6) === 0 ? rng.pick(HOSTILE) + (rng.int(2) ? rng.pick(SEGMENTS) : "") : rng.pick(SEGMENTS));
  if (rng.int(8) === 0) p += "/";
  if (rng.int(5) === 0) p += "?" + rng.pick(["page=2", "page=x", "page=1&page=2", "a=%zz", "page=%32", "", "_method=DELETE", "a=1;%5Fmethod=PUT", ".method=x", "method=x&a=_method",
    "page[]=x", "page%5Bx=2", "PAGE=2", "p%C4%B1ge=1", "+page=2", "page%00x=2", "%5B=1", "[_method]=DELETE", "]page=x", "%5Dpage=2"]);
  return rng.int(40) === 0 ? rng.stringFrom(HOSTILE, 6) : p;
}

function body(rng: Rng): string | { base64: string } | undefined {
  const valid = JSON.stringify({ sku: "a-1", qty: 1 + rng.int(120), tags: rng.int(2) ? ["x", "y"] : ["x", "x"], note: rng.int(2) ? null : "n" });
  switch (rng.int(10)) {
    case 0: return undefined;
    case 9: return rng.pick(["a=1&_method=DELETE", "x=_method", "[_method]=PUT", "]]_method=DELETE", "]page=x", "page]=2x", "page]=2", "page]x=1", "[page=1", "]]id=8", "[id]=7", "userId]=bob", "%5fmethod=PUT", '{"_method":"DELETE"}', '--b\r\ncontent-disposition: form-data; name="_method"\r\n\r\nPUT\r\n--b--',
      "page=x", "page=2", "a=1&page=%32", "id=7", "ID=8&a=1", "i%64=7", "userId=alice", "userid=bob&x=1", "accountId=42", "accountid[]=42", "orderId=7", "page=02", "a=1&PAGE[]=x", "pa%67e=2", "x=page", "pages=1", '{"page":"x"}', '{"a":{"page":1}}', '{"page":2}', '{"PAGE":"3"}', '{"page":[2]}', '{"page":"2x"}', '/*c*/{"page":"x"}', '//c\n{"page":"2x"}', '{"a":[1,/*]*/2],"page":"x"}', '{"a":{"b":/*"*/1},"page":"x"}', '{"page"/**/:/**/2/**/}', '{"a":1/*","page":"x"}', '{"\\page":"x"}', '{"p\\age":"2x"}', '{"\\page":2}',
      '--b\r\ncontent-disposition: form-data; name="PAGE"\r\n\r\n9\r\n--b--', '--b\r\nContent-Disposition: form-data; name="page"\r\n\r\n2\r\n--b--\r\n',
      '--b\r\nContent-Disposition: form-data; name="id"\r\n\r\n7\r\n--b--\r\n', '--b\r\nContent-Disposition: form-data; name="userId"\r\n\r\nalice\r\n--b--\r\n', '--b\r\nContent-Disposition: form-data; name="page"\r\n\r\n2x\r\n--b--\r\n', '--b\r\ncontent-disposition: form-data; name=id; filename="x"\r\n\r\n9\r\n--b--',
      '--b\r\ncontent-disposition: form-data; name="f"; filename="page"\r\n\r\nname=page\r\n--b--', "--b\r\ncontent-disposition: form-data; name*=utf-8''%75serId\r\n\r\nbob\r\n--b--",
      "--b\r\ncontent-disposition: form-data; name*0=pa; name*1=ge\r\n\r\nx\r\n--b--", "--b\r\ncontent-disposition: form-data; name*1=Id; name*0=user\r\n\r\nbob\r\n--b--"]);
    case 1: case 2: return valid;
    case 3: return { base64: mutate(rng, mutate(rng, Buffer.from(valid))).toString("base64") };
    case 4: return { base64: rng.bytes(rng.int(300)).toString("base64") };
    case 5: return "[".repeat(1 + rng.int(100));
    case 6: return JSON.stringify({ sku: "a".repeat(rng.int(6000)), qty: 1 });
    case 7: return "";
    default: return `{"qty":1,"sku":"b","sku":"c"}`;
  }
}

export function fuzzRequest(rng: Rng): RequestSpec {
  const headers: [string, string][] = [];
  const n = rng.int(5);
  for (let i = 0; i < n; i++) {
    let name = rng.int(4) === 0 ? rng.pick(RARER_NAMES) : rng.pick(HEADER_NAMES);
    if ((name === "content-length" || name === "transfer-encoding") && rng.int(3) !== 0) name = "x-a";
    const value = name === "x-api-key" ? rng.pick([PARTNER_KEY, OTHER_KEY, "pk_wrong", ""])
      : name === "content-type" ? rng.pick(["application/json", "text/plain", "application/json; charset=utf-8", "APPLICATION/JSON", "", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b",
          "application/x-www-form-urlencoded x", "Application/X-WWW-Form-Urlencoded;charset=utf-8", "text/x-json"])
      : name === "content-encoding" ? rng.pick(["gzip", "identity", "GZIP", ""])
      : name === "content-length" ? rng.pick(["0", "5", "-1", "99999999999", "1,1", "abc"])
      : name === "cookie" && rng.int(2) === 0 ? rng.pick(["page=2", "a=1; PAGE=x", "sid=1, pa%67e=3", "pages=1", "x=page", "page=%32", "page=2x", "PAGE=99999999999999999999", "page=02", "page", "page=2,x", "a=1,page=x", "page=2, page=3", "id=7", "id=8", "ID=x", "userId=bob", "userid=alice", "accountId=42", "orderId=7", "id[]=7", "]id=8"])
      : rng.int(4) === 0 ? rng.bytes(rng.int(80)).toString("latin1") : rng.pick(["DELETE", "1", "t1", "t2", "10.0.0.1, 203.0.113.7", "chunked", "spiffe://meshguard.test/ns/ops/sa/admin",
        "admin.example.com", "for=1.2.3.4;host=\"admin.example.com:443\", host=x", "www.example.com, ADMIN.example.com.", "host=", ";;,,=\"", "[::1]:8", "admin.example.com."]);
    headers.push([name, value]);
  }
  const metadata = rng.int(10) === 0 ? { metadata: rng.int(2) ? rng.bytes(rng.int(120)) : mutate(rng, encodeMetadata({ "envoy.filters.http.jwt_authn": { jwt_payload: rng.pick(CLAIMS) } })) } : undefined;
  const p = path(rng);
  const b = body(rng);
  // Envoy never hands a filter a body that contradicts content-length (HTTP/1 frames by it; the
  // HTTP/2 codecs reset such a stream), so with a body the emulator sets the real length itself.
  const framed = b !== undefined && (typeof b === "string" ? b.length > 0 : b.base64.length > 0)
    ? headers.filter(([k]) => k !== "content-length" && k !== "transfer-encoding") : headers;
  // The body routes get mostly what they expect, so bodies reach the JSON parser and the schema.
  const bodyRoute = (p.startsWith("/orders") || p.startsWith("/upload")) && rng.int(5) !== 0;
  const framing = rng.pick(FRAMINGS);
  if (bodyRoute) framed.push(["content-type", "application/json"]);
  // So do JSON and multipart bodies to routes that bind parameters: they are scanned for the
  // parameters' names (and a declared query parameter's value).
  else if (/^\/(items|users|accounts)\//.test(p) && typeof b === "string" && (b.startsWith("{") || b.startsWith("/") || b.startsWith("--b")) && rng.int(2) === 0 && !framed.some(([k]) => k === "content-type")) {
    framed.push(["content-type", b.startsWith("--b") ? "multipart/form-data; boundary=b" : "application/json"]);
  }
  return {
    method: bodyRoute ? "POST" : rng.pick(METHODS),
    path: p,
    headers: framed,
    peer: rng.int(3) === 0 ? null : rng.pick(PEERS),
    authority: rng.int(4) === 0 ? rng.pick(["admin.example.com", "ADMIN.example.com.:443", "www.example.com", "[::1]:8443"]) : undefined,
    jwt_claims: metadata || rng.int(3) === 0 ? undefined : rng.pick(CLAIMS) as Record<string, unknown>,
    properties: { ...metadata, "source.address": `10.0.${rng.int(4)}.${rng.int(250)}:${1024 + rng.int(60000)}` },
    body: b,
    chunkSize: rng.int(3) === 0 ? undefined : 1 + rng.int(64),
    framing,
    // Trailers (HTTP/2): named as headers meshguard removes or reads, or not (validate/trailers.ts).
    trailers: framing === "http2-trailers" && rng.int(2) === 0 ? Array.from({ length: 1 + rng.int(3) }, () => [rng.pick([...HEADER_NAMES, ...RARER_NAMES, "x-request-id", "authorization"]), rng.pick(["1", "spiffe://meshguard.test/ns/ops/sa/admin", "text/plain"])] as [string, string]) : undefined,
  };
}

export interface FuzzReport {
  requests: number;
  traps: string[];                      // "request <i>: <message>", the VM reloaded after each
  violations: string[];                 // invariants that did not hold (first 20)
  outcomes: Map<string, number>;        // "<status> <reason>" → count; "200 " forwarded
  pagesStart: number;
  pagesEnd: number;
  ms: number;
}


// Whether a JSON body's top-level members name the items route's query parameter `page` with a
// value its rule (an integer) refuses; false for a body Ruby's json gem refuses (its service would).
function jsonPageRefused(b: Buffer): boolean {
  let doc: unknown;
  const text = asRubyReads(b.toString("utf8"));
  if (text === null) return false;
  try { doc = JSON.parse(text); } catch { return false; }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return false;
  return Object.entries(doc).some(([k, v]) => {
    const kind = nameMatchKind([...Buffer.from(k, "utf8")], "page", false);
    if (kind === "no") return false;
    return kind === "array" || !(typeof v === "string" ? integerText(v) : typeof v === "number" && Number.isInteger(v));
  });
}

// A JSON text as Ruby's json gem reads it by default (Rails' params), made strict: outside strings,
// `/* */` and `//` to the end of the line (or of the text) are whitespace; inside them, a backslash
// before a byte JSON has no escape for is dropped (before json 2.17); null when a '/' opens no
// comment or a `/*` is never closed (the gem refuses the document).
function asRubyReads(t: string): string | null {
  let out = "";
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c === '"') {
      let j = i + 1;
      out += c;
      while (j < t.length && t[j] !== '"') {
        if (t[j] === "\\" && j + 1 < t.length && !'"\\/bfnrtu'.includes(t[j + 1])) { out += t[j + 1]; j += 2; continue; }
        const step = t[j] === "\\" ? 2 : 1;
        out += t.slice(j, j + step);
        j += step;
      }
      out += t.slice(j, j + 1);
      i = j;
    } else if (c === "/" && t[i + 1] === "*") {
      const close = t.indexOf("*/", i + 2);
      if (close < 0) return null;
      out += " ";
      i = close + 1;
    } else if (c === "/" && t[i + 1] === "/") {
      const nl = t.indexOf("\n", i + 2);
      out += " ";
      i = nl < 0 ? t.length : nl;
    } else if (c === "/") {
      return null;
    } else {
      out += c;
    }
  }
  return out;
}

// Where an allowed request carried a `_method` parameter the policy refuses, or "".
// Whether some framework reads a body of this content-type as a form: Rack splits the value on ';'
// and ',', PHP's SAPI cuts it at the first ';', ',' or space.
function readAsForm(type: string): boolean {
  const t = type.trimStart().toLowerCase();
  return [t.split(/[;,]/)[0].trim(), t.split(/[;, ]/)[0]].includes("application/x-www-form-urlencoded");
}

function overrideForwarded(req: RequestSpec): string {
  const q = req.path.indexOf("?");
  if (q >= 0 && queryReference(req.path.slice(q + 1))) return "query";
  const type = header(headerPairs(req.headers), "content-type")[0];
  const form = type === undefined || readAsForm(type);
  const b = bodyBytes(req.body);
  // The body is checked on the route, and /reports/** is an audit-mode route (test/cases/access.ts).
  const audited = /^\/reports(\/|\?|$)/.test(req.path);
  if ((req.method ?? "GET").toUpperCase() === "POST" && form && !audited && b && formReference([...b])) return "form body";
  return "";
}

function describe(req: RequestSpec): string {
  return JSON.stringify({ ...req, properties: undefined }).slice(0, 400);
}

const DENIED = "meshguard.denied.";

async function load(policy: object): Promise<ProxyWasmHost> {
  const host = await ProxyWasmHost.load(filterBytes(), { pluginConfig: JSON.stringify(policy) });
  if (!host.configured) throw new Error(`fuzz policy refused: ${host.logsAt("error").join("; ")}`);
  return host;
}

// Runs `count` requests from `seed`, alternating the two policies; one in 50 with an injected
// host failure. Time moves 1 ms per request, so buckets refill and the sweep runs.
export async function fuzzRun(count: number, seed: number, progress?: (done: number, pages: number) => void): Promise<FuzzReport> {
  const rng = new Rng(seed);
  const hosts = [await load(FUZZ_POLICY), await load(FUZZ_AUDIT_POLICY)];
  // The filter's own reasons: one counter per reason is defined at configure time (reasons.ts).
  const known = new Set(["", ...hosts[0].metricNames().filter((m) => m.startsWith(DENIED)).map((m) => m.slice(DENIED.length))]);
  const report: FuzzReport = { requests: 0, traps: [], violations: [], outcomes: new Map(), pagesStart: hosts[0].memoryPages, pagesEnd: 0, ms: 0 };
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const which = i & 1;
    const host = hosts[which];
    const req = fuzzRequest(rng);
    const fail = rng.int(50) === 0 ? rng.pick(FAILING) : null;
    if (fail) host.failures.set(fail, rng.pick(INJECTED));
    try {
      const out = runRequest(host, req);
      const key = `${out.status ?? 200} ${out.reason ?? ""}`;
      report.outcomes.set(key, (report.outcomes.get(key) ?? 0) + 1);
      if (!known.has(out.reason ?? "")) report.violations.push(`request ${i}: unknown reason ${out.reason}`);
      // The one refusal that may come after the service has the body: the host failing while
      // trailers are screened (503, fail closed). A streamed body went on as it came, and its
      // content-length makes it complete to an HTTP/1.1 service (which never gets trailers); an
      // HTTP/2 service has no end of stream yet, and the reset stops it.
      const lateHostFailure = fail !== null && out.status === 503 && out.repliedIn === "proxy_on_request_trailers";
      if (!out.allowed && out.upstream.complete && !lateHostFailure) report.violations.push(`request ${i}: refused (${key}) but the service has it complete: ${describe(req)}`);
      if (out.allowed && which === 0) {
        for (const h of ["x-http-method-override", "x-http-method", "x-method-override", "x-original-url", "x-forwarded-client-cert"]) {
          if (header(out.forwardedHeaders, h).length > 0) report.violations.push(`request ${i}: ${h} reached the service`);
        }
        // Nor a form body that names the items route's declared query parameter with a value its
        // rule (an integer) refuses, or in the array form (frameworks merge body and query parameters).
        const type = header(headerPairs(req.headers), "content-type")[0];
        const formLike = type === undefined || readAsForm(type);
        const b = bodyBytes(req.body);
        if (/^\/items\/[^/?]+(\?|$)/.test(req.path) && formLike && b && b.length > 0 && formValuesReference([...b], ["page"], formInteger, false)) report.violations.push(`request ${i}: a form body naming the query parameter page, with a value its rule refuses, reached the service: ${describe(req)}`);
        // Nor a JSON body whose top-level member so named holds what that rule refuses.
        if (/^\/items\/[^/?]+(\?|$)/.test(req.path) && type !== undefined && /\/json|\+json|\/x-json/i.test(type) && b && jsonPageRefused(b)) report.violations.push(`request ${i}: a JSON body naming the query parameter page, with a value its rule refuses, reached the service: ${describe(req)}`);
        // Nor a query naming one of the route's path parameters (Laravel reads it first).
        const q = req.path.indexOf("?");
        const bound = PATH_PARAMS.find(([re]) => re.test(req.path.slice(0, q < 0 ? undefined : q)));
        // Nor a multipart body naming a path parameter or the declared query parameter as a part,
        // unless as a plain part holding the path's value or an integer (multipart-values.ts).
        if (bound && type !== undefined && /^\s*multipart\//i.test(type) && b) {
          const targets = [...bound[1], ...(bound[1].includes("id") ? ["page"] : [])];
          const boundary = strictBoundaryReference(type);
          const pathSegments = req.path.slice(0, q < 0 ? undefined : q).split("/");
          const accepts = (k: number, v: number[]) => {
            let text: string;
            try { text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(v)); } catch { return false; }
            return k < bound[1].length ? text === pathSegments[bound[2][k]] && /^[A-Za-z0-9_-]+$/.test(text) : integerText(text);
          };
          if (boundary.length > 0 ? plainPartsReference([...b], boundary, targets, false, accepts) : multipartReference([...b], targets, false)) {
            report.violations.push(`request ${i}: a multipart part named as a bound parameter reached the service: ${describe(req)}`);
          }
        }
        // Nor a form naming one with a value other than the path's (decoded as a query's), or in
        // the array form (a form repeating the resource's id passes). Checked for plain segments.
        const segments = req.path.slice(0, q < 0 ? undefined : q).split("/");
        // Whether a value as written ('+' a space, percent-decoded) is path segment k's (decoded).
        const isPathValue = (v: string, k: number) => { try { return decodeURIComponent(v.replace(/\+/g, " ")) === decodeURIComponent(segments[k]); } catch { return false; } };
        if (bound && formLike && b && b.length > 0 && bound[2].every((k) => /^[A-Za-z0-9_-]+$/.test(segments[k]))) {
          if (bound[1].some((n, j) => formValuesReference([...b], [n], (raw) => isPathValue(String.fromCharCode(...raw), bound[2][j]), false))) report.violations.push(`request ${i}: a form naming a path parameter with another value reached the service: ${describe(req)}`);
        }
        if (bound && q >= 0) {
          const names = req.path.slice(q + 1).split(/[&;]/).map((p) => p.split("=")[0]);
          if (bound[1].some((n) => names.some((m) => formReference([...Buffer.from(m, "latin1")], n)))) report.violations.push(`request ${i}: a query naming a path parameter reached the service: ${describe(req)}`);
        }
        // Nor a cookie named as it whose value its rule (an integer) refuses (PHP's $_REQUEST reads it).
        for (const c of header(headerPairs(req.headers), "cookie")) {
          // Split on ';' and ',' (some readers), and on ';' only (PHP).
          const split = (re: RegExp) => c.split(re).map((p) => p.trim()).map((p) => [p.split("=")[0], p.includes("=") ? p.slice(p.indexOf("=") + 1) : ""]);
          const pairs = [...split(/[;,]/), ...split(/;/)];
          const integer = (v: string) => { try { return /^-?(0|[1-9][0-9]{0,17})$/.test(decodeURIComponent(v.replace(/\+/g, " "))); } catch { return false; } };
          if (/^\/items\/[^/?]+(\?|$)/.test(req.path) && pairs.some(([n, v]) => formReference([...Buffer.from(n, "latin1")], "page") && !integer(v))) report.violations.push(`request ${i}: a cookie naming the query parameter page, with a value its rule refuses, reached the service: ${describe(req)}`);
          // Nor one named as a path parameter (a rewrite rule's query to PHP) with another value.
          if (bound && pairs.some(([n, v]) => bound[1].some((name, j) => formReference([...Buffer.from(n, "latin1")], name) && !isPathValue(v, bound[2][j])))) report.violations.push(`request ${i}: a cookie naming a path parameter with another value reached the service: ${describe(req)}`);
        }
        const override = overrideForwarded(req);
        if (override) report.violations.push(`request ${i}: a _method parameter (${override}) reached the service: ${describe(req)}`);
      }
      if (out.allowed) {
        // No spelling of a removed header reaches the service (enforce and audit alike).
        for (const [name] of out.forwardedHeaders ?? []) {
          const form = name.replace(/[^a-z0-9:]/g, "-");
          if (form !== name && REMOVED.has(form)) report.violations.push(`request ${i}: ${name} (${form} to a CGI-style reader) reached the service`);
        }
        // Nor as a trailer, in any spelling.
        for (const [name] of out.upstream.trailers ?? []) {
          if (REMOVED.has(name.replace(/[^a-z0-9:]/g, "-"))) report.violations.push(`request ${i}: the trailer ${name} reached the service`);
        }
        const peer = header(out.forwardedHeaders, "x-meshguard-peer-id");
        if (peer.length > 1 || (peer.length === 1 && peer[0] !== req.peer)) report.violations.push(`request ${i}: forwarded peer ${peer.join(",")} for ${req.peer}`);
      }
    } catch (e) {
      report.traps.push(`request ${i} (seed ${seed}): ${(e as Error).message}`);
      hosts[which] = await load(which === 0 ? FUZZ_POLICY : FUZZ_AUDIT_POLICY);
    } finally {
      hosts[which].failures.clear();
    }
    if (hosts[which].trap && !report.traps.some((t) => t.startsWith(`request ${i} `))) {
      report.traps.push(`request ${i} (seed ${seed}): ${hosts[which].trap!.message}`);
      hosts[which] = await load(which === 0 ? FUZZ_POLICY : FUZZ_AUDIT_POLICY);
    }
    for (const h of hosts) if (h.invalidHeaderValues.length > 0) report.violations.push(`request ${i}: set a header value Envoy refuses: ${h.invalidHeaderValues.splice(0).join("; ")}`);
    hosts[0].advance(5);
    hosts[1].advance(5);
    report.requests++;
    if (progress && (i + 1) % 10000 === 0) progress(i + 1, Math.max(hosts[0].memoryPages, hosts[1].memoryPages));
  }
  report.violations = report.violations.slice(0, 20);
  report.pagesEnd = Math.max(hosts[0].memoryPages, hosts[1].memoryPages);
  report.ms = performance.now() - started;
  return report;
}
