// A probe guest: it asks the host questions and answers with what the host said, as a JSON local
// reply. The same requests go to the emulator and to a real Envoy; their answers must agree
// (test/agreement.e2e.test.ts runs both side by side).
//   x-probe: headers   what get_header_map_value / get_header_map_pairs give for a repeated header
//   x-probe: pairs     every request header pair as get_header_map_pairs gives it, in order
//   x-probe: property  status and value of several properties
//   x-probe: shared    shared data get/set with compare-and-swap, under the key in x-key
//   x-probe: record    remembers, under x-key, the callbacks this stream gets after a local reply
//   x-probe: report    the callbacks recorded under x-key
//   x-probe: prop      status and raw bytes (hex) of the property named in x-prop
//   x-probe: time      the host clock, in nanoseconds
//   x-probe: ticks     how many proxy_on_tick calls the root context has had (period 100 ms)
//   x-probe: body      forwards the body, then answers with the total bytes and end-of-stream flag
//                      it read chunk by chunk through proxy_get_buffer_bytes
//   x-probe: stall     StopIteration on headers; records under x-key any body callback that comes
//   x-probe: hold      holds the body (StopIterationAndBuffer on each chunk) and records every body and trailer callback: the size the host
//                      passed, the bytes get_buffer_bytes gave, end of stream. At the end (a chunk
//                      with end of stream, or trailers): x-then: reply answers with the record;
//                      x-then: continue lets the held request go on and keeps the record under
//                      x-key for x-probe: report
import * as abi from "@solo-io/proxy-runtime/assembly/imports";
import { HeaderMapType, PropertyPath, allocateForHost, getHeader, getProperty, sendLocalReply } from "../../assembly/abi/host";
import { HeaderName } from "../../assembly/lib/headers";

const OUT_PTR: usize = memory.data(8);
const OUT_SIZE: usize = memory.data(8);
const OUT_CAS: usize = memory.data(8);

export function proxy_abi_version_0_2_1(): void {}
export function malloc(size: usize): usize { return allocateForHost(size); }
export function proxy_on_context_create(contextId: u32, parentId: u32): void {}
export function proxy_on_vm_start(rootId: u32, size: u32): u32 { return 1; }
let ticks: u32 = 0;
export function proxy_on_configure(rootId: u32, size: u32): u32 { abi.proxy_set_tick_period_milliseconds(100); return 1; }
export function proxy_on_tick(rootId: u32): void { ticks++; }
const bodies = new Map<u32, u32>();   // stream id → body bytes read so far

const recording = new Map<u32, string>();   // stream id → x-key, for streams that record

function q(s: string): string { return "\"" + s.replaceAll("\\", "\\\\").replaceAll("\"", "\\\"").replaceAll("\0", "\\u0000") + "\""; }
function hdr(name: string): string { return getHeader(HeaderMapType.RequestHeaders, new HeaderName(name)).value; }

// The request's header pairs as get_header_map_pairs gives them, in order: [name, value] each.
function requestPairs(): string[][] {
  store<usize>(OUT_PTR, 0); store<usize>(OUT_SIZE, 0);
  const st = abi.proxy_get_header_map_pairs(HeaderMapType.RequestHeaders, OUT_PTR, OUT_SIZE);
  const out: string[][] = [];
  const ptr = load<usize>(OUT_PTR);
  if (st != 0 || ptr == 0) return out;
  const n = load<u32>(ptr);
  let sizes = ptr + 4;
  let data = ptr + 4 + 8 * <usize>n;
  for (let i: u32 = 0; i < n; i++) {
    const ks = load<u32>(sizes); const vs = load<u32>(sizes + 4); sizes += 8;
    const k = String.UTF8.decodeUnsafe(data, ks); data += ks + 1;
    const v = String.UTF8.decodeUnsafe(data, vs); data += vs + 1;
    out.push([k, v]);
  }
  heap.free(ptr);
  return out;
}

function probeHeaders(): string {
  const one = getHeader(HeaderMapType.RequestHeaders, new HeaderName("x-dup"));
  const pairs = requestPairs();
  let count = 0;
  let values = "";
  for (let i = 0; i < pairs.length; i++) {
    if (pairs[i][0] == "x-dup") { count++; values += (values.length > 0 ? "," : "") + q(pairs[i][1]); }
  }
  const missing = getHeader(HeaderMapType.RequestHeaders, new HeaderName("x-not-sent"));
  return "{\"get\":" + q(one.value) + ",\"get_status\":" + one.status.toString() + ",\"pairs\":[" + values + "],\"pairs_count\":" + count.toString() +
    ",\"missing_status\":" + missing.status.toString() + "}";
}

function probePairs(): string {
  const pairs = requestPairs();
  let out = "";
  for (let i = 0; i < pairs.length; i++) out += (i > 0 ? "," : "") + "[" + q(pairs[i][0]) + "," + q(pairs[i][1]) + "]";
  return "{\"pairs\":[" + out + "]}";
}

function probeProperty(): string {
  const names = ["connection.uri_san_peer_certificate", "plugin_root_id", "plugin_name", "request.path", "request.method", "no_such.property"];
  let out = "{";
  for (let i = 0; i < names.length; i++) {
    const l = getProperty(new PropertyPath(names[i]));
    out += (i > 0 ? "," : "") + q(names[i]) + ":{\"status\":" + l.status.toString() + ",\"value\":" + q(l.value) + "}";
  }
  return out + "}";
}

function sharedGet(key: ArrayBuffer): string {
  store<usize>(OUT_PTR, 0); store<usize>(OUT_SIZE, 0); store<u32>(OUT_CAS, 0);
  const st = abi.proxy_get_shared_data(changetype<usize>(key), key.byteLength, OUT_PTR, OUT_SIZE, OUT_CAS);
  let v = "";
  const ptr = load<usize>(OUT_PTR);
  const size = load<usize>(OUT_SIZE);
  if (st == 0 && ptr != 0) { v = String.UTF8.decodeUnsafe(ptr, size); heap.free(ptr); }
  return "{\"status\":" + st.toString() + ",\"value\":" + q(v) + ",\"cas_nonzero\":" + (load<u32>(OUT_CAS) != 0 ? "true" : "false") + "}";
}

function sharedSet(key: ArrayBuffer, value: string, cas: u32): u32 {
  const v = String.UTF8.encode(value);
  return abi.proxy_set_shared_data(changetype<usize>(key), key.byteLength, changetype<usize>(v), v.byteLength, cas);
}

function probeShared(): string {
  const key = String.UTF8.encode("probe:" + hdr("x-key"));
  const first = sharedGet(key);
  const set0 = sharedSet(key, "one", 0);
  const second = sharedGet(key);
  const cas = load<u32>(OUT_CAS);
  const stale = sharedSet(key, "stale", cas + 1000);
  const fresh = sharedSet(key, "two", cas);
  const reuse = sharedSet(key, "three", cas);   // the token was used up by the previous set
  const third = sharedGet(key);
  const setEmpty = sharedSet(key, "", 0);
  const fourth = sharedGet(key);
  return "{\"first\":" + first + ",\"set0\":" + set0.toString() + ",\"second\":" + second + ",\"stale_cas\":" + stale.toString() +
    ",\"fresh_cas\":" + fresh.toString() + ",\"reused_cas\":" + reuse.toString() + ",\"third\":" + third +
    ",\"set_empty\":" + setEmpty.toString() + ",\"after_empty\":" + fourth + "}";
}

function append(key: string, event: string): void {
  const k = String.UTF8.encode("order:" + key);
  store<usize>(OUT_PTR, 0); store<usize>(OUT_SIZE, 0);
  const st = abi.proxy_get_shared_data(changetype<usize>(k), k.byteLength, OUT_PTR, OUT_SIZE, OUT_CAS);
  let v = "";
  if (st == 0 && load<usize>(OUT_PTR) != 0) { v = String.UTF8.decodeUnsafe(load<usize>(OUT_PTR), load<usize>(OUT_SIZE)); heap.free(load<usize>(OUT_PTR)); }
  const nv = String.UTF8.encode(v + (v.length > 0 ? "," : "") + event);
  abi.proxy_set_shared_data(changetype<usize>(k), k.byteLength, changetype<usize>(nv), nv.byteLength, 0);
}

function reply(body: string): u32 {
  sendLocalReply(200, "probe", body, ["content-type"], ["application/json"]);
  return 1;
}

export function proxy_on_request_headers(id: u32, n: u32, eos: u32): u32 {
  const what = hdr("x-probe");
  if (what == "headers") return reply(probeHeaders());
  if (what == "pairs") return reply(probePairs());
  if (what == "property") return reply(probeProperty());
  if (what == "shared") return reply(probeShared());
  if (what == "record") {
    recording.set(id, hdr("x-key"));
    append(hdr("x-key"), "request_headers");
    return reply("{}");
  }
  if (what == "time") {
    abi.proxy_get_current_time_nanoseconds(OUT_PTR);
    return reply("{\"now_ns\":\"" + load<u64>(OUT_PTR).toString() + "\"}");
  }
  if (what == "prop") {
    const path = String.UTF8.encode(hdr("x-prop").replaceAll("/", "\0"));   // x-prop separates segments with "/"
    store<usize>(OUT_PTR, 0); store<usize>(OUT_SIZE, 0);
    const st = abi.proxy_get_property(changetype<usize>(path), path.byteLength, OUT_PTR, OUT_SIZE);
    let hex = "";
    const ptr = load<usize>(OUT_PTR);
    const size = load<usize>(OUT_SIZE);
    for (let i: usize = 0; i < size; i++) {
      const b = load<u8>(ptr + i);
      hex += (b < 16 ? "0" : "") + b.toString(16);
    }
    if (ptr != 0) heap.free(ptr);
    return reply("{\"status\":" + st.toString() + ",\"hex\":" + q(hex) + "}");
  }
  if (what == "ticks") return reply("{\"ticks\":" + ticks.toString() + "}");
  if (what == "body") { bodies.set(id, 0); return 0; }
  if (what == "stall") {
    // StopIteration on headers; any body callback that still comes is recorded under x-key.
    const h = new Hold(false, hdr("x-key"));
    held.set(id, h);
    publish(h);
    return 1;
  }
  if (what == "hold") {
    // Headers go on: Envoy (proxy-wasm-cpp-host) turns StopIteration on headers into
    // StopAllIterationAndWatermark, and then no body callback comes until the filter resumes.
    held.set(id, new Hold(hdr("x-then") == "continue", hdr("x-key")));
    return 0;
  }
  if (what == "report") {
    const k = String.UTF8.encode("order:" + hdr("x-key"));
    return reply("{\"events\":" + sharedGet(k) + "}");
  }
  return 0;
}

class Hold {
  calls: string = "";
  seen: u32 = 0;     // the size the previous call reported
  constructor(public cont: bool, public key: string) {}
}

// The record so far, under x-key, after every callback: the test paces its chunks on it.
function publish(h: Hold): void {
  const k = String.UTF8.encode("order:" + h.key);
  const v = String.UTF8.encode("{\"calls\":[" + h.calls + "]}");
  abi.proxy_set_shared_data(changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength, 0);
}

// get_buffer_bytes from `start`, as text ("" when the host gives nothing).
function bodyText(start: u32, length: u32): string {
  store<usize>(OUT_PTR, 0); store<usize>(OUT_SIZE, 0);
  const st = abi.proxy_get_buffer_bytes(0, start, length, OUT_PTR, OUT_SIZE);
  let text = "";
  if (st == 0 && load<usize>(OUT_PTR) != 0) { text = String.UTF8.decodeUnsafe(load<usize>(OUT_PTR), load<usize>(OUT_SIZE)); heap.free(load<usize>(OUT_PTR)); }
  return text;
}
const held = new Map<u32, Hold>();

// Ends a held request: answers with the record, or continues it and keeps the record.
function endHold(id: u32): u32 {
  const h = held.get(id);
  held.delete(id);
  const record = "{\"calls\":[" + h.calls + "]}";
  publish(h);
  if (h.cont) return 0;
  sendLocalReply(200, "probe", record, ["content-type"], ["application/json"]);
  return 1;
}

// Records the size passed, everything get_buffer_bytes gives from 0, and what it gives from the
// previous call's size on (the new bytes, read at an offset as meshguard reads a held body).
function holdBody(id: u32, n: u32, eos: u32): u32 {
  const h = held.get(id);
  const all = bodyText(0, n);
  const fresh = n >= h.seen ? bodyText(h.seen, n - h.seen) : "(size went down)";
  h.seen = n;
  h.calls += (h.calls.length > 0 ? "," : "") + "{\"cb\":\"body\",\"n\":" + n.toString() + ",\"eos\":" + (eos != 0 ? "true" : "false") +
    ",\"bytes\":" + q(all) + ",\"new\":" + q(fresh) + "}";
  if (eos != 0) return endHold(id);
  publish(h);
  return 1;   // StopIterationAndBuffer
}

export function proxy_on_request_trailers(id: u32, n: u32): u32 {
  if (!held.has(id)) return 0;
  const h = held.get(id);
  h.calls += (h.calls.length > 0 ? "," : "") + "{\"cb\":\"trailers\"}";
  return endHold(id);
}

function note(id: u32, event: string): void {
  if (recording.has(id)) append(recording.get(id), event);
}
export function proxy_on_request_body(id: u32, n: u32, eos: u32): u32 {
  note(id, "request_body");
  if (held.has(id)) return holdBody(id, n, eos);
  if (!bodies.has(id)) return 0;
  store<usize>(OUT_PTR, 0); store<usize>(OUT_SIZE, 0);
  const st = abi.proxy_get_buffer_bytes(0, 0, n, OUT_PTR, OUT_SIZE);
  let got: u32 = 0;
  if (st == 0) { got = <u32>load<usize>(OUT_SIZE); if (load<usize>(OUT_PTR) != 0) heap.free(load<usize>(OUT_PTR)); }
  const total = bodies.get(id) + got;
  bodies.set(id, total);
  if (eos != 0) {
    bodies.delete(id);
    sendLocalReply(200, "probe", "{\"body_bytes\":" + total.toString() + ",\"last_chunk_matches_n\":" + (got == n ? "true" : "false") + "}", ["content-type"], ["application/json"]);
    return 1;
  }
  return 0;
}
export function proxy_on_response_headers(id: u32, n: u32, eos: u32): u32 { note(id, "response_headers"); return 0; }
export function proxy_on_response_body(id: u32, n: u32, eos: u32): u32 { note(id, "response_body"); return 0; }
export function proxy_on_done(id: u32): u32 { note(id, "done"); return 1; }
export function proxy_on_log(id: u32): void { note(id, "log"); }
export function proxy_on_delete(id: u32): void { note(id, "delete"); if (recording.has(id)) recording.delete(id); }
export function probeAbort(message: string | null, fileName: string | null, line: u32, column: u32): void { unreachable(); }
