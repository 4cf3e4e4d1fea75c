// Monitoring in the pipeline (docs/monitoring.md): after the caller is known, a quarantined
// identity is refused (429 quarantined, Retry-After); every refusal and every request on a watched
// route is counted by the detectors; a detector that fires writes an anomaly event (and a
// quarantine_start event when it quarantines) and moves its counter.
import { Decision } from "../authz/route";
import { Caller } from "../identity/caller";
import { HeaderName, HeaderSnapshot } from "../lib/headers";
import { Action, Detector, IDENTITY_KINDS } from "../monitor/detectors";
import { Firing, Identities, Monitor, MonitorTrouble, QuarantineEnd } from "../monitor/monitor";
import { clientIpOf } from "../ratelimit/limits";
import {
  ACTION_ALERT, ACTION_QUARANTINE, ACTION_WOULD_QUARANTINE, EVENT_ANOMALY, EVENT_QUARANTINE, EVENT_QUARANTINE_END, FIELD_ACTION, FIELD_DETECTOR,
  FIELD_IDENTITY, FIELD_IDENTITY_KIND, FIELD_OBSERVED, FIELD_REQUEST_ID, FIELD_STRIKES, FIELD_THRESHOLD, FIELD_UNTIL, FIELD_WINDOW, LOG_PREFIX,
} from "../reply/event-fields";
import { QUARANTINED, Reason } from "../reply/reasons";
import { EventLine } from "../reply/reply";
import { RefusalObserver, Stat, StreamIO } from "./io";
import { Settler } from "./settle";

const XFF = new HeaderName("x-forwarded-for");
const QUARANTINE_HEADERS: string[] = ["content-type", "retry-after"];

export class WatchStep extends RefusalObserver {
  private ids: Identities | null = null;
  private caller: Caller | null = null;
  private readonly trouble: MonitorTrouble = new MonitorTrouble();

  constructor(
    private readonly settler: Settler,
    private readonly io: StreamIO,
    private readonly monitor: Monitor,
    private readonly snapshot: HeaderSnapshot,
  ) { super(); }

  // Once the caller is known; refusals before it are counted for the client address only.
  know(caller: Caller): void { this.caller = caller; this.ids = null; }

  // A request of a known caller (not quarantined): the rate_jump detectors count it.
  requested(): void {
    if (!this.monitor.watchesRequests) return;
    const out = new Array<Firing>(0);
    this.monitor.requested(this.identities(), this.io.now(), out, this.trouble);
    this.report(out);
  }

  // True when the caller is quarantined and the request was refused.
  quarantined(): bool {
    const ended = new Array<QuarantineEnd>(0);
    const hit = this.monitor.quarantined(this.identities(), this.io.now(), this.trouble, ended);
    this.report(null);
    for (let i = 0; i < ended.length; i++) this.ended(ended[i]);
    if (hit === null) return false;
    const now = this.io.now();
    const seconds = max<i64>(1, <i64>((hit.until - now + 999999999) / 1000000000));
    const d = Decision.refuseFor(QUARANTINED, null, "quarantined " + IDENTITY_KINDS[<i32>hit.kind] + " " + hit.identity);
    const s = this.settler;
    if (s.auditOn(null)) { s.wouldDeny(d, ""); return false; }
    s.deny(d, "", QUARANTINE_HEADERS, ["application/json", seconds.toString()]);
    return true;
  }

  // A refusal, enforced or audited (settle.ts calls this).
  refused(reason: Reason): void {
    const out = new Array<Firing>(0);
    this.monitor.refused(reason, this.identities(), this.io.now(), out, this.trouble);
    this.report(out);
  }

  // A request on a route, with its path parameters.
  routed(route: string, params: string[]): void {
    if (!this.monitor.watchesRoutes) return;
    const out = new Array<Firing>(0);
    this.monitor.routed(route, params, this.identities(), this.io.now(), out, this.trouble);
    this.report(out);
  }

  private identities(): Identities {
    let ids = this.ids;
    if (ids !== null) return ids;
    const c = this.caller;
    let peer = "";
    let user = "";
    let client = "";
    if (c !== null) {
      const spiffe = c.peer.spiffe;
      if (spiffe !== null) peer = spiffe.id;
      const u = c.user;
      if (u !== null) user = u.subject;
      const k = c.client;
      if (k !== null) client = k.name;
    }
    const config = this.monitor.config;
    let ip = "";
    if (config.usesClientIp) {
      const xff = config.trustedHops > 0 ? this.snapshot.value(XFF.bytes) : "";
      ip = clientIpOf(this.io.sourceAddress(), xff, config.trustedHops);
    }
    ids = new Identities(peer, user, client, ip);
    this.ids = ids;
    return ids;
  }

  private report(firings: Firing[] | null): void {
    const tally = this.settler.config.tally;
    const t = this.trouble;
    for (; t.full > 0; t.full--) tally.add(Stat.MonitorFull);
    for (; t.hostError > 0; t.hostError--) tally.add(Stat.MonitorHostError);
    if (firings === null) return;
    for (let i = 0; i < firings.length; i++) this.fired(firings[i]);
  }

  private fired(f: Firing): void {
    const d = f.detector;
    const tally = this.settler.config.tally;
    tally.fired(d.index);
    const quarantined = f.until > 0;
    if (quarantined) tally.add(Stat.Quarantined);
    const action = d.action == Action.Alert ? ACTION_ALERT : quarantined ? ACTION_QUARANTINE : ACTION_WOULD_QUARANTINE;
    this.io.info(LOG_PREFIX + this.line(EVENT_ANOMALY, d, f, action).close());
    if (quarantined) this.io.info(LOG_PREFIX + this.line(EVENT_QUARANTINE, d, f, action).close());
  }

  private ended(e: QuarantineEnd): void {
    const line = new EventLine(EVENT_QUARANTINE_END).add(FIELD_IDENTITY_KIND, IDENTITY_KINDS[<i32>e.kind]).add(FIELD_IDENTITY, e.identity)
      .addNumber(FIELD_UNTIL, <i64>(e.until / 1000000)).addNumber(FIELD_STRIKES, e.strikes).add(FIELD_REQUEST_ID, this.settler.requestId());
    this.io.info(LOG_PREFIX + line.close());
  }

  private line(event: string, d: Detector, f: Firing, action: string): EventLine {
    const line = new EventLine(event).add(FIELD_DETECTOR, d.name).add(FIELD_IDENTITY_KIND, IDENTITY_KINDS[<i32>d.identity]).add(FIELD_IDENTITY, f.identity)
      .addNumber(FIELD_OBSERVED, f.observed).addNumber(FIELD_THRESHOLD, f.threshold).addNumber(FIELD_WINDOW, d.windowSeconds).add(FIELD_ACTION, action);
    if (f.until > 0) line.addNumber(FIELD_UNTIL, <i64>(f.until / 1000000)).addNumber(FIELD_STRIKES, f.strikes);
    return line.add(FIELD_REQUEST_ID, this.settler.requestId());
  }
}
