// The request pipeline of one HTTP stream:
//   1. screen the path          (path.ts)
//   2. strip spoofable headers  (policy.stripHeaders)
//   3. read the peer identity   (Envoy's connection properties)
//   4. decide                   (policy.ts, pure)
//   5. reply locally and stop, or forward with the verified identity header
import { Decision } from "./decision";
import { HeaderMapType, LogLevel, Presence, PropertyPath, getHeader, getProperty, log, removeHeader, replaceHeader, sendLocalReply } from "./host";
import { PeerIdentity } from "./identity";
import { checkPath } from "./path";
import { LOG_PREFIX, Plugin } from "./plugin";
import { DETAILS_PREFIX, REASON_PATH_INVALID, REASON_POLICY_UNAVAILABLE } from "./reasons";
import { replyBody } from "./reply";

// First URI SAN of the validated peer certificate (Envoy context.cc, "connection" attributes).
const PEER_URI_SAN = new PropertyPath("connection.uri_san_peer_certificate");

// proxy-wasm FilterHeadersStatus / FilterDataStatus values.
export const CONTINUE: u32 = 0;
export const STOP_ITERATION: u32 = 1;
export const STOP_ALL_ITERATION_AND_WATERMARK: u32 = 4;

const JSON_CONTENT_TYPE: string[] = ["content-type"];
const JSON_CONTENT_TYPE_VALUE: string[] = ["application/json"];

// The last peer parsed. A sidecar sees few distinct peers and many requests per connection, so
// one entry saves the parse nearly every time. Immutable values: sharing them is safe.
let lastSan: string = "";
let lastPeer: PeerIdentity = PeerIdentity.missing();

export function readPeer(): PeerIdentity {
  const san = getProperty(PEER_URI_SAN);
  if (san.presence == Presence.Absent) return PeerIdentity.missing();
  if (san.presence == Presence.Failed) return PeerIdentity.unavailable();
  if (san.value.length > 0 && san.value == lastSan) return lastPeer;
  const peer = PeerIdentity.fromUriSan(san.value);
  lastSan = san.value;
  lastPeer = peer;
  return peer;
}

export class Stream {
  // Set once a local reply is sent: later callbacks of this stream do nothing but stop.
  replied: bool = false;

  constructor(public readonly plugin: Plugin) {}

  onRequestHeaders(): u32 {
    const policy = this.plugin.policy;
    const headers = this.plugin.headers;
    if (policy === null || headers === null) return this.deny(Decision.deny(503, REASON_POLICY_UNAVAILABLE), "");

    const rawPath = getHeader(HeaderMapType.RequestHeaders, headers.path);
    const path = checkPath(rawPath.value);
    if (!path.ok) return this.deny(Decision.deny(400, REASON_PATH_INVALID), path.error);

    for (let i = 0; i < headers.strip.length; i++) removeHeader(HeaderMapType.RequestHeaders, headers.strip[i]);

    const peer = readPeer();
    const decision = policy.decide(path.path, peer);
    if (!decision.allowed) return this.deny(decision, path.path);

    const metrics = this.plugin.metrics;
    if (metrics !== null) metrics.allowed.increment();
    const spiffe = peer.spiffe;
    if (spiffe !== null) replaceHeader(HeaderMapType.RequestHeaders, headers.peer, spiffe.id);
    return CONTINUE;
  }

  // Body and trailer callbacks after a reply: stop, so nothing of a refused request moves on.
  afterReply(): u32 {
    return this.replied ? STOP_ITERATION : CONTINUE;
  }

  deny(decision: Decision, detail: string): u32 {
    const metrics = this.plugin.metrics;
    if (metrics !== null) metrics.deniedFor(decision.reason);
    const headers = this.plugin.headers;
    let requestId = "";
    if (headers !== null) requestId = getHeader(HeaderMapType.RequestHeaders, headers.requestId).value;
    log(LogLevel.Info, LOG_PREFIX + denialLine(decision, requestId, detail));
    this.replied = true;
    sendLocalReply(decision.status, DETAILS_PREFIX + decision.reason, replyBody(decision, requestId), JSON_CONTENT_TYPE, JSON_CONTENT_TYPE_VALUE);
    return STOP_ITERATION;
  }
}

// One structured line per denial. Built only when denying, never on the allow path.
function denialLine(decision: Decision, requestId: string, detail: string): string {
  return "{\"event\":\"deny\",\"status\":" + decision.status.toString() +
    ",\"reason\":\"" + decision.reason + "\",\"request_id\":" + jsonString(requestId) +
    ",\"detail\":" + jsonString(detail) + "}";
}

// Escapes for a log line: quotes, backslashes and control characters; at most 512 characters.
export function jsonString(s: string): string {
  const limit = min(s.length, 512);
  let plain = s.length <= limit;
  for (let i = 0; i < limit && plain; i++) {
    const c = s.charCodeAt(i);
    plain = c >= 0x20 && c != 0x22 && c != 0x5c && c != 0x7f;
  }
  if (plain) return "\"" + s + "\"";
  let out = "\"";
  for (let i = 0; i < limit; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += "\\\"";
    else if (c == 0x5c) out += "\\\\";
    else if (c < 0x20 || c == 0x7f) out += "\\u00" + (c < 16 ? "0" : "") + c.toString(16);
    else out += String.fromCharCode(c);
  }
  if (s.length > limit) out += "...";
  return out + "\"";
}
