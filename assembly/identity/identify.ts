// Step 4 of the pipeline: who is calling. The peer from the verified certificate's first URI SAN,
// the user from the claims jwt_authn verified and published in dynamic metadata, the API-key
// client from its digest. Each read goes through host.ts; the result is a Caller (caller.ts, pure),
// whose parts are present, absent, broken or unavailable, never confused.
import { ApiClient, Caller, KeyState, User, UserState } from "./caller";
import { readJwtPayload } from "./claims";
import { HeaderSnapshot } from "../lib/headers";
import { HeaderName, Presence, PropertyPath, getProperty, getPropertyBytes } from "../abi/host";
import { PeerIdentity } from "./peer";
import { Policy } from "../authz/policy";
import { digestsEqual, sha256 } from "../lib/sha256";

// First URI SAN of the validated peer certificate (Envoy context.cc, "connection" attributes).
const PEER_URI_SAN = new PropertyPath("connection.uri_san_peer_certificate");
// All dynamic metadata, as a serialised envoy.config.core.v3.Metadata (claims.ts).
const METADATA = new PropertyPath("metadata");

export class Identified {
  constructor(public readonly caller: Caller, public readonly userError: string) {}
}

// The caller of this request, the peer as the policy trusts it (trust_domains).
export function identify(policy: Policy, snapshot: HeaderSnapshot, apiKeyHeader: HeaderName): Identified {
  const peer = policy.trustPeer(readPeer());
  const user = readUser(policy);
  let keyState = KeyState.Absent;
  let client: ApiClient | null = null;
  if (policy.apiKeyHeader.length > 0) {
    const at = snapshot.find(apiKeyHeader.bytes);
    if (at >= 0) {
      client = findApiClient(policy, snapshot.valueOf(at));
      keyState = client !== null ? KeyState.Valid : KeyState.Invalid;
    }
  }
  return new Identified(new Caller(peer, user.state, user.user, keyState, client), user.error);
}

// The last peer parsed. A sidecar sees few distinct peers and many requests per connection, so
// one entry saves the parse nearly every time. Immutable values: sharing them is safe.
let lastSan: string = "";
let lastPeer: PeerIdentity = PeerIdentity.missing();

export function readPeer(): PeerIdentity {
  const san = getProperty(PEER_URI_SAN);
  if (san.presence == Presence.Absent) return PeerIdentity.missing();
  if (san.presence == Presence.Failed) return PeerIdentity.unavailable();
  if (san.value.length > 0 && san.value == lastSan) return lastPeer;
  const peer = PeerIdentity.fromUriSan(san.value);
  lastSan = san.value;
  lastPeer = peer;
  return peer;
}

class UserLookup {
  constructor(public state: UserState, public user: User | null, public error: string) {}
}

const ABSENT_USER = new UserLookup(UserState.Absent, null, "");

// The last metadata decoded, and what it gave: the same token on a connection decodes once.
// Keyed by the exact bytes and the policy (whose claim settings shaped the result).
let lastMetadata: Uint8Array = new Uint8Array(0);
let lastMetadataPolicy: Policy | null = null;
let lastUser: UserLookup = ABSENT_USER;

function sameBytes(a: Uint8Array, b: Uint8Array): bool {
  return a.length == b.length && memory.compare(a.dataStart, b.dataStart, <usize>a.length) == 0;
}

function readUser(policy: Policy): UserLookup {
  const jwt = policy.jwt;
  if (jwt === null) return ABSENT_USER;
  const md = getPropertyBytes(METADATA);
  // Failed first: a failed read also has no bytes, and must not pass for "no token".
  if (md.presence == Presence.Failed) return new UserLookup(UserState.Unavailable, null, "metadata status " + md.status.toString());
  if (md.presence == Presence.Absent || md.bytes.length == 0) return ABSENT_USER;
  if (lastMetadataPolicy === policy && sameBytes(md.bytes, lastMetadata)) return lastUser;
  const claims = readJwtPayload(md.bytes, jwt.metadataNamespace, jwt.payloadKeys);
  let result = ABSENT_USER;
  if (!claims.ok) result = new UserLookup(UserState.Invalid, null, claims.error);
  else if (claims.payload !== null) result = new UserLookup(UserState.Present, jwt.userFrom(claims.payload!), "");
  lastMetadata = md.bytes;
  lastMetadataPolicy = policy;
  lastUser = result;
  return result;
}

// Every stored digest is compared, whatever matched, so timing does not tell which key is close.
function findApiClient(policy: Policy, key: string): ApiClient | null {
  const digest = sha256(Uint8Array.wrap(String.UTF8.encode(key)));
  let found: ApiClient | null = null;
  for (let i = 0; i < policy.apiKeys.length; i++) {
    if (digestsEqual(policy.apiKeys[i].digest, digest) && found === null) found = policy.apiKeys[i].client;
  }
  return found;
}
