// What the dashboard knows, built from the two things any Envoy running meshguard offers: its
// admin stats (counters, read every second) and meshguard's log lines (events). Pure: the server
// feeds it counters and lines with their arrival time, the page gets snapshot()s.
import { REASONS } from "../../assembly/reply/reasons.ts";
import {
  EVENT_ANOMALY, EVENT_DENY, EVENT_QUARANTINE, EVENT_QUARANTINE_END, EVENT_WOULD_DENY, FIELD_API_CLIENT, FIELD_DETECTOR,
  FIELD_EVENT, FIELD_IDENTITY, FIELD_IDENTITY_KIND, FIELD_PEER, FIELD_REASON, FIELD_ROUTE, FIELD_STRIKES, FIELD_UNTIL, FIELD_USER, LOG_PREFIX,
} from "../../assembly/reply/event-fields.ts";
import { type DetectorInfo, type MonitorEvent, anomalyWords, identityWords, quarantineWords, releaseWords } from "./words.ts";

export const SERIES_SECONDS = 180;        // the chart's span
export const TOP_WINDOW_MS = 5 * 60_000;  // top refused identities and routes: the last 5 minutes
const FEED_ITEMS = 60;
const RECENT_REFUSALS = 20_000;

export interface Point { t: number; allowed: number; refused: Record<string, number>; would_deny: number }
export interface FeedItem { t: number; kind: "anomaly" | "quarantine" | "release" | "policy" | "refused_policy"; text: string; detector?: string; identity?: string; identity_kind?: string }
export interface Quarantined { identity_kind: string; identity: string; who: string; detector: string; until_ms: number; strikes: number; since_ms: number }

export interface Snapshot {
  now: number;
  envoy: { up: boolean; error: string; admin: string };
  policy: { version: string; routes: number; audit: boolean; loaded_at: number; detectors: DetectorInfo[]; route_names: string[] };
  series: Point[];
  reasons: { code: string; status: number; group: string }[];       // every reason in the series, in registry order
  totals: { allowed: number; refused: number; would_deny: number; quarantines: number };
  rate: { allowed: number; refused: number };                      // per second, the last 5 s
  feed: FeedItem[];                                                 // newest first
  quarantined: Quarantined[];
  top: { identities: { name: string; count: number }[]; routes: { name: string; count: number }[]; reasons: { name: string; count: number }[] };
  events_seen: number;
}

const PREFIX = "wasmcustom.";
const strip = (name: string) => (name.startsWith(PREFIX) ? name.slice(PREFIX.length) : name);
const str = (v: unknown) => (typeof v === "string" ? v : "");

// The JSON after "meshguard: " in a log line, or null (any other line, or a broken one).
export function eventOf(line: string): MonitorEvent | null {
  const at = line.indexOf(LOG_PREFIX + "{");
  if (at < 0) return null;
  try {
    const v = JSON.parse(line.slice(at + LOG_PREFIX.length)) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as MonitorEvent) : null;
  } catch { return null; }
}

// "meshguard: policy loaded: 7 routes (audit mode), version 1a2b3c4d5e6f"
const LOADED = /meshguard: policy loaded: (\d+) routes( \(audit mode\))?, version ([0-9a-f]+)/;
const REFUSED = /meshguard: configuration refused: (.*)$/;

export class DashboardModel {
  private last: { t: number; counters: Record<string, number> } | null = null;
  private readonly series: Point[] = [];
  private readonly feed: FeedItem[] = [];
  private readonly quarantined = new Map<string, Quarantined>();
  private readonly refusals: { t: number; who: string; route: string; reason: string }[] = [];
  private totals = { allowed: 0, refused: 0, would_deny: 0, quarantines: 0 };
  private envoy = { up: false, error: "not read yet", admin: "" };
  private policy: Snapshot["policy"] = { version: "", routes: 0, audit: false, loaded_at: 0, detectors: [], route_names: [] };
  private eventsSeen = 0;
  private readonly listeners: ((e: MonitorEvent, item: FeedItem | null) => void)[] = [];

  constructor(admin: string, policy?: unknown) {
    this.envoy.admin = admin;
    if (policy) this.knowPolicy(policy);
  }

  // The policy file, when the dashboard is given one: detector kinds for the sentences, route names.
  knowPolicy(policy: unknown): void {
    const p = policy as { routes?: { name?: string }[]; monitoring?: { detectors?: DetectorInfo[] } };
    this.policy.detectors = (p.monitoring?.detectors ?? []).map((d) => ({ name: d.name, kind: d.kind, route: d.route, param: d.param, groups: d.groups, factor: d.factor }));
    this.policy.route_names = (p.routes ?? []).map((r) => r.name ?? "").filter((n) => n);
  }

  onEvent(listener: (e: MonitorEvent, item: FeedItem | null) => void): void { this.listeners.push(listener); }

  statsFailed(now: number, error: string): void {
    this.envoy.up = false;
    this.envoy.error = error;
    this.last = null;   // counters may restart with Envoy: the next read starts a new baseline
    void now;
  }

  // One read of Envoy's counters (names as /stats?format=json gives them).
  stats(now: number, raw: Record<string, number>): void {
    const counters: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw)) counters[strip(k)] = v;
    this.envoy = { up: true, error: "", admin: this.envoy.admin };
    const c = (name: string) => counters[name] ?? 0;
    this.totals = { allowed: c("meshguard.requests.allowed"), refused: c("meshguard.requests.denied"), would_deny: c("meshguard.requests.would_deny"), quarantines: c("meshguard.monitor.quarantines") };
    const prev = this.last;
    this.last = { t: now, counters };
    if (!prev) return;
    const dt = Math.max(0.001, (now - prev.t) / 1000);
    // A counter that went down means Envoy restarted: count from zero.
    const delta = (name: string) => { const a = counters[name] ?? 0, b = prev.counters[name] ?? 0; return (a >= b ? a - b : a) / dt; };
    const refused: Record<string, number> = {};
    for (const r of REASONS) {
      const d = delta(`meshguard.denied.${r.code}`);
      if (d > 0) refused[r.code] = d;
    }
    this.series.push({ t: now, allowed: delta("meshguard.requests.allowed"), refused, would_deny: delta("meshguard.requests.would_deny") });
    while (this.series.length > 0 && this.series[0].t < now - SERIES_SECONDS * 1000) this.series.shift();
  }

  // One line of Envoy's log (history: written before the dashboard started; only a policy load counts).
  line(now: number, text: string, history = false): void {
    const loaded = LOADED.exec(text);
    if (loaded) {
      const version = loaded[3];
      const changed = version !== this.policy.version;
      this.policy = { ...this.policy, version, routes: Number(loaded[1]), audit: !!loaded[2], loaded_at: now };
      // Each worker logs the load; one feed item per version.
      if (changed) this.push({ t: now, kind: "policy", text: `policy ${version} in force: ${loaded[1]} routes${loaded[2] ? ", audit mode" : ""}` });
      return;
    }
    if (history) return;
    const refusedPolicy = REFUSED.exec(text);
    if (refusedPolicy) { this.push({ t: now, kind: "refused_policy", text: `a new policy was refused, the one in force stays: ${refusedPolicy[1]}` }); return; }
    const e = eventOf(text);
    if (!e) return;
    this.eventsSeen++;
    const kind = str(e[FIELD_EVENT]);
    let item: FeedItem | null = null;
    if (kind === EVENT_DENY || kind === EVENT_WOULD_DENY) {
      if (kind === EVENT_DENY) this.refused(now, e);
    } else if (kind === EVENT_ANOMALY) {
      const detector = this.policy.detectors.find((d) => d.name === str(e[FIELD_DETECTOR]));
      item = this.push({ t: now, kind: "anomaly", text: anomalyWords(e, detector, now), ...this.who(e) });
    } else if (kind === EVENT_QUARANTINE) {
      const q: Quarantined = {
        identity_kind: str(e[FIELD_IDENTITY_KIND]), identity: str(e[FIELD_IDENTITY]), who: identityWords(str(e[FIELD_IDENTITY_KIND]), str(e[FIELD_IDENTITY])),
        detector: str(e[FIELD_DETECTOR]), until_ms: Number(e[FIELD_UNTIL]) || now, strikes: Number(e[FIELD_STRIKES]) || 1, since_ms: now,
      };
      this.quarantined.set(`${q.identity_kind}\u0000${q.identity}`, q);
      item = this.push({ t: now, kind: "quarantine", text: quarantineWords(e, now), ...this.who(e) });
    } else if (kind === EVENT_QUARANTINE_END) {
      this.quarantined.delete(`${str(e[FIELD_IDENTITY_KIND])}\u0000${str(e[FIELD_IDENTITY])}`);
      item = this.push({ t: now, kind: "release", text: releaseWords(e), ...this.who(e) });
    }
    for (const l of this.listeners) l(e, item);
  }

  private who(e: MonitorEvent) {
    return { detector: str(e[FIELD_DETECTOR]) || undefined, identity: str(e[FIELD_IDENTITY]), identity_kind: str(e[FIELD_IDENTITY_KIND]) };
  }

  private push(item: FeedItem): FeedItem {
    this.feed.unshift(item);
    if (this.feed.length > FEED_ITEMS) this.feed.pop();
    return item;
  }

  private refused(now: number, e: MonitorEvent): void {
    const peer = str(e[FIELD_PEER]), user = str(e[FIELD_USER]), client = str(e[FIELD_API_CLIENT]);
    const who = user ? `user ${user}` : client ? `API client ${client}` : peer ? `service ${peer.replace(/^spiffe:\/\/[^/]+\//, "")}` : "anonymous";
    this.refusals.push({ t: now, who, route: str(e[FIELD_ROUTE]) || "(no declared route)", reason: str(e[FIELD_REASON]) });
    if (this.refusals.length > RECENT_REFUSALS) this.refusals.shift();
  }

  snapshot(now: number): Snapshot {
    while (this.refusals.length > 0 && this.refusals[0].t < now - TOP_WINDOW_MS) this.refusals.shift();
    // Quarantines whose time is up leave the list (quarantine_end comes only if the identity returns).
    for (const [k, q] of this.quarantined) if (q.until_ms <= now) this.quarantined.delete(k);
    const top = (key: "who" | "route" | "reason") => {
      const n = new Map<string, number>();
      for (const r of this.refusals) n.set(r[key], (n.get(r[key]) ?? 0) + 1);
      return [...n].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 6).map(([name, count]) => ({ name, count }));
    };
    const seen = new Set<string>();
    for (const p of this.series) for (const k of Object.keys(p.refused)) seen.add(k);
    const recent = this.series.slice(-5);
    const avg = (f: (p: Point) => number) => (recent.length ? recent.reduce((s, p) => s + f(p), 0) / recent.length : 0);
    return {
      now, envoy: { ...this.envoy }, policy: { ...this.policy },
      series: this.series.slice(),
      reasons: REASONS.filter((r) => seen.has(r.code)).map((r) => ({ code: r.code, status: r.status, group: r.group })),
      totals: { ...this.totals },
      rate: { allowed: avg((p) => p.allowed), refused: avg((p) => Object.values(p.refused).reduce((a, b) => a + b, 0)) },
      feed: this.feed.slice(),
      quarantined: [...this.quarantined.values()].sort((a, b) => a.until_ms - b.until_ms),
      top: { identities: top("who"), routes: top("route"), reasons: top("reason") },
      events_seen: this.eventsSeen,
    };
  }
}
