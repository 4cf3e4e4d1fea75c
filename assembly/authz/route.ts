// A route's access rules and the decision they make for one caller. Pure: no host calls.
//
// On a route that is not public, an identity that is present but broken refuses the request (401;
// 503 when the host failed to report it). Deny rules come first: the first that matches refuses
// with 403 denied_by_rule (a deny rule in audit mode only records a would-deny). A public route
// then allows. Otherwise the first allow rule that matches allows; if none does, 401
// identity_missing when the caller has no identity at all, else 403 not_allowed (401 user_missing
// when only a user's token could have been admitted).
import { Caller, KeyState, UserState } from "../identity/caller";
import { PeerState } from "../identity/peer";
import {
  API_KEY_INVALID, DENIED_BY_RULE, IDENTITY_MISSING, NOT_ALLOWED, PEER_IDENTITY_INVALID, PEER_IDENTITY_UNAVAILABLE,
  PEER_IDENTITY_UNTRUSTED, Reason, USER_CLAIMS_INVALID, USER_CLAIMS_UNAVAILABLE, USER_MISSING,
} from "../reply/reasons";
import { NO_REPLY_DETAIL, ReplyDetail } from "../reply/reply";
import { BodyRules } from "../validate/body";
import { RequestShape } from "../validate/shape";
import { BoundNames } from "../validate/bound-names";
import { Rule } from "./rules";
import { PathTemplate } from "./template";

// The outcome of one stage for one request: a value, never an exception. Allowed when `reason` is
// null; refused when it is set, unless `audited` (an audit-mode deny rule would have refused).
// Whether a refusal is enforced or only logged is settled by the pipeline (pipeline/settle.ts),
// from the policy's, the route's and the rule's modes.
export class Decision {
  detail: string = "";                      // what exactly was refused, for the log event only
  reply: ReplyDetail = NO_REPLY_DETAIL;      // what the reply body adds (pointer, keyword, limit)

  constructor(
    public readonly reason: Reason | null,
    public readonly route: RoutePolicy | null,   // the route that decided; null when none matched
    public readonly rule: string,                // the rule (or limit) that decided, for logs
    public readonly audited: bool,
    public readonly shadow: bool,                // allowed on no declared route (unmatched_routes: allow)
  ) {}

  static allow(route: RoutePolicy | null, rule: string): Decision { return new Decision(null, route, rule, false, false); }
  static refuse(reason: Reason, route: RoutePolicy | null, rule: string): Decision { return new Decision(reason, route, rule, false, false); }
  static refuseFor(reason: Reason, route: RoutePolicy | null, detail: string): Decision {
    const d = new Decision(reason, route, "", false, false);
    d.detail = detail;
    return d;
  }

  get refused(): bool { return this.reason !== null && !this.audited; }
  get routeName(): string { const r = this.route; return r !== null ? r.name : ""; }
}

export const SHADOW = new Decision(null, null, "", false, true);
export const UNROUTED = Decision.allow(null, "");

// Who may call a route.
export class RouteAccess {
  constructor(
    public readonly isPublic: bool,
    public readonly deny: Rule[],
    public readonly allow: Rule[],
  ) {}
}

export class RoutePolicy {
  // Allow decisions made once, at configure time: the allow path allocates none.
  private publicAllow: Decision = UNROUTED;   // set by the constructor, which needs `this`
  private ruleAllows: Decision[] = [];
  // Some allow rule can be met only with a verified user's claims (roles, scopes, claims, path
  // bindings): a caller without a token gets 401 user_missing rather than 403.
  private userCould: bool = false;
  // The route's paths may carry a literal '%' (%25 not followed by two hex digits: that is double
  // encoding, refused on every route by validate/path.ts).
  allowEncodedPercent: bool = false;
  // Its path and query parameters' names, looked for where frameworks read them too
  // (validate/bound-names.ts; bodies through body.formNames): null when it binds none.
  bound: BoundNames | null = null;

  constructor(
    public readonly name: string,
    public readonly template: PathTemplate,
    public readonly methods: string[],    // empty: any method
    public readonly hosts: string[],      // empty: any host; lowercase, no port
    public readonly audit: bool,          // refusals on this route are only logged
    public readonly access: RouteAccess,
    public readonly body: BodyRules,
    public readonly shape: RequestShape | null,  // typed parameters, query, headers; null: none
  ) {
    this.publicAllow = Decision.allow(this, "");
    const allow = access.allow;
    this.ruleAllows = new Array<Decision>(allow.length);
    for (let i = 0; i < allow.length; i++) {
      if (allow[i].wantsUser) this.userCould = true;
      this.ruleAllows[i] = Decision.allow(this, allow[i].name);
    }
  }

  authorize(caller: Caller, params: string[]): Decision {
    const access = this.access;
    if (!access.isPublic) {
      const broken = brokenIdentity(caller);
      if (broken !== null) return Decision.refuse(broken, this, "");
    }
    let wouldDeny: Decision | null = null;
    for (let i = 0; i < access.deny.length; i++) {
      const rule = access.deny[i];
      if (!rule.matches(caller, params)) continue;
      if (!rule.audit) return Decision.refuse(DENIED_BY_RULE, this, rule.name);
      if (wouldDeny === null) wouldDeny = new Decision(DENIED_BY_RULE, this, rule.name, true, false);
    }
    if (access.isPublic) return orAudited(wouldDeny, this.publicAllow);
    for (let i = 0; i < access.allow.length; i++) {
      if (access.allow[i].matches(caller, params)) return orAudited(wouldDeny, this.ruleAllows[i]);
    }
    if (!caller.known) return Decision.refuse(IDENTITY_MISSING, this, "");
    // A service calling without its user's token, on a route a user could be admitted to: the
    // missing credential is the answer (401), not "forbidden".
    if (caller.user === null && this.userCould) return Decision.refuse(USER_MISSING, this, "");
    return Decision.refuse(NOT_ALLOWED, this, "");
  }
}

// An allow that an audit-mode deny rule would have refused is reported as that would-deny.
function orAudited(wouldDeny: Decision | null, allow: Decision): Decision {
  return wouldDeny !== null ? wouldDeny : allow;
}

// A peer that is there but cannot be used: 503 when the host failed, else 401.
export function brokenPeer(caller: Caller): Reason | null {
  const state = caller.peer.state;
  if (state == PeerState.Unavailable) return PEER_IDENTITY_UNAVAILABLE;
  if (state == PeerState.Invalid) return PEER_IDENTITY_INVALID;
  if (state == PeerState.Untrusted) return PEER_IDENTITY_UNTRUSTED;
  return null;
}

function brokenIdentity(caller: Caller): Reason | null {
  if (caller.peer.state == PeerState.Unavailable) return PEER_IDENTITY_UNAVAILABLE;
  if (caller.userState == UserState.Unavailable) return USER_CLAIMS_UNAVAILABLE;
  const peer = brokenPeer(caller);
  if (peer !== null) return peer;
  if (caller.userState == UserState.Invalid) return USER_CLAIMS_INVALID;
  if (caller.keyState == KeyState.Invalid) return API_KEY_INVALID;
  return null;
}
