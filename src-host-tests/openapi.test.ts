// OpenAPI import: the document's operations become meshguard's routes and checks, and anything
// else is a shadow API. The imported policy is run through the compiled filter.
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";

const ROOT = resolve(import.meta.dirname, "..");
const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, "bin", "meshguard.mjs"), ...args], { encoding: "utf8", cwd: ROOT });

describe("meshguard openapi", async () => {
  const out = cli("openapi", "examples/openapi/orders.yaml");
  it("imports an OpenAPI 3.0 document (exit 0, policy on stdout)", () => {
    expect(out.stderr).toBe("");
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
  it("what the subset cannot express is an error naming each place (exit 2)", () => {
    const bad = cli("openapi", "examples/openapi/unsupported.yaml");
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("paths./search.get.parameters.session: cookie parameters are outside meshguard's subset");
    expect(bad.stderr).toContain("paths./search.get.parameters.mode: array or object parameters");
  });
  it("a document that is not OpenAPI: exit 2", () => {
    expect(cli("openapi", "examples/policy.json").status).toBe(2);
  });
});
