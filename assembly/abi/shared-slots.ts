// The limiter's slot table in Envoy's shared data: one table for every worker (VM) of this Envoy.
// Shared data has no delete and no eviction, so the table has a fixed number of slots, each a key
// "mg:rl:<i>" written with compare-and-swap (ratelimit/limiter.ts).
import { SlotRead, PutResult, SlotTable } from "../ratelimit/limiter";
import { WasmResult, getSharedData, setSharedData } from "./host";

export class SharedSlotTable extends SlotTable {
  private readonly keys: ArrayBuffer[];
  // `prefix`: "mg:rl:" for the rate limiter, "mg:mon:" and "mg:q:" for the monitor.
  constructor(size: i32, prefix: string) {
    super(size);
    // Slot names are built once: no string work per request.
    this.keys = new Array<ArrayBuffer>(size);
    for (let i = 0; i < size; i++) this.keys[i] = String.UTF8.encode(prefix + i.toString());
  }
  get(i: i32): SlotRead {
    const v = getSharedData(this.keys[i]);
    return new SlotRead(v.presence, v.bytes, v.cas);
  }
  put(i: i32, value: Uint8Array, cas: u32): PutResult {
    const status = setSharedData(this.keys[i], value, cas);
    if (status == WasmResult.Ok) return PutResult.Written;
    return status == WasmResult.CasMismatch ? PutResult.Mismatch : PutResult.Failed;
  }
}

