// OpenAPI import: the document's operations become meshguard's routes and checks, and anything
// else is a shadow API. The imported policy is run through the compiled filter.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";

const ROOT = resolve(import.meta.dirname, "..");
const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, "bin", "meshguard.mjs"), ...args], { encoding: "utf8", cwd: ROOT });

describe("meshguard openapi", async () => {
  const out = cli("openapi", "examples/openapi/orders.yaml");
  it("imports an OpenAPI 3.0 document (exit 0, policy on stdout)", () => {
    expect(out.stderr).toBe("meshguard: 4 of 4 operations imported\n");
    expect(out.status).toBe(0);
  });
  const policy = JSON.parse(out.stdout || "{}");
  const host = await loadFilter(policy);
  const writer = { sub: "svc", scope: "orders:read orders:write" };
  const reader = { sub: "svc", scope: "orders:read" };

  it("every operation is a route; nothing else passes (shadow APIs refused)", () => {
    expect(policy.routes.map((r: { name: string }) => r.name).sort()).toEqual(["createOrder", "getOrder", "health", "listOrders"]);
    expect(runRequest(host, { path: "/admin", jwt_claims: writer })).toMatchObject({ status: 404, reason: "route_not_declared" });
    expect(runRequest(host, { method: "DELETE", path: "/orders/1", jwt_claims: writer })).toMatchObject({ status: 405 });
  });
  it("security: none or [] makes a route public; scopes become required scopes", () => {
    expect(runRequest(host, { path: "/health" }).allowed).toBe(true);
    expect(runRequest(host, { path: "/orders" })).toMatchObject({ status: 401 });
    expect(runRequest(host, { path: "/orders", jwt_claims: reader }).allowed).toBe(true);
    const body = JSON.stringify({ items: [{ sku: "a-1", qty: 1 }] });
    const post = (claims: object, extra: object = {}) => runRequest(host, { method: "POST", path: "/orders", jwt_claims: claims as Record<string, unknown>, headers: { "content-type": "application/json", "x-tenant": "t", ...extra }, body });
    expect(post(reader)).toMatchObject({ status: 403 });
    expect(post(writer).allowed).toBe(true);
  });
  it("parameters become typed checks; the JSON body its schema ($ref resolved, annotations dropped)", () => {
    expect(runRequest(host, { path: "/orders/x", jwt_claims: reader })).toMatchObject({ status: 400, reason: "path_param_invalid" });
    expect(runRequest(host, { path: "/orders?sort=up", jwt_claims: reader })).toMatchObject({ status: 400, reason: "query_invalid" });
    const post = (body: string, headers: object = { "x-tenant": "t" }) => runRequest(host, { method: "POST", path: "/orders", jwt_claims: writer, headers: { "content-type": "application/json", ...headers }, body });
    expect(post('{"items":[]}')).toMatchObject({ status: 400, reason: "body_schema_violation" });
    expect((post('{"items":[]}').body as { pointer: string; keyword: string }).keyword).toBe("minItems");
    expect(post('{"items":[{"sku":"a","qty":1}],"note":null}').allowed).toBe(true);
    expect(post('{"items":[{"sku":"a","qty":1}]}', {})).toMatchObject({ status: 400, reason: "header_missing" });
  });
  it("what the subset cannot express is left out with a warning naming each place (JSON Pointer)", () => {
    const out = cli("openapi", "examples/openapi/unsupported.yaml");
    expect(out.status).toBe(0);
    expect(out.stderr).toContain("warning: /paths/~1search/get/parameters/1: cookie parameter session: not checked");
    expect(out.stderr).toContain("warning: /paths/~1search/get/parameters/2: query parameter mode is an array or object");
    expect(out.stderr).toContain("1 of 1 operations imported");
    expect(JSON.parse(out.stdout).routes[0].query).toEqual({ q: { type: "string", pattern: "^[a-z]+$" } });
  });
  it("--strict refuses instead, with every problem in one run (exit 2)", () => {
    const bad = cli("openapi", "examples/openapi/unsupported.yaml", "--strict");
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("/paths/~1search/get/parameters/1: cookie parameter session");
    expect(bad.stderr).toContain("/paths/~1search/get/parameters/2: query parameter mode");
  });
  it("a document that is not OpenAPI: exit 2", () => {
    expect(cli("openapi", "examples/policy.json").status).toBe(2);
  });
});

describe("meshguard openapi: operations meshguard cannot tell apart", () => {
  it("a second spelling of a path in other letter case, or a HEAD beside a GET, is skipped with a warning; the policy loads", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-openapi-"));
    const file = join(dir, "case.json");
    const op = { responses: { 200: { description: "ok" } } };
    writeFileSync(file, JSON.stringify({ openapi: "3.0.3", info: { title: "t", version: "1" }, paths: {
      "/Users/{id}": { get: { operationId: "getUser", ...op } },
      "/users/{userId}": { get: { operationId: "getUserLower", ...op }, delete: { operationId: "deleteUser", ...op } },
      "/items": { head: { operationId: "headItems", ...op }, get: { operationId: "listItems", ...op } },
    } }));
    const out = cli("openapi", file);
    expect(out.status).toBe(0);
    expect(out.stderr).toContain("/paths/~1users~1{userId}/get: differs from getUser only in letter case");
    expect(out.stderr).toContain("/paths/~1items/head: matches the same requests as listItems");   // the GET route takes HEAD
    expect(out.stderr).toContain("3 of 5 operations imported");
    const host = await loadFilter(JSON.parse(out.stdout));
    expect(host.configured).toBe(true);
  });
  it("a query parameter named as a path parameter is left out with a warning; such a query is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-openapi-"));
    const file = join(dir, "same-name.json");
    writeFileSync(file, JSON.stringify({ openapi: "3.0.3", info: { title: "t", version: "1" }, paths: {
      "/users/{userId}": { get: { operationId: "getUser", parameters: [{ name: "userId", in: "path", required: true, schema: { type: "string" } }, { name: "userid", in: "query", schema: { type: "string" } }, { name: "page", in: "query", schema: { type: "integer" } }], responses: { 200: { description: "ok" } } } },
    } }));
    const out = cli("openapi", file);
    expect(out.status).toBe(0);
    expect(out.stderr).toContain("/paths/~1users~1{userId}/get/parameters/1: query parameter userid is named as a path parameter");
    const policy = JSON.parse(out.stdout);
    expect(Object.keys(policy.routes[0].query)).toEqual(["page"]);
    const host = await loadFilter(policy);
    expect(runRequest(host, { path: "/users/a?page=2" }).allowed).toBe(true);
    expect(runRequest(host, { path: "/users/a?userid=b" })).toMatchObject({ status: 400, reason: "query_invalid" });
  });
  it("a form media type beside a JSON body's schema is left out with a warning: a JSON body declared as a form is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-openapi-"));
    const file = join(dir, "form.json");
    const schema = { type: "object", properties: { qty: { type: "integer", maximum: 10 } } };
    writeFileSync(file, JSON.stringify({ openapi: "3.0.3", info: { title: "t", version: "1" }, paths: {
      "/orders": { post: { operationId: "createOrder", requestBody: { required: true, content: { "application/json": { schema }, "application/x-www-form-urlencoded": { schema } } }, responses: { 200: { description: "ok" } } } },
    } }));
    const out = cli("openapi", file);
    expect(out.status).toBe(0);
    expect(out.stderr).toContain("/paths/~1orders/post/requestBody/content: application/x-www-form-urlencoded: not accepted beside the JSON body's schema");
    const policy = JSON.parse(out.stdout);
    expect(policy.routes[0].content_types).toEqual(["application/json"]);
    const host = await loadFilter(policy);
    const post = (type: string) => runRequest(host, { method: "POST", path: "/orders", headers: { "content-type": type }, body: '{"qty":1,"x":"&qty=1000"}' });
    expect(post("application/json").allowed).toBe(true);
    expect(post("application/x-www-form-urlencoded")).toMatchObject({ status: 415, reason: "content_type_not_allowed" });
  });
});

// The shapes real documents have (issue #10: APIs-guru and GitHub's description), each a fault the
// importer once refused or mistranslated.
describe("meshguard openapi on real-world shapes", async () => {
  const out = cli("openapi", "examples/openapi/real-world.yaml");
  const policy = JSON.parse(out.stdout || "{}");
  const host = await loadFilter(policy);
  const user = { sub: "alice" };
  const route = (name: string) => policy.routes.find((r: { name: string }) => r.name === name);

  it("imports: vendor extensions ignored, an inexpressible template skipped with a warning", () => {
    expect(out.status).toBe(0);
    expect(out.stderr).toContain("/paths/~1items~1{name}:publish/post: path template /items/{name}:publish");
    expect(out.stderr).toContain("3 of 4 operations imported");
    for (const ext of ["x-logo", "x-go-type", "x-order", "x-internal", "x-codegen"]) expect(JSON.stringify(policy)).not.toContain(ext);
  });
  it("a bearer scheme admits a verified JWT user (authenticated reads the claims)", () => {
    expect(runRequest(host, { path: "/items/7", headers: { "x-mode": "fast" }, jwt_claims: user }).allowed).toBe(true);
    expect(runRequest(host, { path: "/items/7", headers: { "x-mode": "fast" } })).toMatchObject({ status: 401, reason: "identity_missing" });
  });
  it("an apiKey scheme says what to add", () => {
    expect(out.stderr).toContain("/components/securitySchemes/key/type: key is an API key (header X-Api-Key): add api_keys");
  });
  it("a header enum is an exact match; a parameter name with '-' is renamed; int32 is an integer", () => {
    expect(route("getItem").path).toBe("/items/{item_id}");
    const get = (mode: string, id = "7") => runRequest(host, { path: `/items/${id}`, headers: { "x-mode": mode }, jwt_claims: user });
    expect(get("fast").allowed).toBe(true);
    expect(get("fastest")).toMatchObject({ status: 400, reason: "header_value_invalid" });
    expect(get("fast", "x")).toMatchObject({ status: 400, reason: "path_param_invalid" });
  });
  it("media types with parameters merge; a recursive schema stays a reference", () => {
    expect(route("createItem").content_types).toEqual(["application/json"]);
    const post = (body: unknown) => runRequest(host, { method: "POST", path: "/items", headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(body), jwt_claims: user });
    expect(post({ name: "a", count: 1, children: [{ name: "b", count: 2, children: [] }] }).allowed).toBe(true);
    expect(post({ name: "a", count: 1, children: [{ name: "b" }] })).toMatchObject({ status: 400, reason: "body_schema_violation" });
  });
  it("readOnly properties are not required in a request; annotations stay inside enum and default values", () => {
    const post = (body: unknown) => runRequest(host, { method: "POST", path: "/items", headers: { "content-type": "application/json" }, body: JSON.stringify(body), jwt_claims: user });
    expect(post({ name: "a", count: 1 }).allowed).toBe(true);                       // no id: it is readOnly
    expect(post({ name: "a", count: 1, kind: "example" }).allowed).toBe(true);      // "example" is an enum value, not an annotation
    expect(post({ name: "a", count: 1, kind: "other" }).allowed).toBe(false);
  });
  it("int64 and double are understood: a range, and any number", () => {
    const post = (count: string) => runRequest(host, { method: "POST", path: "/items", headers: { "content-type": "application/json" }, body: `{"name":"a","count":${count},"weight":1.5}`, jwt_claims: user });
    expect(post("9007199254740993").allowed).toBe(true);
    expect(post("1e30")).toMatchObject({ status: 400, reason: "body_schema_violation" });
  });
});
