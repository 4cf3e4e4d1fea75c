// Configuration is compiled once and refused, loudly and by field, when wrong.
import { describe, expect, it } from "vitest";
import { BAD_CONFIGS } from "../test/cases/config";
import { IDENTITY_POLICY } from "../test/cases/identity";
import { runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";

describe("configuration refused by field (emulator)", () => {
  for (const c of BAD_CONFIGS) {
    it(c.name, async () => {
      const host = await loadFilter(c.config);
      expect(host.configured).toBe(false);
      const errors = host.logsAt("error");
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain("meshguard: configuration refused: ");
      expect(errors[0]).toContain(c.error);
      expect(host.metric("meshguard.config.rejected")).toBe(1n);
      expect(host.trap).toBeNull();
    });
  }

  it("routes that differ only in letter case load when their methods or hosts differ, and each decides its own requests", async () => {
    const host = await loadFilter({ routes: [
      { path: "/Admin/{id}", methods: ["GET"], public: true },
      { path: "/admin/{id}", methods: ["DELETE"], allow: [{ authenticated: true }] },
      { path: "/Reports", hosts: ["a.example"], public: true },
      { path: "/reports", hosts: ["b.example"], public: true },
    ] });
    expect(host.configured).toBe(true);
    expect(runRequest(host, { path: "/Admin/1" }).allowed).toBe(true);
    expect(runRequest(host, { method: "DELETE", path: "/admin/1" }).reason).toBe("identity_missing");
    expect(runRequest(host, { path: "/Reports", authority: "a.example" }).allowed).toBe(true);
    expect(runRequest(host, { path: "/reports", authority: "b.example" }).allowed).toBe(true);
  });

  it("without a policy every request is refused (fail closed)", async () => {
    const host = await loadFilter("{");
    const out = runRequest(host, { path: "/healthz" });
    expect(out.status).toBe(503);
    expect(out.reason).toBe("policy_unavailable");
  });
});

describe("reconfiguration", () => {
  it("a bad policy never replaces a good one", async () => {
    const host = await loadFilter(IDENTITY_POLICY);
    expect(host.configured).toBe(true);
    expect(host.configure('{"routes":[{"path":"/healthz"}]}')).toBe(false);
    expect(runRequest(host, { path: "/healthz" }).allowed).toBe(true);
    expect(runRequest(host, { path: "/api/orders", peer: "spiffe://meshguard.test/ns/dev/sa/web" }).status).toBe(403);
  });

  it("a good policy replaces the previous one", async () => {
    const host = await loadFilter(IDENTITY_POLICY);
    expect(host.configure('{"routes":[],"unmatched_routes":"allow"}')).toBe(true);
    expect(runRequest(host, { path: "/api/orders", peer: "spiffe://meshguard.test/ns/dev/sa/web" }).allowed).toBe(true);
  });

  it("accepts the smallest policy: no routes, everything undeclared is refused", async () => {
    const host = await loadFilter({ routes: [] });
    expect(host.configured).toBe(true);
    expect(runRequest(host, { path: "/" }).reason).toBe("route_not_declared");
  });
});
