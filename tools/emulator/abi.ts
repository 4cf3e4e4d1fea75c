// Constants and wire formats of the proxy-wasm ABI 0.2.1, as Envoy implements them.

export const enum WasmResult {
  Ok = 0, NotFound = 1, BadArgument = 2, SerializationFailure = 3, ParseFailure = 4,
  InvalidMemoryAccess = 6, Empty = 7, CasMismatch = 8, InternalFailure = 10, Unimplemented = 12,
}
export const enum HeaderMapType { RequestHeaders = 0, RequestTrailers = 1, ResponseHeaders = 2, ResponseTrailers = 3 }
export const enum BufferType {
  HttpRequestBody = 0, HttpResponseBody = 1, DownstreamData = 2, UpstreamData = 3,
  HttpCallResponseBody = 4, GrpcReceiveBuffer = 5, VmConfiguration = 6, PluginConfiguration = 7, CallData = 8,
}
export const enum MetricType { Counter = 0, Gauge = 1, Histogram = 2 }
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "critical"] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

// FilterHeadersStatus / FilterDataStatus / FilterTrailersStatus.
export const enum Action { Continue = 0, StopIteration = 1, ContinueAndEndStream = 2, StopAllIterationAndBuffer = 3, StopAllIterationAndWatermark = 4 }

export type HeaderPairs = [string, string][];

// count, then (key size, value size) per pair, then each key and value NUL-terminated. Text is
// written as UTF-8; bytes as they are (a property's nested values: metadata.ts).
export function serializePairs(pairs: [string | Buffer, string | Buffer][]): Buffer {
  const bytes = (x: string | Buffer) => (typeof x === "string" ? Buffer.from(x, "utf8") : x);
  const enc = pairs.map(([k, v]) => [bytes(k), bytes(v)] as const);
  let size = 4 + 8 * enc.length;
  for (const [k, v] of enc) size += k.length + v.length + 2;
  const out = Buffer.alloc(size);
  out.writeUInt32LE(enc.length, 0);
  let p = 4;
  for (const [k, v] of enc) { out.writeUInt32LE(k.length, p); out.writeUInt32LE(v.length, p + 4); p += 8; }
  for (const [k, v] of enc) { k.copy(out, p); p += k.length + 1; v.copy(out, p); p += v.length + 1; }
  return out;
}

export function deserializePairs(buf: Buffer): HeaderPairs | null {
  if (buf.length < 4) return buf.length === 0 ? [] : null;
  const n = buf.readUInt32LE(0);
  if (4 + 8 * n > buf.length) return null;
  const sizes: [number, number][] = [];
  for (let i = 0; i < n; i++) sizes.push([buf.readUInt32LE(4 + 8 * i), buf.readUInt32LE(8 + 8 * i)]);
  let p = 4 + 8 * n;
  const out: HeaderPairs = [];
  for (const [ks, vs] of sizes) {
    if (p + ks + vs + 2 > buf.length) return null;
    const k = buf.subarray(p, p + ks).toString("utf8"); p += ks + 1;
    const v = buf.subarray(p, p + vs).toString("utf8"); p += vs + 1;
    out.push([k, v]);
  }
  return out;
}
