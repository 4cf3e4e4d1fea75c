// The README's main command: `npm run demo` (tools/demo.ts after the build) starts the scene, prints
// the dashboard's URL, serves the page and a live snapshot with legitimate traffic flowing, and on
// Ctrl-C tears everything down (Envoy's admin and listener stop answering, the process exits 0).
// The page itself is driven in Chromium by test/dashboard.e2e.test.ts.
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { resolve } from "node:path";
import { expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");

const answers = (port: number) => new Promise<boolean>((ok) => {
  const s = connect(port, "127.0.0.1");
  s.once("connect", () => { s.destroy(); ok(true); });
  s.once("error", () => ok(false));
});

it("npm run demo prints the dashboard's URL, serves it live, and Ctrl-C tears everything down", async () => {
  const t0 = Date.now();
  const demo = spawn(process.execPath, ["--import", "tsx", "tools/demo.ts"], {
    cwd: ROOT, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MESHGUARD_DEMO_PORT: "0", MESHGUARD_DEMO_ENVOY_PORT: "0", MESHGUARD_DEMO_ADMIN_PORT: "0" },
  });
  let out = "";
  demo.stdout.on("data", (d: Buffer) => { out += d.toString(); });
  demo.stderr.on("data", (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((ok) => demo.once("exit", (code) => ok(code)));
  try {
    while (!/Ctrl-C stops everything/.test(out) && Date.now() - t0 < 60_000 && demo.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    const url = /dashboard is live at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
    expect(url, out).toBeDefined();
    console.log(`demo: dashboard live ${Date.now() - t0} ms after the command started (build excluded)`);
    const envoyPort = Number(/https:\/\/localhost:(\d+)/.exec(out)?.[1]);
    const adminPort = Number(/admin http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    const page = await fetch(url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>meshguard · live</title>");
    // Legitimate traffic flows and Envoy's counters reach the snapshot.
    let state: { envoy: { up: boolean }; totals: { allowed: number }; policy: { version: string }; scene: { legit: { sent: number; served: number } } } | undefined;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      state = await (await fetch(url! + "api/state")).json();
      if (state!.totals.allowed >= 10 && state!.scene.legit.sent >= 10) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(state!.envoy.up).toBe(true);
    expect(state!.policy.version).toMatch(/^[0-9a-f]{12}$/);
    expect(state!.totals.allowed).toBeGreaterThanOrEqual(10);
    expect(state!.scene.legit.served).toBe(state!.scene.legit.sent);
    expect(await answers(envoyPort)).toBe(true);
    demo.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(await answers(envoyPort)).toBe(false);
    expect(await answers(adminPort)).toBe(false);
    expect(await fetch(url!).then(() => true, () => false)).toBe(false);
  } finally {
    if (demo.exitCode === null) demo.kill("SIGKILL");
  }
});
