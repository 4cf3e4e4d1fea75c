// Route selection: the most specific template decides, whatever the declaration order, and the
// literal-prefix index gives the same order as a full scan. Each route admits a distinct role, so
// the role that gets through tells which route decided.
import { describe, expect, it } from "vitest";
import { runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";
import { HOST_CASES, HOST_POLICY, METHOD_CASES, METHOD_POLICY } from "../test/cases/traversal";
import { FUZZ_ITERATIONS, FUZZ_SEED, Rng } from "./random";
import { callText } from "./unit";

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

// The path's segments route matching walks (authz/template.ts splitPathInto, one reused array):
// the leading slash dropped, one trailing slash ignored, empty segments kept, against the reference
// below, for hand-picked paths and random ones over a small alphabet; the array reused between
// calls never carries a segment over.
describe("a path's segments", () => {
  const reference = (path: string): string[] => {
    const end = path.length > 1 && path.endsWith("/") ? path.length - 1 : path.length;
    const body = path.slice(1, end);
    return body.length === 0 ? [] : body.split("/");
  };
  const segments = (path: string): string[] => JSON.parse(callText("pathSegmentsOf", path));
  const paths = ["/", "//", "///", "/a", "/a/", "/a//", "/a//b", "//a", "/a/b/c", "/users/alice/orders/9", "/é/%2F/", "/a/b/c/d/e/f/g/h/"];
  for (const p of paths) it(`splits ${JSON.stringify(p)} as the reference does`, () => expect(segments(p)).toEqual(reference(p)));
  it(`random paths (${FUZZ_ITERATIONS}, seed ${FUZZ_SEED}), each after a longer one`, () => {
    const rng = new Rng(FUZZ_SEED);
    for (let i = 0; i < FUZZ_ITERATIONS; i++) {
      segments("/x/y/z/w/v/u");   // a longer split first: nothing of it may remain
      const p = "/" + Array.from({ length: rng.int(8) }, () => rng.pick(["a", "b", "/", "/", "é", "."])).join("");
      expect(segments(p), JSON.stringify(p)).toEqual(reference(p));
    }
  });
});

describe("methods read two ways (the method table)", async () => {
  const h = await loadFilter(METHOD_POLICY);
  for (const c of METHOD_CASES) {
    it(c.name, () => {
      const out = runRequest(h, { method: c.method, path: c.path });
      if (c.status === 200) expect(out.allowed).toBe(true);
      else expect(out).toMatchObject({ status: c.status, reason: c.reason });
    });
  }
});

describe("routes by host (the host table)", async () => {
  const h = await loadFilter(HOST_POLICY);

  for (const c of HOST_CASES) {
    it(c.name, () => {
      const out = runRequest(h, { path: "/users", authority: c.authority, headers: c.headers });
      if (c.status === 200) expect(out.allowed).toBe(true);
      else expect(out).toMatchObject({ status: c.status, reason: c.reason });
    });
  }

  it("a configured host with a trailing dot is refused at configure time", async () => {
    const bad = await loadFilter({ routes: [{ path: "/**", hosts: ["admin.example.com."], public: true }] });
    expect(bad.configured).toBe(false);
    expect(bad.logsAt("error")[0]).toContain("without port or trailing dot");
  });
});
