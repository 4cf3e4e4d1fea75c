// meshguard as shipped, with the wall time of each callback measured inside the VM by the host's
// own clock: what a request costs in the guest in a real Envoy, host calls included, where Envoy's
// CPU per request (bench/envoy-load.ts) cannot tell meshguard's few microseconds from the VM's
// noise. Every REPORT_EVERY streams it logs one line (warn level) that bench/guest-time-run.ts
// reads. With probing on (bench/guest-time-probe.ts) each request first makes, one by one, the
// host calls meshguard makes on a GET and times each. Built by build.sh; never shipped.
import {
  meshguardAbort, malloc, proxy_abi_version_0_2_1, proxy_on_configure, proxy_on_memory_allocate,
  proxy_on_tick, proxy_on_vm_start, proxy_validate_configuration,
  proxy_on_context_create as contextCreate, proxy_on_delete as deleteContext,
  proxy_on_request_body as requestBody, proxy_on_request_headers as requestHeaders,
  proxy_on_request_trailers as requestTrailers, proxy_on_response_headers as responseHeaders,
} from "../assembly/index";
import {
  Counter, HeaderMapType, LogLevel, PropertyPath, getHeader, getProperty, getPropertyBytes, getSharedData, log,
  nowNanos, replaceHeader, setSharedData, snapshotHeaders,
} from "../assembly/abi/host";
import { HeaderName } from "../assembly/lib/headers";
import { hexOf } from "../assembly/lib/text";

export {
  meshguardAbort, malloc, proxy_abi_version_0_2_1, proxy_on_configure, proxy_on_memory_allocate,
  proxy_on_tick, proxy_on_vm_start, proxy_validate_configuration,
};

const REPORT_EVERY = 2000;
const enum At { Create = 0, RequestHeaders = 1, RequestBody = 2, RequestTrailers = 3, ResponseHeaders = 4, Delete = 5, BodyCalls = 6, Clock = 7 }
const AT_NAMES: string[] = ["context_create", "request_headers", "request_body", "request_trailers", "response_headers", "delete", "body_calls", "clock_pair"];
const PROBE_NAMES: string[] = [
  "header_pairs", "metadata", "peer_san_absent", "clock", "counter", "replace_header", "shared_get", "shared_set",
  "header_present", "header_absent", "property_string", "claim_sub_by_path", "claim_roles_by_path",
];
const spent = new StaticArray<u64>(8);
const probeSpent = new StaticArray<u64>(13);
let streams: u64 = 0;
let probing = false;

export function probeHostCalls(): void { probing = true; }

export function proxy_on_context_create(contextId: u32, parentId: u32): void {
  const a = nowNanos();
  contextCreate(contextId, parentId);
  unchecked(spent[At.Create] += nowNanos() - a);
}

export function proxy_on_request_headers(contextId: u32, headerCount: u32, endOfStream: u32): u32 {
  const z = nowNanos();
  unchecked(spent[At.Clock] += nowNanos() - z);
  if (probing) probe();
  const a = nowNanos();
  const r = requestHeaders(contextId, headerCount, endOfStream);
  unchecked(spent[At.RequestHeaders] += nowNanos() - a);
  return r;
}

export function proxy_on_request_body(contextId: u32, bodySize: u32, endOfStream: u32): u32 {
  const a = nowNanos();
  const r = requestBody(contextId, bodySize, endOfStream);
  unchecked(spent[At.RequestBody] += nowNanos() - a);
  unchecked(spent[At.BodyCalls]++);
  return r;
}

export function proxy_on_request_trailers(contextId: u32, trailerCount: u32): u32 {
  const a = nowNanos();
  const r = requestTrailers(contextId, trailerCount);
  unchecked(spent[At.RequestTrailers] += nowNanos() - a);
  return r;
}

export function proxy_on_response_headers(contextId: u32, headerCount: u32, endOfStream: u32): u32 {
  const a = nowNanos();
  const r = responseHeaders(contextId, headerCount, endOfStream);
  unchecked(spent[At.ResponseHeaders] += nowNanos() - a);
  return r;
}

// Also counts streams (the root context's delete at shutdown is counted too: negligible).
export function proxy_on_delete(contextId: u32): void {
  const a = nowNanos();
  deleteContext(contextId);
  unchecked(spent[At.Delete] += nowNanos() - a);
  if (++streams == REPORT_EVERY) report();
}

// {"streams":N,"ns":{"context_create":..,...},"probe_ns":{...}}: nanoseconds per stream.
function report(): void {
  let line = "meshguard-guest-time {\"streams\":" + streams.toString() + ",\"ns\":{";
  for (let i = 0; i < AT_NAMES.length; i++) {
    line += (i > 0 ? "," : "") + "\"" + AT_NAMES[i] + "\":" + (<f64>unchecked(spent[i]) / <f64>streams).toString();
    unchecked(spent[i] = 0);
  }
  line += "},\"probe_ns\":{";
  for (let i = 0; i < PROBE_NAMES.length; i++) {
    line += (i > 0 ? "," : "") + "\"" + PROBE_NAMES[i] + "\":" + (probing ? (<f64>unchecked(probeSpent[i]) / <f64>streams).toString() : "null");
    unchecked(probeSpent[i] = 0);
  }
  log(LogLevel.Warn, line + "},\"claim_bytes\":\"" + claimBytes + "\"}");
  streams = 0;
}

// --- probing: meshguard's GET host calls, one at a time, values handled as meshguard does ---
const METADATA = new PropertyPath("metadata");
const PEER_SAN = new PropertyPath("connection.uri_san_peer_certificate");
const PLUGIN_ROOT_ID = new PropertyPath("plugin_root_id");
const PROBE_HEADER = new HeaderName("x-meshguard-probe");
const PATH = new HeaderName(":path");
const ABSENT = new HeaderName("x-meshguard-probe-absent");
const SLOT = String.UTF8.encode("meshguard-probe:slot");
// One claim of jwt_authn's payload, by path into the metadata (a lever for issue #14: the claims the
// policy uses, instead of all the metadata and the order-free comparison): not what meshguard reads.
const SUB = new PropertyPath("metadata/filter_metadata/envoy.filters.http.jwt_authn/jwt_payload/sub", "/");
const ROLES = new PropertyPath("metadata/filter_metadata/envoy.filters.http.jwt_authn/jwt_payload/roles", "/");
let claimBytes = "";   // what the two reads returned, hex, once: "<status>:<hex> <status>:<hex>"
let counter: Counter | null = null;
let sink: i64 = 0;

function probe(): void {
  if (counter === null) counter = new Counter("meshguard_probe.requests");
  let a = nowNanos();
  sink += snapshotHeaders(HeaderMapType.RequestHeaders).count;
  a = lap(0, a);
  sink += getPropertyBytes(METADATA).bytes.length;
  a = lap(1, a);
  sink += getProperty(PEER_SAN).value.length;
  a = lap(2, a);
  sink += <i64>nowNanos();
  a = lap(3, a);
  counter!.increment();
  a = lap(4, a);
  replaceHeader(HeaderMapType.RequestHeaders, PROBE_HEADER, "probe");
  a = lap(5, a);
  const v = getSharedData(SLOT);
  a = lap(6, a);
  setSharedData(SLOT, v.bytes.length > 0 ? v.bytes : new Uint8Array(21), v.cas);
  a = lap(7, a);
  sink += getHeader(HeaderMapType.RequestHeaders, PATH).value.length;
  a = lap(8, a);
  sink += getHeader(HeaderMapType.RequestHeaders, ABSENT).value.length;
  a = lap(9, a);
  sink += getProperty(PLUGIN_ROOT_ID).value.length;
  a = lap(10, a);
  const sub = getPropertyBytes(SUB);
  a = lap(11, a);
  const roles = getPropertyBytes(ROLES);
  lap(12, a);
  sink += sub.bytes.length + roles.bytes.length;
  if (claimBytes.length == 0) claimBytes = sub.status.toString() + ":" + hexOf(sub.bytes, 64) + " " + roles.status.toString() + ":" + hexOf(roles.bytes, 64);
}

// Adds the time since `from` to probe slot i; returns the clock read for the next call.
function lap(i: i32, from: u64): u64 {
  const t = nowNanos();
  unchecked(probeSpent[i] += t - from);
  return nowNanos();
}
