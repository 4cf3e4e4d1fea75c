// Where the caller's identities come from, and the headers meshguard forwards them in: the
// identity part of a compiled policy. Pure.
import { HeaderName } from "../lib/headers";
import { ApiClient, JwtSettings } from "./caller";
import { PeerIdentity, PeerState } from "./peer";

export class ApiKey {
  constructor(public readonly digest: Uint8Array, public readonly client: ApiClient) {}
}

export class IdentitySources {
  constructor(
    public readonly jwt: JwtSettings | null,      // null: no rule reads user claims
    public readonly apiKeyHeader: HeaderName | null,   // null when no API keys are configured
    public readonly apiKeys: ApiKey[],
    public readonly trustDomains: string[],       // empty: a peer from any trust domain is verified
    public readonly requirePeer: bool,            // every request needs a verified, trusted peer
  ) {}

  // The peer as the policy sees it: from a trust domain it does not list, untrusted.
  trustPeer(peer: PeerIdentity): PeerIdentity {
    const id = peer.spiffe;
    if (peer.state != PeerState.Verified || id === null || this.trustDomains.length == 0) return peer;
    return this.trustDomains.includes(id.trustDomain) ? peer : peer.asUntrusted();
  }
}

// The headers meshguard sets to the verified identities, and those it removes from every request
// before anything else (always including its own three, so none can be spoofed).
export class IdentityHeaders {
  readonly peer: HeaderName;
  readonly user: HeaderName;
  readonly client: HeaderName;
  readonly strip: HeaderName[];
  // method_override: strip. A `_method` parameter in the query or a POST body is refused
  // (validate/override.ts): it cannot be stripped without changing the request.
  readonly refuseOverrides: bool;
  constructor(peer: string, user: string, client: string, strip: string[], refuseOverrides: bool) {
    this.refuseOverrides = refuseOverrides;
    this.peer = new HeaderName(peer);
    this.user = new HeaderName(user);
    this.client = new HeaderName(client);
    this.strip = new Array<HeaderName>(strip.length);
    for (let i = 0; i < strip.length; i++) this.strip[i] = new HeaderName(strip[i]);
  }
}
