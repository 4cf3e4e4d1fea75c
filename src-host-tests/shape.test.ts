// Typed path parameters, query parameters, required and forbidden headers: checked after
// authorization, refused with 400 and a reason; in audit mode, a would-deny.
import { describe, expect, it } from "vitest";
import { runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";

const ROUTE = {
  name: "orders", path: "/users/{userId}/orders/{orderId}", methods: ["GET"],
  param_types: { orderId: "integer", userId: "uuid" },
  query: { page: { type: "integer" }, sort: { enum: ["asc", "desc"] }, q: { required: true, max_length: 5 }, tag: { pattern: "^[a-z]{2,4}$" } },
  header_patterns: { "x-tenant": "^[a-z0-9-]{1,16}$" },
  query_additional: false,
  required_headers: ["x-tenant"], forbidden_headers: ["x-debug"],
  allow: [{ any_role: ["reader"] }],
};
const U = "123e4567-e89b-12d3-a456-426614174000";
const reader = { sub: "r", roles: ["reader"] };

describe("request shape (emulator)", async () => {
  const host = await loadFilter({ routes: [ROUTE] });
  const get = (path: string, headers: Record<string, string | string[]> = { "x-tenant": "t" }, claims: object | undefined = reader) =>
    runRequest(host, { path, headers, jwt_claims: claims as Record<string, unknown> | undefined });

  it("a request of the declared shape passes", () => expect(get(`/users/${U}/orders/42?q=abc&page=2&sort=asc`).allowed).toBe(true));
  it("percent-encoded and '+' values are decoded before checking", () => expect(get(`/users/${U}/orders/42?q=a%20b+c`).allowed).toBe(true));

  const refused: [string, string, Record<string, string | string[]> | undefined, string][] = [
    ["orderId not an integer", `/users/${U}/orders/4x?q=a`, undefined, "path_param_invalid"],
    ["orderId with a leading zero", `/users/${U}/orders/042?q=a`, undefined, "path_param_invalid"],
    ["userId not a UUID", "/users/alice/orders/42?q=a", undefined, "path_param_invalid"],
    ["required query parameter missing", `/users/${U}/orders/42`, undefined, "query_invalid"],
    ["query value too long (code points)", `/users/${U}/orders/42?q=abcdef`, undefined, "query_invalid"],
    ["query value of the wrong type", `/users/${U}/orders/42?q=a&page=two`, undefined, "query_invalid"],
    ["query value not in the enum", `/users/${U}/orders/42?q=a&sort=random`, undefined, "query_invalid"],
    ["a declared parameter twice (pollution)", `/users/${U}/orders/42?q=a&q=b`, undefined, "query_invalid"],
    ["an undeclared parameter", `/users/${U}/orders/42?q=a&admin=1`, undefined, "query_invalid"],
    ["malformed encoding", `/users/${U}/orders/42?q=%zz`, undefined, "query_invalid"],
    ["query value not matching its pattern", `/users/${U}/orders/42?q=a&tag=TOOLONG`, undefined, "query_invalid"],
    ["header value not matching its pattern", `/users/${U}/orders/42?q=a`, { "x-tenant": "Acme Corp" }, "header_value_invalid"],
    ["required header missing", `/users/${U}/orders/42?q=a`, {}, "header_missing"],
    ["forbidden header present", `/users/${U}/orders/42?q=a`, { "x-tenant": "t", "x-debug": "1" }, "header_forbidden"],
  ];
  for (const [name, path, headers, reason] of refused) {
    it(`${name}: 400 ${reason}`, () => {
      const out = get(path, headers ?? { "x-tenant": "t" });
      expect(out.status).toBe(400);
      expect(out.reason).toBe(reason);
    });
  }

  it("authorization comes first: a caller without the role gets 403, not a validation hint", () => {
    expect(get("/users/alice/orders/4x", {}, { sub: "x", roles: [] }).status).toBe(403);
  });

  it("the log line says what was refused; the reply does not", () => {
    const out = get(`/users/${U}/orders/42?q=a&page=two`);
    expect(JSON.stringify(out.body)).not.toContain("page");
    expect(host.logsAt("info").some((l) => l.includes('"detail":"page is not integer"'))).toBe(true);
  });

  it("in an audit-mode route, a bad shape is a would-deny", async () => {
    const audit = await loadFilter({ routes: [{ ...ROUTE, mode: "audit" }] });
    const out = runRequest(audit, { path: `/users/${U}/orders/x`, headers: { "x-tenant": "t" }, jwt_claims: reader });
    expect(out.allowed).toBe(true);
    expect(audit.metric("meshguard.audit.would_deny.path_param_invalid")).toBe(1n);
  });
});
