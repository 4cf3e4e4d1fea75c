// The compiled, immutable policy and the decision it makes for one request. Pure: no host calls.
//
// Evaluation, per request:
//   1. The most specific route whose template, host and method match decides (route.ts). None:
//      404 route_not_declared (405 method_not_declared when only the method differs), or, with
//      unmatched_routes: allow, the request passes and counts as a shadow API.
//   2. On a route that is not public, an identity that is present but broken refuses the request
//      (401; 503 when the host failed to report it).
//   3. Deny rules first: the first that matches refuses with 403 denied_by_rule (a deny rule in
//      audit mode only records a "would deny").
//   4. A public route then allows. Otherwise the first allow rule that matches allows; if none
//      does, 401 identity_missing when the caller has no identity at all, else 403 not_allowed.
//   5. Audit mode (policy-wide or per route) turns any refusal into an allowed "would deny".
import { ApiClient, Caller, JwtSettings, KeyState, UserState } from "../identity/caller";
import { Decision } from "./decision";
import { PeerIdentity, PeerState } from "../identity/peer";
import { PathTemplate, SegmentKind, splitPath } from "./template";
import { Rule } from "./rules";
import { RateLimits } from "../ratelimit/limits";
import { HeaderLimits } from "../validate/hygiene";
import { HeaderSnapshot } from "../lib/headers";
import { JsonLimits } from "../lib/json";
import { RequestShape } from "../validate/shape";
import { SchemaNode } from "../validate/schema";
import {
  REASON_API_KEY_INVALID, REASON_DENIED_BY_RULE, REASON_IDENTITY_MISSING, REASON_METHOD_NOT_DECLARED,
  REASON_NOT_ALLOWED, REASON_PEER_IDENTITY_INVALID, REASON_PEER_IDENTITY_MISSING, REASON_PEER_IDENTITY_UNAVAILABLE,
  REASON_PEER_IDENTITY_UNTRUSTED, REASON_ROUTE_NOT_DECLARED, REASON_USER_CLAIMS_INVALID, REASON_USER_CLAIMS_UNAVAILABLE,
  REASON_PATH_INVALID, REASON_USER_MISSING,
} from "../reply/reasons";

export const enum UnmatchedRoutes { Deny = 0, Allow = 1 }

// What the allow decisions hold until the constructor sets them (it needs `this` to build them).
const UNSET = Decision.allow("", "");

export class RoutePolicy {
  // Allow decisions made once, at configure time: the allow path allocates none.
  private publicAllow: Decision = UNSET;
  private ruleAllows: Decision[] = [];
  // Some allow rule can be met only with a verified user's claims (roles, scopes, claims, path
  // bindings): a caller without a token gets 401 user_missing rather than 403.
  userCould: bool = false;
  // The route's paths may carry a literal '%' (%25 not followed by two hex digits: that is double
  // encoding, refused on every route by path.ts).
  allowEncodedPercent: bool = false;

  constructor(
    public readonly name: string,
    public readonly template: PathTemplate,
    public readonly methods: string[],    // empty: any method
    public readonly hosts: string[],      // empty: any host; lowercase, no port
    public readonly isPublic: bool,
    public readonly audit: bool,
    public readonly deny: Rule[],
    public readonly allow: Rule[],
    public readonly maxBodyBytes: i64,     // -1: the policy's default
    public readonly contentTypes: string[],  // media types; empty: any
    public readonly shape: RequestShape | null,  // typed parameters, query, headers; null: none
    public readonly schema: SchemaNode | null,   // the body's schema; null: any body
    public readonly streamBody: bool,            // body_forwarding: stream
  ) {
    this.publicAllow = this.withBody(Decision.allow(name, ""));
    for (let i = 0; i < allow.length; i++) if (allow[i].wantsUser) this.userCould = true;
    this.ruleAllows = new Array<Decision>(allow.length);
    for (let i = 0; i < allow.length; i++) this.ruleAllows[i] = this.withBody(Decision.allow(name, allow[i].name));
  }

  // The route's body settings, on a decision it made.
  withBody(d: Decision): Decision {
    return d.withBody(this.maxBodyBytes, this.contentTypes, this.schema, this.audit, this.streamBody);
  }

  decide(caller: Caller, params: string[], facts: RequestFacts): Decision {
    if (facts.encodedPercent && !this.allowEncodedPercent) {
      const refused = this.withBody(Decision.deny(400, REASON_PATH_INVALID, this.name, ""));
      refused.detail = "encoded percent sign (%25) on a route without allow_encoded_percent";
      return refused;
    }
    const d = this.authorize(caller, params);
    if (!d.allowed || this.shape === null) return d;
    const shape = this.shape!.check(params, facts.query, facts.headers);
    if (shape.ok) return d;
    // Audit mode (route or policy) turns this into a would-deny like any other refusal.
    const refused = this.withBody(Decision.deny(400, shape.reason, this.name, ""));
    refused.detail = shape.detail;
    return refused;
  }

  authorize(caller: Caller, params: string[]): Decision {
    if (!this.isPublic) {
      const broken = brokenIdentity(caller, this.name);
      if (broken !== null) return broken;
    }
    let wouldDeny: Decision | null = null;
    for (let i = 0; i < this.deny.length; i++) {
      const rule = this.deny[i];
      if (!rule.matches(caller, params)) continue;
      const d = Decision.deny(403, REASON_DENIED_BY_RULE, this.name, rule.name);
      if (!rule.audit) return d;
      if (wouldDeny === null) wouldDeny = this.withBody(d).asAudited();
    }
    if (this.isPublic) return orAudited(wouldDeny, this.publicAllow);
    for (let i = 0; i < this.allow.length; i++) {
      if (this.allow[i].matches(caller, params)) return orAudited(wouldDeny, this.ruleAllows[i]);
    }
    if (!caller.known) return Decision.deny(401, REASON_IDENTITY_MISSING, this.name, "");
    // A service calling without its user's token, on a route a user could be admitted to: the
    // missing credential is the answer (401), not "forbidden".
    if (caller.user === null && this.userCould) return Decision.deny(401, REASON_USER_MISSING, this.name, "");
    return Decision.deny(403, REASON_NOT_ALLOWED, this.name, "");
  }
}

// An allow that an audit-mode deny rule would have refused is reported as that would-deny.
function orAudited(wouldDeny: Decision | null, allow: Decision): Decision {
  return wouldDeny !== null ? wouldDeny : allow;
}

// A peer that is there but cannot be used: 503 when the host failed, else 401.
function brokenPeer(caller: Caller, route: string): Decision | null {
  const state = caller.peer.state;
  if (state == PeerState.Unavailable) return Decision.deny(503, REASON_PEER_IDENTITY_UNAVAILABLE, route, "");
  if (state == PeerState.Invalid) return Decision.deny(401, REASON_PEER_IDENTITY_INVALID, route, "");
  if (state == PeerState.Untrusted) return Decision.deny(401, REASON_PEER_IDENTITY_UNTRUSTED, route, "");
  return null;
}

function brokenIdentity(caller: Caller, route: string): Decision | null {
  if (caller.peer.state == PeerState.Unavailable) return Decision.deny(503, REASON_PEER_IDENTITY_UNAVAILABLE, route, "");
  if (caller.userState == UserState.Unavailable) return Decision.deny(503, REASON_USER_CLAIMS_UNAVAILABLE, route, "");
  const peer = brokenPeer(caller, route);
  if (peer !== null) return peer;
  if (caller.userState == UserState.Invalid) return Decision.deny(401, REASON_USER_CLAIMS_INVALID, route, "");
  if (caller.keyState == KeyState.Invalid) return Decision.deny(401, REASON_API_KEY_INVALID, route, "");
  return null;
}

// Routes indexed by their leading literal segments. A node at depth d holds the routes whose first
// d segments are literals on the way to it and whose segment d is not a literal (or who end
// there). Lookup walks the path's segments down the literal children and offers the candidates
// deepest node first: a longer literal prefix is always more specific (route.ts, compare), so the
// order is the same as a scan of all routes sorted by specificity, at the cost of the path's depth.
export class RouteNode {
  readonly children: Map<string, RouteNode> = new Map();
  readonly routes: RoutePolicy[] = [];
}

export function indexRoutes(sorted: RoutePolicy[]): RouteNode {
  const root = new RouteNode();
  for (let i = 0; i < sorted.length; i++) {
    const route = sorted[i];
    const segs = route.template.segments;
    let node = root;
    for (let d = 0; d < segs.length && segs[d].kind == SegmentKind.Literal; d++) {
      const text = segs[d].text;
      if (!node.children.has(text)) node.children.set(text, new RouteNode());
      node = node.children.get(text);
    }
    node.routes.push(route);
  }
  return root;
}

export class ApiKey {
  constructor(public readonly digest: Uint8Array, public readonly client: ApiClient) {}
}

export class RequestFacts {
  constructor(
    public readonly method: string,
    public readonly path: string,
    public readonly host: string,
    public readonly query: string,
    public readonly headers: HeaderSnapshot,
    public readonly encodedPercent: bool = false,   // the path has %25 (path.ts)
  ) {}
}

export class Policy {
  readonly index: RouteNode;
  readonly usesHosts: bool;                       // some route names hosts: :authority is read
  // Scratch for lookups: the nodes on the path's literal walk. Reused: one request at a time per VM.
  private readonly walk: RouteNode[] = [];

  constructor(
    public readonly routes: RoutePolicy[],        // most specific first (sorted when compiled)
    public readonly unmatched: UnmatchedRoutes,
    public readonly audit: bool,                  // policy-wide dry run
    public readonly peerHeader: string,
    public readonly userHeader: string,
    public readonly clientHeader: string,
    public readonly stripHeaders: string[],       // removed from every request before anything else
    public readonly jwt: JwtSettings | null,      // null: no rule reads user claims
    public readonly apiKeyHeader: string,         // "" when no API keys are configured
    public readonly apiKeys: ApiKey[],
    public readonly rateLimits: RateLimits | null,
    public readonly headerLimits: HeaderLimits,
    public readonly maxBodyBytes: i64,            // default for routes that set none
    public readonly bodyJsonLimits: JsonLimits,   // depth, members, string and number sizes of bodies
  ) {
    this.index = indexRoutes(routes);
    let hosts = false;
    for (let i = 0; i < routes.length; i++) if (routes[i].hosts.length > 0) hosts = true;
    this.usesHosts = hosts;
  }

  trustDomains: string[] = [];   // empty: a peer from any trust domain is a verified peer
  requirePeer: bool = false;     // every request needs a verified, trusted peer (any route)

  // The peer as the policy sees it: from a trust domain it does not list, untrusted.
  trustPeer(peer: PeerIdentity): PeerIdentity {
    const id = peer.spiffe;
    if (peer.state != PeerState.Verified || id === null || this.trustDomains.length == 0) return peer;
    return this.trustDomains.includes(id.trustDomain) ? peer : peer.asUntrusted();
  }

  // `request.path` has already passed checkPath(); `caller.peer` came through trustPeer().
  decide(request: RequestFacts, caller: Caller): Decision {
    let d = this.peerRequired(caller);
    if (d === null) d = this.decideEnforced(request, caller);
    if (!d.allowed && this.audit) return d.asAudited();
    return d;
  }

  // require_peer: before any route is looked at, so a caller without a workload certificate learns
  // nothing about the routes.
  peerRequired(caller: Caller): Decision | null {
    if (!this.requirePeer || caller.peer.state == PeerState.Verified) return null;
    const broken = brokenPeer(caller, "");
    return broken !== null ? broken : Decision.deny(401, REASON_PEER_IDENTITY_MISSING, "", "");
  }

  decideEnforced(request: RequestFacts, caller: Caller): Decision {
    const segments = splitPath(request.path);
    const walk = this.walk;
    walk.length = 0;
    let node = this.index;
    walk.push(node);
    for (let d = 0; d < segments.length && node.children.has(segments[d]); d++) {
      node = node.children.get(segments[d]);
      walk.push(node);
    }
    let pathMatched = false;
    const params = new Array<string>(0);
    for (let w = walk.length - 1; w >= 0; w--) {
      const candidates = walk[w].routes;
      for (let i = 0; i < candidates.length; i++) {
        const route = candidates[i];
        params.length = 0;
        if (!route.template.match(segments, params)) continue;
        if (route.hosts.length > 0 && !route.hosts.includes(request.host)) continue;
        pathMatched = true;
        if (route.methods.length > 0 && !route.methods.includes(request.method)) continue;
        const d = route.decide(caller, params, request);
        if (!d.allowed && route.audit) return route.withBody(d).asAudited();
        return d;
      }
    }
    if (this.unmatched == UnmatchedRoutes.Allow) return Decision.shadowAllow();
    if (pathMatched) return Decision.deny(405, REASON_METHOD_NOT_DECLARED, "", "");
    return Decision.deny(404, REASON_ROUTE_NOT_DECLARED, "", "");
  }
}
