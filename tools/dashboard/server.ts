// The dashboard's server: reads Envoy's admin stats every second and meshguard's events as they
// come, and serves the page (all assets from this folder, nothing from elsewhere) with a stream of
// snapshots (server-sent events). Bound to 127.0.0.1. Used by the demo, and by
// `meshguard dashboard --admin <url> --events <file|->` for any Envoy that runs meshguard.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DashboardModel, type Snapshot } from "./model.ts";
import type { LineSource } from "./sources.ts";
import { readAdminStats } from "../envoy/process.ts";

const PAGE = join(import.meta.dirname, "page");
const ASSETS: Record<string, [string, string]> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/app.js": ["app.js", "text/javascript; charset=utf-8"],
  "/chart.js": ["chart.js", "text/javascript; charset=utf-8"],
  "/style.css": ["style.css", "text/css; charset=utf-8"],
  "/favicon.svg": ["favicon.svg", "image/svg+xml"],
};
const HEADERS = {
  "cache-control": "no-store",
  // Everything the page uses comes from here: no CDN, no inline script.
  "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
};

// What the demo adds: its scene (legitimate traffic, attacks) and the buttons that start attacks.
export interface Scene {
  state(): unknown;
  attack(id: string): { ok: true; run: unknown } | { ok: false; error: string };
}

export interface DashboardOptions {
  adminUrl: string;
  events: LineSource;
  policy?: unknown;            // the policy file, for words and names (optional)
  scene?: Scene;
  port?: number;               // 0: any free port
  host?: string;               // default 127.0.0.1
  statsEveryMs?: number;       // default 1000
}

export interface Dashboard { url: string; model: DashboardModel; close(): Promise<void> }

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const model = new DashboardModel(o.adminUrl, o.policy);
  const clients = new Set<ServerResponse>();
  const snapshot = (): Snapshot & { scene?: unknown } => ({ ...model.snapshot(Date.now()), ...(o.scene ? { scene: o.scene.state() } : {}) });
  const broadcast = () => {
    if (clients.size === 0) return;
    const data = `data: ${JSON.stringify(snapshot())}\n\n`;
    for (const c of clients) c.write(data);
  };
  // Monitoring events go out at once (throttled), the rest with the next stats read.
  let soon: NodeJS.Timeout | null = null;
  model.onEvent((_e, item) => { if (item && !soon) soon = setTimeout(() => { soon = null; broadcast(); }, 100); });
  const unfollow = o.events((line, history) => model.line(Date.now(), line, history));

  let reading = false;
  const poll = async () => {
    if (reading) return;
    reading = true;
    try { model.stats(Date.now(), await readAdminStats(o.adminUrl, "meshguard", 2000)); } catch (e) { model.statsFailed(Date.now(), (e as Error).message); } finally { reading = false; }
    broadcast();
  };
  await poll();
  const timer = setInterval(poll, o.statsEveryMs ?? 1000);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://dashboard");
    const asset = ASSETS[url.pathname];
    if (req.method === "GET" && asset) {
      res.writeHead(200, { "content-type": asset[1], ...HEADERS });
      res.end(readFileSync(join(PAGE, asset[0])));
      return;
    }
    if (req.method === "GET" && url.pathname === "/api/state") return send(res, 200, snapshot());
    if (req.method === "GET" && url.pathname === "/api/stream") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      res.write(`retry: 1000\ndata: ${JSON.stringify(snapshot())}\n\n`);
      clients.add(res);
      req.on("close", () => clients.delete(res));
      return;
    }
    const attack = /^\/api\/attacks\/([a-z-]+)$/.exec(url.pathname);
    if (req.method === "POST" && attack) {
      // A custom header: a page of another origin cannot send it without asking first (CORS).
      if (req.headers["x-meshguard-dashboard"] !== "1") return send(res, 403, { error: "missing x-meshguard-dashboard header" });
      if (!o.scene) return send(res, 404, { error: "this dashboard has no demo scene: attacks are for `npm run demo`" });
      const r = o.scene.attack(attack[1]);
      setTimeout(broadcast, 50);
      return send(res, r.ok ? 202 : 409, r);
    }
    send(res, 404, { error: "not found" });
  });
  await new Promise<void>((ok) => server.listen(o.port ?? 0, o.host ?? "127.0.0.1", ok));
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.address}:${addr.port}/`, model,
    close: async () => {
      clearInterval(timer);
      if (soon) clearTimeout(soon);
      unfollow();
      for (const c of clients) c.end();
      await new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); });
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", ...HEADERS });
  res.end(text);
}
