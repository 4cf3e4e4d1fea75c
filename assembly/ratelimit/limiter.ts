// Rate limiting over a fixed table of slots. Envoy's shared data is visible to every worker's VM
// but has no delete and no eviction: every key ever written stays. So buckets live in a fixed
// number of slots ("mg:rl:<i>"), and memory is bounded by construction, whatever the keys.
//
// A key's bucket sits in one of PROBES slots from its home slot. A lookup reads them all: the
// slot holding the key wins; otherwise the first free one (never used, swept, or holding a bucket
// that has refilled to full, which is the same as a new one) is claimed. Every write is a
// compare-and-swap on the slot, retried a bounded number of times. The tick sweeps idle buckets
// and reports how many keys are live.
//
// With a table shared by workers, the write that takes a request's token may take a few more for
// the same key (bucket.ts, leaseSize): a lease this worker spends on the key's next requests
// without touching shared data, for at most LEASE_NANOS. Leased tokens have left the bucket when
// taken; a burst can gain only the leases unspent when it starts (one per worker and key, each at
// most LEASE_MAX). A lease still unspent when it ends is dropped (at most a tenth of a second of
// refill per worker and key).
import { Limit, Slot, Take, decodeSlot, encodeSlot, leaseSize, refill, slotHash, take } from "./bucket";
import { Presence } from "../lib/presence";

export const PROBES = 4;
export const MAX_ATTEMPTS = 8;
export const EMPTY_SLOT = new Uint8Array(0);
export const LEASE_SLOTS = 64;             // leases kept per worker; a newer key takes the place
export const LEASE_NANOS: u64 = 1_000_000_000;

export const enum TakeStatus { Done = 0, TableFull = 1, Contention = 2, HostError = 3 }

// What a slot write did. Only Written counts as a token taken; a host failure is not a mismatch
// to retry but an answer the request cannot have (TakeStatus.HostError, fail closed).
export const enum PutResult { Written = 0, Mismatch = 1, Failed = 2 }

export class TakeResult {
  constructor(public status: TakeStatus, public take: Take | null) {}
}

// Where slots live: Envoy's shared data (one table for all workers; abi/shared-slots.ts) or this
// VM alone (LocalSlotTable, below). The limiter only sees this interface, so it is pure.
export abstract class SlotTable {
  constructor(public readonly size: i32) {}
  // presence, bytes, cas
  abstract get(i: i32): SlotRead;
  abstract put(i: i32, value: Uint8Array, cas: u32): PutResult;
}

export class SlotRead {
  constructor(public presence: Presence, public bytes: Uint8Array, public cas: u32) {}
}

// Per-VM slots (rate_limits.shared: false): each worker limits on its own. Also the table the
// unit tests give the limiter.
export class LocalSlotTable extends SlotTable {
  private readonly values: Uint8Array[];
  private readonly cas: u32[];
  constructor(size: i32) {
    super(size);
    this.values = new Array<Uint8Array>(size);
    this.cas = new Array<u32>(size);
    for (let i = 0; i < size; i++) { this.values[i] = EMPTY_SLOT; this.cas[i] = 1; }
  }
  get(i: i32): SlotRead { return new SlotRead(Presence.Present, this.values[i], this.cas[i]); }
  put(i: i32, value: Uint8Array, cas: u32): PutResult {
    if (cas != 0 && cas != this.cas[i]) return PutResult.Mismatch;
    this.values[i] = value;
    this.cas[i]++;
    return PutResult.Written;
  }
}

// Tokens one worker took ahead for one key: `left` of them until `until`. `bucketAfter` is what
// the bucket held once they were taken, so bucketAfter + left is the quota a response reports.
class Lease {
  limitIndex: i32 = -1;
  key: Uint8Array = EMPTY_SLOT;
  left: i32 = 0;
  from: u64 = 0;
  until: u64 = 0;
  bucketAfter: f64 = 0;

  live(now: u64): bool { return this.left > 0 && now >= this.from && now < this.until; }

  isFor(limitIndex: i32, key: Uint8Array): bool {
    if (this.limitIndex != limitIndex || this.key.length != key.length) return false;
    return memory.compare(this.key.dataStart, key.dataStart, <usize>key.length) == 0;
  }

  holds(limitIndex: i32, key: Uint8Array, now: u64): bool { return this.live(now) && this.isFor(limitIndex, key); }
}

export class Limiter {
  private sweepCursor: i32 = 0;
  private liveInPass: i32 = 0;
  lastPassLive: i32 = 0;
  private readonly leases: Lease[];
  // The answer of a take served from a lease (most takes of a hot key), reused by the next one:
  // the caller reads it before it takes again.
  private readonly leaseTake: Take = new Take(true, 0, 0);
  private readonly leaseResult: TakeResult = new TakeResult(TakeStatus.Done, this.leaseTake);

  // `leasing`: take tokens ahead (only worth it when the table is shared data; a per-VM table is
  // already local).
  constructor(public readonly table: SlotTable, public readonly limits: Limit[], public readonly seed: u32, public readonly leasing: bool = false) {
    this.leases = new Array<Lease>(leasing ? LEASE_SLOTS : 0);
    for (let i = 0; i < this.leases.length; i++) this.leases[i] = new Lease();
  }

  // The one place a key's lease can be (by the key's slot hash).
  private leaseAt(hash: u32): Lease { return this.leases[<i32>(hash % <u32>LEASE_SLOTS)]; }

  // What a lease held for the key gives, or null (no lease, spent or ended).
  private fromLease(limit: Limit, key: Uint8Array, hash: u32, now: u64): TakeResult | null {
    if (!this.leasing) return null;
    const lease = this.leaseAt(hash);
    if (!lease.holds(limit.index, key, now)) return null;
    lease.left--;
    const t = this.leaseTake;
    t.tokens = lease.bucketAfter + <f64>lease.left;
    return this.leaseResult;
  }

  // The tokens to write for a granted take, after setting aside a lease when one is due. A live
  // lease of another key keeps its place: a key that shares the slot takes no lease (else keys
  // chosen to collide could evict a victim's lease on every request, each time draining its
  // bucket by a lease it never spends).
  private leaseFrom(limit: Limit, key: Uint8Array, hash: u32, t: Take, now: u64): f64 {
    if (!this.leasing || !t.allowed) return t.tokens;
    const n = leaseSize(limit, t.tokens);
    if (n == 0) return t.tokens;
    const lease = this.leaseAt(hash);
    if (lease.live(now) && !lease.isFor(limit.index, key)) return t.tokens;
    lease.limitIndex = limit.index;
    lease.key = key;
    lease.left = n;
    lease.from = now;
    lease.until = now + LEASE_NANOS;
    lease.bucketAfter = t.tokens - <f64>n;
    return lease.bucketAfter;
  }

  // Forgets the key's lease set aside for a write that did not happen (never another key's).
  private dropLease(limit: Limit, key: Uint8Array, hash: u32): void {
    if (!this.leasing) return;
    const lease = this.leaseAt(hash);
    if (lease.isFor(limit.index, key)) lease.left = 0;
  }

  private limitOf(slot: Slot): Limit | null {
    return slot.limitIndex < this.limits.length ? this.limits[slot.limitIndex] : null;
  }

  private isFree(slot: Slot | null, now: u64): bool {
    if (slot === null) return true;
    const owner = this.limitOf(slot);
    return owner === null || slot.idle(owner, now);
  }

  // One token for `key` under `limit`. The answer may be reused by the next call: read it before.
  takeToken(limit: Limit, key: Uint8Array, now: u64): TakeResult {
    const hash = slotHash(key, limit.index);
    const leased = this.fromLease(limit, key, hash, now);
    if (leased !== null) return leased;
    const n = this.table.size;
    const home = <i32>((hash ^ this.seed) % <u32>n);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let found = -1;
      let foundSlot: Slot | null = null;
      let foundCas: u32 = 0;
      let free = -1;
      let freeCas: u32 = 0;
      let freeMissing = false;
      for (let p = 0; p < PROBES; p++) {
        const i = (home + p) % n;
        const r = this.table.get(i);
        if (r.presence == Presence.Failed) return new TakeResult(TakeStatus.HostError, null);
        const slot = r.presence == Presence.Present ? decodeSlot(r.bytes) : null;
        if (slot !== null && slot.holds(limit.index, key)) { found = i; foundSlot = slot; foundCas = r.cas; break; }
        if (free < 0 && this.isFree(slot, now)) { free = i; freeCas = r.cas; freeMissing = r.presence == Presence.Absent; }
      }
      if (found >= 0) {
        const s = foundSlot!;
        const t = take(limit, refill(limit, s.tokens, s.lastNanos, now));
        const put = this.table.put(found, encodeSlot(limit.index, key, this.leaseFrom(limit, key, hash, t, now), now), foundCas);
        if (put == PutResult.Written) return new TakeResult(TakeStatus.Done, t);
        this.dropLease(limit, key, hash);
        if (put == PutResult.Failed) return new TakeResult(TakeStatus.HostError, null);
        continue;
      }
      if (free < 0) return new TakeResult(TakeStatus.TableFull, null);
      if (freeMissing) {
        // Create the slot first, then claim it with a CAS like any other: a write to a missing
        // key always succeeds in Envoy, so two creators could otherwise both win.
        if (this.table.put(free, EMPTY_SLOT, 0) == PutResult.Failed) return new TakeResult(TakeStatus.HostError, null);
        continue;
      }
      const t = take(limit, limit.capacity);
      const put = this.table.put(free, encodeSlot(limit.index, key, this.leaseFrom(limit, key, hash, t, now), now), freeCas);
      if (put == PutResult.Written) return new TakeResult(TakeStatus.Done, t);
      this.dropLease(limit, key, hash);
      if (put == PutResult.Failed) return new TakeResult(TakeStatus.HostError, null);
    }
    return new TakeResult(TakeStatus.Contention, null);
  }

  // Frees up to `count` idle slots from the cursor on. Returns the live count of the last
  // complete pass over the table.
  sweep(count: i32, now: u64): i32 {
    const n = this.table.size;
    for (let k = 0; k < count; k++) {
      const i = this.sweepCursor;
      const r = this.table.get(i);
      if (r.presence == Presence.Present && r.bytes.length > 0) {
        const slot = decodeSlot(r.bytes);
        if (this.isFree(slot, now)) this.table.put(i, EMPTY_SLOT, r.cas);
        else this.liveInPass++;
      }
      this.sweepCursor = i + 1;
      if (this.sweepCursor >= n) {
        this.sweepCursor = 0;
        this.lastPassLive = this.liveInPass;
        this.liveInPass = 0;
      }
    }
    return this.lastPassLive;
  }
}
