// Rate-limit rules: which limit applies to a request, and the key of its bucket. Pure: the
// pipeline gathers the facts (headers, client address) and passes them in.
import { Limit } from "./bucket";
import { Caller, ClaimPath, claimAt, claimText } from "../identity/caller";
import { HeaderName } from "../lib/headers";
import { sha256 } from "../lib/sha256";

export const enum PartKind { Peer = 0, User = 1, Claim = 2, ApiClient = 3, ClientIp = 4, Header = 5, Route = 6 }

export class BucketPart {
  constructor(
    public readonly kind: PartKind,
    public readonly claim: ClaimPath,     // Claim
    public readonly header: i32,          // Header: index into RateLimits.headers
  ) {}
}

export class LimitRule {
  constructor(
    public readonly limit: Limit,
    public readonly bucket: BucketPart[],   // what a bucket is per (the limit's `key` field)
    public readonly routes: string[],     // route names; empty: every request
    public readonly audit: bool,          // count and log "would limit", never refuse
  ) {}

  appliesTo(route: string): bool {
    return this.routes.length == 0 || this.routes.includes(route);
  }

  // The first header this limit is keyed by that the request gives more than once, or -1. Its
  // key would be the first value while a service may read the last (or all joined): a client
  // could vary the first to draw on a fresh bucket every time.
  repeatedKey(f: BucketFacts): i32 {
    for (let i = 0; i < this.bucket.length; i++) {
      const p = unchecked(this.bucket[i]);
      if (p.kind == PartKind.Header && p.header < f.repeated.length && unchecked(f.repeated[p.header])) return p.header;
    }
    return -1;
  }
}

export const enum WhenFull { Deny = 0, Allow = 1 }

export class RateLimits {
  constructor(
    public readonly rules: LimitRule[],
    public readonly slots: i32,
    public readonly shared: bool,
    public readonly whenFull: WhenFull,
    public readonly responseHeaders: bool,
    public readonly trustedHops: i32,
    public readonly headers: HeaderName[],     // every header some bucket is per, read once a request
    public readonly usesClientIp: bool,
  ) {}

  get limits(): Limit[] {
    const out = new Array<Limit>(this.rules.length);
    for (let i = 0; i < this.rules.length; i++) out[i] = this.rules[i].limit;
    return out;
  }
}

// What a key may be made of, for one request.
export class BucketFacts {
  constructor(
    public readonly caller: Caller,
    public readonly route: string,
    public readonly clientIp: string,
    public readonly headers: string[],         // aligned with RateLimits.headers; "" if absent
    public readonly repeated: bool[],          // aligned with RateLimits.headers: given more than once
  ) {}
}

const ABSENT = "-";
export const MAX_RAW_KEY = 128;

function part(p: BucketPart, f: BucketFacts): string {
  switch (p.kind) {
    case PartKind.Peer: { const s = f.caller.peer.spiffe; return s !== null ? s.id : ABSENT; }
    case PartKind.User: { const u = f.caller.user; return u !== null && u.subject.length > 0 ? u.subject : ABSENT; }
    case PartKind.Claim: {
      const u = f.caller.user;
      if (u === null) return ABSENT;
      const t = claimText(claimAt(u.claims, p.claim));
      return t !== null ? t : ABSENT;
    }
    case PartKind.ApiClient: { const c = f.caller.client; return c !== null ? c.name : ABSENT; }
    case PartKind.ClientIp: return f.clientIp.length > 0 ? f.clientIp : ABSENT;
    case PartKind.Header: { const v = p.header < f.headers.length ? f.headers[p.header] : ""; return v.length > 0 ? v : ABSENT; }
    default: return f.route;
  }
}

// Each part length-prefixed, so no value can pose as two ("a|b" never equals "a" then "b"). A key
// longer than MAX_RAW_KEY bytes is replaced by its SHA-256, so slot records stay small.
const keyParts: string[] = [];   // scratch, one key at a time
export function bucketKey(rule: LimitRule, f: BucketFacts): Uint8Array {
  const bucket = rule.bucket;
  keyParts.length = 0;
  let total = 0;
  for (let i = 0; i < bucket.length; i++) {
    const s = part(bucket[i], f);
    keyParts.push(s);
    total += 4 + String.UTF8.byteLength(s);
  }
  const raw = new Uint8Array(total);
  let at = raw.dataStart;
  for (let i = 0; i < keyParts.length; i++) {
    const s = unchecked(keyParts[i]);
    const n = String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, at + 4);
    store<u32>(at, <u32>n);
    at += 4 + n;
  }
  keyParts.length = 0;
  return total <= MAX_RAW_KEY ? raw : sha256(raw);
}

// The client address: from x-forwarded-for when `trustedHops` proxies in front are trusted to
// append to it (the entry the outermost of them added), else the connection's peer address.
export function clientIpOf(sourceAddress: string, xff: string, trustedHops: i32): string {
  if (trustedHops > 0 && xff.length > 0) {
    const entries = xff.split(",");
    if (entries.length >= trustedHops) {
      const ip = entries[entries.length - trustedHops].trim();
      if (ip.length > 0 && ip.length <= 64) return ip;
    }
  }
  return hostPart(sourceAddress);
}

// "10.0.0.1:5555" → "10.0.0.1"; "[::1]:5555" → "::1".
export function hostPart(address: string): string {
  if (address.startsWith("[")) {
    const close = address.indexOf("]");
    return close > 0 ? address.substring(1, close) : address;
  }
  const colon = address.lastIndexOf(":");
  return colon > 0 && address.indexOf(":") == colon ? address.substring(0, colon) : address;
}
