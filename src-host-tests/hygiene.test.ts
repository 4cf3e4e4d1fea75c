// Request hygiene (header count and sizes, control characters, framing headers that disagree),
// content types (415) and body sizes (413: from content-length at once, or as the body streams).
import { describe, expect, it } from "vitest";
import { header, runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";

const POLICY = {
  routes: [
    { name: "upload", path: "/upload", public: true, max_body_bytes: 100, content_types: ["application/json"] },
    { name: "any", path: "/**", public: true },
  ],
  request_limits: { max_headers: 20, max_header_bytes: 2048, max_header_value_bytes: 512, max_body_bytes: 1000 },
};

describe("header hygiene (emulator)", async () => {
  const host = await loadFilter(POLICY);
  const status = (headers: Record<string, string | string[]>) => runRequest(host, { path: "/x", headers });

  it("ordinary headers pass", () => expect(status({ accept: "*/*", "user-agent": "t" }).allowed).toBe(true));
  it("too many headers: 431", () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 20; i++) many[`x-h${i}`] = "v";
    expect(status(many)).toMatchObject({ status: 431, reason: "headers_too_large" });
  });
  it("a value over the limit: 431", () => expect(status({ "x-big": "a".repeat(513) })).toMatchObject({ status: 431, reason: "headers_too_large" }));
  it("headers over the total: 431", () => expect(status({ a: "a".repeat(500), b: "b".repeat(500), c: "c".repeat(500), d: "d".repeat(500), e: "e".repeat(100) })).toMatchObject({ status: 431 }));
  for (const [name, v] of [["NUL", "a\u0000b"], ["escape", "a\u001bb"], ["DEL", "a\u007fb"], ["line feed", "a\nb"]]) {
    it(`a control character (${name}) in a value: 400`, () => expect(status({ "x-c": v })).toMatchObject({ status: 400, reason: "header_invalid" }));
  }
  it("a tab and obs-text are allowed", () => expect(status({ "x-c": "a\tb\u00e9" }).allowed).toBe(true));
  it("content-length with transfer-encoding: 400", () => expect(status({ "content-length": "5", "transfer-encoding": "chunked" })).toMatchObject({ status: 400, reason: "header_invalid" }));
  it("two different content-lengths: 400", () => expect(status({ "content-length": ["5", "6"] })).toMatchObject({ status: 400 }));
  it("a content-length that is not a number: 400", () => expect(status({ "content-length": "5x" })).toMatchObject({ status: 400 }));
});

describe("content types and body sizes (emulator)", async () => {
  const host = await loadFilter(POLICY);
  const json = { "content-type": "application/json; charset=utf-8" };

  it("a JSON body within the route's limit passes", () => {
    expect(runRequest(host, { method: "POST", path: "/upload", headers: json, body: '{"a":1}' }).allowed).toBe(true);
  });
  it("another content type: 415", () => {
    expect(runRequest(host, { method: "POST", path: "/upload", headers: { "content-type": "text/plain" }, body: "hi" })).toMatchObject({ status: 415, reason: "content_type_not_allowed" });
  });
  it("no content type with a body: 415", () => {
    expect(runRequest(host, { method: "POST", path: "/upload", body: "{}" }).status).toBe(415);
  });
  it("no body, no content type needed", () => expect(runRequest(host, { path: "/upload" }).allowed).toBe(true));
  it("content-length over the route's limit: 413 before any body", () => {
    const s = host.newStream({});
    s.sendRequestHeaders([[":path", "/upload"], [":method", "POST"], ["content-type", "application/json"], ["content-length", "101"]], false);
    expect(s.localReply?.status).toBe(413);
    expect(JSON.parse(s.localReply!.body).reason).toBe("body_too_large");
    s.finish();
  });
  it("a body of unknown length is refused as soon as it passes the limit (5-byte chunks)", () => {
    const s = host.newStream({});
    s.sendRequestHeaders([[":path", "/upload"], [":method", "POST"], ["content-type", "application/json"], ["transfer-encoding", "chunked"]], false);
    let chunks = 0;
    while (!s.localReply && chunks < 100) { s.sendRequestBody("x".repeat(5), false); chunks++; }
    expect(chunks).toBe(21);                          // 105 bytes: the first chunk past 100
    expect(s.localReply?.status).toBe(413);
    expect(s.sendRequestBody("more", true)).toBe(1);  // nothing after the reply moves on
    s.finish();
  });
  it("routes without their own limit use the policy's", () => {
    expect(runRequest(host, { method: "POST", path: "/other", body: "x".repeat(1000) }).allowed).toBe(true);
    expect(runRequest(host, { method: "POST", path: "/other", body: "x".repeat(1001) }).status).toBe(413);
  });
  it("in audit mode, a body over the limit is logged and goes through", async () => {
    const audit = await loadFilter({ ...POLICY, mode: "audit" });
    expect(runRequest(audit, { method: "POST", path: "/upload", headers: json, body: "x".repeat(200), chunkSize: 7 }).allowed).toBe(true);
    expect(audit.metric("meshguard.audit.would_deny.body_too_large")).toBe(1n);
  });
});

describe("method-override headers (emulator)", () => {
  const OVERRIDES = { "x-http-method-override": "DELETE", "x-http-method": "DELETE", "x-method-override": "DELETE", "x-original-url": "/admin", "x-rewrite-url": "/admin" };
  const routes = [{ path: "/items/{id}", methods: ["GET"], public: true }];

  it("stripped by default: the service sees the GET the policy allowed, and no override", async () => {
    const host = await loadFilter({ routes });
    const out = runRequest(host, { path: "/items/7", headers: OVERRIDES });
    expect(out.allowed).toBe(true);
    for (const name of Object.keys(OVERRIDES)) expect(header(out.forwardedHeaders, name)).toEqual([]);
    expect(header(out.forwardedHeaders, ":method")).toEqual(["GET"]);
  });

  it("stripped even when strip_headers replaces the default list", async () => {
    const host = await loadFilter({ routes, strip_headers: ["x-internal"] });
    const out = runRequest(host, { path: "/items/7", headers: { ...OVERRIDES, "x-internal": "1" } });
    for (const name of [...Object.keys(OVERRIDES), "x-internal"]) expect(header(out.forwardedHeaders, name)).toEqual([]);
  });

  it("method_override: keep leaves them for a service that relies on them", async () => {
    const host = await loadFilter({ routes, method_override: "keep" });
    const out = runRequest(host, { path: "/items/7", headers: OVERRIDES });
    for (const [name, value] of Object.entries(OVERRIDES)) expect(header(out.forwardedHeaders, name)).toEqual([value]);
  });
});

// A `_method` parameter cannot be stripped without changing the request: with method_override:
// strip (the default) it is refused (validate/override.ts; the names read, in override.test.ts).
describe("method overrides in the query and a POST body (emulator)", () => {
  const routes = [{ path: "/items/{id}", methods: ["POST", "GET"], public: true }];
  const FORM = { "content-type": "application/x-www-form-urlencoded" };

  it("a _method query parameter: 400 method_override, nothing reaches the service", async () => {
    const host = await loadFilter({ routes });
    for (const path of ["/items/7?_method=DELETE", "/items/7?a=1&%5Fmethod=DELETE", "/items/7?.method=PUT"]) {
      const out = runRequest(host, { method: "POST", path, headers: FORM, body: "a=1" });
      expect(out.status, path).toBe(400);
      expect(out.reason).toBe("method_override");
      expect(out.upstream.headers).toBe(false);
    }
    expect(runRequest(host, { path: "/items/7?method=x&a=_method" }).allowed).toBe(true);
  });

  it("a _method field in a POST form, cut into 1-byte chunks: 400, not one byte of it forwarded", async () => {
    const host = await loadFilter({ routes });
    const out = runRequest(host, { method: "POST", path: "/items/7", headers: FORM, body: "a=1&_method=DELETE&b=2", chunkSize: 1 });
    expect(out.status).toBe(400);
    expect(out.reason).toBe("method_override");
    expect(out.upstream.body.length).toBe(0);
    expect(out.upstream.complete).toBe(false);
  });

  it("a POST form without one passes whole; a PUT's body is not read (frameworks override POST only)", async () => {
    const host = await loadFilter({ routes: [{ path: "/items/{id}", methods: ["POST", "PUT"], public: true }] });
    const ok = runRequest(host, { method: "POST", path: "/items/7", headers: FORM, body: "a=1&method=x", chunkSize: 3 });
    expect(ok.allowed).toBe(true);
    expect(ok.upstream.body.toString()).toBe("a=1&method=x");
    expect(runRequest(host, { method: "PUT", path: "/items/7", headers: FORM, body: "_method=DELETE" }).allowed).toBe(true);
  });

  it("the method is upper-cased first, as Symfony does: a lowercase post is scanned", async () => {
    const host = await loadFilter({ routes: [{ path: "/items/{id}", public: true }] });
    expect(runRequest(host, { method: "post", path: "/items/7", headers: FORM, body: "_method=DELETE" }).reason).toBe("method_override");
  });

  it("method_override: keep lets them through; mode: audit logs a would-deny and lets them through", async () => {
    const keep = await loadFilter({ routes, method_override: "keep" });
    expect(runRequest(keep, { method: "POST", path: "/items/7?_method=DELETE", headers: FORM, body: "_method=DELETE" }).allowed).toBe(true);
    const audit = await loadFilter({ routes, mode: "audit" });
    const out = runRequest(audit, { method: "POST", path: "/items/7?_method=DELETE", headers: FORM, body: "_method=DELETE" });
    expect(out.allowed).toBe(true);
    expect(out.upstream.body.toString()).toBe("_method=DELETE");
    expect(audit.metric("meshguard.audit.would_deny.method_override")).toBe(2n);
  });

  it("two content types, or one naming two media types: 400 header_invalid (Envoy joins two lines, even equal ones)", async () => {
    const host = await loadFilter({ routes });
    const post = (contentType: string | string[], body: string) => runRequest(host, { method: "POST", path: "/items/7", headers: { "content-type": contentType }, body });
    expect(post(["application/json", "application/x-www-form-urlencoded"], "{}").reason).toBe("header_invalid");
    expect(post("application/json,application/x-www-form-urlencoded", "{}").reason).toBe("header_invalid");
    // Envoy hands the filter "text/plain,text/plain" (test/agreement.e2e.test.ts, a header sent twice).
    expect(post(["text/plain", "text/plain"], "x").reason).toBe("header_invalid");
    // A host that hands each line over as its own pair: two different lines are refused, equal
    // ones are one media type.
    const lines = (a: string, b: string) => {
      const s = host.newStream({});
      s.sendRequestHeaders([[":path", "/items/7"], [":method", "POST"], ["content-type", a], ["content-type", b]], true);
      const reply = s.localReply;
      s.finish();
      return reply === null ? "allowed" : JSON.parse(reply.body).reason;
    };
    expect(lines("application/json", "application/x-www-form-urlencoded")).toBe("header_invalid");
    expect(lines("text/plain", "text/plain")).toBe("allowed");
  });
});

describe("a body meshguard reads comes unencoded, in an ASCII-compatible charset (emulator)", () => {
  // No bound names (`*`): only the `_method` scan of a POST reads these bodies.
  const routes = [{ path: "/items/*", methods: ["POST", "PUT"], public: true }];
  const post = (headers: Record<string, string | string[]>, method = "POST") => ({ method, path: "/items/7", headers, body: '{"a":1}' });

  it("refuses a content-encoding or a wide charset on a scanned POST: 415 content_encoding_not_allowed", async () => {
    const host = await loadFilter({ routes });
    const cases: Record<string, string | string[]>[] = [
      { "content-type": "application/json", "content-encoding": "gzip" },
      { "content-type": "application/json", "content-encoding": ["identity", "deflate"] },
      { "content-type": "application/json; charset=UTF-16" },
      { "content-type": "application/x-www-form-urlencoded; charset=\"utf-32be\"" },
      { "content-type": "application/json; charset=utf-8; charset=utf-16" },
    ];
    for (const headers of cases) {
      const out = runRequest(host, post(headers));
      expect(out.reason, JSON.stringify(headers)).toBe("content_encoding_not_allowed");
      expect(out.upstream.headers).toBe(false);
    }
  });

  it("passes ASCII-compatible charsets, identity, and bodies meshguard does not read", async () => {
    const host = await loadFilter({ routes });
    const cases: Record<string, string | string[]>[] = [
      { "content-type": "application/json; charset=UTF-8" }, { "content-type": "application/json; charset=\"iso-8859-1\"" },
      { "content-type": "application/json", "content-encoding": "identity" },
    ];
    for (const headers of cases) expect(runRequest(host, post(headers)).allowed, JSON.stringify(headers)).toBe(true);
    expect(runRequest(host, post({ "content-type": "application/json", "content-encoding": "gzip" }, "PUT")).allowed).toBe(true);
    const keep = await loadFilter({ routes, method_override: "keep" });
    expect(runRequest(keep, post({ "content-type": "application/json", "content-encoding": "gzip" })).allowed).toBe(true);
  });

  it("a body searched for the route's parameter names is read too: refused encoded, in any method", async () => {
    const host = await loadFilter({ routes: [{ path: "/items/{id}", methods: ["POST", "PUT"], public: true }], method_override: "keep" });
    expect(runRequest(host, post({ "content-type": "application/json", "content-encoding": "gzip" }, "PUT"))).toMatchObject({ status: 415, reason: "content_encoding_not_allowed" });
    expect(runRequest(host, post({ "content-type": "application/octet-stream", "content-encoding": "gzip" }, "PUT")).allowed).toBe(true);
  });
});

// PHP, Rack and WSGI servers read `x_tenant` and `x-tenant` as one HTTP_X_TENANT (validate/twins.ts).
describe("header names that differ only in '-' and '_' (emulator)", async () => {
  const policy = (extra: object) => ({
    routes: [{ name: "t", path: "/t", public: true, required_headers: ["x_tenant"], header_patterns: { x_tenant: "^[a-z]+$" } }, { name: "any", path: "/**", public: true }],
    strip_headers: ["x-real-ip"], ...extra,
  });
  const host = await loadFilter(policy({}));
  const audit = await loadFilter(policy({ mode: "audit" }));

  it("a configured name with '_' has its '-' spelling as twin; the name itself passes", () => {
    expect(runRequest(host, { path: "/t", headers: { x_tenant: "acme" } }).allowed).toBe(true);
    expect(runRequest(host, { path: "/t", headers: { x_tenant: "acme", "x-tenant": "../x" } })).toMatchObject({ status: 400, reason: "header_invalid" });
    expect(host.logsAt("info").some((l) => l.includes("x-tenant is x_tenant to servers that read headers CGI-style"))).toBe(true);
  });
  it("the twins of a strip_headers entry are removed with it", () => {
    const out = runRequest(host, { path: "/x", headers: { "x-real-ip": "1.2.3.4", x_real_ip: "10.0.0.1", "x_real-ip": "10.0.0.2", x_other: "kept" } });
    expect(out.allowed).toBe(true);
    for (const name of ["x-real-ip", "x_real_ip", "x_real-ip"]) expect([name, header(out.forwardedHeaders, name)]).toEqual([name, []]);
    expect(header(out.forwardedHeaders, "x_other")).toEqual(["kept"]);
  });
  it("the twins of the headers Envoy sets are removed; the headers themselves are Envoy's", () => {
    const out = runRequest(host, { path: "/x", headers: { "x-forwarded-for": "203.0.113.7", x_forwarded_for: "10.0.0.1", "x-forwarded_proto": "http", x_request_id: "1" } });
    expect(out.allowed).toBe(true);
    for (const name of ["x_forwarded_for", "x-forwarded_proto", "x_request_id"]) expect([name, header(out.forwardedHeaders, name)]).toEqual([name, []]);
    expect(header(out.forwardedHeaders, "x-forwarded-for")).toEqual(["203.0.113.7"]);
  });
  it("in audit mode a removed twin is still removed; a read twin is a would-deny, forwarded as sent", () => {
    const spoofed = runRequest(audit, { path: "/x", headers: { x_meshguard_user: "root" } });
    expect(spoofed.allowed).toBe(true);
    expect(header(spoofed.forwardedHeaders, "x_meshguard_user")).toEqual([]);
    const read = runRequest(audit, { path: "/t", headers: { x_tenant: "acme", "x-tenant": "../x" } });
    expect(read.allowed).toBe(true);
    expect(header(read.forwardedHeaders, "x-tenant")).toEqual(["../x"]);
    expect(audit.metric("meshguard.audit.would_deny.header_invalid")).toBe(1n);
  });
  it("never trapped", () => { expect(host.trap).toBeNull(); expect(audit.trap).toBeNull(); });
});
