// Step 4 of the pipeline: who is calling. The peer from the verified certificate's first URI SAN,
// the user from the claims jwt_authn verified and published in dynamic metadata, the API-key
// client from its digest. Pure: the pipeline reads the host's values (pipeline/io.ts) and hands
// them in; the result is a Caller whose parts are present, absent, broken or unavailable.
import { HeaderName, HeaderSnapshot, fieldValueProblem } from "../lib/headers";
import { BytesLookup, Lookup, Presence } from "../lib/presence";
import { digestsEqual, sha256 } from "../lib/sha256";
import { ApiClient, Caller, KeyState, User, UserState } from "./caller";
import { ClaimLimits, readJwtPayload } from "./claims";
import { sameClaims } from "./same-claims";
import { PeerIdentity } from "./peer";
import { IdentitySources } from "./sources";

export class Identified {
  constructor(public readonly caller: Caller, public readonly userError: string) {}
}

class UserLookup {
  constructor(public state: UserState, public user: User | null, public error: string) {}
}

const ABSENT_USER = new UserLookup(UserState.Absent, null, "");
const NO_BYTES = new Uint8Array(0);
const CLAIM_LIMITS = new ClaimLimits();

// Whether the API key header's other lines, if any, repeat the first (`key`, at index `at`). Two
// different keys are refused (api_key_invalid): the service behind may read either one.
function oneKey(snapshot: HeaderSnapshot, header: HeaderName, at: i32, key: string): bool {
  for (let i = snapshot.find(header.bytes, at + 1); i >= 0; i = snapshot.find(header.bytes, i + 1)) {
    if (snapshot.valueOf(i) != key) return false;
  }
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): bool {
  return a.length == b.length && memory.compare(a.dataStart, b.dataStart, <usize>a.length) == 0;
}

// One per configuration (pipeline/filter-config.ts), so its caches never outlive the settings
// that shaped them. Each keeps the last value it parsed: a sidecar sees few distinct peers and
// tokens and many requests per connection. Cached values are immutable: sharing them is safe.
export class Identifier {
  private lastSan: string = "";
  private lastPeer: PeerIdentity = PeerIdentity.missing();
  private lastMetadata: Uint8Array = NO_BYTES;
  private lastUser: UserLookup = ABSENT_USER;

  constructor(public readonly sources: IdentitySources) {}

  // `metadata` is read only when the policy reads claims (sources.jwt); null otherwise.
  identify(snapshot: HeaderSnapshot, peerSan: Lookup, metadata: BytesLookup | null): Identified {
    const peer = this.sources.trustPeer(this.peer(peerSan));
    const user = metadata !== null ? this.user(metadata) : ABSENT_USER;
    let keyState = KeyState.Absent;
    let client: ApiClient | null = null;
    const keyHeader = this.sources.apiKeyHeader;
    if (keyHeader !== null) {
      const at = snapshot.find(keyHeader.bytes);
      if (at >= 0) {
        const key = snapshot.valueOf(at);
        client = oneKey(snapshot, keyHeader, at, key) ? this.apiClient(key) : null;
        keyState = client !== null ? KeyState.Valid : KeyState.Invalid;
      }
    }
    return new Identified(new Caller(peer, user.state, user.user, keyState, client), user.error);
  }

  private peer(san: Lookup): PeerIdentity {
    if (san.presence == Presence.Absent) return PeerIdentity.missing();
    if (san.presence == Presence.Failed) return PeerIdentity.unavailable();
    if (san.value.length > 0 && san.value == this.lastSan) return this.lastPeer;
    const peer = PeerIdentity.fromUriSan(san.value);
    this.lastSan = san.value;
    this.lastPeer = peer;
    return peer;
  }

  private user(md: BytesLookup): UserLookup {
    const jwt = this.sources.jwt;
    if (jwt === null) return ABSENT_USER;
    // Failed first: a failed read also has no bytes, and must not pass for "no token".
    if (md.presence == Presence.Failed) return new UserLookup(UserState.Unavailable, null, "metadata status " + md.status.toString());
    if (md.presence == Presence.Absent || md.bytes.length == 0) return ABSENT_USER;
    // Envoy orders the metadata's maps differently on every request: same-claims.ts compares
    // them order-free, in place.
    if (sameBytes(md.bytes, this.lastMetadata) || sameClaims(md.bytes, this.lastMetadata, CLAIM_LIMITS.maxBytes)) {
      this.lastMetadata = md.bytes;
      return this.lastUser;
    }
    const claims = readJwtPayload(md.bytes, jwt.metadataNamespace, jwt.payloadKeys, CLAIM_LIMITS);
    let result = ABSENT_USER;
    if (!claims.ok) result = new UserLookup(UserState.Invalid, null, claims.error);
    else if (claims.payload !== null) result = this.present(jwt.userFrom(claims.payload!));
    this.lastMetadata = md.bytes;
    this.lastUser = result;
    return result;
  }

  // The subject is forwarded (x-meshguard-user): one the service would read otherwise than meshguard
  // judged it (" alice " is alice to an HTTP server) makes the claims invalid.
  private present(user: User): UserLookup {
    const problem = fieldValueProblem(user.subject);
    return problem.length == 0 ? new UserLookup(UserState.Present, user, "") : new UserLookup(UserState.Invalid, null, "the subject " + problem);
  }

  // Every stored digest is compared, whatever matched, so timing does not tell which key is close.
  private apiClient(key: string): ApiClient | null {
    const digest = sha256(Uint8Array.wrap(String.UTF8.encode(key)));
    const keys = this.sources.apiKeys;
    let found: ApiClient | null = null;
    for (let i = 0; i < keys.length; i++) {
      if (digestsEqual(keys[i].digest, digest) && found === null) found = keys[i].client;
    }
    return found;
  }
}
