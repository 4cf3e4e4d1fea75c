// Detectors: what counts as unusual for one identity within a window, declared in the policy
// (`monitoring`). Pure: the windows are records in a RecordStore, time comes in as an argument.
//
//   refusal_burst   refusals of the identity whose reason is in the detector's groups, counted in a
//                   fixed window (fail2ban's maxretry within findtime); with groups ["credentials"]
//                   and identity client_ip, it catches key and token guessing
//   enumeration     distinct values of one path parameter of one route (object scraping, OWASP
//                   API1), counted exactly: the window keeps the values' hashes, up to the threshold
//   rate_jump       the identity's requests in a window against its own smoothed baseline (an
//                   exponentially weighted average of its past windows), after a warm-up and above
//                   a minimum volume: a client that suddenly floods, whatever its usual rate
import { Change } from "./store";

export const enum DetectorKind { RefusalBurst = 0, Enumeration = 1, RateJump = 2 }
export const enum IdentityKind { Peer = 0, User = 1, ApiClient = 2, ClientIp = 3 }
export const enum Action { Alert = 0, Quarantine = 1 }

export const IDENTITY_KINDS: string[] = ["peer", "user", "api_client", "client_ip"];   // IdentityKind order
export const MAX_ENUMERATION_THRESHOLD = 1000;

export class Detector {
  constructor(
    public readonly name: string,
    public readonly index: i32,
    public readonly kind: DetectorKind,
    public readonly identity: IdentityKind,
    public readonly windowNanos: u64,
    public readonly threshold: i32,        // fires when the count reaches it
    public readonly action: Action,
    public readonly audit: bool,           // "would quarantine": logged and counted only
    public readonly groups: string[],      // refusal_burst: the reason groups counted
    public readonly route: string,         // enumeration: the route's name
    public readonly param: i32,            // enumeration: the parameter's index in the route's path
  ) {}

  // rate_jump: fires when a window's count is over `factor` times the baseline, once the baseline
  // has `warmupWindows` windows behind it, and the count is at least `threshold`.
  factor: f64 = 5;
  warmupWindows: i32 = 6;

  get windowSeconds(): i64 { return <i64>(this.windowNanos / 1000000000); }
}

export class QuarantineSettings {
  constructor(
    public readonly baseNanos: u64,        // the first quarantine
    public readonly maxNanos: u64,         // each repeat doubles it, up to this
    public readonly never: string[],       // identities never observed nor quarantined (any kind)
  ) {}
}

export class Monitoring {
  readonly usesClientIp: bool;
  readonly quarantineKinds: bool[];        // per IdentityKind: some quarantining detector keys on it
  constructor(
    public readonly detectors: Detector[],
    public readonly quarantine: QuarantineSettings,
    public readonly slots: i32,            // detector windows
    public readonly quarantineSlots: i32,
    public readonly trustedHops: i32,      // client_ip from x-forwarded-for behind this many proxies
  ) {
    let ip = false;
    const kinds = [false, false, false, false];
    for (let i = 0; i < detectors.length; i++) {
      const d = detectors[i];
      if (d.identity == IdentityKind.ClientIp) ip = true;
      if (d.action == Action.Quarantine && !d.audit) kinds[<i32>d.identity] = true;
    }
    this.usesClientIp = ip;
    this.quarantineKinds = kinds;
  }
}

// One more event in a detector's window: a refusal (hash 0) or, for enumeration, the value's hash.
// The payload: window end u64, count u32, fired u8, then for enumeration the distinct hashes u32.
export class WindowCount extends Change {
  count: i32 = 0;          // after the change
  firedNow: bool = false;  // this change reached the threshold
  constructor(public readonly detector: Detector, public readonly hash: u32) { super(); }

  apply(payload: Uint8Array | null, now: u64): Uint8Array {
    const d = this.detector;
    let end: u64 = 0;
    let count = 0;
    let fired = false;
    let hashes = new Array<u32>(0);
    if (payload !== null && payload.length >= 13) {
      const base = payload.dataStart;
      end = load<u64>(base);
      count = <i32>load<u32>(base + 8);
      fired = load<u8>(base + 12) != 0;
      const n = (payload.length - 13) / 4;
      for (let i = 0; i < n; i++) hashes.push(load<u32>(base + 13 + <usize>(4 * i)));
    }
    if (end <= now) { end = now + d.windowNanos; count = 0; fired = false; hashes = new Array<u32>(0); }
    if (d.kind == DetectorKind.Enumeration) {
      if (!hashes.includes(this.hash) && hashes.length < d.threshold) hashes.push(this.hash);
      count = hashes.length;
    } else {
      count++;
    }
    this.count = count;
    this.firedNow = !fired && count >= d.threshold;
    if (this.firedNow) fired = true;
    this.expiresAt = end;
    const out = new Uint8Array(13 + 4 * hashes.length);
    const base = out.dataStart;
    store<u64>(base, end);
    store<u32>(base + 8, <u32>count);
    store<u8>(base + 12, fired ? 1 : 0);
    for (let i = 0; i < hashes.length; i++) store<u32>(base + 13 + <usize>(4 * i), hashes[i]);
    return out;
  }
}

// A quarantine, or its repeat: each doubles the last, up to the maximum. The record outlives the
// quarantine by the maximum, so a repeat within that time escalates. Payload: until u64,
// strikes u32, ended u8 (its end was reported).
export class Strike extends Change {
  until: u64 = 0;
  strikes: i32 = 0;
  constructor(public readonly settings: QuarantineSettings) { super(); }

  apply(payload: Uint8Array | null, now: u64): Uint8Array {
    let strikes = 0;
    if (payload !== null && payload.length >= 12) strikes = <i32>load<u32>(payload.dataStart + 8);
    let duration = this.settings.baseNanos;
    for (let i = 0; i < strikes && duration < this.settings.maxNanos; i++) duration *= 2;
    if (duration > this.settings.maxNanos) duration = this.settings.maxNanos;
    this.strikes = strikes + 1;
    this.until = now + duration;
    this.expiresAt = this.until + this.settings.maxNanos;
    return quarantineRecord(this.until, this.strikes, false);
  }
}

function quarantineRecord(until: u64, strikes: i32, ended: bool): Uint8Array {
  const out = new Uint8Array(13);
  store<u64>(out.dataStart, until);
  store<u32>(out.dataStart + 8, <u32>strikes);
  store<u8>(out.dataStart + 12, ended ? 1 : 0);
  return out;
}

// Marks a quarantine that has run out as reported, once: `marked` says this change did it (the
// worker that wins the write reports the end).
export class EndOfQuarantine extends Change {
  marked: bool = false;
  strikes: i32 = 0;
  until: u64 = 0;
  constructor(public readonly settings: QuarantineSettings) { super(); }

  apply(payload: Uint8Array | null, now: u64): Uint8Array {
    this.marked = false;
    if (payload === null || payload.length < 12) { this.expiresAt = now; return new Uint8Array(0); }
    this.until = load<u64>(payload.dataStart);
    this.strikes = <i32>load<u32>(payload.dataStart + 8);
    const ended = payload.length >= 13 && load<u8>(payload.dataStart + 12) != 0;
    this.marked = !ended && this.until <= now;
    this.expiresAt = this.until + this.settings.maxNanos;
    return quarantineRecord(this.until, this.strikes, ended || this.marked);
  }
}

// When a quarantine record's payload says it ends (0: not quarantined).
export function quarantinedUntil(payload: Uint8Array | null): u64 {
  return payload !== null && payload.length >= 12 ? load<u64>(payload.dataStart) : 0;
}

// A quarantine that has ended and whose end has not been reported yet.
export function endUnreported(payload: Uint8Array | null, now: u64): bool {
  if (payload === null || payload.length < 12) return false;
  const ended = payload.length >= 13 && load<u8>(payload.dataStart + 12) != 0;
  return !ended && load<u64>(payload.dataStart) <= now;
}

// The weight of the newest window in a rate_jump baseline (an EWMA): about the last five windows.
export const SMOOTHING: f64 = 0.3;

// One more request in a rate_jump window. The payload: window end u64, count u32, fired u8,
// windows behind the baseline u32, baseline f64. A window that closes folds its count into the
// baseline; windows with no request at all decay it.
export class RateWindow extends Change {
  count: i32 = 0;
  baseline: f64 = 0;
  firedNow: bool = false;
  constructor(public readonly detector: Detector) { super(); }

  apply(payload: Uint8Array | null, now: u64): Uint8Array {
    const d = this.detector;
    let end: u64 = now + d.windowNanos;
    let count = 0;
    let fired = false;
    let seen = 0;
    let baseline: f64 = 0;
    if (payload !== null && payload.length >= 25) {
      const base = payload.dataStart;
      end = load<u64>(base);
      count = <i32>load<u32>(base + 8);
      fired = load<u8>(base + 12) != 0;
      seen = <i32>load<u32>(base + 13);
      baseline = load<f64>(base + 17);
      if (!isFinite(baseline) || baseline < 0) baseline = 0;
      if (now >= end) {
        baseline = seen == 0 ? <f64>count : SMOOTHING * <f64>count + (1 - SMOOTHING) * baseline;
        seen++;
        const idle = (now - end) / d.windowNanos;   // whole windows without a request
        for (let i: u64 = 0; i < idle && i < 64; i++) baseline *= 1 - SMOOTHING;
        if (idle > 0) seen += <i32>min<u64>(idle, 1000);
        end = now + d.windowNanos;
        count = 0;
        fired = false;
      }
    }
    count++;
    this.count = count;
    this.baseline = baseline;
    const jump = seen >= d.warmupWindows && count >= d.threshold && <f64>count > d.factor * max<f64>(baseline, 1);
    this.firedNow = jump && !fired;
    if (this.firedNow) fired = true;
    this.expiresAt = end + d.windowNanos * 10;   // an identity idle for ten windows is forgotten
    const out = new Uint8Array(25);
    const base = out.dataStart;
    store<u64>(base, end);
    store<u32>(base + 8, <u32>count);
    store<u8>(base + 12, fired ? 1 : 0);
    store<u32>(base + 13, <u32>seen);
    store<f64>(base + 17, baseline);
    return out;
  }
}
