// What the pipeline needs from the host for one stream, and nothing more: the wall's inner side.
// abi/stream.ts implements it with proxy-wasm calls; src-host-tests/unit/pipeline.ts implements
// it in memory, so the whole pipeline runs in the unit build without a host. Reads report present,
// absent or failed (lib/presence.ts); writes report whether the host did them.
import { HeaderName, HeaderSnapshot } from "../lib/headers";
import { BytesLookup, Lookup } from "../lib/presence";
import { Reason } from "../reply/reasons";

export abstract class StreamIO {
  abstract requestHeaders(): HeaderSnapshot;      // all of them, in one read; !ok when the host failed
  abstract removeRequestHeader(name: HeaderName): bool;
  abstract setRequestHeader(name: HeaderName, value: string): bool;
  abstract requestTrailers(): HeaderSnapshot;     // in the trailers callback; !ok when the host failed
  abstract removeRequestTrailer(name: HeaderName): bool;
  abstract addResponseHeader(name: HeaderName, value: string): void;
  abstract peerUriSan(): Lookup;                  // the verified peer certificate's first URI SAN
  abstract metadata(): BytesLookup;               // dynamic metadata (jwt_authn's verified payload)
  abstract sourceAddress(): string;               // the connection's peer address, "ip:port"
  abstract now(): u64;                            // nanoseconds
  // `length` bytes from `start` of the request body the host holds for this call; null on failure.
  abstract requestBody(start: u32, length: u32): Uint8Array | null;
  abstract reply(status: u32, details: string, body: string, headerNames: string[], headerValues: string[]): void;
  abstract info(line: string): void;              // a log line at info level
  // The request's outcome for Envoy's access log (filter state "wasm.meshguard"), when the policy
  // asks for it (access_log: true).
  abstract setOutcome(json: string): void;
}

// Counters the pipeline moves. The host implementation keeps one Envoy counter per stat (and per
// reason, per limit); names are defined once, at configure time (abi/metrics.ts).
export const enum Stat {
  Allowed = 0, Denied = 1, WouldDeny = 2, Shadow = 3,
  TableFull = 4, Contention = 5, HostError = 6,
  Quarantined = 7, MonitorFull = 8, MonitorHostError = 9,
}

export abstract class Tally {
  abstract add(stat: Stat): void;
  abstract refused(audited: bool, reason: i32): void;   // Denied / WouldDeny, and per reason index
  abstract limited(audited: bool, limit: i32): void;    // per limit index: limited / would_limit
  abstract liveKeys(count: i32): void;
  abstract fired(detector: i32): void;                  // per detector index
}

// Told of every refusal, enforced or audited (the detectors: pipeline/watch-step.ts).
export abstract class RefusalObserver {
  abstract refused(reason: Reason): void;
}
