// Hot reload in plain Envoy (issue #13, item 5): the wasm filter from a watched ECDS file
// (tools/envoy/reload.ts writes it atomically). Ten reloads under steady loopback load, every
// other one a policy meshguard refuses: a good policy is in force within milliseconds (a route
// only it declares answers), a bad one is rejected by Envoy (update_rejected) and the policy in
// force keeps serving; not one request of the load fails.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeExtensionConfig } from "../tools/envoy/reload";
import { call, keepAliveAgent } from "./harness/client";
import { type Mesh, dumpLogOnFailure, startMesh, waitFor } from "./harness/fixture";

const WASM = resolve(import.meta.dirname, "..", "build", "meshguard.wasm");
const policy = (version: number) => ({ routes: [{ path: "/stable", public: true }, { path: `/v${version}`, public: true }] });
const BAD = { routes: [{ path: "/stable", public: true }], unmatched_routes: "sometimes" };   // refused by meshguard's configure

describe("hot reload through ECDS, under load (real Envoy)", () => {
  let mesh: Mesh | undefined;
  const dir = mkdtempSync(join(tmpdir(), "meshguard-reload-"));
  beforeAll(async () => {
    writeExtensionConfig(dir, WASM, policy(0));
    mesh = await startMesh({}, { requireClientCertificate: false, reloadDir: dir });
  });
  afterAll(async () => { await mesh?.stop(); rmSync(dir, { recursive: true, force: true }); });

  it("meshguard rollout: a good policy goes in force; a refused one is never written (exit 1)", async () => {
    const m = mesh!;
    const cli = (...a: string[]) => spawnSync(process.execPath, [resolve(import.meta.dirname, "..", "bin", "meshguard.mjs"), ...a], { encoding: "utf8" });
    const good = join(dir, "..", `rollout-good-${process.pid}.json`);
    writeFileSync(good, JSON.stringify(policy(99)));
    const r = cli("rollout", good, "--dir", dir);
    expect(r.status).toBe(0);
    await waitFor("the rolled-out policy", async () => (await call(m.envoy.listenerPort, { path: "/v99", ca: m.pki.ca.cert })).status === 200, 10_000);
    const bad = join(dir, "..", `rollout-bad-${process.pid}.json`);
    writeFileSync(bad, JSON.stringify(BAD));
    const before = readFileSync(join(dir, "meshguard.json"), "utf8");
    expect(cli("rollout", bad, "--dir", dir).status).toBe(1);
    expect(readFileSync(join(dir, "meshguard.json"), "utf8")).toBe(before);
  });

  it("10 reloads, half of them bad: good ones take effect, bad ones are rejected, 0 requests fail", async () => {
    dumpLogOnFailure(() => mesh);
    const m = mesh!;
    const ecds = async (name: string) => (await m.envoy.stats("extension_config_discovery"))[`extension_config_discovery.http_filter.meshguard.${name}`] ?? 0;
    const get = (path: string, agent?: ReturnType<typeof keepAliveAgent>) => call(m.envoy.listenerPort, { path, ca: m.pki.ca.cert, agent });
    let running = true;
    let sent = 0;
    const failed: string[] = [];
    const load = Array.from({ length: 4 }, async () => {
      const agent = keepAliveAgent();
      while (running) {
        const r = await get("/stable", agent).catch((e: Error) => ({ status: 0, body: e.message }));
        sent++;
        if (r.status !== 200) failed.push(`${r.status} ${r.body.slice(0, 80)}`);
      }
      agent.destroy();
    });
    const rows: { reload: number; policy: string; ms_to_effect: number; in_force: string }[] = [];
    let good = 0;
    for (let i = 1; i <= 10; i++) {
      await new Promise((r) => setTimeout(r, 200));   // load in between
      const t0 = performance.now();
      if (i % 2 === 1) {
        good++;
        writeExtensionConfig(dir, WASM, policy(good));
        await waitFor(`policy v${good} in force`, async () => (await get(`/v${good}`)).status === 200, 10_000);
        rows.push({ reload: i, policy: `good (v${good})`, ms_to_effect: Math.round(performance.now() - t0), in_force: `v${good}` });
      } else {
        const rejected = await ecds("update_rejected");
        writeExtensionConfig(dir, WASM, BAD);
        await waitFor("Envoy to reject the bad policy", async () => (await ecds("update_rejected")) === rejected + 1, 10_000);
        expect((await get(`/v${good}`)).status).toBe(200);   // the policy in force is still the last good one
        rows.push({ reload: i, policy: "bad (refused by meshguard)", ms_to_effect: Math.round(performance.now() - t0), in_force: `v${good}` });
      }
    }
    running = false;
    await Promise.all(load);
    console.log(`\nhot reload under load: ${sent} requests, ${failed.length} failed`);
    console.table(rows);
    expect(failed).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    expect(await ecds("update_rejected")).toBe(5);
    expect(m.envoy.log()).toContain("meshguard: configuration refused: unmatched_routes");
  });
});
