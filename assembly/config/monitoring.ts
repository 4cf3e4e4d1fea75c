// Compiling `monitoring`: detectors, the quarantine, and the tables they use. Pure.
import { RoutePolicy } from "../authz/route";
import { JsonKind, JsonValue } from "../lib/json";
import { Action, Detector, DetectorKind, IDENTITY_KINDS, IdentityKind, MAX_ENUMERATION_THRESHOLD, Monitoring, QuarantineSettings } from "../monitor/detectors";
import { GROUPS } from "../reply/reasons";
import { ConfigReader } from "./reader";
import { CLIENT_IP_FIELDS, DETECTOR_FIELDS, MONITORING_FIELDS, QUARANTINE_FIELDS } from "./fields";

export const MAX_DETECTORS = 32;
const NANOS: f64 = 1e9;

export function compileMonitoring(c: ConfigReader, v: JsonValue, routes: RoutePolicy[]): Monitoring | null {
  if (c.object("monitoring", v, MONITORING_FIELDS) === null) return null;
  const slots = <i32>c.wholeNumber("monitoring.table_slots", v.member("table_slots"), 16, 1000000, 10000);
  const qslots = <i32>c.wholeNumber("monitoring.quarantine_slots", v.member("quarantine_slots"), 16, 1000000, 1000);
  let hops = 0;
  const ip = c.object("monitoring.client_ip", v.member("client_ip"), CLIENT_IP_FIELDS);
  if (ip !== null) hops = <i32>c.wholeNumber("monitoring.client_ip.trusted_hops", ip.member("trusted_hops"), 0, 16, 0);
  const quarantine = compileQuarantine(c, v.member("quarantine"));
  const list = v.member("detectors");
  const detectors = new Array<Detector>(0);
  if (list === null) { c.fail("monitoring.detectors", "required"); return null; }
  if (!c.expectKind("monitoring.detectors", list, JsonKind.Array)) return null;
  if (list.items.length > MAX_DETECTORS) { c.fail("monitoring.detectors", "more than " + MAX_DETECTORS.toString() + " detectors"); return null; }
  for (let i = 0; i < list.items.length; i++) {
    const d = compileDetector(c, "monitoring.detectors[" + i.toString() + "]", list.items[i], i, routes);
    if (d === null) return null;
    for (let j = 0; j < detectors.length; j++) {
      if (detectors[j].name == d.name) { c.fail("monitoring.detectors[" + i.toString() + "].name", "duplicate \"" + d.name + "\""); return null; }
    }
    detectors.push(d);
  }
  if (c.failed) return null;
  return new Monitoring(detectors, quarantine, slots, qslots, hops);
}

function compileQuarantine(c: ConfigReader, v: JsonValue | null): QuarantineSettings {
  const q = c.object("monitoring.quarantine", v, QUARANTINE_FIELDS);
  const get = (name: string, q: JsonValue | null): JsonValue | null => q !== null ? q.member(name) : null;
  const base = c.wholeNumber("monitoring.quarantine.seconds", get("seconds", q), 1, 86400, 60);
  const max = c.wholeNumber("monitoring.quarantine.max_seconds", get("max_seconds", q), 1, 86400 * 30, 3600);
  if (max < base) c.fail("monitoring.quarantine.max_seconds", "must be at least quarantine.seconds");
  const never = c.strings("monitoring.quarantine.never", get("never", q));
  return new QuarantineSettings(<u64>base * 1000000000, <u64>max * 1000000000, never);
}

function compileDetector(c: ConfigReader, f: string, v: JsonValue, index: i32, routes: RoutePolicy[]): Detector | null {
  if (c.object(f, v, DETECTOR_FIELDS) === null) return null;
  const nameV = v.member("name");
  if (nameV === null || !nameV.isString() || nameV.str.length == 0 || nameV.str.length > 64) { c.fail(f + ".name", "required: 1 to 64 characters (it names metrics and events)"); return null; }
  const kind = c.choice(f + ".kind", v.member("kind"), ["refusal_burst", "enumeration", "rate_jump"], -1);
  if (kind < 0) { if (!c.failed) c.fail(f + ".kind", "required: \"refusal_burst\", \"enumeration\" or \"rate_jump\""); return null; }
  const identity = c.choice(f + ".identity", v.member("identity"), IDENTITY_KINDS, -1);
  if (identity < 0) { if (!c.failed) c.fail(f + ".identity", "required: \"peer\", \"user\", \"api_client\" or \"client_ip\""); return null; }
  if (identity == <i32>IdentityKind.User) c.usesUserClaims = true;
  const window = c.wholeNumber(f + ".window_seconds", v.member("window_seconds"), 1, 86400, 60);
  const maxThreshold: f64 = kind == 1 ? <f64>MAX_ENUMERATION_THRESHOLD : 1000000;
  const threshold = <i32>c.wholeNumber(f + ".threshold", v.member("threshold"), 1, maxThreshold, 0);
  if (threshold == 0 && !c.failed) { c.fail(f + ".threshold", "required: the count within the window that fires the detector"); return null; }
  const action = c.choice(f + ".action", v.member("action"), ["alert", "quarantine"], 0) == 1 ? Action.Quarantine : Action.Alert;
  const audit = c.mode(f + ".mode", v.member("mode"));
  let groups = new Array<string>(0);
  let route = "";
  let param = -1;
  const rateOnly = v.member("factor") !== null || v.member("warmup_windows") !== null;
  if (rateOnly && kind != 2) { c.fail(f, "factor and warmup_windows are rate_jump settings"); return null; }
  if (kind == 2) {
    // rate_jump: `threshold` is the minimum volume, factor and warm-up its own settings.
  } else if (kind == 0) {
    groups = c.strings(f + ".groups", v.member("groups"));
    if (groups.length == 0 && !c.failed) { c.fail(f + ".groups", "required: the reason groups counted (" + GROUPS.join(", ") + ")"); return null; }
    for (let i = 0; i < groups.length; i++) {
      if (!GROUPS.includes(groups[i])) { c.fail(f + ".groups[" + i.toString() + "]", "\"" + groups[i] + "\": expected one of " + GROUPS.join(", ")); return null; }
    }
  } else {
    const r = v.member("route");
    const p = v.member("param");
    if (r === null || !r.isString() || p === null || !p.isString()) { c.fail(f, "an enumeration detector names a route and one of its path parameters (route, param)"); return null; }
    route = r.str;
    let found: RoutePolicy | null = null;
    for (let i = 0; i < routes.length; i++) if (routes[i].name == route) found = routes[i];
    if (found === null) { c.fail(f + ".route", "no route is named \"" + route + "\""); return null; }
    param = found.template.params.indexOf(p.str);
    if (param < 0) { c.fail(f + ".param", "the route's path has no {" + p.str + "}"); return null; }
  }
  const d = new Detector(nameV.str, index, <DetectorKind>kind, <IdentityKind>identity, <u64>(<f64>window * NANOS), threshold, action, audit, groups, route, param);
  if (kind == 2) {
    const factor = v.member("factor");
    if (factor !== null) {
      if (!factor.isNumber() || !(factor.num >= 1.5) || factor.num > 1000) { c.fail(f + ".factor", "must be a number from 1.5 to 1000"); return null; }
      d.factor = factor.num;
    }
    d.warmupWindows = <i32>c.wholeNumber(f + ".warmup_windows", v.member("warmup_windows"), 1, 1000, 6);
  }
  return d;
}
