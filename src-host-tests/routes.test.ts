// Route selection: the most specific template decides, whatever the declaration order, and the
// literal-prefix index gives the same order as a full scan. Each route admits a distinct role, so
// the role that gets through tells which route decided.
import { describe, expect, it } from "vitest";
import { runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";

const route = (path: string, role: string, methods?: string[]) => ({ name: role, path, methods, allow: [{ any_role: [role] }] });
const POLICY = {
  routes: [
    route("/**", "catch-all"),
    route("/{p}/b/c", "param-first"),
    route("/a/**", "a-rest"),
    route("/a/{x}/c", "a-param-c"),
    route("/a/b/{y}", "a-b-param"),
    route("/a/b/c", "a-b-c-get", ["GET"]),
    route("/a/*/d", "a-any-d"),
    route("/", "root"),
  ],
};

const CASES: [string, string, string][] = [
  ["GET", "/a/b/c", "a-b-c-get"],
  ["POST", "/a/b/c", "a-b-param"],      // the literal route is GET only; the next most specific
  ["GET", "/a/x/c", "a-param-c"],
  ["GET", "/a/b/z", "a-b-param"],
  ["GET", "/a/x/d", "a-any-d"],
  ["GET", "/a/x/y/z", "a-rest"],
  ["GET", "/a", "a-rest"],              // ** matches zero segments
  ["GET", "/q/b/c", "param-first"],
  ["GET", "/q/r", "catch-all"],
  ["GET", "/", "root"],
];

describe("route selection", async () => {
  const roles = POLICY.routes.map((r) => r.name);
  // Declared in reverse too: the outcome must not depend on order.
  for (const [label, policy] of [["declared order", POLICY], ["reversed", { routes: [...POLICY.routes].reverse() }]] as const) {
    const host = await loadFilter(policy);
    for (const [method, path, winner] of CASES) {
      it(`${label}: ${method} ${path} → ${winner}`, () => {
        for (const role of roles) {
          const out = runRequest(host, { method, path, jwt_claims: { sub: "u", roles: [role] } });
          expect(out.allowed, `role ${role}`).toBe(role === winner);
        }
      });
    }
  }
});
