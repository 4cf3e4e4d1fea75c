// meshguard's monitoring events in plain words, for the dashboard's feed:
//   "user mallory read 20 different order ids on my-orders in 10 s: quarantined for 30 s"
// Pure: the event (as the filter writes it, reply/event-fields.ts) and, when the dashboard knows
// the policy, the detector's declaration for the richer sentence.
import {
  ACTION_ALERT, ACTION_QUARANTINE, ACTION_WOULD_QUARANTINE, FIELD_ACTION, FIELD_DETECTOR, FIELD_IDENTITY,
  FIELD_IDENTITY_KIND, FIELD_OBSERVED, FIELD_STRIKES, FIELD_THRESHOLD, FIELD_UNTIL, FIELD_WINDOW,
} from "../../assembly/reply/event-fields.ts";

export interface DetectorInfo { name: string; kind: string; route?: string; param?: string; groups?: string[]; factor?: number }
export type MonitorEvent = Record<string, unknown>;

const KIND_WORDS: Record<string, string> = { user: "user", client_ip: "address", api_client: "API client", peer: "service" };

export function identityWords(kind: string, identity: string): string {
  return `${KIND_WORDS[kind] ?? kind} ${identity}`;
}

// "orderId" → "order ids", "item_id" → "item ids", "sku" → "sku values".
export function paramWords(param: string): string {
  const words = param.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase().trim();
  return /\bid$/.test(words) ? `${words}s` : `${words} values`;
}

const str = (v: unknown) => (typeof v === "string" ? v : String(v ?? ""));
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

// Seconds from `now` to the event's until_ms, at least 1 (the line arrives a moment after).
export function secondsLeft(e: MonitorEvent, now: number): number {
  return Math.max(1, Math.round((num(e[FIELD_UNTIL]) - now) / 1000));
}

export function anomalyWords(e: MonitorEvent, detector: DetectorInfo | undefined, now: number): string {
  const who = identityWords(str(e[FIELD_IDENTITY_KIND]), str(e[FIELD_IDENTITY]));
  const observed = num(e[FIELD_OBSERVED]);
  const window = num(e[FIELD_WINDOW]);
  let what: string;
  switch (detector?.kind) {
    case "enumeration":
      what = `${who} read ${observed} different ${paramWords(detector.param ?? "value")}${detector.route ? ` on ${detector.route}` : ""} in ${window} s`;
      break;
    case "refusal_burst":
      what = `${who} was refused ${observed} times in ${window} s${detector.groups?.length ? ` (${detector.groups.join(", ")})` : ""}`;
      break;
    case "rate_jump":
      what = `${who} sent ${observed} requests in ${window} s, over ${detector.factor ?? "?"}× its usual rate`;
      break;
    default:
      what = `${who}: ${observed} in ${window} s (threshold ${num(e[FIELD_THRESHOLD])}) by detector ${str(e[FIELD_DETECTOR])}`;
  }
  const action = str(e[FIELD_ACTION]);
  const strikes = num(e[FIELD_STRIKES]);
  if (action === ACTION_QUARANTINE) return `${what}: quarantined for ${secondsLeft(e, now)} s${strikes > 1 ? ` (strike ${strikes})` : ""}`;
  if (action === ACTION_WOULD_QUARANTINE) return `${what}: would be quarantined (audit mode)`;
  if (action === ACTION_ALERT) return `${what}: alert`;
  return what;
}

export function quarantineWords(e: MonitorEvent, now: number): string {
  return `${identityWords(str(e[FIELD_IDENTITY_KIND]), str(e[FIELD_IDENTITY]))} is refused on every route for ${secondsLeft(e, now)} s (${str(e[FIELD_DETECTOR])})`;
}

export function releaseWords(e: MonitorEvent): string {
  return `${identityWords(str(e[FIELD_IDENTITY_KIND]), str(e[FIELD_IDENTITY]))} is out of quarantine`;
}
