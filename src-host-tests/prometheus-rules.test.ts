// The shipped Prometheus rules (envoy/prometheus/) are valid and do what their test file says:
// promtool check rules, then promtool test rules on sample series (an identity quarantined, a
// refusal ratio jumping, a detector firing across sidecars). promtool comes from Debian's
// prometheus package, installed on first use.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveTool } from "../tools/prometheus/install";

const DIR = resolve(import.meta.dirname, "..", "envoy", "prometheus");

describe("Prometheus rules (promtool)", () => {
  const promtool = resolveTool("promtool");
  const run = (...args: string[]) => spawnSync(promtool, args, { cwd: DIR, encoding: "utf8" });

  it("promtool check rules: valid", () => {
    const r = run("check", "rules", "meshguard.rules.yml");
    expect(r.stdout + r.stderr).toContain("SUCCESS: 6 rules found");
    expect(r.status).toBe(0);
  });

  it("promtool test rules: every alert and recording rule as the test file expects", () => {
    const r = run("test", "rules", "meshguard.rules.test.yml");
    expect(r.stdout + r.stderr).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });
});
