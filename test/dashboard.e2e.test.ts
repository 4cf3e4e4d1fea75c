// The live dashboard as a person uses it: the demo's scene (a real Envoy with two workers, mTLS,
// jwt_authn, meshguard with detectors; a shop service; legitimate traffic) and the page in headless
// Chromium (Debian's chromium, installed by the project on first use, driven by playwright-core).
// Each attack is started by clicking its button; the feed must show the anomaly and the quarantine
// within ATTACK_DEADLINE_MS, the legitimate traffic must stay served at LEGIT_FLOOR or better, the
// page must log no console error and fetch nothing from another origin. Saves build/dashboard.png.
// Then `meshguard dashboard` (the CLI, for real deployments) is pointed at the same Envoy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startDashboard, type Dashboard } from "../tools/dashboard/server";
import { envoyLines } from "../tools/dashboard/sources";
import { type DemoScene, startScene } from "../tools/demo/scene";
import { ATTACK_DEADLINE_MS, LEGIT_FLOOR, type SelfTestReport, selfTest } from "../tools/demo/self-test";
import { WASM_PATH } from "./harness/fixture";

const ROOT = resolve(import.meta.dirname, "..");
const SCREENSHOT = join(ROOT, "build", "dashboard.png");

describe("the live dashboard in headless Chromium", () => {
  let scene: DemoScene | undefined;
  let dashboard: Dashboard | undefined;
  let report: SelfTestReport;
  beforeAll(async () => {
    scene = await startScene({ wasmPath: WASM_PATH });
    dashboard = await startDashboard({ adminUrl: scene.envoy.adminUrl, events: envoyLines(scene.envoy), policy: scene.policy, scene });
    scene.watch(dashboard.model);
    report = await selfTest(scene, dashboard.url, SCREENSHOT, (s) => console.log(s));
    console.table(report.attacks);
  }, 900_000);   // on a fresh machine this includes installing Chromium (apt, after any other installer)
  afterAll(async () => { await dashboard?.close(); await scene?.stop(); });

  it("loads with the policy, the chart and the legitimate traffic's rate, no console error, nothing from elsewhere", () => {
    expect(report.ms_to_page_ready).toBeLessThan(15_000);
    expect(report.console_errors).toEqual([]);
    expect(report.foreign_requests).toEqual([]);
    expect(report.chart_series).toContain("allowed");
    expect(report.chart_series.length).toBeGreaterThanOrEqual(3);   // allowed and at least two reasons of refusal
  });

  it(`each attack started from the page shows its anomaly and quarantine in the feed within ${ATTACK_DEADLINE_MS / 1000} s`, () => {
    expect(report.attacks.map((a) => a.attack)).toEqual(["Object enumeration", "API-key guessing", "Path-traversal probing", "Schema fuzzing", "Flood", "Spoofed identity"]);
    for (const a of report.attacks) {
      expect(a.ms_to_anomaly_on_page, a.attack).not.toBeNull();
      expect(a.ms_to_quarantine_on_page, a.attack).not.toBeNull();
      expect(a.ms_to_quarantine_on_page!, a.attack).toBeLessThanOrEqual(ATTACK_DEADLINE_MS);
    }
    expect(report.failures).toEqual([]);
  });

  it("the detectors stop each attacker where the policy says, and what reached the service is what the policy allowed", () => {
    const by = Object.fromEntries(report.attacks.map((a) => [a.attack, a]));
    // Threshold N: the N-th request fires the detector, the next one is refused as quarantined.
    expect(by["Object enumeration"].quarantined_at_request).toBe(21);
    expect(by["Object enumeration"].reached_service).toBe(20);         // the support token may read orders: 20, then nothing
    for (const name of ["API-key guessing", "Schema fuzzing", "Spoofed identity"]) {
      expect(by[name].quarantined_at_request, name).toBe(11);
      expect(by[name].reached_service, name).toBe(0);
    }
    expect(by["Path-traversal probing"].reached_service).toBe(0);
    expect(by["Flood"].quarantined_at_request).not.toBeNull();
  });

  it(`the legitimate traffic stays served at ${LEGIT_FLOOR * 100}% or better, on the page and by the callers' own count`, () => {
    expect(Number(report.legit_rate_on_page.replace("%", "")) / 100).toBeGreaterThanOrEqual(LEGIT_FLOOR);
    expect(report.legit_served).toBeGreaterThanOrEqual(LEGIT_FLOOR);
    expect(scene!.traffic.summary().sent).toBeGreaterThan(20);
  });

  it("the quarantine card counts down, and a screenshot is saved", () => {
    expect(report.quarantined_on_page).toBeGreaterThanOrEqual(6);
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(png.length).toBeGreaterThan(50_000);
  });

  it("`meshguard dashboard --admin --events` shows the same Envoy from its admin stats and a log file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-dash-cli-"));
    const log = join(dir, "envoy.log");
    writeFileSync(log, scene!.envoy.log());                       // what Envoy logged so far (the policy load)
    const stopCopy = scene!.envoy.onLine((l) => appendFileSync(log, l + "\n"));
    const cli = spawn(process.execPath, ["bin/meshguard.mjs", "dashboard", "--admin", scene!.envoy.adminUrl, "--events", log, "--policy", "envoy/default-policy.json", "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let out = "";
      cli.stdout.on("data", (d: Buffer) => { out += d.toString(); });
      cli.stderr.on("data", (d: Buffer) => { out += d.toString(); });
      const deadline = Date.now() + 20_000;
      while (!/http:\/\/127\.0\.0\.1:\d+\//.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0];
      expect(url, out).toBeDefined();
      // A new attack while the CLI's dashboard watches: its anomaly arrives through the file.
      expect(scene!.attack("key-guessing").ok).toBe(true);
      let state: { envoy: { up: boolean }; totals: { allowed: number }; policy: { version: string; route_names: string[] }; feed: { kind: string; text: string }[]; scene?: unknown } | undefined;
      while (Date.now() < deadline + 20_000) {
        state = await (await fetch(url + "api/state")).json();
        if (state!.feed.some((f) => f.kind === "quarantine")) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(state!.envoy.up).toBe(true);
      expect(state!.totals.allowed).toBeGreaterThan(0);
      expect(state!.policy.version).toMatch(/^[0-9a-f]{12}$/);
      expect(state!.policy.route_names).toContain("my-orders");
      expect(state!.feed.find((f) => f.kind === "anomaly")?.text).toMatch(/^address 198\.51\.100\.\d+ was refused 10 times in 60 s \(credentials\): quarantined for 30 s$/);
      expect(state!.scene).toBeUndefined();
      expect((await fetch(url + "api/attacks/flood", { method: "POST", headers: { "x-meshguard-dashboard": "1" } })).status).toBe(404);
    } finally {
      stopCopy();
      cli.kill("SIGINT");
      await new Promise((r) => cli.once("exit", r));
    }
    expect(cli.exitCode).toBe(0);
  });
});
