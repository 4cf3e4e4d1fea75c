// A real Prometheus (Debian's package, installed on first use, on 127.0.0.1 only) scrapes a real
// Envoy's /stats/prometheus, and meshguard's counters come back as labelled series: refusals by
// reason, limits by name, detectors by name (the stats tags of tools/envoy/config.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveTool, toolVersion } from "../tools/prometheus/install";
import { call } from "./harness/client";
import { type Mesh, startMesh, waitFor } from "./harness/fixture";

const POLICY = {
  routes: [{ name: "a", path: "/a", public: true }, { name: "secret", path: "/secret", allow: [{ authenticated: true }] }],
  rate_limits: { limits: [{ name: "per-route", capacity: 2, refill: { tokens: 1, seconds: 60 }, key: ["route"], routes: ["a"] }] },
  monitoring: { detectors: [{ name: "probing", kind: "refusal_burst", identity: "client_ip", groups: ["undeclared"], window_seconds: 60, threshold: 3, action: "alert" }] },
};

function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const s = createServer().listen(0, "127.0.0.1", () => { const port = (s.address() as { port: number }).port; s.close(() => resolvePort(port)); });
  });
}

describe("meshguard's metrics in a real Prometheus, scraped from a real Envoy", () => {
  let mesh: Mesh | undefined;
  let prometheus: ChildProcess | undefined;
  let url = "";
  let dir = "";
  let log = "";
  beforeAll(async () => {
    mesh = await startMesh(POLICY, { requireClientCertificate: false });
    const bin = resolveTool("prometheus");
    console.log(`Prometheus: ${toolVersion(bin)}`);
    dir = mkdtempSync(join(tmpdir(), "meshguard-prometheus-"));
    const admin = new URL(mesh.envoy.adminUrl);
    writeFileSync(join(dir, "prometheus.yml"), [
      "global: { scrape_interval: 1s, evaluation_interval: 1s }",
      "scrape_configs:",
      "  - job_name: envoy",
      "    metrics_path: /stats/prometheus",
      `    static_configs: [{ targets: ["${admin.host}"] }]`,
    ].join("\n"));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    prometheus = spawn(bin, [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
    prometheus.stdout!.on("data", (d) => { log += d; });
    prometheus.stderr!.on("data", (d) => { log += d; });
    await waitFor("Prometheus to be ready", async () => { try { return (await fetch(`${url}/-/ready`)).ok; } catch { return false; } }, 30_000);
  });
  afterAll(async () => {
    prometheus?.kill();
    await mesh?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
    return ((await r.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
  };

  it("refusals by reason, limits by name and detectors by name come back as labels", async () => {
    const m = mesh!;
    const get = (path: string) => call(m.envoy.listenerPort, { path, ca: m.pki.ca.cert });
    for (const p of ["/nowhere/1", "/nowhere/2", "/nowhere/3", "/secret", "/a", "/a", "/a"]) await get(p);
    await waitFor("Prometheus to scrape the counters", async () => {
      const r = await query('meshguard_denied{reason="route_not_declared"}');
      return r.length === 1 && Number(r[0].value[1]) === 3;
    }, 30_000).catch((e) => { console.log(log); throw e; });
    const byReason = await query("meshguard_denied > 0");
    expect(Object.fromEntries(byReason.map((s) => [s.metric.reason, Number(s.value[1])]))).toEqual({ route_not_declared: 3, identity_missing: 1, rate_limited: 1 });
    expect(Number((await query('meshguard_ratelimit_limited{limit="per-route"}'))[0].value[1])).toBe(1);
    expect(Number((await query('meshguard_monitor_fired{detector="probing"}'))[0].value[1])).toBe(1);
    expect(Number((await query("meshguard_requests_allowed"))[0].value[1])).toBe(2);
    console.log("Prometheus query meshguard_denied > 0:", JSON.stringify(byReason.map((s) => ({ reason: s.metric.reason, value: s.value[1] }))));
  });
});
