// The no-op filter plus exactly one of the host calls meshguard makes on a GET, chosen by the plugin
// configuration ({"call": "<name>"}): what each call costs in a real Envoy, measured by
// `BENCH_HOST_CALLS=1 npm run bench:envoy` against the no-op filter on the same request. Built by
// build.sh like the no-op filter, with meshguard's runtime (never shipped). Values are read the way meshguard
// reads them (abi/host.ts).
import {
  BufferType, Counter, HeaderMapType, PropertyPath, getConfiguration, getProperty, getPropertyBytes,
  getSharedData, nowNanos, replaceHeader, setSharedData, snapshotHeaders,
} from "../assembly/abi/host";
import { HeaderName } from "../assembly/lib/headers";

const enum Call { None = 0, Headers = 1, Metadata = 2, PeerSan = 3, Clock = 4, Counter = 5, ReplaceHeader = 6, SharedData = 7, Compute = 8 }
// "compute" makes no host call: a fixed amount of guest work (hashing 16 KiB), to compare the
// guest's speed in Envoy with its speed in Node.
const NAMES: string[] = ["none", "headers", "metadata", "peer_san", "clock", "counter", "replace_header", "shared_data", "compute"];
const WORK = new Uint8Array(16384);

let call = Call.None;
let counter: Counter | null = null;
const METADATA = new PropertyPath("metadata");
const PEER_SAN = new PropertyPath("connection.uri_san_peer_certificate");
const USER = new HeaderName("x-meshguard-user");
const KEY = String.UTF8.encode("bench:slot");
let sink: u64 = 0;

export function proxy_on_configure(rootId: u32, size: u32): u32 {
  const text = String.UTF8.decode(getConfiguration(BufferType.PluginConfiguration, size).buffer);
  for (let i = 1; i < NAMES.length; i++) if (text.includes("\"" + NAMES[i] + "\"")) call = <Call>i;
  if (call == Call.Counter) counter = new Counter("bench.requests");
  return 1;
}
let requests = 0;
export function proxy_on_request_headers(contextId: u32, n: u32, eos: u32): u32 {
  // meshguard's runtime (minimal) collects at a callback's entry once garbage has piled up
  // (abi/collect.ts); every 1,000 requests is about its rate for these values.
  if (++requests % 1000 == 0) __collect();
  switch (call) {
    case Call.Headers: sink += <u64>snapshotHeaders(HeaderMapType.RequestHeaders).count; break;
    case Call.Metadata: sink += <u64>getPropertyBytes(METADATA).bytes.length; break;
    case Call.PeerSan: sink += <u64>getProperty(PEER_SAN).value.length; break;
    case Call.Clock: sink += nowNanos(); break;
    case Call.Counter: counter!.increment(); break;
    case Call.ReplaceHeader: replaceHeader(HeaderMapType.RequestHeaders, USER, "alice"); break;
    case Call.SharedData: {
      const v = getSharedData(KEY);
      setSharedData(KEY, v.bytes.length > 0 ? v.bytes : new Uint8Array(21), v.cas);
      break;
    }
    case Call.Compute: {
      let h: u32 = 0x811c9dc5;
      for (let i = 0; i < WORK.length; i++) { h = (h ^ unchecked(WORK[i])) * 0x01000193; unchecked(WORK[i] = <u8>h); }
      sink += <u64>h;
      break;
    }
    default: break;
  }
  return 0;
}
// Every other callback is the no-op filter's, and so is the abort (the "noop" build target names it).
export {
  proxy_abi_version_0_2_1, malloc, proxy_on_context_create, proxy_on_vm_start, proxy_on_request_body, proxy_on_response_headers,
  proxy_on_response_body, proxy_on_done, proxy_on_log, proxy_on_delete, noopAbort,
} from "./noop";
