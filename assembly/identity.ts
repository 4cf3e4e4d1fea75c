// Who is calling. Pure: built from what the host reported, no host calls here.
import { SpiffeId, parseSpiffeId } from "./spiffe";

// Authorization needs more than "known / unknown": a host failure is not the same as no
// certificate, and neither is a certificate whose URI SAN is not a SPIFFE ID.
export const enum PeerState { Verified = 0, Missing = 1, Invalid = 2, Unavailable = 3 }

export class PeerIdentity {
  constructor(public readonly state: PeerState, public readonly spiffe: SpiffeId | null) {}

  static missing(): PeerIdentity { return MISSING; }
  static unavailable(): PeerIdentity { return UNAVAILABLE; }

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
