// Body sizes and content types through a real Envoy: 413 from content-length before anything is
// forwarded, 413 for a chunked body as soon as it passes the limit, 415 for another media type.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { call } from "./harness/client";
import { quiesce } from "./harness/fixture";
import { WIRE_FRAMINGS, h1, sendFramed } from "./harness/raw";
import { meshPerSuite } from "./harness/table";

const POLICY = {
  routes: [
    { name: "upload", path: "/upload", public: true, max_body_bytes: 1000, content_types: ["application/json"] },
    { name: "item", path: "/items/{id}", public: true, param_types: { id: "integer" }, query: { page: { type: "integer" } } },
    {
      name: "orders", path: "/orders", methods: ["POST"], public: true, content_types: ["application/json"],
      body_schema: { type: "object", required: ["sku", "qty"], additionalProperties: false, properties: { sku: { type: "string" }, qty: { type: "integer", minimum: 1 } } },
    },
  ],
  request_limits: { max_headers: 30 },
};

describe("body size and content type (real Envoy)", () => {
  const mesh = meshPerSuite(POLICY, { requireClientCertificate: false });

  const post = (body: string, type = "application/json") =>
    call(mesh().envoy.listenerPort, { method: "POST", path: "/upload", headers: { "content-type": type }, body, ca: mesh().pki.ca.cert });

  // A chunked upload: no content-length, the body written in pieces.
  const chunked = (pieces: string[], path = "/upload") =>
    call(mesh().envoy.listenerPort, { method: "POST", path, headers: { "content-type": "application/json" }, chunks: pieces, ca: mesh().pki.ca.cert });

  it("a JSON body within the limit reaches the service intact", async () => {
    const r = await post('{"n":1}');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).body).toBe('{"n":1}');
    expect(JSON.parse(r.body).headers["content-length"]).toBe("7");   // it went with its length
  });

  it("content-length over the limit: 413, and nothing reaches the service", async () => {
    const before = mesh().upstream.seen.length;
    const r = await post("x".repeat(1001));
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).reason).toBe("body_too_large");
    await quiesce(mesh());
    expect(mesh().upstream.seen.length).toBe(before);   // not even the headers
  });

  it("a chunked body is refused once it passes the limit", async () => {
    const r = await chunked(Array.from({ length: 20 }, () => "y".repeat(100)));
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).reason).toBe("body_too_large");
  });

  it("a chunked body within the limit passes", async () => {
    const r = await chunked(["[", "1,".repeat(10), "2]"]);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).headers["transfer-encoding"]).toBe("chunked");   // it went without a length
  });

  it("more headers than the policy allows: 431 from meshguard (below Envoy's own limit of 100)", async () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 40; i++) headers[`x-h${i}`] = "v";
    const r = await call(mesh().envoy.listenerPort, { path: "/upload", headers, ca: mesh().pki.ca.cert });
    expect(r.status).toBe(431);
    expect(JSON.parse(r.body).reason).toBe("headers_too_large");
  });

  for (const [path, status, reason] of [["/items/7?page=2", 200, ""], ["/items/x", 400, "path_param_invalid"], ["/items/7?page=1&page=2", 400, "query_invalid"], ["/items/7?page=two", 400, "query_invalid"]] as const) {
    it(`typed path and query parameters: ${path} → ${status}`, async () => {
      const r = await call(mesh().envoy.listenerPort, { path, ca: mesh().pki.ca.cert });
      expect(r.status).toBe(status);
      if (reason) expect(JSON.parse(r.body).reason).toBe(reason);
    });
  }

  const order = (body: string) => call(mesh().envoy.listenerPort, { method: "POST", path: "/orders", headers: { "content-type": "application/json" }, body, ca: mesh().pki.ca.cert });

  it("a body that matches the route's schema reaches the service intact", async () => {
    const r = await order('{"sku":"a-1","qty":3}');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).body).toBe('{"sku":"a-1","qty":3}');
  });

  it("a body that fails the schema: 400 with the pointer and the keyword; the service gets none of the body", async () => {
    const before = mesh().upstream.seen.length;
    const r = await order('{"sku":"a-1","qty":0}');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ reason: "body_schema_violation", pointer: "/qty", keyword: "minimum" });
    await quiesce(mesh());
    const after = mesh().upstream.seen.slice(before);
    expect(after.filter((w) => w.state === "complete")).toEqual([]);
    expect(after.reduce((n, w) => n + w.bytes, 0)).toBe(0);
  });

  it("a chunked body that is not JSON: 400", async () => {
    const r = await chunked(['{"sku":', '"a", ', "}"], "/orders");
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).reason).toBe("body_invalid_json");
  });

  it("method-override headers never reach the service: an allowed GET cannot become a DELETE behind it", async () => {
    const r = await call(mesh().envoy.listenerPort, {
      path: "/items/7",
      headers: { "x-http-method-override": "DELETE", "x-http-method": "DELETE", "x-method-override": "DELETE", "x-other": "kept" },
      ca: mesh().pki.ca.cert,
    });
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body);
    expect(seen.method).toBe("GET");
    expect(seen.headers["x-http-method-override"]).toBeUndefined();
    expect(seen.headers["x-http-method"]).toBeUndefined();
    expect(seen.headers["x-method-override"]).toBeUndefined();
    expect(seen.headers["x-other"]).toBe("kept");
  });

  for (const framing of WIRE_FRAMINGS) {
    it(`method-override headers never reach the service (${framing}, the service as witness)`, async () => {
      const m = mesh();
      const id = randomUUID();
      const headers = { "x-test-id": id, "x-http-method-override": "DELETE", "x-http-method": "DELETE", "x-method-override": "DELETE", "x-original-url": "/admin", "x-rewrite-url": "/admin", "x-other": "kept" };
      const r = await sendFramed({ port: m.envoy.listenerPort, ca: m.pki.ca.cert, path: "/items/7", headers, pieces: ["a", "b"] }, framing);
      expect(r.status).toBe(200);
      await quiesce(m);
      const seen = m.upstream.byId(id);
      expect(seen.map((w) => w.state)).toEqual(["complete"]);
      expect(seen[0].method).toBe("POST");
      for (const h of ["x-http-method-override", "x-http-method", "x-method-override", "x-original-url", "x-rewrite-url"]) expect(seen[0].headers[h]).toBeUndefined();
      expect(seen[0].headers["x-other"]).toBe("kept");
    });
  }

  // A query parameter cannot be stripped without changing the request: refused at the headers.
  for (const framing of WIRE_FRAMINGS) {
    it(`a _method query parameter: 400 method_override, nothing reaches the service (${framing})`, async () => {
      const m = mesh();
      const id = randomUUID();
      const headers = { "x-test-id": id, "content-type": "application/x-www-form-urlencoded" };
      const r = await sendFramed({ port: m.envoy.listenerPort, ca: m.pki.ca.cert, path: "/items/7?a=1&%5Fmethod=DELETE", headers, pieces: ["a=", "1"] }, framing);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body).reason).toBe("method_override");
      await quiesce(m);
      expect(m.upstream.byId(id)).toEqual([]);
    });
  }

  // Envoy joins the two into one value with ','; either way two readers could take different
  // media types (and the method-override scan would read the wrong format).
  it("two different content-type headers: 400 header_invalid, nothing reaches the service (HTTP/1.1)", async () => {
    const m = mesh();
    const id = randomUUID();
    const r = await h1({
      port: m.envoy.listenerPort, ca: m.pki.ca.cert, path: "/items/7", headers: { "x-test-id": id },
      headerLines: ["content-type: application/json", "content-type: application/x-www-form-urlencoded"], pieces: ["_method=DELETE"],
    }, "length");
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).reason).toBe("header_invalid");
    await quiesce(m);
    expect(m.upstream.byId(id)).toEqual([]);
  });

  it("another media type: 415", async () => {
    const r = await post("hello", "text/plain");
    expect(r.status).toBe(415);
    expect(JSON.parse(r.body).reason).toBe("content_type_not_allowed");
  });
});
