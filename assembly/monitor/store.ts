// Keyed records with an expiry, in a fixed table of slots (ratelimit/limiter.ts's SlotTable: Envoy's
// shared data for every worker, or one VM's memory). The detectors' windows and the quarantine
// table live here, so their memory is bounded whatever the identities: a record whose time has
// passed is a free slot, and a key finds its record within PROBES slots of its home slot.
//
// A slot holds: version u8 (2), key length u16, the key, expiry u64 (ns), then the record's payload.
import { Presence } from "../lib/presence";
import { PutResult, SlotTable } from "../ratelimit/limiter";
import { slotHash } from "../ratelimit/bucket";

export const PROBES = 4;
export const MAX_ATTEMPTS = 8;
const VERSION: u8 = 2;
const EMPTY = new Uint8Array(0);

export const enum StoreStatus { Ok = 0, Full = 1, Contention = 2, HostError = 3 }

// What a change makes of a record: given its payload (null: none yet), the new payload and expiry.
export abstract class Change {
  expiresAt: u64 = 0;
  abstract apply(payload: Uint8Array | null, now: u64): Uint8Array;
}

class Found {
  index: i32 = -1;
  cas: u32 = 0;
  payload: Uint8Array | null = null;   // the key's live record, or null (a free slot)
  missing: bool = false;               // the free slot was never written (created first)
}

function keyOf(b: Uint8Array): i32 {
  return b.length >= 3 && b[0] == VERSION ? <i32>load<u16>(b.dataStart + 1) : -1;
}

export class RecordStore {
  constructor(public readonly table: SlotTable, public readonly seed: u32) {}

  // The live payload for `key`, or null; `failed` is set when the host failed.
  read(key: Uint8Array, now: u64): Uint8Array | null {
    this.failed = false;
    const f = this.find(key, now);
    return f !== null ? f.payload : null;
  }
  failed: bool = false;

  // Applies `change` to the key's record with compare-and-swap, retried a bounded number of times.
  update(key: Uint8Array, change: Change, now: u64): StoreStatus {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      this.failed = false;
      const f = this.find(key, now);
      if (this.failed) return StoreStatus.HostError;
      if (f === null) return StoreStatus.Full;
      if (f.missing) {
        // Create the slot first, then claim it by CAS like any other (a write to a missing key
        // always succeeds in Envoy, so two creators could otherwise both win).
        if (this.table.put(f.index, EMPTY, 0) == PutResult.Failed) return StoreStatus.HostError;
        continue;
      }
      const payload = change.apply(f.payload, now);
      const put = this.table.put(f.index, encode(key, change.expiresAt, payload), f.cas);
      if (put == PutResult.Written) return StoreStatus.Ok;
      if (put == PutResult.Failed) return StoreStatus.HostError;
    }
    return StoreStatus.Contention;
  }

  // The slot holding the key's live record, else the first free one; null when none is free.
  private find(key: Uint8Array, now: u64): Found | null {
    const n = this.table.size;
    const home = <i32>((slotHash(key, 0) ^ this.seed) % <u32>n);
    let free: Found | null = null;
    for (let p = 0; p < PROBES; p++) {
      const i = (home + p) % n;
      const r = this.table.get(i);
      if (r.presence == Presence.Failed) { this.failed = true; return null; }
      const b = r.bytes;
      const keyLen = r.presence == Presence.Present ? keyOf(b) : -1;
      const live = keyLen >= 0 && b.length >= 11 + keyLen && load<u64>(b.dataStart + 3 + <usize>keyLen) > now;
      if (live && keyLen == key.length && memory.compare(b.dataStart + 3, key.dataStart, <usize>keyLen) == 0) {
        const found = new Found();
        found.index = i;
        found.cas = r.cas;
        found.payload = b.slice(11 + keyLen);
        return found;
      }
      if (!live && free === null) {
        const f = new Found();
        f.index = i;
        f.cas = r.cas;
        f.missing = r.presence == Presence.Absent;
        free = f;
      }
      // A slot never written stays so until a key claims it, and a key takes the first free slot
      // of its probes: no record of this key lies beyond. (Usually the first read ends the lookup.)
      if (r.presence == Presence.Absent) break;
    }
    return free;
  }
}

function encode(key: Uint8Array, expiresAt: u64, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(11 + key.length + payload.length);
  const base = out.dataStart;
  store<u8>(base, VERSION);
  store<u16>(base + 1, <u16>key.length);
  memory.copy(base + 3, key.dataStart, <usize>key.length);
  store<u64>(base + 3 + <usize>key.length, expiresAt);
  memory.copy(base + 11 + <usize>key.length, payload.dataStart, <usize>payload.length);
  return out;
}
