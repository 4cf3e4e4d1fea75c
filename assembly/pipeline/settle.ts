// The one place a decision takes effect. A refusal is enforced (counted, logged, sent as the local
// reply; the stream stops) or, in audit mode, only counted and logged as a would-deny while the
// request goes on. The mode of access and validation refusals is the policy's or the route's (and
// a deny rule's own); a rate limit's is its own, as Envoy's local_ratelimit keeps "enforced"
// apart from "enabled"; host failures are always enforced (fail closed).
import { Caller } from "../identity/caller";
import { HeaderName, HeaderSnapshot } from "../lib/headers";
import { EVENT_DENY, EVENT_WOULD_DENY, LOG_PREFIX, MODE_AUDIT, MODE_ENFORCE } from "../reply/event-fields";
import { DETAILS_PREFIX, POLICY_UNAVAILABLE, USER_MISSING } from "../reply/reasons";
import { EventLine, NO_REPLY_DETAIL, jsonQuote, replyBody } from "../reply/reply";
import { Decision, RoutePolicy } from "../authz/route";
import { FilterConfig } from "./filter-config";
import { RefusalObserver, StreamIO, Tally } from "./io";

export const REQUEST_ID = new HeaderName("x-request-id");
export const OUTCOME_ALLOW = "allow";
export const OUTCOME_DENY = "deny";
const CONTENT_TYPE_ONLY: string[] = ["content-type"];
const JSON_ONLY: string[] = ["application/json"];
// A 401 user_missing names the scheme that would authenticate (RFC 6750 section 3).
const USER_MISSING_HEADERS: string[] = ["content-type", "www-authenticate"];
const USER_MISSING_VALUES: string[] = ["application/json", "Bearer"];

export class Settler {
  replied: bool = false;           // a local reply was sent: later callbacks only stop
  caller: Caller | null = null;    // once known, named in the log events
  snapshot: HeaderSnapshot | null = null;
  watch: RefusalObserver | null = null;   // the detectors, when the policy has some

  constructor(public readonly config: FilterConfig, public readonly io: StreamIO) {}

  // The mode of access and validation refusals on this route (null: no route): audit when the
  // policy or the route says so. Rate limits have their own mode (limit-step.ts).
  auditOn(route: RoutePolicy | null): bool {
    return this.config.policy.audit || (route !== null && route.audit);
  }

  // Returns true when the request was refused (the stream must stop). An allow passes. A decision
  // an audit-mode deny rule made (d.audited) is a would-deny whatever `audit` says.
  settle(d: Decision, audit: bool, detail: string): bool {
    if (d.reason === null) return false;
    if (audit || d.audited) { this.wouldDeny(d, detail); return false; }
    this.deny(d, detail, null, null);
    return true;
  }

  // A refusal that audit mode does not apply to: the host failed, nothing can be judged.
  failClosed(d: Decision, detail: string): void {
    this.deny(d, detail, null, null);
  }

  // The local reply. Its headers are content-type alone unless the refusal adds its own (a 429).
  deny(d: Decision, detail: string, headerNames: string[] | null, headerValues: string[] | null): void {
    const reason = d.reason!;
    this.outcome(OUTCOME_DENY, reason.code, d.routeName);
    this.config.tally.refused(false, reason.index);
    const watch = this.watch;
    if (watch !== null) watch.refused(reason);
    const requestId = this.requestId();
    this.io.info(LOG_PREFIX + this.event(EVENT_DENY, MODE_ENFORCE, d, requestId, detail));
    this.replied = true;
    let names = headerNames !== null ? headerNames : CONTENT_TYPE_ONLY;
    let values = headerValues !== null ? headerValues : JSON_ONLY;
    if (reason === USER_MISSING) { names = USER_MISSING_HEADERS; values = USER_MISSING_VALUES; }
    this.io.reply(<u32>reason.status, DETAILS_PREFIX + reason.code, replyBody(reason, d.reply, requestId), names, values);
  }

  wouldDeny(d: Decision, detail: string): void {
    this.config.tally.refused(true, d.reason!.index);
    this.lastWouldDeny = d.reason!.code;
    const watch = this.watch;
    if (watch !== null) watch.refused(d.reason!);
    this.io.info(LOG_PREFIX + this.event(EVENT_WOULD_DENY, MODE_AUDIT, d, this.requestId(), detail));
  }

  lastWouldDeny: string = "";   // the last refusal audit mode let on, for the access log

  // The request's outcome in filter state, for Envoy's access log (policy access_log: true):
  // {"decision":"allow"|"deny","reason":...,"route":...,"peer":...,"user":...,"api_client":...}.
  // One host call per request, so only when asked for.
  outcome(decision: string, reason: string, route: string): void {
    if (!this.config.policy.accessLog) return;
    let json = "{\"decision\":\"" + decision + "\",\"reason\":" + jsonQuote(reason, 64, false) + ",\"route\":" + jsonQuote(route, 256, true);
    const caller = this.caller;
    if (caller !== null) {
      const spiffe = caller.peer.spiffe;
      if (spiffe !== null) json += ",\"peer\":" + jsonQuote(spiffe.id, 512, true);
      const user = caller.user;
      if (user !== null) json += ",\"user\":" + jsonQuote(user.subject, 256, true);
      const client = caller.client;
      if (client !== null) json += ",\"api_client\":" + jsonQuote(client.name, 256, true);
    }
    this.io.setOutcome(json + "}");
  }

  requestId(): string {
    const snap = this.snapshot;
    return snap !== null ? snap.value(REQUEST_ID.bytes) : "";
  }

  private event(kind: string, mode: string, d: Decision, requestId: string, detail: string): string {
    const line = EventLine.refusal(kind, d.reason!, mode, d.routeName, d.rule, requestId);
    const caller = this.caller;
    if (caller !== null) {
      const spiffe = caller.peer.spiffe;
      if (spiffe !== null) line.peer(spiffe.id);
      const user = caller.user;
      if (user !== null) line.user(user.subject);
      const client = caller.client;
      if (client !== null) line.apiClient(client.name);
    }
    return line.finish(d.detail.length > 0 ? d.detail : detail);
  }
}

// Before any configuration was accepted there is no policy to settle with: every request gets
// 503 policy_unavailable (fail closed), counted when a refused configuration left counters.
export function refuseWithoutPolicy(io: StreamIO, tally: Tally | null): void {
  if (tally !== null) tally.refused(false, POLICY_UNAVAILABLE.index);
  const line = EventLine.refusal(EVENT_DENY, POLICY_UNAVAILABLE, MODE_ENFORCE, "", "", "");
  io.info(LOG_PREFIX + line.finish(""));
  io.reply(<u32>POLICY_UNAVAILABLE.status, DETAILS_PREFIX + POLICY_UNAVAILABLE.code, replyBody(POLICY_UNAVAILABLE, NO_REPLY_DETAIL, ""), CONTENT_TYPE_ONLY, JSON_ONLY);
}
