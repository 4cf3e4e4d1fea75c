// The access-control and attack table through the emulator. test/access.e2e.test.ts runs the same
// table through a real Envoy with jwt_authn and mutual TLS.
import { describe, expect, it } from "vitest";
import { ACCESS_TABLES, publishedPayload } from "../test/cases/access";
import { header, runRequest } from "../tools/emulator/request";
import { loadFilter } from "./fixture";

for (const table of ACCESS_TABLES) describe(`${table.title} (emulator)`, async () => {
  const host = await loadFilter(table.policy);

  it("accepts the table's policy", () => expect(host.configured).toBe(true));

  for (const c of table.cases) {
    it(c.name, () => {
      const headers: Record<string, string | string[]> = { ...c.headers };
      if (c.apiKey) headers["x-api-key"] = c.apiKey;
      const before = c.wouldDeny ? host.metric(`meshguard.audit.would_deny.${c.wouldDeny}`) ?? 0n : 0n;
      const out = runRequest(host, {
        method: c.method, path: c.path, headers, peer: c.cert?.[0] ?? null,
        jwt_claims: c.token ? publishedPayload(c.token) : undefined,
      });
      expect(out.status ?? 200).toBe(c.status);
      if (c.status !== 200) {
        expect(out.reason).toBe(c.reason);
        if (c.reason === "user_missing") expect(header(out.replyHeaders, "www-authenticate")).toEqual(["Bearer"]);
        return;
      }
      for (const [name, value] of Object.entries(c.forwarded ?? {})) {
        expect(header(out.forwardedHeaders, name)).toEqual(value === null ? [] : [value]);
      }
      if (c.wouldDeny) expect(host.metric(`meshguard.audit.would_deny.${c.wouldDeny}`)).toBe(before + 1n);
    });
  }

  it("never trapped", () => expect(host.trap).toBeNull());
});
