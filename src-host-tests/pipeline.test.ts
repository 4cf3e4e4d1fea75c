// The access and identity tables through the pipeline alone, in the unit build: no host, no ABI,
// StreamIO and Tally kept in memory (src-host-tests/unit/pipeline.ts). The same tables run through
// the compiled filter in the emulator (access.test.ts, identity.test.ts) and through a real Envoy
// (test/access.e2e.test.ts, test/identity.e2e.test.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { ACCESS_TABLES, publishedPayload } from "../test/cases/access";
import { IDENTITY_CASES, IDENTITY_POLICY, type IdentityCase, TRUST_CASES, TRUST_ONLY_CASES, TRUST_ONLY_POLICY, TRUST_POLICY } from "../test/cases/identity";
import { EVENT_DENY, FIELD_EVENT, FIELD_REASON, LOG_PREFIX } from "../assembly/reply/event-fields";
import { REASONS } from "../assembly/reply/reasons";
import { header } from "../tools/emulator/request";
import { configurePipeline, runPipeline } from "./unit-pipeline";

for (const table of ACCESS_TABLES) describe(`${table.title}: the pipeline alone (unit build, no host)`, () => {
  beforeAll(() => configurePipeline(table.policy));
  for (const c of table.cases) {
    it(c.name, () => {
      const headers: Record<string, string | string[]> = { ...c.headers };
      if (c.apiKey) headers["x-api-key"] = c.apiKey;
      const out = runPipeline({
        method: c.method, path: c.path, headers, peer: c.cert?.[0] ?? null,
        jwt_claims: c.token ? publishedPayload(c.token) : undefined,
      });
      expect(out.status ?? 200).toBe(c.status);
      if (c.status !== 200) {
        expect(out.reason).toBe(c.reason);
        // The reply's status is the registry's, and the deny event names the same reason.
        expect(REASONS.find((r) => r.code === c.reason)?.status).toBe(c.status);
        const event = JSON.parse(out.logs.at(-1)!.slice(LOG_PREFIX.length));
        expect(event[FIELD_EVENT]).toBe(EVENT_DENY);
        expect(event[FIELD_REASON]).toBe(c.reason);
        return;
      }
      for (const [name, value] of Object.entries(c.forwarded ?? {})) {
        expect(header(out.forwardedHeaders, name)).toEqual(value === null ? [] : [value]);
      }
      if (c.wouldDeny) expect(out.counters[`would_deny.${c.wouldDeny}`]).toBeGreaterThan(0);
    });
  }
});

const TABLES: [string, object, IdentityCase[]][] = [
  ["identity table", IDENTITY_POLICY, IDENTITY_CASES],
  ["trust domains and require_peer", TRUST_POLICY, TRUST_CASES],
  ["trust domains without require_peer", TRUST_ONLY_POLICY, TRUST_ONLY_CASES],
];

for (const [title, policy, cases] of TABLES) describe(`${title}: the pipeline alone (unit build, no host)`, () => {
  beforeAll(() => configurePipeline(policy));
  for (const c of cases) {
    it(c.name, () => {
      const out = runPipeline({ path: c.path, headers: c.headers, peer: c.certUris?.[0] ?? null });
      expect(out.status ?? 200).toBe(c.status);
      if (c.status !== 200) { expect(out.reason).toBe(c.reason); return; }
      expect(header(out.forwardedHeaders, "x-meshguard-peer-id")).toEqual(c.forwardedPeer ? [c.forwardedPeer] : []);
      expect(header(out.forwardedHeaders, "x-forwarded-client-cert")).toEqual([]);
    });
  }
});
