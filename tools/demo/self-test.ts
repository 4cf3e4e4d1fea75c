// The scene checked as a person would use it, in headless Chromium: the page loads with no console
// error and nothing fetched from elsewhere, the chart draws, each attack button leads to an anomaly
// and a quarantine in the feed within ATTACK_DEADLINE_MS, the legitimate traffic stays served at
// LEGIT_FLOOR or better, and a screenshot is saved. Used by `npm run demo -- --self-test` and by
// test/dashboard.e2e.test.ts, which asserts on the report.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { launchBrowser } from "../browser/install.ts";
import { ATTACKS } from "./attacks.ts";
import type { DemoScene } from "./scene.ts";

export const ATTACK_DEADLINE_MS = 15_000;   // click to quarantine in the feed, per attack
export const LEGIT_FLOOR = 0.99;            // legitimate requests served, as the page shows it

export interface AttackReport {
  attack: string; identity: string;
  ms_to_anomaly_on_page: number | null; ms_to_quarantine_on_page: number | null;
  requests_to_detection: number | null; quarantined_at_request: number | null; reached_service: number; sent: number;
  legit_served_during: number | null;
}

export interface SelfTestReport {
  ms_to_page_ready: number;
  chart_series: string[];              // data-series of the chart's paths at the end
  attacks: AttackReport[];
  legit_rate_on_page: string;          // the KPI's text, e.g. "100%"
  legit_served: number;                // the generator's own count over the whole run (0..1)
  feed_items: number;
  quarantined_on_page: number;
  console_errors: string[];
  foreign_requests: string[];          // anything the page asked of another origin
  screenshot: string;
  failures: string[];
}

// warmupMs, gapMs: a pause before the first attack and between attacks, so that the chart of a
// screenshot for the README shows each one apart (0 in the tests).
export async function selfTest(scene: DemoScene, url: string, screenshot: string, log: (s: string) => void = () => {}, o: { warmupMs?: number; gapMs?: number } = {}): Promise<SelfTestReport> {
  const browser = await launchBrowser();
  const failures: string[] = [];
  const consoleErrors: string[] = [];
  const foreign: string[] = [];
  const origin = new URL(url).origin;
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1300 } });
    page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    page.on("request", (r) => { if (!r.url().startsWith(origin)) foreign.push(r.url()); });
    const t0 = Date.now();
    await page.goto(url);
    await page.waitForSelector("#policy-pill b", { timeout: 15_000 });
    await page.waitForSelector('#chart path[data-series="allowed"]', { timeout: 15_000 });
    await page.waitForFunction(() => /%$/.test(document.getElementById("legit-rate")?.textContent ?? ""), undefined, { timeout: 15_000 });
    const ready = Date.now() - t0;
    log(`page ready in ${ready} ms`);

    const attacks: AttackReport[] = [];
    if (o.warmupMs) await page.waitForTimeout(o.warmupMs);
    for (const spec of ATTACKS) {
      if (o.gapMs && attacks.length > 0) await page.waitForTimeout(o.gapMs);
      const before = scene.runs.length;
      const clicked = Date.now();
      await page.click(`button[data-attack="${spec.id}"]`);
      const run = await waitUntil(() => scene.runs.slice(before).find((r) => r.id === spec.id), 5_000);
      const identity = run?.identity.value ?? "";
      const seen = async (kind: string) => {
        try {
          await page.waitForSelector(`#feed li[data-kind="${kind}"][data-identity="${identity}"]`, { timeout: ATTACK_DEADLINE_MS });
          return Date.now() - clicked;
        } catch { return null; }
      };
      const anomaly = run ? await seen("anomaly") : null;
      const quarantine = run ? await seen("quarantine") : null;
      await waitUntil(() => (run?.done ? true : undefined), 30_000);
      const row: AttackReport = {
        attack: spec.title, identity, ms_to_anomaly_on_page: anomaly, ms_to_quarantine_on_page: quarantine,
        requests_to_detection: run?.detected?.requests ?? null, quarantined_at_request: run?.quarantined?.requests ?? null,
        reached_service: run?.reached_service ?? 0, sent: run?.sent ?? 0, legit_served_during: run?.legit_served_during ?? null,
      };
      attacks.push(row);
      log(`${spec.title}: anomaly on the page after ${anomaly ?? "—"} ms, quarantine after ${quarantine ?? "—"} ms; ` +
        `quarantined at request ${row.quarantined_at_request ?? "—"}, ${row.reached_service} reached the service`);
      if (anomaly === null) failures.push(`${spec.title}: no anomaly for ${identity} in the feed within ${ATTACK_DEADLINE_MS} ms`);
      if (quarantine === null) failures.push(`${spec.title}: no quarantine for ${identity} in the feed within ${ATTACK_DEADLINE_MS} ms`);
      if (row.quarantined_at_request === null) failures.push(`${spec.title}: the attacker never got a 429 quarantined`);
    }

    // One more stats read, so the chart and the KPIs carry the attacks.
    await page.waitForTimeout(1_500);
    const chartSeries = await page.$$eval("#chart path.series", (ps) => ps.map((p) => p.getAttribute("data-series") ?? ""));
    const legitRate = (await page.textContent("#legit-rate")) ?? "";
    const feedItems = await page.$$eval("#feed li.feed-item", (l) => l.length);
    const quarantined = await page.$$eval("#quarantine li[data-identity]", (l) => l.length);
    const legit = scene.traffic.summary();
    const legitServed = legit.sent ? legit.served / legit.sent : 0;
    const shown = Number(legitRate.replace("%", "")) / 100;
    if (!(shown >= LEGIT_FLOOR)) failures.push(`the page shows ${legitRate} of legitimate traffic served (floor ${LEGIT_FLOOR * 100}%)`);
    if (!(legitServed >= LEGIT_FLOOR)) failures.push(`the generator saw ${(legitServed * 100).toFixed(2)}% of its requests served`);
    if (!chartSeries.includes("allowed") || chartSeries.length < 3) failures.push(`the chart draws ${chartSeries.join(", ") || "nothing"}`);
    if (quarantined === 0) failures.push("the quarantine card lists no one");
    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    if (consoleErrors.length) failures.push(`console errors: ${consoleErrors.join(" | ")}`);
    if (foreign.length) failures.push(`requests to other origins: ${foreign.join(", ")}`);
    return {
      ms_to_page_ready: ready, chart_series: chartSeries, attacks, legit_rate_on_page: legitRate, legit_served: legitServed,
      feed_items: feedItems, quarantined_on_page: quarantined, console_errors: consoleErrors, foreign_requests: foreign, screenshot, failures,
    };
  } finally {
    await browser.close();
  }
}

async function waitUntil<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  return undefined;
}
