// Rules: conditions on the caller, all of which must hold for a rule to match. Pure.
import { Caller, ClaimPath, claimAt, claimText } from "../identity/caller";
import { JsonValue } from "../lib/json";
import { SpiffePattern } from "../identity/spiffe";
import { PeerState } from "../identity/peer";

export class ClaimCondition {
  constructor(public readonly path: ClaimPath, public readonly values: string[]) {}

  // A scalar claim equal to one of the values, or a list claim with one such element.
  holds(payload: JsonValue): bool {
    const v = claimAt(payload, this.path);
    if (v === null) return false;
    if (v.isArray()) {
      for (let i = 0; i < v.items.length; i++) {
        const t = claimText(v.items[i]);
        if (t !== null && this.values.includes(t)) return true;
      }
      return false;
    }
    const t = claimText(v);
    return t !== null && this.values.includes(t);
  }
}

// Object-level authorization: the path parameter at `param` (index into the route's parameters)
// must equal the caller's claim at `claim`, e.g. {userId} == sub.
export class ParamBinding {
  constructor(public readonly name: string, public readonly param: i32, public readonly claim: ClaimPath) {}
}

export class Rule {
  constructor(
    public readonly name: string,
    public readonly audit: bool,                       // deny rules only: log "would deny", do not refuse
    public readonly authenticated: bool,               // any verified identity at all
    public readonly peers: SpiffePattern[],            // any of
    public readonly anyRole: string[],                 // any of (user roles or API-client roles)
    public readonly allScopes: string[],               // all of
    public readonly claims: ClaimCondition[],          // all of
    public readonly apiClients: string[],              // any of
    public readonly pathParams: ParamBinding[],        // all of
  ) {}

  // Only a verified user's claims can meet it: it names scopes, claims or path bindings, or roles
  // without a peer or API-client condition (an API client has roles too, so a role rule that
  // names no client still could be met by one; the user is what a browser-facing caller lacks).
  get wantsUser(): bool {
    if (this.allScopes.length > 0 || this.claims.length > 0 || this.pathParams.length > 0) return true;
    return this.anyRole.length > 0 && this.peers.length == 0 && this.apiClients.length == 0;
  }

  matches(caller: Caller, params: string[]): bool {
    if (this.authenticated && !caller.known) return false;
    if (this.peers.length > 0) {
      const id = caller.peer.spiffe;
      if (caller.peer.state != PeerState.Verified || id === null) return false;
      let any = false;
      for (let i = 0; i < this.peers.length && !any; i++) any = this.peers[i].matches(id);
      if (!any) return false;
    }
    if (this.anyRole.length > 0) {
      let any = false;
      for (let i = 0; i < this.anyRole.length && !any; i++) any = caller.hasRole(this.anyRole[i]);
      if (!any) return false;
    }
    if (this.apiClients.length > 0) {
      const c = caller.client;
      if (c === null || !this.apiClients.includes(c.name)) return false;
    }
    if (this.allScopes.length > 0 || this.claims.length > 0 || this.pathParams.length > 0) {
      const u = caller.user;
      if (u === null) return false;
      for (let i = 0; i < this.allScopes.length; i++) if (!u.scopes.includes(this.allScopes[i])) return false;
      for (let i = 0; i < this.claims.length; i++) if (!this.claims[i].holds(u.claims)) return false;
      for (let i = 0; i < this.pathParams.length; i++) {
        const b = this.pathParams[i];
        if (b.param >= params.length) return false;
        const owner = claimText(claimAt(u.claims, b.claim));
        if (owner === null || owner.length == 0 || owner != params[b.param]) return false;
      }
    }
    return true;
  }
}
