// The monitor of one configuration: the detectors' windows and the quarantine table, each a
// RecordStore over a SlotTable (shared data in Envoy, so every worker counts into the same windows
// and honours the same quarantines). Pure: the pipeline hands in the identities and the time.
//
// Keys name the detector and the identity, never a position in the policy, and the slots are
// seeded by a constant: a reload that keeps a detector keeps its windows and its quarantines.
import { sha256 } from "../lib/sha256";
import { slotHash } from "../ratelimit/bucket";
import { SlotTable } from "../ratelimit/limiter";
import { GROUP_RATE, Reason } from "../reply/reasons";
import { Action, Detector, DetectorKind, EndOfQuarantine, IdentityKind, Monitoring, RateWindow, Strike, WindowCount, endUnreported, quarantinedUntil } from "./detectors";
import { RecordStore, StoreStatus } from "./store";

const SEED: u32 = 0x6d67_6d6f;   // "mgmo": the same in every worker and every configuration
const MAX_RAW_IDENTITY = 100;

// The identities of one request, by IdentityKind; "" when the request has none of that kind.
export class Identities {
  readonly values: string[] = ["", "", "", ""];
  constructor(peer: string, user: string, apiClient: string, clientIp: string) {
    this.values[IdentityKind.Peer] = peer;
    this.values[IdentityKind.User] = user;
    this.values[IdentityKind.ApiClient] = apiClient;
    this.values[IdentityKind.ClientIp] = clientIp;
  }
}

// A detector that reached its threshold for one identity, and what was done.
export class Firing {
  until: u64 = 0;      // the quarantine's end (ns), when one started
  strikes: i32 = 0;    // how many quarantines this identity has had, this one included
  constructor(
    public readonly detector: Detector,
    public readonly identity: string,
    public readonly observed: i32,
    public readonly threshold: i32,   // what `observed` reached (rate_jump: factor times the baseline)
  ) {}
}

export class QuarantineHit {
  constructor(public readonly kind: IdentityKind, public readonly identity: string, public readonly until: u64) {}
}

// A quarantine that has ended, reported once (by the first request of the identity after it).
export class QuarantineEnd {
  constructor(public readonly kind: IdentityKind, public readonly identity: string, public readonly until: u64, public readonly strikes: i32) {}
}

// What the store could not do, for the counters.
export class MonitorTrouble {
  full: i32 = 0;
  hostError: i32 = 0;
}

function keyFor(prefix: u8, tag: u32, kind: IdentityKind, identity: string): Uint8Array {
  const raw = String.UTF8.encode(identity);
  const short = raw.byteLength <= MAX_RAW_IDENTITY;
  const id = short ? Uint8Array.wrap(raw) : sha256(Uint8Array.wrap(raw));
  const out = new Uint8Array(6 + id.length);
  store<u8>(out.dataStart, prefix);
  store<u32>(out.dataStart + 1, tag);
  store<u8>(out.dataStart + 5, <u8>kind);
  memory.copy(out.dataStart + 6, id.dataStart, <usize>id.length);
  return out;
}

export class Monitor {
  private readonly windows: RecordStore;
  private readonly quarantines: RecordStore;
  private readonly tags: u32[];    // per detector: a hash of its name, in its windows' keys

  constructor(public readonly config: Monitoring, windows: SlotTable, quarantines: SlotTable) {
    this.windows = new RecordStore(windows, SEED);
    this.quarantines = new RecordStore(quarantines, SEED);
    this.tags = new Array<u32>(config.detectors.length);
    for (let i = 0; i < this.tags.length; i++) this.tags[i] = slotHash(Uint8Array.wrap(String.UTF8.encode(config.detectors[i].name)), 0);
  }

  private exempt(identity: string): bool {
    return identity.length == 0 || this.config.quarantine.never.includes(identity);
  }

  // The quarantine in force on one of the request's identities, or null. The decision path's only
  // read: one lookup per identity kind some enforcing detector quarantines.
  quarantined(ids: Identities, now: u64, trouble: MonitorTrouble, ended: QuarantineEnd[]): QuarantineHit | null {
    const kinds = this.config.quarantineKinds;
    for (let k = 0; k < kinds.length; k++) {
      if (!kinds[k]) continue;
      const identity = ids.values[k];
      if (this.exempt(identity)) continue;
      const key = keyFor(0x71, 0, <IdentityKind>k, identity);
      const payload = this.quarantines.read(key, now);
      if (this.quarantines.failed) { trouble.hostError++; continue; }
      const until = quarantinedUntil(payload);
      if (until > now) return new QuarantineHit(<IdentityKind>k, identity, until);
      if (endUnreported(payload, now)) {
        // A write, once per quarantine: the worker whose write marks the end reports it.
        const end = new EndOfQuarantine(this.config.quarantine);
        if (this.quarantines.update(key, end, now) == StoreStatus.Ok && end.marked) ended.push(new QuarantineEnd(<IdentityKind>k, identity, end.until, end.strikes));
      }
    }
    return null;
  }

  // A refusal: every refusal_burst detector that counts its group. Refusals by quarantine and rate
  // limits are not counted (they are the monitor's and the limiter's own answers).
  refused(reason: Reason, ids: Identities, now: u64, out: Firing[], trouble: MonitorTrouble): void {
    if (reason.group == GROUP_RATE) return;
    const detectors = this.config.detectors;
    for (let i = 0; i < detectors.length; i++) {
      const d = detectors[i];
      if (d.kind == DetectorKind.RefusalBurst && d.groups.includes(reason.group)) this.count(d, ids, 0, now, out, trouble);
    }
  }

  // A request on a route: every enumeration detector of that route counts the parameter's value.
  routed(route: string, params: string[], ids: Identities, now: u64, out: Firing[], trouble: MonitorTrouble): void {
    const detectors = this.config.detectors;
    for (let i = 0; i < detectors.length; i++) {
      const d = detectors[i];
      if (d.kind != DetectorKind.Enumeration || d.route != route || d.param >= params.length) continue;
      this.count(d, ids, slotHash(Uint8Array.wrap(String.UTF8.encode(params[d.param])), 1) | 1, now, out, trouble);
    }
  }

  // Any request of an identity: every rate_jump detector counts it.
  requested(ids: Identities, now: u64, out: Firing[], trouble: MonitorTrouble): void {
    const detectors = this.config.detectors;
    for (let i = 0; i < detectors.length; i++) {
      const d = detectors[i];
      if (d.kind != DetectorKind.RateJump) continue;
      const identity = ids.values[<i32>d.identity];
      if (this.exempt(identity)) continue;
      const change = new RateWindow(d);
      const status = this.windows.update(keyFor(0x77, this.tags[d.index], d.identity, identity), change, now);
      if (status == StoreStatus.Full || status == StoreStatus.Contention) { trouble.full++; continue; }
      if (status == StoreStatus.HostError) { trouble.hostError++; continue; }
      if (change.firedNow) this.fire(d, identity, change.count, <i32>Math.ceil(d.factor * max<f64>(change.baseline, 1)), now, out, trouble);
    }
  }

  get watchesRequests(): bool {
    const detectors = this.config.detectors;
    for (let i = 0; i < detectors.length; i++) if (detectors[i].kind == DetectorKind.RateJump) return true;
    return false;
  }

  get watchesRoutes(): bool {
    const detectors = this.config.detectors;
    for (let i = 0; i < detectors.length; i++) if (detectors[i].kind == DetectorKind.Enumeration) return true;
    return false;
  }

  private count(d: Detector, ids: Identities, hash: u32, now: u64, out: Firing[], trouble: MonitorTrouble): void {
    const identity = ids.values[<i32>d.identity];
    if (this.exempt(identity)) return;
    const change = new WindowCount(d, hash);
    const status = this.windows.update(keyFor(0x77, this.tags[d.index], d.identity, identity), change, now);
    if (status == StoreStatus.Full || status == StoreStatus.Contention) { trouble.full++; return; }
    if (status == StoreStatus.HostError) { trouble.hostError++; return; }
    if (change.firedNow) this.fire(d, identity, change.count, d.threshold, now, out, trouble);
  }

  private fire(d: Detector, identity: string, observed: i32, threshold: i32, now: u64, out: Firing[], trouble: MonitorTrouble): void {
    const firing = new Firing(d, identity, observed, threshold);
    if (d.action == Action.Quarantine && !d.audit) this.quarantine(d, identity, firing, now, trouble);
    out.push(firing);
  }

  private quarantine(d: Detector, identity: string, firing: Firing, now: u64, trouble: MonitorTrouble): void {
    const strike = new Strike(this.config.quarantine);
    const status = this.quarantines.update(keyFor(0x71, 0, d.identity, identity), strike, now);
    if (status == StoreStatus.HostError) { trouble.hostError++; return; }
    if (status != StoreStatus.Ok) { trouble.full++; return; }
    firing.until = strike.until;
    firing.strikes = strike.strikes;
  }
}
