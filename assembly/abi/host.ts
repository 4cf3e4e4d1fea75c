// The one wall between meshguard and the proxy-wasm host (ABI 0.2.1).
//
// Every call to a host import lives in this file. Each returns a value that says what happened
// (present / absent / failed) instead of throwing: a throw in AssemblyScript ends the VM for every
// later request. The SDK's own helpers (CHECK_RESULT) abort on any non-Ok status, so we call its
// raw import declarations only.
import * as abi from "@solo-io/proxy-runtime/assembly/imports";
import { HeaderName, HeaderSnapshot } from "../lib/headers";
import { BytesLookup, Lookup, Presence } from "../lib/presence";
import { receivedFromHost } from "./collect";

// Status codes of the ABI (proxy-wasm spec, "WasmResult").
export const enum WasmResult {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  Empty = 7,
  CasMismatch = 8,
  InternalFailure = 10,
  Unimplemented = 12,
}

export const enum LogLevel { Trace = 0, Debug = 1, Info = 2, Warn = 3, Error = 4, Critical = 5 }
export const enum HeaderMapType { RequestHeaders = 0, RequestTrailers = 1, ResponseHeaders = 2, ResponseTrailers = 3 }
export const enum BufferType { HttpRequestBody = 0, HttpResponseBody = 1, VmConfiguration = 6, PluginConfiguration = 7 }
export const enum MetricType { Counter = 0, Gauge = 1, Histogram = 2 }

// Out-parameters for host calls: static, so no allocation per call.
const OUT_PTR: usize = memory.data(8);
const OUT_SIZE: usize = memory.data(8);

// The host writes values into memory it obtains from this export. The block is raw (not managed
// by the GC); takeBytes() copies it into a managed buffer and frees it. Envoy never allocates for
// an empty value: it reports pointer 0 and size 0.
export function allocateForHost(size: usize): usize {
  return heap.alloc(size);
}

function takeString(): string {
  const ptr = load<usize>(OUT_PTR);
  const size = load<usize>(OUT_SIZE);
  if (size == 0 || ptr == 0) return "";
  receivedFromHost(size);
  const s = String.UTF8.decodeUnsafe(ptr, size, false);
  heap.free(ptr);
  return s;
}

function takeBytes(): Uint8Array {
  const ptr = load<usize>(OUT_PTR);
  const size = load<usize>(OUT_SIZE);
  const out = new Uint8Array(<i32>size);
  if (size == 0 || ptr == 0) return out;
  receivedFromHost(size);
  memory.copy(out.dataStart, ptr, size);
  heap.free(ptr);
  return out;
}

function clearOut(): void {
  store<usize>(OUT_PTR, 0);
  store<usize>(OUT_SIZE, 0);
}

// What a property or header read reports: Ok is a value, NotFound or Empty is no value, anything
// else is the host failing. (Shared data differs: there only NotFound means "no value".)
function presenceOf(status: u32): Presence {
  if (status == WasmResult.Ok) return Presence.Present;
  if (status == WasmResult.NotFound || status == WasmResult.Empty) return Presence.Absent;
  return Presence.Failed;
}

// Lookups are immutable: the absent ones (the usual answer for the peer certificate on plaintext,
// or an optional header) are shared.
const ABSENT_NOT_FOUND = new Lookup(Presence.Absent, "", WasmResult.NotFound);
const ABSENT_EMPTY = new Lookup(Presence.Absent, "", WasmResult.Empty);

function lookupFrom(status: u32): Lookup {
  if (status == WasmResult.NotFound) return ABSENT_NOT_FOUND;
  if (status == WasmResult.Empty) return ABSENT_EMPTY;
  const presence = presenceOf(status);
  return new Lookup(presence, presence == Presence.Present ? takeString() : "", status);
}

// Envoy serialises a property path as its segments joined by NUL (context.cc). `separator` splits
// `name` into them: "/" where a segment holds dots (a metadata namespace).
export class PropertyPath {
  readonly bytes: ArrayBuffer;
  constructor(public readonly name: string, separator: string = ".") {
    this.bytes = String.UTF8.encode(name.replaceAll(separator, "\0"));
  }
}

// A property whose value is binary (a serialised protobuf message, e.g. `metadata`).
export function getPropertyBytes(path: PropertyPath): BytesLookup {
  clearOut();
  const status = abi.proxy_get_property(changetype<usize>(path.bytes), path.bytes.byteLength, OUT_PTR, OUT_SIZE);
  const presence = presenceOf(status);
  return new BytesLookup(presence, presence == Presence.Present ? takeBytes() : new Uint8Array(0), status);
}

// Sets a property; Envoy keeps it in the stream's filter state under "wasm." + the path, where
// the access log reads it (%FILTER_STATE(wasm.<path>:PLAIN)%). Returns the ABI status.
export function setProperty(path: PropertyPath, value: string): u32 {
  const v = String.UTF8.encode(value);
  return abi.proxy_set_property(changetype<usize>(path.bytes), path.bytes.byteLength, changetype<usize>(v), v.byteLength);
}

export function getProperty(path: PropertyPath): Lookup {
  clearOut();
  const status = abi.proxy_get_property(changetype<usize>(path.bytes), path.bytes.byteLength, OUT_PTR, OUT_SIZE);
  return lookupFrom(status);
}

export function getHeader(map: HeaderMapType, name: HeaderName): Lookup {
  clearOut();
  const status = abi.proxy_get_header_map_value(map, changetype<usize>(name.bytes), name.bytes.byteLength, OUT_PTR, OUT_SIZE);
  return lookupFrom(status);
}

// All request (or response) headers in one call; an empty snapshot when the host fails.
export function snapshotHeaders(map: HeaderMapType): HeaderSnapshot {
  clearOut();
  const status = abi.proxy_get_header_map_pairs(map, OUT_PTR, OUT_SIZE);
  if (status != WasmResult.Ok) return new HeaderSnapshot(new Uint8Array(0));
  return new HeaderSnapshot(takeBytes());
}

export function removeHeader(map: HeaderMapType, name: HeaderName): u32 {
  return abi.proxy_remove_header_map_value(map, changetype<usize>(name.bytes), name.bytes.byteLength);
}

// Outgoing values are encoded here (the host copies them during the call): no buffer per call.
let outgoing = new ArrayBuffer(256);
function encodeOutgoing(value: string): i32 {
  const n = String.UTF8.byteLength(value);
  if (n > outgoing.byteLength) outgoing = new ArrayBuffer(max(n, outgoing.byteLength * 2));
  String.UTF8.encodeUnsafe(changetype<usize>(value), value.length, changetype<usize>(outgoing));
  return n;
}

export function replaceHeader(map: HeaderMapType, name: HeaderName, value: string): u32 {
  const n = encodeOutgoing(value);
  return abi.proxy_replace_header_map_value(map, changetype<usize>(name.bytes), name.bytes.byteLength, changetype<usize>(outgoing), n);
}

// Plugin or VM configuration. Absent and empty are the same to the host: size 0.
export function getConfiguration(kind: BufferType, size: u32): Uint8Array {
  if (size == 0) return new Uint8Array(0);
  clearOut();
  const status = abi.proxy_get_buffer_bytes(kind, 0, size, OUT_PTR, OUT_SIZE);
  if (status != WasmResult.Ok) return new Uint8Array(0);
  return takeBytes();
}

// `length` bytes from `start` of the request body Envoy holds for this callback: the new chunk
// alone, or, while the filter holds the body (StopIterationAndBuffer), everything held so far
// (agreement test). null when the host fails. `start` must not pass what the host holds:
// proxy-wasm-cpp-host computes the length to copy without checking it.
export function getRequestBody(start: u32, length: u32): Uint8Array | null {
  if (length == 0) return new Uint8Array(0);
  clearOut();
  const status = abi.proxy_get_buffer_bytes(BufferType.HttpRequestBody, start, length, OUT_PTR, OUT_SIZE);
  if (status != WasmResult.Ok) return null;
  return takeBytes();
}

// Header pairs as the ABI serialises them: count, then (key size, value size) pairs, then each
// key and value followed by a NUL byte.
export function serializePairs(names: string[], values: string[]): ArrayBuffer {
  const n = min(names.length, values.length);
  const keys = new Array<ArrayBuffer>(n);
  const vals = new Array<ArrayBuffer>(n);
  let size = 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    keys[i] = String.UTF8.encode(names[i]);
    vals[i] = String.UTF8.encode(values[i]);
    size += keys[i].byteLength + vals[i].byteLength + 2;
  }
  const out = new ArrayBuffer(size);
  const base = changetype<usize>(out);
  store<u32>(base, n);
  let p = base + 4;
  for (let i = 0; i < n; i++) {
    store<u32>(p, keys[i].byteLength);
    store<u32>(p + 4, vals[i].byteLength);
    p += 8;
  }
  for (let i = 0; i < n; i++) {
    memory.copy(p, changetype<usize>(keys[i]), keys[i].byteLength);
    p += keys[i].byteLength;
    store<u8>(p++, 0);
    memory.copy(p, changetype<usize>(vals[i]), vals[i].byteLength);
    p += vals[i].byteLength;
    store<u8>(p++, 0);
  }
  return out;
}

// grpc_status u32 max means "not a gRPC reply" to Envoy.
export function sendLocalReply(status: u32, details: string, body: string, headerNames: string[], headerValues: string[]): u32 {
  const d = String.UTF8.encode(details);
  const b = String.UTF8.encode(body);
  const h = serializePairs(headerNames, headerValues);
  return abi.proxy_send_local_response(
    status,
    changetype<usize>(d), d.byteLength,
    changetype<usize>(b), b.byteLength,
    changetype<usize>(h), h.byteLength,
    u32.MAX_VALUE,
  );
}

export function log(level: LogLevel, message: string): void {
  const m = String.UTF8.encode(message);
  abi.proxy_log(level, changetype<usize>(m), m.byteLength);
}

// A metric in Envoy's own stats, defined once (at configure time). Envoy may hand out 0 as a valid
// id, so "defined" is kept apart from the id; a metric the host refused is a quiet no-op.
class Metric {
  id: u32 = 0;
  defined: bool = false;
  constructor(public readonly name: string, type: MetricType) {
    const n = String.UTF8.encode(name);
    store<u32>(OUT_PTR, 0);
    if (abi.proxy_define_metric(type, changetype<usize>(n), n.byteLength, OUT_PTR) == WasmResult.Ok) {
      this.id = load<u32>(OUT_PTR);
      this.defined = true;
    }
  }
}

export class Counter extends Metric {
  constructor(name: string) { super(name, MetricType.Counter); }
  increment(): void {
    if (this.defined) abi.proxy_increment_metric(this.id, 1);
  }
}

export class Gauge extends Metric {
  constructor(name: string) { super(name, MetricType.Gauge); }
  set(value: u64): void {
    if (this.defined) abi.proxy_record_metric(this.id, value);
  }
}

// --- Shared data: one key-value store for every VM (worker) of this Envoy, with CAS tokens. ---

const OUT_CAS: usize = memory.data(8);

export class SharedValue {
  constructor(public presence: Presence, public bytes: Uint8Array, public cas: u32) {}
}

export function getSharedData(key: ArrayBuffer): SharedValue {
  clearOut();
  store<u32>(OUT_CAS, 0);
  const status = abi.proxy_get_shared_data(changetype<usize>(key), key.byteLength, OUT_PTR, OUT_SIZE, OUT_CAS);
  if (status == WasmResult.Ok) return new SharedValue(Presence.Present, takeBytes(), load<u32>(OUT_CAS));
  if (status == WasmResult.NotFound) return new SharedValue(Presence.Absent, new Uint8Array(0), 0);
  return new SharedValue(Presence.Failed, new Uint8Array(0), 0);
}

// cas 0: unconditional. Returns the ABI status (Ok, CasMismatch, ...).
export function setSharedData(key: ArrayBuffer, value: Uint8Array, cas: u32): u32 {
  return abi.proxy_set_shared_data(changetype<usize>(key), key.byteLength, value.dataStart, value.length, cas);
}

export function nowNanos(): u64 {
  store<u64>(OUT_PTR, 0);
  abi.proxy_get_current_time_nanoseconds(OUT_PTR);
  return load<u64>(OUT_PTR);
}

export function setTickPeriod(ms: u32): void {
  abi.proxy_set_tick_period_milliseconds(ms);
}

export function addHeader(map: HeaderMapType, name: HeaderName, value: string): u32 {
  const v = String.UTF8.encode(value);
  return abi.proxy_add_header_map_value(map, changetype<usize>(name.bytes), name.bytes.byteLength, changetype<usize>(v), v.byteLength);
}

