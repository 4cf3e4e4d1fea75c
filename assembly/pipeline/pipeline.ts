// The request pipeline of one HTTP stream, all on one snapshot of the request headers:
//   1. strip spoofable headers   (policy.stripHeaders, always including meshguard's own)
//   2. check the headers         (hygiene.ts: count, sizes, control characters, framing)
//   3. screen the path           (path.ts)
//   4. establish the caller      (identify.ts) peer (mutual TLS), user (jwt_authn's verified claims), API key
//   5. decide                    (policy.ts, pure)
//   6. check the body            the route's content types and size (and, as it streams, onRequestBody)
//   7. rate limits               (limiter.ts)
//   8. reply locally and stop, or forward with the verified identities in meshguard's headers;
//      in audit mode, log and count a "would deny" and forward
import { Limit } from "../ratelimit/bucket";
import { Caller } from "../identity/caller";
import { Decision } from "../authz/decision";
import { HeaderSnapshot } from "../lib/headers";
import {
  HeaderMapType, HeaderName, LogLevel, PropertyPath, addHeader, getProperty, getRequestBody, log,
  nowNanos, removeHeader, replaceHeader, sendLocalReply, snapshotHeaders,
} from "../abi/host";
import { HygieneVerdict, checkHeaders, mediaType, parseContentLength } from "../validate/hygiene";
import { PeerState } from "../identity/peer";
import { JsonLimits } from "../lib/json";
import { DocumentSink, JsonStream } from "../lib/jsonstream";
import { identify } from "../identity/identify";
import { TakeStatus } from "../ratelimit/limiter";
import { PathCheck, checkPath } from "../validate/path";
import { LOG_PREFIX, Plugin } from "../abi/plugin";
import { Policy, RequestFacts } from "../authz/policy";
import { KeyFacts, RateLimits, WhenFull, bucketKey, clientIpOf } from "../ratelimit/limits";
import {
  DETAILS_PREFIX, REASON_BODY_INVALID_JSON, REASON_BODY_LIMIT, REASON_BODY_SCHEMA, REASON_BODY_TOO_LARGE, REASON_CONTENT_TYPE,
  REASON_HEADER_INVALID, REASON_HEADERS_TOO_LARGE, REASON_PATH_INVALID, REASON_POLICY_UNAVAILABLE,
  REASON_RATE_LIMITED, REASON_RATE_LIMIT_UNAVAILABLE, REASON_REQUEST_UNAVAILABLE, REASON_USER_MISSING,
} from "../reply/reasons";
import { jsonQuote, replyBody } from "../reply/reply";
import { hostOf } from "../authz/template";
import { Budget, SchemaNode, validate } from "../validate/schema";

// proxy-wasm FilterHeadersStatus / FilterDataStatus values.
export const CONTINUE: u32 = 0;
export const STOP_ITERATION: u32 = 1;
// FilterDataStatus StopIterationAndBuffer: Envoy keeps the data and hands it back, with what
// follows, on the next body call (up to its buffer limit; past it, Envoy itself answers 413).
export const STOP_AND_BUFFER: u32 = 1;
const HOST_OK: u32 = 0;   // proxy-wasm WasmResult Ok

const JSON_CONTENT_TYPE: string[] = ["content-type"];
const JSON_CONTENT_TYPE_VALUE: string[] = ["application/json"];
const USER_MISSING_HEADERS: string[] = ["content-type", "www-authenticate"];
const USER_MISSING_VALUES: string[] = ["application/json", "Bearer"];
const SOURCE_ADDRESS = new PropertyPath("source.address");
const EMPTY_SNAPSHOT = new HeaderSnapshot(new Uint8Array(0));
// The decision for a path no route can match (refused by the screen, let on by audit mode).
const UNROUTED = Decision.allow("", "");

// Work a single body's validation may do (nodes visited), so a crafted schema and document cannot
// make it unbounded.
const SCHEMA_BUDGET: i64 = 1000000;
const LIMIT_SCHEMA_WORK = "schema_work";   // the name a refusal by SCHEMA_BUDGET gives

// RateLimit-Policy and RateLimit field values (IETF httpapi draft "RateLimit header fields"):
// q the capacity, w the seconds to refill from empty, r the tokens left, t seconds to wait.
function policyField(l: Limit): string {
  return "\"" + l.name + "\";q=" + (<i64>l.capacity).toString() + ";w=" + l.windowSeconds.toString();
}
function limitField(l: Limit, remaining: f64, seconds: f64): string {
  return "\"" + l.name + "\";r=" + (<i64>Math.floor(remaining)).toString() + ";t=" + (<i64>Math.ceil(seconds)).toString();
}

export class Stream {
  // Set once a local reply is sent: later callbacks of this stream do nothing but stop.
  replied: bool = false;
  // RateLimit headers for the response, when rate_limits.response_headers is on.
  quotaPolicy: string = "";
  quota: string = "";
  bodyFollows: bool = false;
  schema: SchemaNode | null = null;
  document: DocumentSink | null = null;
  json: JsonStream | null = null;
  bodyLimit: i64 = i64.MAX_VALUE;
  bodySeen: i64 = 0;
  bodyRoute: string = "";
  bodyAudit: bool = false;     // the policy or the route is in audit mode: body refusals are logged
  holdBody: bool = false;      // the body stays in Envoy until it has passed (StopIterationAndBuffer)
  caller: Caller | null = null;
  // The request headers as received (one host call), kept for the stream's later steps.
  snapshot: HeaderSnapshot = EMPTY_SNAPSHOT;

  constructor(public readonly plugin: Plugin) {}

  onRequestHeaders(endOfStream: bool): u32 {
    this.bodyFollows = !endOfStream;
    const policy = this.plugin.policy;
    const headers = this.plugin.headers;
    if (policy === null || headers === null) return this.deny(Decision.deny(503, REASON_POLICY_UNAVAILABLE, "", ""), null, "");

    // Every input is read from one snapshot of the request headers, as received.
    const snap = snapshotHeaders(HeaderMapType.RequestHeaders);
    this.snapshot = snap;
    if (!snap.ok) return this.deny(Decision.deny(503, REASON_REQUEST_UNAVAILABLE, "", ""), null, "");
    // First, so that no path through this function forwards a spoofed identity header. Only
    // headers that are there are removed: usually none, and no host call. A header that could not
    // be removed would carry a spoofed identity on: fail closed.
    for (let i = 0; i < headers.strip.length; i++) {
      const name = headers.strip[i];
      if (snap.has(name.bytes) && removeHeader(HeaderMapType.RequestHeaders, name) != HOST_OK) {
        return this.deny(Decision.deny(503, REASON_REQUEST_UNAVAILABLE, "", ""), null, "could not remove " + name.name);
      }
    }

    const hygiene = checkHeaders(snap, policy.headerLimits);
    if (hygiene.verdict != HygieneVerdict.Ok) {
      const refused = hygiene.verdict == HygieneVerdict.TooLarge
        ? Decision.deny(431, REASON_HEADERS_TOO_LARGE, "", "")
        : Decision.deny(400, REASON_HEADER_INVALID, "", "");
      if (this.settle(refused, policy.audit, null, hygiene.detail)) return STOP_ITERATION;
    }

    const path = checkPath(snap.value(headers.path.bytes));
    if (!path.ok && this.settle(Decision.deny(400, REASON_PATH_INVALID, "", ""), policy.audit, null, path.error)) return STOP_ITERATION;

    const found = identify(policy, snap, headers.apiKey);
    const caller = found.caller;
    // A path that failed the screen (audit mode let it on) matches no route: no route's rules
    // apply, the policy-wide ones (limits, body size) still do.
    const decision = path.ok ? this.decide(policy, path, caller) : UNROUTED;
    const detail = found.userError.length > 0 ? found.userError : path.path;
    if (this.settle(decision, policy.audit, caller, detail)) return STOP_ITERATION;

    if (this.checkBody(policy, decision, caller)) return STOP_ITERATION;
    const rl = policy.rateLimits;
    if (rl !== null && this.limitRequest(rl, caller, decision.route)) return STOP_ITERATION;

    const metrics = this.plugin.metrics;
    if (metrics !== null) {
      metrics.allowed.increment();
      if (decision.shadow) metrics.shadow.increment();
    }
    const failed = this.forwardIdentity(caller);
    if (failed !== null) return this.deny(Decision.deny(503, REASON_REQUEST_UNAVAILABLE, decision.route, ""), caller, "could not set " + failed.name);
    return CONTINUE;
  }

  decide(policy: Policy, path: PathCheck, caller: Caller): Decision {
    const headers = this.plugin.headers!;
    const snap = this.snapshot;
    const method = snap.value(headers.method.bytes);
    const host = policy.usesHosts ? hostOf(snap.value(headers.authority.bytes)) : "";
    return policy.decide(new RequestFacts(method, path.path, host, path.query, snap, path.encodedPercent), caller);
  }

  // Takes a token from every limit that applies, in order; the first that has none refuses with
  // 429 (an audit-mode limit only counts and logs). Returns true when the request was refused.
  limitRequest(rl: RateLimits, caller: Caller, route: string): bool {
    const limiter = this.plugin.limiter;
    const lm = this.plugin.limitMetrics;
    const headers = this.plugin.headers!;
    if (limiter === null || lm === null) return false;
    let facts: KeyFacts | null = null;
    let now: u64 = 0;
    let tightest: f64 = f64.MAX_VALUE;
    for (let i = 0; i < rl.rules.length; i++) {
      const rule = rl.rules[i];
      if (!rule.appliesTo(route)) continue;
      if (facts === null) { facts = this.keyFacts(rl, caller, route); now = nowNanos(); }
      const result = limiter.takeToken(rule.limit, bucketKey(rule, facts), now);
      if (result.status == TakeStatus.HostError) {
        // Envoy's shared data failed: no token was taken, so none is granted (fail closed).
        lm.hostError.increment();
        const d = Decision.deny(503, REASON_RATE_LIMIT_UNAVAILABLE, route, rule.limit.name);
        if (this.settle(d, rule.audit, caller, "limit " + rule.limit.name + ": shared data failed")) return true;
        continue;
      }
      if (result.status == TakeStatus.TableFull) {
        lm.tableFull.increment();
        if (rl.whenFull == WhenFull.Deny && !rule.audit) return this.refuseRate(rule.limit, 1.0 / rule.limit.ratePerSecond, caller, route, i);
        continue;
      }
      if (result.status == TakeStatus.Contention) { lm.contention.increment(); continue; }
      const t = result.take!;
      if (!t.allowed) {
        if (!rule.audit) return this.refuseRate(rule.limit, t.waitSeconds, caller, route, i);
        lm.wouldLimit[i].increment();
        log(LogLevel.Info, LOG_PREFIX + "{\"event\":\"would_limit\",\"limit\":" + jsonString(rule.limit.name) + ",\"route\":" + jsonString(route) + ",\"request_id\":" + jsonString(this.requestId()) + "}");
        continue;
      }
      if (rl.responseHeaders && t.tokens < tightest) {
        tightest = t.tokens;
        this.quotaPolicy = policyField(rule.limit);
        this.quota = limitField(rule.limit, t.tokens, (rule.limit.capacity - t.tokens) / rule.limit.ratePerSecond);
      }
    }
    return false;
  }

  keyFacts(rl: RateLimits, caller: Caller, route: string): KeyFacts {
    const headers = this.plugin.headers!;
    let ip = "";
    if (rl.usesClientIp) {
      const source = getProperty(SOURCE_ADDRESS).value;
      const xff = rl.trustedHops > 0 ? this.snapshot.value(headers.xff.bytes) : "";
      ip = clientIpOf(source, xff, rl.trustedHops);
    }
    const values = new Array<string>(headers.limitKeys.length);
    for (let i = 0; i < headers.limitKeys.length; i++) values[i] = this.snapshot.value(headers.limitKeys[i].bytes);
    return new KeyFacts(caller, route, ip, values);
  }

  refuseRate(limit: Limit, waitSeconds: f64, caller: Caller, route: string, index: i32): bool {
    const lm = this.plugin.limitMetrics;
    if (lm !== null) lm.limited[index].increment();
    const wait = max<i64>(1, <i64>Math.ceil(waitSeconds));
    const d = Decision.deny(429, REASON_RATE_LIMITED, route, limit.name);
    this.deny(d, caller, "limit " + limit.name,
      ["content-type", "retry-after", "ratelimit-policy", "ratelimit"],
      ["application/json", wait.toString(), policyField(limit), limitField(limit, 0, <f64>wait)]);
    return true;
  }

  onResponseHeaders(): u32 {
    if (this.quota.length > 0 && !this.replied) {
      const headers = this.plugin.headers!;
      addHeader(HeaderMapType.ResponseHeaders, headers.rateLimitPolicy, this.quotaPolicy);
      addHeader(HeaderMapType.ResponseHeaders, headers.rateLimit, this.quota);
    }
    return CONTINUE;
  }

  // The one place a refusal is settled: enforced, it becomes the local reply and the stream stops
  // (true); in audit mode (policy-wide, or the route's), or when the decision was already audited,
  // it is logged and counted as a would-deny and the request goes on (false). An allow passes.
  settle(d: Decision, audit: bool, caller: Caller | null, detail: string): bool {
    if (d.allowed && !d.audited) return false;
    if (!d.allowed && !audit) { this.deny(d, caller, detail); return true; }
    this.wouldDeny(d.audited ? d : d.asAudited(), caller, detail);
    return false;
  }

  // The body the route accepts: its media type (415), and its size, from content-length at once
  // (413, nothing forwarded) or, for a body of unknown length, as it arrives (onRequestBody).
  // A body that may still be refused is held in Envoy until the verdict (holdBody).
  checkBody(policy: Policy, decision: Decision, caller: Caller): bool {
    const headers = this.plugin.headers!;
    const snap = this.snapshot;
    const declared = parseContentLength(snap.value(headers.contentLength.bytes));
    // Envoy's HTTP/1 codec consumes transfer-encoding: a body of unknown length shows as headers
    // without end of stream.
    const streamed = snap.has(headers.transferEncoding.bytes) || (this.bodyFollows && declared != 0);
    this.caller = caller;
    this.bodyAudit = policy.audit || decision.routeAudit;
    if (decision.contentTypes.length > 0 && (declared > 0 || streamed)) {
      const type = mediaType(snap.value(headers.contentType.bytes));
      if (!decision.contentTypes.includes(type)) {
        const d = Decision.deny(415, REASON_CONTENT_TYPE, decision.route, "");
        if (this.refuseBody(d, type.length > 0 ? type : "no content-type")) return true;
      }
    }
    this.bodyLimit = decision.maxBodyBytes >= 0 ? decision.maxBodyBytes : policy.maxBodyBytes;
    this.bodyRoute = decision.route;
    const schema = decision.schema;
    if (schema !== null) {
      if (!this.bodyFollows) {
        const d = Decision.deny(400, REASON_BODY_INVALID_JSON, decision.route, "");
        if (this.refuseBody(d, "a body is required")) return true;
      } else {
        // The body is parsed as it arrives; only its parsed form is kept (bounded by the limit).
        this.schema = schema;
        this.document = new DocumentSink();
        const maxBytes = <i32>min<i64>(this.bodyLimit, <i64>i32.MAX_VALUE);
        const l = policy.bodyJsonLimits;
        this.json = new JsonStream(this.document!, new JsonLimits(maxBytes, l.maxDepth, l.maxMembers, l.maxStringBytes, l.maxNumberChars));
      }
    }
    if (declared > this.bodyLimit) {
      const d = Decision.deny(413, REASON_BODY_TOO_LARGE, decision.route, "");
      if (this.refuseBody(d, "content-length " + declared.toString())) return true;
      this.bodyLimit = i64.MAX_VALUE;   // audited once; not again for every chunk
    }
    // Held when a refusal may still come from the body: a schema, or a limit that a body of unknown
    // length may pass. Nothing is held in audit mode (nothing will be refused) or on a route that
    // opted into streaming (its size limit then cuts the stream: the service may see a prefix of a
    // refused body, never its end).
    const mayRefuse = schema !== null || (declared < 0 && this.bodyLimit != i64.MAX_VALUE);
    this.holdBody = this.bodyFollows && mayRefuse && !this.bodyAudit && !decision.streamBody;
    return false;
  }

  // A call with request body. Envoy passes what it holds for this filter: the new chunk alone, or,
  // while the body is held (StopIterationAndBuffer), everything since the first chunk (agreement
  // test, "hold"). An HTTP/1.1 body ends with one more call, empty and marked end of stream; an
  // HTTP/2 body may end on its last DATA frame, in an empty one, or with trailers.
  onRequestBody(size: u32, endOfStream: bool): u32 {
    if (this.replied) return STOP_ITERATION;
    // Held, `size` counts the bytes seen before and the new ones; else the new chunk alone.
    const start: i64 = this.holdBody ? this.bodySeen : 0;
    const fresh: i64 = <i64>size - start;
    if (fresh < 0) {
      // The host lost bytes it was holding: nothing can be judged, nothing goes on.
      return this.deny(Decision.deny(503, REASON_REQUEST_UNAVAILABLE, this.bodyRoute, ""), this.caller, "held body shrank");
    }
    this.bodySeen += fresh;
    if (this.bodySeen > this.bodyLimit) {
      const d = Decision.deny(413, REASON_BODY_TOO_LARGE, this.bodyRoute, "");
      if (this.refuseBody(d, "body passed " + this.bodyLimit.toString() + " bytes")) return STOP_ITERATION;
      this.bodyLimit = i64.MAX_VALUE;
    }
    if (this.json !== null && fresh > 0) {
      const bytes = getRequestBody(<u32>start, <u32>fresh);
      if (bytes === null) return this.deny(Decision.deny(503, REASON_REQUEST_UNAVAILABLE, this.bodyRoute, ""), this.caller, "request body unreadable");
      if (this.feedJson(bytes, false)) return STOP_ITERATION;
    }
    if (endOfStream) return this.endBody();
    return this.holdBody ? STOP_AND_BUFFER : CONTINUE;
  }

  // Trailers end an HTTP/2 body: no data call carried end of stream.
  onRequestTrailers(): u32 {
    if (this.replied) return STOP_ITERATION;
    return this.endBody();
  }

  // The end of the body: the document is complete, and is judged. Continue lets everything held
  // go on to the service.
  endBody(): u32 {
    if (this.json !== null && this.feedJson(new Uint8Array(0), true)) return STOP_ITERATION;
    const schema = this.schema;
    const document = this.document;
    this.schema = null;
    this.document = null;
    if (schema === null || document === null) return CONTINUE;
    const root = document.root;
    if (root === null) return CONTINUE;
    const e = validate(root, schema, new Budget(SCHEMA_BUDGET));
    if (e === null) return CONTINUE;
    if (e.keyword == "complexity") {
      // Not the document's fault as such: it needs more validation work than meshguard allows.
      const d = Decision.deny(413, REASON_BODY_LIMIT, this.bodyRoute, "");
      d.limit = LIMIT_SCHEMA_WORK;
      return this.refuseBody(d, "schema validation needs more than " + SCHEMA_BUDGET.toString() + " steps") ? STOP_ITERATION : CONTINUE;
    }
    const d = Decision.deny(400, REASON_BODY_SCHEMA, this.bodyRoute, "");
    d.pointer = e.pointer;
    d.keyword = e.keyword;
    d.detail = (e.pointer.length > 0 ? e.pointer : "/") + " " + e.keyword;
    return this.refuseBody(d, d.detail) ? STOP_ITERATION : CONTINUE;
  }

  // Feeds body bytes to the JSON parser; true when the request was refused.
  feedJson(bytes: Uint8Array, last: bool): bool {
    const json = this.json!;
    if (json.feed(bytes, last)) {
      if (last) this.json = null;
      return false;
    }
    this.json = null;
    this.schema = null;
    // A document refused by a configured limit is not "invalid JSON": the reply names the limit.
    const limited = json.limit.length > 0;
    const d = limited ? Decision.deny(413, REASON_BODY_LIMIT, this.bodyRoute, "") : Decision.deny(400, REASON_BODY_INVALID_JSON, this.bodyRoute, "");
    d.limit = json.limit;
    return this.refuseBody(d, json.error + " at byte " + json.offset.toString());
  }

  // A refusal from the body or its headers: enforced, or (policy or route in audit) logged.
  refuseBody(d: Decision, detail: string): bool {
    return this.settle(d, this.bodyAudit, this.caller, detail);
  }

  // Sets the verified identities in meshguard's headers. Returns the header the host failed to
  // set (the request must not go on with a stale or missing identity), or null.
  forwardIdentity(caller: Caller): HeaderName | null {
    const headers = this.plugin.headers!;
    const spiffe = caller.peer.spiffe;
    if (spiffe !== null && caller.peer.state == PeerState.Verified) {
      if (replaceHeader(HeaderMapType.RequestHeaders, headers.peer, spiffe.id) != HOST_OK) return headers.peer;
    }
    const user = caller.user;
    if (user !== null && user.subject.length > 0) {
      if (replaceHeader(HeaderMapType.RequestHeaders, headers.user, user.subject) != HOST_OK) return headers.user;
    }
    const client = caller.client;
    if (client !== null) {
      if (replaceHeader(HeaderMapType.RequestHeaders, headers.client, client.name) != HOST_OK) return headers.client;
    }
    return null;
  }

  requestId(): string {
    const headers = this.plugin.headers;
    return headers !== null ? this.snapshot.value(headers.requestId.bytes) : "";
  }

  // The local reply for every refusal: counted, logged, then sent; the stream stops. Its headers
  // are content-type alone unless the caller (a 429) adds its own; a 401 user_missing names the
  // scheme that would authenticate (RFC 6750 section 3).
  deny(decision: Decision, caller: Caller | null, detail: string,
       headerNames: string[] = JSON_CONTENT_TYPE, headerValues: string[] = JSON_CONTENT_TYPE_VALUE): u32 {
    if (decision.reason == REASON_USER_MISSING) { headerNames = USER_MISSING_HEADERS; headerValues = USER_MISSING_VALUES; }
    const metrics = this.plugin.metrics;
    if (metrics !== null) metrics.deniedFor(decision.reason);
    const requestId = this.requestId();
    log(LogLevel.Info, LOG_PREFIX + eventLine("deny", decision, caller, requestId, detail));
    this.replied = true;
    sendLocalReply(decision.status, DETAILS_PREFIX + decision.reason, replyBody(decision, requestId), headerNames, headerValues);
    return STOP_ITERATION;
  }

  wouldDeny(decision: Decision, caller: Caller | null, detail: string): void {
    const metrics = this.plugin.metrics;
    if (metrics !== null) metrics.wouldDenyFor(decision.reason);
    log(LogLevel.Info, LOG_PREFIX + eventLine("would_deny", decision, caller, this.requestId(), detail));
  }
}

// One structured line per denial or would-deny. Built only then, never on the allow path.
function eventLine(event: string, d: Decision, caller: Caller | null, requestId: string, detail: string): string {
  let line = "{\"event\":\"" + event + "\",\"status\":" + d.status.toString() + ",\"reason\":\"" + d.reason + "\"" +
    ",\"route\":" + jsonString(d.route) + ",\"rule\":" + jsonString(d.rule) + ",\"request_id\":" + jsonString(requestId);
  if (caller !== null) {
    const spiffe = caller.peer.spiffe;
    if (spiffe !== null) line += ",\"peer\":" + jsonString(spiffe.id);
    const user = caller.user;
    if (user !== null) line += ",\"user\":" + jsonString(user.subject);
    const client = caller.client;
    if (client !== null) line += ",\"api_client\":" + jsonString(client.name);
  }
  return line + ",\"detail\":" + jsonString(d.detail.length > 0 ? d.detail : detail) + "}";
}

// Log-line strings: at most 512 characters, marked "..." when cut (reply.ts, jsonQuote).
export function jsonString(s: string): string {
  return jsonQuote(s, 512, true);
}
