// Token buckets and the slot records that hold them in shared data. Pure: time comes in as an
// argument, storage is a byte array the caller reads and writes.
//
// A bucket holds up to `capacity` tokens and gains `rate` tokens a second. A request takes one;
// with none left it is refused until one has been regained. A bucket refilled to capacity is the
// same as a new one, so its slot may be given to another key.

export class Limit {
  constructor(
    public readonly name: string,
    public readonly index: i32,
    public readonly capacity: f64,
    public readonly ratePerSecond: f64,
  ) {}

  // Seconds to refill from empty: the quota window reported in RateLimit-Policy.
  get windowSeconds(): i64 { return <i64>Math.ceil(this.capacity / this.ratePerSecond); }
}

export class Take {
  constructor(
    public readonly allowed: bool,
    public tokens: f64,                   // left after this request (set again on a reused answer: limiter.ts)
    public readonly waitSeconds: f64,     // until one token is back (0 when allowed)
  ) {}
}

// The bucket's tokens at `now`, given what it held at `last` (clock steps backwards count as 0).
export function refill(limit: Limit, tokens: f64, lastNanos: u64, nowNanos: u64): f64 {
  const elapsed = nowNanos > lastNanos ? <f64>(nowNanos - lastNanos) / 1e9 : 0.0;
  return Math.min(limit.capacity, tokens + elapsed * limit.ratePerSecond);
}

export function take(limit: Limit, tokens: f64): Take {
  if (tokens >= 1.0) return new Take(true, tokens - 1.0, 0);
  return new Take(false, tokens, (1.0 - tokens) / limit.ratePerSecond);
}

// Leases (limiter.ts): in the write that takes a request's token, a worker may take a few more
// for the same key and hand them out itself, with no shared-data call. A lease is at most 1/16 of
// what the bucket holds after the take, at most a tenth of a second of its refill, and at most
// LEASE_MAX tokens: a bucket running low, or a slow limit, leases nothing and stays exact.
export const LEASE_MAX: i32 = 32;
export const LEASE_SHARE: f64 = 16;
export const LEASE_REFILL_SECONDS: f64 = 0.1;

export function leaseSize(limit: Limit, tokensAfterTake: f64): i32 {
  const n = Math.floor(Math.min(tokensAfterTake / LEASE_SHARE, limit.ratePerSecond * LEASE_REFILL_SECONDS));
  return n >= 1.0 ? <i32>Math.min(n, <f64>LEASE_MAX) : 0;
}

// A slot record: version u8, limit index u16, key length u16, tokens f64, last refill u64, key.
// An empty array is a free slot.
export const RECORD_HEADER = 21;
export const MAX_KEY_BYTES = 128;

export class Slot {
  constructor(
    public readonly limitIndex: i32,
    public readonly key: Uint8Array,
    public readonly tokens: f64,
    public readonly lastNanos: u64,
  ) {}

  holds(limitIndex: i32, key: Uint8Array): bool {
    if (this.limitIndex != limitIndex || this.key.length != key.length) return false;
    return memory.compare(this.key.dataStart, key.dataStart, <usize>key.length) == 0;
  }

  // Full again, and so free for any key.
  idle(limit: Limit, nowNanos: u64): bool {
    return refill(limit, this.tokens, this.lastNanos, nowNanos) >= limit.capacity;
  }
}

// null for a free slot or for bytes that are not a record (treated as free: never a trap).
export function decodeSlot(b: Uint8Array): Slot | null {
  if (b.length < RECORD_HEADER || b[0] != 1) return null;
  const base = b.dataStart;
  const limitIndex = <i32>load<u16>(base + 1);
  const keyLen = <i32>load<u16>(base + 3);
  if (keyLen > MAX_KEY_BYTES || b.length != RECORD_HEADER + keyLen) return null;
  const tokens = load<f64>(base + 5);
  const last = load<u64>(base + 13);
  if (!isFinite(tokens)) return null;
  const key = b.slice(RECORD_HEADER);
  return new Slot(limitIndex, key, tokens, last);
}

export function encodeSlot(limitIndex: i32, key: Uint8Array, tokens: f64, lastNanos: u64): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER + key.length);
  const base = out.dataStart;
  store<u8>(base, 1);
  store<u16>(base + 1, <u16>limitIndex);
  store<u16>(base + 3, <u16>key.length);
  store<f64>(base + 5, tokens);
  store<u64>(base + 13, lastNanos);
  memory.copy(base + RECORD_HEADER, key.dataStart, <usize>key.length);
  return out;
}

// FNV-1a: spreads keys over slots. Not a security boundary: a slot stores its key, so a collision
// costs a probe, never a shared bucket.
export function slotHash(key: Uint8Array, limitIndex: i32): u32 {
  let h: u32 = 0x811c9dc5 ^ <u32>limitIndex;
  for (let i = 0; i < key.length; i++) {
    h ^= <u32>key[i];
    h *= 0x01000193;
  }
  return h;
}
