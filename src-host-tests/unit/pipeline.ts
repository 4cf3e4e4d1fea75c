// The request pipeline in the unit build, without a host: StreamIO and Tally kept in memory. The
// vitest side (src-host-tests/unit-pipeline.ts) sets what the host would report, runs the
// callbacks, and reads what the pipeline did as JSON.
import { compileConfig } from "../../assembly/config/compile";
import { HeaderName, HeaderSnapshot } from "../../assembly/lib/headers";
import { BytesLookup, Lookup, Presence } from "../../assembly/lib/presence";
import { FilterConfig } from "../../assembly/pipeline/filter-config";
import { Stat, StreamIO, Tally } from "../../assembly/pipeline/io";
import { RequestPipeline } from "../../assembly/pipeline/pipeline";
import { Limiter, LocalSlotTable } from "../../assembly/ratelimit/limiter";
import { Monitor } from "../../assembly/monitor/monitor";
import { REASONS } from "../../assembly/reply/reasons";
import { jsonQuote } from "../../assembly/reply/reply";

const STATS: string[] = ["allowed", "denied", "would_deny", "shadow", "table_full", "contention", "host_error", "quarantines", "monitor_table_full", "monitor_host_error"];

class MemoryTally extends Tally {
  counts: Map<string, i32> = new Map();
  bump(name: string): void { this.counts.set(name, (this.counts.has(name) ? this.counts.get(name) : 0) + 1); }
  add(stat: Stat): void { this.bump(STATS[<i32>stat]); }
  refused(audited: bool, reason: i32): void {
    this.add(audited ? Stat.WouldDeny : Stat.Denied);
    this.bump((audited ? "would_deny." : "denied.") + REASONS[reason].code);
  }
  limited(audited: bool, limit: i32): void { this.bump((audited ? "would_limit." : "limited.") + limit.toString()); }
  liveKeys(count: i32): void {}
  fired(detector: i32): void { this.bump("fired." + detector.toString()); }
}

class MemoryIO extends StreamIO {
  headers: HeaderSnapshot = new HeaderSnapshot(new Uint8Array(0));
  peer: Lookup = new Lookup(Presence.Absent, "", 1);
  md: BytesLookup = new BytesLookup(Presence.Absent, new Uint8Array(0), 1);
  source: string = "10.0.0.1:40000";
  time: u64 = 1000000000000;
  body: Uint8Array = new Uint8Array(0);   // what the host holds for the current body call
  log: string[] = [];
  edits: string[] = [];                   // JSON: ["remove", name] / ["set", name, value] / ["response", name, value]
  replied: string = "null";

  requestHeaders(): HeaderSnapshot { return this.headers; }
  trailers: HeaderSnapshot = new HeaderSnapshot(new Uint8Array(4));   // none
  requestTrailers(): HeaderSnapshot { return this.trailers; }
  removeRequestTrailer(name: HeaderName): bool { this.edits.push("[\"remove-trailer\"," + jsonQuote(name.name, 1024, false) + "]"); return true; }
  removeRequestHeader(name: HeaderName): bool { this.edits.push("[\"remove\"," + jsonQuote(name.name, 1024, false) + "]"); return true; }
  setRequestHeader(name: HeaderName, value: string): bool { this.edits.push("[\"set\"," + jsonQuote(name.name, 1024, false) + "," + jsonQuote(value, 4096, false) + "]"); return true; }
  addResponseHeader(name: HeaderName, value: string): void { this.edits.push("[\"response\"," + jsonQuote(name.name, 1024, false) + "," + jsonQuote(value, 4096, false) + "]"); }
  peerUriSan(): Lookup { return this.peer; }
  metadata(): BytesLookup { return this.md; }
  sourceAddress(): string { return this.source; }
  now(): u64 { return this.time; }
  requestBody(start: u32, length: u32): Uint8Array | null {
    if (<i64>start + <i64>length > <i64>this.body.length) return null;
    return this.body.slice(<i32>start, <i32>(start + length));
  }
  reply(status: u32, details: string, body: string, names: string[], values: string[]): void {
    let h = "[";
    for (let i = 0; i < names.length; i++) h += (i > 0 ? "," : "") + "[" + jsonQuote(names[i], 256, false) + "," + jsonQuote(values[i], 4096, false) + "]";
    this.replied = "{\"status\":" + status.toString() + ",\"details\":" + jsonQuote(details, 256, false) + ",\"body\":" + jsonQuote(body, 65536, false) + ",\"headers\":" + h + "]}";
  }
  info(line: string): void { this.log.push(line); }
  outcome: string = "null";
  setOutcome(json: string): void { this.outcome = json; }
}

let config: FilterConfig | null = null;
let tally = new MemoryTally();
let io = new MemoryIO();
let pipeline: RequestPipeline | null = null;
let holding = false;

function copy(ptr: usize, len: i32): Uint8Array {
  const b = new Uint8Array(len);
  memory.copy(b.dataStart, ptr, <usize>len);
  return b;
}

let text: ArrayBuffer = new ArrayBuffer(0);
function answer(s: string): usize { text = String.UTF8.encode(s); return changetype<usize>(text); }
export function pipeAnswerLength(): i32 { return text.byteLength; }

export function pipeConfigure(ptr: usize, len: i32): usize {
  const bytes = copy(ptr, len);
  const result = compileConfig(bytes);
  const policy = result.policy;
  if (policy === null) return answer("ERR " + result.error);
  tally = new MemoryTally();
  const rl = policy.rateLimits;
  const limiter = rl !== null ? new Limiter(new LocalSlotTable(rl.slots), rl.limits, 12345) : null;
  const m = policy.monitoring;
  const monitor = m !== null ? new Monitor(m, new LocalSlotTable(m.slots), new LocalSlotTable(m.quarantineSlots)) : null;
  config = new FilterConfig(policy, limiter, tally, "unit", monitor);
  return answer("OK");
}

// A new stream; what the host reports is set with the pipeSet* calls before pipeHeaders.
export function pipeNewStream(): void { io = new MemoryIO(); pipeline = null; holding = false; }
export function pipeSetPeer(ptr: usize, len: i32, presence: i32): void {
  io.peer = new Lookup(<Presence>presence, String.UTF8.decodeUnsafe(ptr, <usize>len, false), presence == 0 ? 0 : 10);
}
export function pipeSetMetadata(ptr: usize, len: i32, presence: i32): void {
  io.md = new BytesLookup(<Presence>presence, copy(ptr, len), presence == 0 ? 0 : 10);
}
export function pipeSetSource(ptr: usize, len: i32): void { io.source = String.UTF8.decodeUnsafe(ptr, <usize>len, false); }
export function pipeSetTime(ns: u64): void { io.time = ns; }

// The request headers, serialised as the ABI does; returns the pipeline's action.
export function pipeHeaders(ptr: usize, len: i32, endOfStream: i32): u32 {
  const c = config;
  if (c === null) return 99;
  io.headers = new HeaderSnapshot(copy(ptr, len));
  const p = new RequestPipeline(c, io);
  pipeline = p;
  return p.onRequestHeaders(endOfStream != 0);
}

// A body chunk. While the pipeline holds the body (it answered StopIterationAndBuffer), the host
// hands it everything since the first chunk, as Envoy does.
export function pipeBody(ptr: usize, len: i32, endOfStream: i32): u32 {
  const p = pipeline;
  if (p === null) return 99;
  const chunk = copy(ptr, len);
  if (holding) {
    const all = new Uint8Array(io.body.length + chunk.length);
    all.set(io.body, 0);
    all.set(chunk, io.body.length);
    io.body = all;
  } else {
    io.body = chunk;
  }
  const action = p.onRequestBody(<u32>io.body.length, endOfStream != 0);
  holding = action == 1 && !p.replied;
  return action;
}

export function pipeTrailers(): u32 {
  const p = pipeline;
  return p !== null ? p.onRequestTrailers() : 99;
}

export function pipeResponseHeaders(): u32 {
  const p = pipeline;
  return p !== null ? p.onResponseHeaders() : 99;
}

// What the pipeline did to this stream, and the counters so far.
export function pipeOutcome(): usize {
  let logs = "[";
  for (let i = 0; i < io.log.length; i++) logs += (i > 0 ? "," : "") + jsonQuote(io.log[i], 65536, false);
  let counters = "{";
  const names = tally.counts.keys();
  for (let i = 0; i < names.length; i++) counters += (i > 0 ? "," : "") + jsonQuote(names[i], 256, false) + ":" + tally.counts.get(names[i]).toString();
  return answer("{\"reply\":" + io.replied + ",\"edits\":[" + io.edits.join(",") + "],\"logs\":" + logs + "],\"counters\":" + counters + "},\"outcome\":" + io.outcome + "}");
}
