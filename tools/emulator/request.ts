// One request through the filter, as Envoy's connection manager would hand it over, and the
// outcome as the CLI and the tests read it. The request format is the `meshguard check` input
// format (docs/cli.md, "Checking a policy offline"); keep it stable.
import { randomUUID } from "node:crypto";
import type { HeaderPairs } from "./abi";
import { asEnvoyJoins } from "./envoy-headers";
import { type LocalReply, ProxyWasmHost, type PropertyValue, type Stream } from "./host";
import type { FilterMetadata } from "./metadata";

export const JWT_NAMESPACE = "envoy.filters.http.jwt_authn";
export const JWT_PAYLOAD_KEY = "jwt_payload";

export function dynamicMetadataOf(req: RequestSpec): FilterMetadata | undefined {
  if (!req.jwt_claims) return req.dynamic_metadata;
  const md: FilterMetadata = { ...(req.dynamic_metadata ?? {}) };
  md[JWT_NAMESPACE] = { ...(md[JWT_NAMESPACE] ?? {}), [JWT_PAYLOAD_KEY]: req.jwt_claims };
  return md;
}

export interface RequestSpec {
  method?: string;                                   // default GET
  path: string;
  authority?: string;                                // default "service.local"
  headers?: Record<string, string | string[]> | HeaderPairs;
  body?: string | { base64: string };
  peer?: string | null;                              // the peer certificate's first URI SAN, or none
  // Verified JWT claims as jwt_authn publishes them: dynamic metadata by namespace and key.
  dynamic_metadata?: FilterMetadata;
  // Shorthand: the verified payload under jwt_authn's namespace and the key "jwt_payload".
  jwt_claims?: Record<string, unknown>;
  properties?: Record<string, PropertyValue>;        // other connection properties, by dotted path
  chunkSize?: number;                                // body chunk size (default: one chunk)
  lengthUnknown?: boolean;                           // no content-length (a chunked HTTP/1.1 body, or HTTP/2)
  framing?: Framing;                                 // how the body's end arrives (default "http1")
  trailers?: HeaderPairs;                            // http2-trailers: the trailers (default x-trailer: 1)
}

// How the end of a request body reaches a filter in Envoy (agreement test, every framing):
//   http1              data with end_of_stream=false, then an empty end-of-stream call (HTTP/1.1
//                      with content-length or chunked alike; HTTP/1 trailers are dropped by Envoy)
//   http2-end-on-data  the last DATA frame carries END_STREAM: the last data call is the end
//   http2-empty-end    END_STREAM in an empty DATA frame after the data: as http1
//   http2-trailers     data, then trailers: no data call carries end of stream
export const FRAMINGS = ["http1", "http2-end-on-data", "http2-empty-end", "http2-trailers"] as const;
export type Framing = (typeof FRAMINGS)[number];

// Delivers a body in chunks as Envoy would for this framing; stops once the filter has replied.
export function deliverBody(stream: Stream, body: Buffer, framing: Framing, chunkSize?: number, trailers: HeaderPairs = [["x-trailer", "1"]]): void {
  const size = chunkSize && chunkSize > 0 ? chunkSize : Math.max(1, body.length);
  for (let at = 0; at < body.length && !stream.localReply; at += size) {
    const last = at + size >= body.length;
    stream.sendRequestBody(body.subarray(at, at + size), last && framing === "http2-end-on-data");
  }
  if (stream.localReply) return;
  if (framing === "http2-trailers") stream.sendRequestTrailers(trailers.map(([k, v]) => [k, v]));
  else if (framing !== "http2-end-on-data" || body.length === 0) stream.sendRequestBody(Buffer.alloc(0), true);
}

export interface Outcome {
  allowed: boolean;
  status: number | null;              // the local reply's status; null when forwarded
  reason: string | null;              // the reply body's reason code
  details: string | null;             // Envoy response-code details of the local reply
  repliedIn: string | null;           // the filter callback that sent it (proxy_on_request_trailers, ...)
  body: unknown;                      // the local reply body (parsed JSON when it is JSON)
  replyHeaders: HeaderPairs | null;   // the local reply's headers
  forwardedHeaders: HeaderPairs | null;  // headers as they reach the upstream (allowed only)
  // What the service received: the headers (if they went on), the body bytes, whether the
  // request reached it complete, and its trailers (null: none went on).
  upstream: { headers: boolean; body: Buffer; complete: boolean; trailers: HeaderPairs | null };
}

export function headerPairs(h: RequestSpec["headers"]): HeaderPairs {
  if (!h) return [];
  if (Array.isArray(h)) return h.map(([k, v]) => [String(k), String(v)]);
  const out: HeaderPairs = [];
  for (const [k, v] of Object.entries(h)) {
    for (const one of Array.isArray(v) ? v : [v]) out.push([k, String(one)]);
  }
  return out;
}

export function bodyBytes(b: RequestSpec["body"]): Buffer | null {
  if (b === undefined) return null;
  return typeof b === "string" ? Buffer.from(b, "utf8") : Buffer.from(b.base64, "base64");
}

// The request's headers as Envoy's connection manager hands them to the filters: repeated inline
// headers joined (./envoy-headers.ts), and these added before any filter runs.
export function envoyRequestHeaders(req: RequestSpec, body: Buffer | null): HeaderPairs {
  const lower = headerPairs(req.headers).map(([k, v]) => [k.toLowerCase(), v] as [string, string]);
  const http2 = (req.framing ?? "http1").startsWith("http2");
  const { authority, pairs: given } = asEnvoyJoins(lower.filter(([k]) => !k.startsWith(":")), req.authority, http2);
  const pairs: HeaderPairs = [
    [":authority", authority ?? "service.local"],
    [":path", req.path],
    [":method", req.method ?? "GET"],
    [":scheme", "https"],
    ...given,
  ];
  if (body && !req.lengthUnknown && !given.some(([k]) => k === "content-length")) pairs.push(["content-length", String(body.length)]);
  if (!given.some(([k]) => k === "x-forwarded-proto")) pairs.push(["x-forwarded-proto", "https"]);
  if (!given.some(([k]) => k === "x-request-id")) pairs.push(["x-request-id", randomUUID()]);
  return pairs;
}

// Whether the service has a complete request: its end of stream went on, or (an HTTP/1.1 service)
// every byte its content-length announced has arrived, which is complete to it whatever comes
// after (the lesson of issue #8: Envoy's end-of-stream call comes after the data).
export function upstreamComplete(stream: Stream): boolean {
  const up = stream.upstream;
  if (up.ended) return true;
  const cl = up.headers?.find(([k]) => k === "content-length")?.[1];
  return cl !== undefined && /^\d+$/.test(cl) && up.body.length >= Number(cl);
}

function outcomeOf(reply: LocalReply | null, forwarded: HeaderPairs, stream: Stream): Outcome {
  const upstream = { headers: stream.upstream.headers !== null, body: stream.upstream.body, complete: upstreamComplete(stream), trailers: stream.upstream.trailers };
  // No reply and no complete request upstream: the filter held the request and never let it go.
  if (!reply && !upstream.complete) return { allowed: false, status: null, reason: "held", details: null, repliedIn: null, body: null, replyHeaders: null, forwardedHeaders: null, upstream };
  if (!reply) return { allowed: true, status: null, reason: null, details: null, repliedIn: null, body: null, replyHeaders: null, forwardedHeaders: forwarded, upstream };
  let body: unknown = reply.body;
  let reason: string | null = null;
  try {
    body = JSON.parse(reply.body);
    reason = typeof (body as { reason?: unknown }).reason === "string" ? (body as { reason: string }).reason : null;
  } catch { /* not JSON: kept as text */ }
  return { allowed: false, status: reply.status, reason, details: reply.details, repliedIn: reply.callback || null, body, replyHeaders: reply.headers, forwardedHeaders: null, upstream };
}

// The body bytes that are this request's, as Envoy reads them: over HTTP/1.1 a content-length
// given (one value, digits only) ends the request after that many bytes, and any more are the next
// request on the connection (agreement test, "a body after the length it announced").
export function bodyOfRequest(req: RequestSpec, body: Buffer | null): Buffer | null {
  if (!body || req.lengthUnknown || (req.framing ?? "http1") !== "http1") return body;
  const lengths = headerPairs(req.headers).filter(([k]) => k.toLowerCase() === "content-length").map(([, v]) => v);
  if (lengths.length !== 1 || !/^\d{1,15}$/.test(lengths[0])) return body;
  return body.subarray(0, Math.min(body.length, Number(lengths[0])));
}

export function runRequest(host: ProxyWasmHost, req: RequestSpec): Outcome {
  const body = bodyOfRequest(req, bodyBytes(req.body));
  const stream = host.newStream({ peerUriSan: req.peer ?? null, properties: req.properties, dynamicMetadata: dynamicMetadataOf(req) });
  try {
    stream.sendRequestHeaders(envoyRequestHeaders(req, body), body === null || body.length === 0);
    if (!stream.localReply && body && body.length > 0) deliverBody(stream, body, req.framing ?? "http1", req.chunkSize, req.trailers);
    const outcome = outcomeOf(stream.localReply, stream.requestHeaders.map(([k, v]) => [k, v] as [string, string]), stream);
    if (outcome.allowed) stream.sendResponseHeaders([[":status", "200"]], true);
    return outcome;
  } finally {
    stream.finish();
  }
}

export function header(pairs: HeaderPairs | null, name: string): string[] {
  return (pairs ?? []).filter(([k]) => k === name).map(([, v]) => v);
}
