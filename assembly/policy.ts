// The compiled, immutable policy and the decision it makes for one request. Pure: no host calls.
import { Decision } from "./decision";
import { PeerIdentity, PeerState } from "./identity";
import { SpiffePattern } from "./spiffe";
import {
  REASON_PEER_IDENTITY_INVALID, REASON_PEER_IDENTITY_MISSING, REASON_PEER_IDENTITY_UNAVAILABLE,
  REASON_PEER_NOT_ALLOWED, REASON_ROUTE_NOT_DECLARED,
} from "./reasons";

export const enum UnmatchedRoutes { Deny = 0, Allow = 1 }

export class RoutePolicy {
  constructor(
    public readonly prefix: string,
    public readonly allow: SpiffePattern[],
    public readonly isPublic: bool,   // no caller identity required
  ) {}

  // Segment-aware prefix: "/api" covers "/api" and "/api/x", never "/apix".
  covers(path: string): bool {
    const p = this.prefix;
    if (p == "/") return true;
    if (!path.startsWith(p)) return false;
    if (path.length == p.length) return true;
    return p.endsWith("/") || path.charCodeAt(p.length) == 0x2f;
  }

  admits(peer: PeerIdentity): Decision {
    if (this.isPublic) return Decision.allow();
    if (peer.state == PeerState.Missing) return Decision.deny(401, REASON_PEER_IDENTITY_MISSING);
    if (peer.state == PeerState.Invalid) return Decision.deny(401, REASON_PEER_IDENTITY_INVALID);
    if (peer.state == PeerState.Unavailable) return Decision.deny(503, REASON_PEER_IDENTITY_UNAVAILABLE);
    const id = peer.spiffe!;
    for (let i = 0; i < this.allow.length; i++) {
      if (this.allow[i].matches(id)) return Decision.allow();
    }
    return Decision.deny(403, REASON_PEER_NOT_ALLOWED);
  }
}

export class Policy {
  constructor(
    public readonly routes: RoutePolicy[],        // longest prefix first (sorted when compiled)
    public readonly unmatched: UnmatchedRoutes,
    public readonly peerHeader: string,           // forwarded upstream with the verified SPIFFE ID
    public readonly stripHeaders: string[],       // removed from every request before anything else
  ) {}

  routeFor(path: string): RoutePolicy | null {
    for (let i = 0; i < this.routes.length; i++) {
      if (this.routes[i].covers(path)) return this.routes[i];
    }
    return null;
  }

  // `path` has already passed checkPath(): no query, no dot or empty segments.
  decide(path: string, peer: PeerIdentity): Decision {
    const route = this.routeFor(path);
    if (route === null) {
      if (this.unmatched == UnmatchedRoutes.Allow) return Decision.allow();
      return Decision.deny(404, REASON_ROUTE_NOT_DECLARED);
    }
    return route.admits(peer);
  }
}
