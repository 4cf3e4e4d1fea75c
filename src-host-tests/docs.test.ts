// The documentation that is generated or listed from the code agrees with it: the reasons and
// log-event tables (scripts/docs.ts, from the registries the filter compiles), and the metrics
// table (every metric the compiled filter defines, with a policy that has a rate limit).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REASONS } from "../assembly/reply/reasons";
import { OPERATIONS, generated } from "../scripts/docs";
import { loadFilter } from "./fixture";

describe("docs/operations.md", () => {
  const text = readFileSync(OPERATIONS, "utf8");

  it("the reasons and log-event tables are the registries' (run npx tsx scripts/docs.ts)", () => {
    expect(generated(text)).toBe(text);
  });

  it("every metric the filter defines is documented", async () => {
    const host = await loadFilter({ routes: [{ path: "/**", public: true }], rate_limits: { limits: [{ name: "lim", capacity: 1, refill: { tokens: 1, seconds: 1 }, key: ["route"] }] } });
    const documented = [...text.matchAll(/^\| `(meshguard\.[^`]+)` \|/gm)].map((m) => m[1]);
    const reasons = new Set(REASONS.map((r) => r.code));
    const undocumented = host.metricNames().filter((name) => !documented.some((d) => {
      const pattern = new RegExp("^" + d.replace(/\./g, "\\.").replace("<reason>", "(?<reason>[a-z_]+)").replace("<limit>", "lim") + "$");
      const m = pattern.exec(name);
      return m !== null && (m.groups?.reason === undefined || reasons.has(m.groups.reason));
    }));
    expect(undocumented).toEqual([]);
    expect(host.metricNames().length).toBeGreaterThan(2 * REASONS.length);
  });
});

describe("README", () => {
  it("its example policy is one the filter accepts", async () => {
    const text = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const example = readFileSync(new URL("../examples/policy-short.json", import.meta.url), "utf8");
    expect(text).toContain(example.trim());
    const host = await loadFilter(example);
    expect(host.configured).toBe(true);
  });
});
