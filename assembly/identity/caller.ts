// Everyone a request may speak for: the peer service (mutual TLS), the end user (a JWT that
// Envoy's jwt_authn verified) and an API-key client. Pure: built from values the host reported.
import { PeerIdentity, PeerState } from "./peer";
import { JsonValue } from "../lib/json";

export const MAX_ROLES = 256;

// A claim path: the member names from the payload's root, e.g. ["realm_access", "roles"].
export type ClaimPath = string[];

export function claimAt(payload: JsonValue, path: ClaimPath): JsonValue | null {
  let v: JsonValue | null = payload;
  for (let i = 0; i < path.length; i++) {
    if (v === null || !v.isObject()) return null;
    v = v.member(path[i]);
  }
  return v;
}

// The string form of a scalar claim, or null for objects, arrays and null.
export function claimText(v: JsonValue | null): string | null {
  if (v === null) return null;
  if (v.isString()) return v.str;
  if (v.isBool()) return v.bool ? "true" : "false";
  if (v.isNumber()) return v.str.length > 0 ? v.str : formatNumber(v.num);
  return null;
}

// Integers print without a fraction, so a numeric `sub` of 42 equals the path segment "42".
function formatNumber(n: f64): string {
  if (isFinite(n) && Math.floor(n) == n && Math.abs(n) < 9007199254740992) return (<i64>n).toString();
  return n.toString();
}

// Strings of a claim that may be a list or one string; `split` also splits on spaces (OAuth
// `scope`). Non-string elements are ignored: a role is a string, never a number or an object.
export function claimStrings(v: JsonValue | null, split: bool): string[] {
  const out = new Array<string>(0);
  if (v === null) return out;
  if (v.isString()) {
    if (!split) { if (v.str.length > 0) out.push(v.str); return out; }
    const parts = v.str.split(" ");
    for (let i = 0; i < parts.length && out.length < MAX_ROLES; i++) if (parts[i].length > 0) out.push(parts[i]);
    return out;
  }
  if (v.isArray()) {
    for (let i = 0; i < v.items.length && out.length < MAX_ROLES; i++) {
      const item = v.items[i];
      if (item.isString() && item.str.length > 0) out.push(item.str);
    }
  }
  return out;
}

export const enum UserState { Absent = 0, Present = 1, Invalid = 2, Unavailable = 3 }

export class User {
  constructor(
    public readonly subject: string,
    public readonly roles: string[],
    public readonly scopes: string[],
    public readonly claims: JsonValue,
  ) {}
}

export class JwtSettings {
  constructor(
    public readonly metadataNamespace: string,
    public readonly payloadKeys: string[],
    public readonly subjectClaim: ClaimPath,
    public readonly rolesClaim: ClaimPath,
    public readonly scopesClaim: ClaimPath,
  ) {}

  userFrom(payload: JsonValue): User {
    const subject = claimText(claimAt(payload, this.subjectClaim));
    return new User(
      subject !== null ? subject : "",
      claimStrings(claimAt(payload, this.rolesClaim), false),
      claimStrings(claimAt(payload, this.scopesClaim), true),
      payload,
    );
  }
}

export const enum KeyState { Absent = 0, Valid = 1, Invalid = 2 }

export class ApiClient {
  constructor(public readonly name: string, public readonly roles: string[]) {}
}

export class Caller {
  constructor(
    public readonly peer: PeerIdentity,
    public readonly userState: UserState,
    public readonly user: User | null,
    public readonly keyState: KeyState,
    public readonly client: ApiClient | null,
  ) {}

  get known(): bool {
    return this.peer.state == PeerState.Verified || this.user !== null || this.client !== null;
  }

  hasRole(role: string): bool {
    const u = this.user;
    if (u !== null && u.roles.includes(role)) return true;
    const c = this.client;
    return c !== null && c.roles.includes(role);
  }
}
