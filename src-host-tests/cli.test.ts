// `meshguard check`: exit 0 allowed, 1 refused, 2 bad input with the error on stderr.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "meshguard-cli-"));
function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}
function check(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "meshguard.mjs"), ...args], { encoding: "utf8", cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const policy = join(ROOT, "examples", "policy.json");

describe("meshguard check", () => {
  it("allowed: exit 0 and the headers as forwarded", () => {
    const r = check("check", "--config", policy, "--request", join(ROOT, "examples", "request-allowed.json"));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.decision).toBe("allowed");
    expect(out.forwarded_headers).toContainEqual(["x-meshguard-peer-id", "spiffe://cluster.local/ns/shop/sa/frontend"]);
    expect(out.forwarded_headers.filter(([k]: [string]) => k === "x-meshguard-peer-id")).toHaveLength(1);
  });

  it("refused: exit 1, status, reason and a stable request id", () => {
    const r = check("check", "--config", policy, "--request", join(ROOT, "examples", "request-refused.json"));
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ decision: "refused", status: 403, reason: "not_allowed", details: "meshguard_not_allowed" });
    expect(out.body.request_id).toBe("meshguard-check");
  });

  it("no peer on an identity route: 401", () => {
    const r = check("check", "--config", policy, "--request", file("nopeer.json", { path: "/api/orders", peer: null }));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).status).toBe(401);
  });

  it("a body given as base64 is accepted", () => {
    const r = check("check", "--config", policy, "--request", file("b64.json", { method: "POST", path: "/healthz", body: { base64: "aGVsbG8=" } }));
    expect(r.code).toBe(0);
  });

  it("verified claims in jwt_authn's shape: the owner reads their order", () => {
    const r = check("check", "--config", join(ROOT, "examples", "policy-users.json"), "--request", join(ROOT, "examples", "request-owner.json"));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).forwarded_headers).toContainEqual(["x-meshguard-user", "alice"]);
  });

  it("jwt_claims shorthand: another user's order is refused (BOLA)", () => {
    const r = check("check", "--config", join(ROOT, "examples", "policy-users.json"), "--request", join(ROOT, "examples", "request-bola.json"));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 403, reason: "not_allowed" });
  });

  const bad: [string, string[]][] = [
    ["claims not an object", ["check", "--config", policy, "--request", file("claims.json", { path: "/", jwt_claims: ["sub"] })]],
    ["metadata namespace not an object", ["check", "--config", policy, "--request", file("md.json", { path: "/", dynamic_metadata: { "envoy.filters.http.jwt_authn": "x" } })]],
    ["no subcommand", []],
    ["unknown option", ["check", "--config", policy, "--request", policy, "--verbose", "1"]],
    ["missing request", ["check", "--config", policy]],
    ["request file missing", ["check", "--config", policy, "--request", join(dir, "nope.json")]],
    ["request not JSON", ["check", "--config", policy, "--request", file("notjson.json", "{")]],
    ["request unknown field", ["check", "--config", policy, "--request", file("unk.json", { path: "/", peers: [] })]],
    ["request without path", ["check", "--config", policy, "--request", file("nopath.json", { method: "GET" })]],
    ["bad header value", ["check", "--config", policy, "--request", file("hdr.json", { path: "/", headers: { a: 1 } })]],
    ["policy refused by the filter", ["check", "--config", file("badpolicy.json", { routes: [{ path: "/a" }] }), "--request", join(ROOT, "examples", "request-refused.json")]],
  ];
  for (const [name, args] of bad) {
    it(`bad input: ${name} → exit 2 with the error on stderr`, () => {
      const r = check(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^meshguard: /);
    });
  }

  it("names the refused policy field", () => {
    const r = check("check", "--config", file("badpolicy2.json", { routes: [{ path: "/a" }] }), "--request", join(ROOT, "examples", "request-refused.json"));
    expect(r.stderr).toContain("routes[0].allow: required unless the route is public");
  });
});

// `meshguard validate <policy.yaml|json>`: the policy through the compiled filter; a refusal at
// the file, line and column of the field it names. Exit 0 accepted, 1 refused, 2 bad input.
describe("meshguard validate", () => {
  it("a valid policy, in JSON or YAML: exit 0", () => {
    expect(check("validate", join(ROOT, "examples", "policy-short.json"))).toMatchObject({ code: 0, stdout: expect.stringContaining("valid (3 routes)") });
    const yaml = file("ok.yaml", "routes:\n  - name: health\n    path: /healthz\n    public: true\n");
    expect(check("validate", yaml)).toMatchObject({ code: 0, stdout: `${yaml}: valid (1 route)\n` });
  });
  it("an unknown field: exit 1, at its line and column, naming the field", () => {
    const yaml = file("bad.yaml", "# a mistake\nroutes:\n  - name: orders\n    path: /orders/{id}\n    allow:\n      - peers: [\"spiffe://cluster.local/ns/shop/sa/*\"]\n      - any_role: [admin]\n        colour: blue\n");
    expect(check("validate", yaml)).toMatchObject({ code: 1, stderr: `${yaml}:8:9: routes[0].allow[1].colour: unknown field\n` });
  });
  it("a wrong value: at the value's entry", () => {
    const json = file("bad.json", '{\n  "routes": [\n    { "path": "/a", "public": true },\n    { "path": "/b", "methods": ["get"], "public": true }\n  ]\n}\n');
    const r = check("validate", json);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${json}:4:33: routes\\[1\\]\\.methods\\[0\\]: "get" is not an uppercase HTTP method`));
  });
  it("a body schema's error points into the schema", () => {
    const yaml = file("schema.yaml", "routes:\n  - path: /o\n    public: true\n    body_schema:\n      type: object\n      properties:\n        a: { patternProperties: {} }\n");
    const r = check("validate", yaml);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${yaml}:7:14: routes[0].body_schema/properties/a/patternProperties:`);
  });
  it("not YAML at all: exit 1 with the parser's position; a missing file: exit 2", () => {
    const broken = file("broken.yaml", "routes: [\n");
    expect(check("validate", broken)).toMatchObject({ code: 1, stderr: expect.stringMatching(new RegExp(`^${broken}:\\d+:\\d+: `)) });
    expect(check("validate", join(dir, "missing.yaml")).code).toBe(2);
  });
  it("check takes a YAML policy too", () => {
    const yaml = file("check.yaml", "routes:\n  - path: /healthz\n    public: true\n");
    const req = file("req.json", { path: "/healthz" });
    expect(check("check", "--config", yaml, "--request", req).code).toBe(0);
  });
});

// `meshguard test` (policy unit tests) and `meshguard diff` (the gate before a policy is promoted).
describe("meshguard test and diff", () => {
  it("test: every example test passes (exit 0), in text and JSON", () => {
    const r = check("test", join(ROOT, "examples", "tests", "policy-short.tests.yaml"));
    expect(r).toMatchObject({ code: 0, stdout: expect.stringContaining("7 passed, 0 failed") });
    const j = JSON.parse(check("test", join(ROOT, "examples", "tests", "policy-short.tests.yaml"), "--format", "json").stdout);
    expect(j).toMatchObject({ passed: 7, failed: 0 });
  });
  it("test: a failing expectation says what was expected and what happened (exit 1)", () => {
    const tests = file("failing.tests.yaml", `policy: ${join(ROOT, "examples", "policy-short.json")}\ntests:\n  - name: wrong on purpose\n    request: { path: /users/bob/orders/7, jwt_claims: { sub: alice, scope: "orders:read" } }\n    expect: { allowed: true }\n`);
    const r = check("test", tests);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("FAIL wrong on purpose\n     expected allowed, got refused 403 not_allowed");
  });
  it("diff: the decisions a new policy changes on recorded requests (exit 1), none against itself (exit 0)", () => {
    const recorded = join(ROOT, "examples", "tests", "recorded.jsonl");
    const r = check("diff", join(ROOT, "examples", "policy-short.json"), join(ROOT, "examples", "policy-short-next.json"), "--requests", recorded);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("GET /users/bob/orders/7 sub=sam: allowed -> refused 403 not_allowed\nGET /admin/users peer=spiffe://cluster.local/ns/ops/sa/batch: allowed -> refused 403 not_allowed\n2 of 5 decisions change\n");
    expect(check("diff", join(ROOT, "examples", "policy-short.json"), join(ROOT, "examples", "policy-short.json"), "--requests", recorded)).toMatchObject({ code: 0, stdout: "0 of 5 decisions change\n" });
  });
});

describe("meshguard --help", () => {
  it("prints every command's usage, exit 0", () => {
    const r = check("--help");
    expect(r.code).toBe(0);
    for (const c of ["validate", "check", "openapi", "render", "test", "diff", "rollout", "package", "push"]) expect(r.stdout).toContain(`meshguard ${c} `);
  });
});
