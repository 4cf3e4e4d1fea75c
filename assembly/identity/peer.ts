// Who is calling. Pure: built from what the host reported, no host calls here.
import { SpiffeId, parseSpiffeId } from "./spiffe";

// Authorization needs more than "known / unknown": a host failure is not the same as no
// certificate, and neither is a certificate whose URI SAN is not a SPIFFE ID.
// Untrusted: a valid SPIFFE ID from a trust domain the policy does not list (trust_domains).
export const enum PeerState { Verified = 0, Missing = 1, Invalid = 2, Unavailable = 3, Untrusted = 4 }

export class PeerIdentity {
  constructor(public readonly state: PeerState, public readonly spiffe: SpiffeId | null) {}

  static missing(): PeerIdentity { return MISSING; }
  static unavailable(): PeerIdentity { return UNAVAILABLE; }

  // The same ID, from a trust domain the policy does not trust: kept for the log line only.
  asUntrusted(): PeerIdentity { return new PeerIdentity(PeerState.Untrusted, this.spiffe); }

  // From the first URI SAN of the verified peer certificate, as Envoy reports it.
  static fromUriSan(san: string): PeerIdentity {
    if (san.length == 0) return MISSING;
    const id = parseSpiffeId(san);
    if (id === null) return INVALID;
    return new PeerIdentity(PeerState.Verified, id);
  }
}

const MISSING = new PeerIdentity(PeerState.Missing, null);
const INVALID = new PeerIdentity(PeerState.Invalid, null);
const UNAVAILABLE = new PeerIdentity(PeerState.Unavailable, null);
