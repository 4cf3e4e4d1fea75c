// The README's main command: the demo starts, and every curl command it prints gives the status
// it promises (the demo's own --self-test, on free ports).
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");

it("the demo's printed curl commands give the promised statuses", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "tools/demo.ts", "--self-test"], {
    cwd: ROOT, encoding: "utf8", timeout: 120_000,
    env: { ...process.env, MESHGUARD_DEMO_PORT: "0", MESHGUARD_DEMO_ADMIN_PORT: "0" },
  });
  if (r.status !== 0) process.stderr.write(r.stdout + r.stderr);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/ok {3}200 allowed/);
  expect(r.stdout).toMatch(/ok {3}403 refused: shop\/frontend may not call the admin API/);
  expect(r.stdout).not.toContain("FAIL");
});
