// The request pipeline of one HTTP stream, on one snapshot of the request headers and one
// configuration (the one in force when the stream started):
//   1. strip spoofable headers   (identity/sources.ts: always meshguard's own identity headers;
//                                their '_' spellings too, validate/twins.ts; and from the
//                                request trailers when they come, validate/trailers.ts)
//   2. check the headers         (validate/hygiene.ts: count, sizes, control characters, framing)
//   3. screen the path           (validate/path.ts), and the query for a method override
//                                (validate/override.ts; a POST body's in step 6)
//   4. establish the caller      (identity/identify.ts: peer, verified user claims, API key),
//      and refuse a quarantined one (pipeline/watch-step.ts, monitor/)
//   5. authorize                 (authz/: the route, the same read without case or ';' parameters
//                                and for the hosts named in forwarding headers (validate/forwarded.ts),
//                                then its rules), then the route's shape
//                                (validate/shape.ts: typed parameters, query, headers) and its
//                                parameters' names elsewhere (validate/bound-names.ts)
//   6. check the body            (validate/body.ts, pipeline/body-step.ts: type, size, schema)
//   7. rate limits               (pipeline/limit-step.ts, ratelimit/)
//   8. forward, with the verified identities in meshguard's headers
// Every stage returns a value; settle.ts turns a refusal into the local reply or, in audit mode, a
// would-deny. Host I/O goes through StreamIO only (io.ts), so this runs without a host in tests.
import { Decision, RoutePolicy, UNROUTED, brokenPeer } from "../authz/route";
import { hostOf } from "../authz/template";
import { Caller } from "../identity/caller";
import { PeerState } from "../identity/peer";
import { HeaderName, HeaderSnapshot } from "../lib/headers";
import { HEADER_INVALID, METHOD_OVERRIDE, PATH_INVALID, PEER_IDENTITY_MISSING, QUERY_INVALID, REQUEST_UNAVAILABLE } from "../reply/reasons";
import { ANY_BODY, BodyCheck, BodyFraming } from "../validate/body";
import { CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING, checkHeaders, mediaType, parseContentLength } from "../validate/hygiene";
import { queryOverrides } from "../validate/override";
import { forwardedHosts } from "../validate/forwarded";
import { boundNameProblem } from "../validate/bound-names";
import { trailerRemoved } from "../validate/trailers";
import { Twin } from "../validate/twins";
import { bodyParameterScan } from "../validate/override-body";
import { PathCheck, checkPath, otherReading } from "../validate/path";
import { BodyStep, CONTINUE, STOP } from "./body-step";
import { FilterConfig } from "./filter-config";
import { Stat, StreamIO } from "./io";
import { LimitStep, Quota } from "./limit-step";
import { OUTCOME_ALLOW, Settler } from "./settle";
import { WatchStep } from "./watch-step";

const PATH = new HeaderName(":path");
const METHOD = new HeaderName(":method");
const AUTHORITY = new HeaderName(":authority");
const RATELIMIT_POLICY = new HeaderName("ratelimit-policy");
const RATELIMIT = new HeaderName("ratelimit");
const NO_PARAMS: string[] = [];
const ENCODED_PERCENT = "encoded percent sign (%25) on a route without allow_encoded_percent";
const ANOTHER_ROUTE = "the path read without case or ';' path parameters is another route's";
const ANOTHER_HOST = "a host named in x-forwarded-host, forwarded, x-original-host or x-host is another route's (or more than 16 are named)";
const NAMED_NONE = 0;
const NAMED_ONE = 1;
const NAMED_AMBIGUOUS = 2;
const MAX_NAMED_HOSTS = 16;   // hosts named besides :authority; more are refused as ambiguous

export class RequestPipeline {
  private readonly settler: Settler;
  private body: BodyStep | null = null;
  private quota: Quota | null = null;
  private params: string[] = NO_PARAMS;   // the matched route's path parameters: the matcher's
                                          // array, valid during the headers callback only
  private watch: WatchStep | null = null;
  private methodText: string | null = null;   // :method, decoded once (method())
  private namedRoute: RoutePolicy | null = null;   // the route of the hosts named besides :authority
  private readTwin: i32 = -1;   // a header named as one meshguard reads, but with '_' (strip())
  private routed: RoutePolicy | null = null;   // the matched route, once authorized

  constructor(public readonly config: FilterConfig, private readonly io: StreamIO) {
    this.settler = new Settler(config, io);
  }

  get replied(): bool { return this.settler.replied; }

  onRequestHeaders(endOfStream: bool): u32 {
    const policy = this.config.policy;
    const s = this.settler;
    const snap = this.io.requestHeaders();
    s.snapshot = snap;
    if (!snap.ok) return this.failClosed(null, "");
    const monitor = this.config.monitor;
    if (monitor !== null) {
      const watch = new WatchStep(s, this.io, monitor, snap);
      s.watch = watch;
      this.watch = watch;
    }
    if (!this.strip(snap)) return STOP;
    const hygiene = checkHeaders(snap, policy.limits.headers);
    const audit = policy.audit;   // before a route is known, the policy's mode
    if (!hygiene.ok && s.settle(Decision.refuseFor(hygiene.reason!, null, hygiene.detail), audit, "")) return STOP;
    if (this.twinRefused(snap, audit)) return STOP;
    const path = checkPath(snap.value(PATH.bytes));
    if (!path.ok && s.settle(Decision.refuseFor(PATH_INVALID, null, path.error), audit, "")) return STOP;
    const overrides = policy.headers.refuseOverrides && queryOverrides(path.query);
    if (overrides && s.settle(Decision.refuseFor(METHOD_OVERRIDE, null, "a _method parameter in the query"), audit, "")) return STOP;

    const metadata = policy.identity.jwt !== null ? this.io.metadata() : null;
    const found = this.config.identifier.identify(snap, this.io.peerUriSan(), metadata);
    const caller = found.caller;
    s.caller = caller;
    const watch = this.watch;
    if (watch !== null) {
      watch.know(caller);
      if (watch.quarantined()) return STOP;
      watch.requested();
    }
    // A path that failed the screen (audit mode let it on) matches no route: no route's rules
    // apply, the policy-wide ones (limits, body size) still do.
    const decision = path.ok ? this.authorize(path, caller, snap, found.userError) : UNROUTED;
    if (decision === null) return STOP;
    this.routed = decision.route;

    if (this.startBody(decision, snap, endOfStream)) return STOP;
    const rl = policy.rateLimits;
    const limiter = this.config.limiter;
    if (rl !== null && limiter !== null) {
      const step = new LimitStep(s, this.io, rl, limiter);
      if (step.run(caller, decision, snap)) return STOP;
      this.quota = step.quota;
    }
    const tally = this.config.tally;
    tally.add(Stat.Allowed);
    if (decision.shadow) tally.add(Stat.Shadow);
    s.outcome(OUTCOME_ALLOW, s.lastWouldDeny, decision.routeName);
    return this.forwardIdentity(caller, decision);
  }

  // Step 1, first, so that no path through the pipeline forwards a spoofed identity header. Only
  // headers that are there are removed: usually none, and no host call. A header that could not
  // be removed would carry a spoofed identity on: fail closed.
  // Their '_' twins go too (validate/twins.ts); the first twin of a header meshguard reads is
  // remembered, to be refused after the hygiene check.
  private strip(snap: HeaderSnapshot): bool {
    const strip = this.config.policy.headers.strip;
    for (let i = 0; i < strip.length; i++) {
      const name = strip[i];
      if (snap.has(name.bytes) && !this.io.removeRequestHeader(name)) { this.failClosed(null, "could not remove " + name.name); return false; }
    }
    const twins = this.config.policy.twins;
    for (let i = 0; i < snap.count; i++) {
      const twin = twins.of(snap, i);
      if (twin == Twin.Read && this.readTwin < 0) this.readTwin = i;
      if (twin != Twin.Removed) continue;
      const name = new HeaderName(snap.nameOf(i));
      if (!this.io.removeRequestHeader(name)) { this.failClosed(null, "could not remove " + name.name); return false; }
    }
    return true;
  }

  // The refusal of a header read two ways: `name` here, another name's value at the service.
  private twinRefused(snap: HeaderSnapshot, audit: bool): bool {
    const i = this.readTwin;
    if (i < 0) return false;
    const name = snap.nameOf(i);
    const detail = name + " is " + this.config.policy.twins.twinOf(name) + " to servers that read headers CGI-style (PHP, Rack, WSGI)";
    return this.settler.settle(Decision.refuseFor(HEADER_INVALID, null, detail), audit, "");
  }

  // Step 5: the route and its rules, then the route's shape. Null when the request was refused.
  private authorize(path: PathCheck, caller: Caller, snap: HeaderSnapshot, userError: string): Decision | null {
    const s = this.settler;
    const d = this.route(path, caller, snap);
    const route = d.route;
    if (s.settle(d, s.auditOn(route), userError.length > 0 ? userError : path.path)) return null;
    // The shape is checked for a caller the rules admitted (an unauthorized one learns nothing
    // from a validation error).
    if (route === null || (d.reason !== null && !d.audited)) return d;
    const shape = route.shape;
    if (shape !== null) {
      const r = shape.check(this.params, path.query, snap);
      if (!r.ok && s.settle(Decision.refuseFor(r.reason!, route, r.detail), s.auditOn(route), "")) return null;
    }
    const bound = route.bound;
    if (bound !== null) {
      const detail = boundNameProblem(bound, path.query, snap, this.params);
      if (detail.length > 0 && s.settle(Decision.refuseFor(QUERY_INVALID, route, detail), s.auditOn(route), "")) return null;
    }
    return d;
  }

  private route(path: PathCheck, caller: Caller, snap: HeaderSnapshot): Decision {
    const policy = this.config.policy;
    // require_peer: before any route is looked at, so a caller without a workload certificate
    // learns nothing about the routes.
    if (policy.identity.requirePeer && caller.peer.state != PeerState.Verified) {
      const broken = brokenPeer(caller);
      return Decision.refuse(broken !== null ? broken : PEER_IDENTITY_MISSING, null, "");
    }
    const routes = policy.routes;
    const host = routes.usesHosts ? hostOf(snap.value(AUTHORITY.bytes)) : "";
    const method = this.method(snap);
    // Read without ASCII case and ';' path parameters, as some servers read it, the path must lead
    // to the same route: "/ADMIN/users" or "/admin;x/users" is not the catch-all's when
    // "/admin/users" is a protected route's.
    const other = path.parameters || path.upper || routes.upperLiterals;
    const otherRoute = other ? routes.otherRoute(method, otherReading(path.path), host) : null;
    // A host named besides :authority (validate/forwarded.ts) must lead to the same route.
    const named = routes.usesHosts ? this.namedHosts(method, path.path, snap) : NAMED_NONE;
    const m = routes.match(method, path.path, host);
    const route = m.route;
    if (other && otherRoute !== route) return Decision.refuseFor(PATH_INVALID, route, ANOTHER_ROUTE);
    if (named == NAMED_AMBIGUOUS || (named == NAMED_ONE && this.namedRoute !== route)) return Decision.refuseFor(HEADER_INVALID, route, ANOTHER_HOST);
    if (route === null) return m.unrouted;
    this.params = m.params;
    const watch = this.watch;
    if (watch !== null) watch.routed(route.name, m.params);
    if (path.encodedPercent && !route.allowEncodedPercent) return Decision.refuseFor(PATH_INVALID, route, ENCODED_PERCENT);
    return route.authorize(caller, m.params);
  }

  // Whether the request names hosts besides :authority (NAMED_NONE), and if all lead to one route
  // (NAMED_ONE: this.namedRoute) or not (NAMED_AMBIGUOUS). Before match(): it reuses the scratch.
  private namedHosts(method: string, path: string, snap: HeaderSnapshot): i32 {
    const hosts = forwardedHosts(snap);
    if (hosts.length == 0) return NAMED_NONE;
    if (hosts.length > MAX_NAMED_HOSTS) return NAMED_AMBIGUOUS;   // one route lookup each: bounded
    const routes = this.config.policy.routes;
    const first = routes.match(method, path, hostOf(hosts[0])).route;
    for (let i = 1; i < hosts.length; i++) if (routes.match(method, path, hostOf(hosts[i])).route !== first) return NAMED_AMBIGUOUS;
    this.namedRoute = first;
    return NAMED_ONE;
  }

  // Step 6, at the headers. True when the request was refused.
  private startBody(decision: Decision, snap: HeaderSnapshot, endOfStream: bool): bool {
    const route = decision.route;
    const rules = route !== null ? route.body : ANY_BODY;
    const declared = parseContentLength(snap.value(CONTENT_LENGTH.bytes));
    const chunked = snap.has(TRANSFER_ENCODING.bytes);
    // Nothing to check: no body, none declared, none required.
    if (endOfStream && declared <= 0 && !chunked && rules.schema === null) return false;
    const check = new BodyCheck(rules, this.config.policy.limits.maxBodyBytes, new BodyFraming(!endOfStream, declared, chunked));
    // A body is scanned for `_method` (a POST) and for the names the route binds (bound-names.ts).
    const method = !endOfStream && this.scansForOverride(snap);
    const scan = !endOfStream && (method || rules.scan.formNames.length > 0);
    // content-type, read once, when a check needs it: the route's types, a schema's body, the scan.
    const type = scan || rules.contentTypes.length > 0 || rules.schema !== null ? snap.value(CONTENT_TYPE.bytes) : "";
    const media = mediaType(type);
    if (scan) {
      // The path's values, for body parameters named as its parameters.
      check.parameters = bodyParameterScan(media, type, method ? rules.scanWithMethod : rules.scan, this.params);
    }
    const step = new BodyStep(this.settler, this.io, check, decision);
    if (step.atHeaders(snap, type, media)) return true;
    this.body = step;
    return false;
  }

  // Whether a POST body is scanned for a `_method` parameter (validate/override-body.ts).
  // Frameworks honour one on POST only (Symfony upper-cases the method first).
  private scansForOverride(snap: HeaderSnapshot): bool {
    if (!this.config.policy.headers.refuseOverrides) return false;
    const m = this.method(snap);
    return m == "POST" || m.toUpperCase() == "POST";   // (Unicode casing can grow a string: no length test)
  }

  // :method, read by route matching and by the scan's POST test: decoded once.
  private method(snap: HeaderSnapshot): string {
    let m = this.methodText;
    if (m === null) { m = snap.value(METHOD.bytes); this.methodText = m; }
    return m;
  }

  // Step 8: the verified identities in meshguard's headers. A header the host failed to set would
  // let the request on with a stale or missing identity: fail closed.
  private forwardIdentity(caller: Caller, decision: Decision): u32 {
    const headers = this.config.policy.headers;
    const spiffe = caller.peer.spiffe;
    if (spiffe !== null && caller.peer.state == PeerState.Verified && !this.io.setRequestHeader(headers.peer, spiffe.id)) {
      return this.failClosed(decision.route, "could not set " + headers.peer.name);
    }
    const user = caller.user;
    if (user !== null && user.subject.length > 0 && !this.io.setRequestHeader(headers.user, user.subject)) {
      return this.failClosed(decision.route, "could not set " + headers.user.name);
    }
    const client = caller.client;
    if (client !== null && !this.io.setRequestHeader(headers.client, client.name)) {
      return this.failClosed(decision.route, "could not set " + headers.client.name);
    }
    return CONTINUE;
  }

  onRequestBody(size: u32, endOfStream: bool): u32 {
    if (this.settler.replied) return STOP;
    const body = this.body;
    return body !== null ? body.onData(size, endOfStream) : CONTINUE;
  }

  // Trailers end an HTTP/2 body: no data call carried end of stream. They are screened first.
  onRequestTrailers(): u32 {
    if (this.settler.replied || !this.screenTrailers()) return STOP;
    const body = this.body;
    return body !== null ? body.onEnd() : CONTINUE;
  }

  // Trailers named as headers meshguard removes or reads are removed (validate/trailers.ts), in
  // audit mode too: a service that merges trailers into its headers would find there an identity
  // meshguard removed, or another value of a header it judged. False when the stream was refused
  // (the host failed). Trailers are rare: reading them costs nothing on other requests.
  private screenTrailers(): bool {
    const snap = this.io.requestTrailers();
    if (!snap.ok) { this.failClosed(this.routed, "could not read the request trailers"); return false; }
    const twins = this.config.policy.twins;
    for (let i = 0; i < snap.count; i++) {
      const name = snap.nameOf(i);
      if (!trailerRemoved(twins, name)) continue;
      if (!this.io.removeRequestTrailer(new HeaderName(name))) { this.failClosed(this.routed, "could not remove the trailer " + name); return false; }
    }
    return true;
  }

  onResponseHeaders(): u32 {
    const q = this.quota;
    if (q !== null && !this.settler.replied) {
      this.io.addResponseHeader(RATELIMIT_POLICY, q.policy);
      this.io.addResponseHeader(RATELIMIT, q.left);
    }
    return CONTINUE;
  }

  private failClosed(route: RoutePolicy | null, detail: string): u32 {
    this.settler.failClosed(Decision.refuse(REQUEST_UNAVAILABLE, route, ""), detail);
    return STOP;
  }
}
