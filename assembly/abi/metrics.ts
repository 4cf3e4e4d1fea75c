// meshguard's counters in Envoy's own stats (Prometheus at /stats/prometheus, with Envoy's
// "wasmcustom" prefix), the Tally the pipeline moves (pipeline/io.ts). Every name is defined here,
// once, at configure time; nothing is named per request. docs/operations.md lists them.
import { Tally, Stat } from "../pipeline/io";
import { Detector, Monitoring } from "../monitor/detectors";
import { RateLimits } from "../ratelimit/limits";
import { REASONS } from "../reply/reasons";
import { Counter, Gauge } from "./host";

function perReason(prefix: string): Counter[] {
  const out = new Array<Counter>(REASONS.length);
  for (let i = 0; i < REASONS.length; i++) out[i] = new Counter(prefix + REASONS[i].code);
  return out;
}

// The counters every configuration has; defined once per plugin.
export class BaseMetrics {
  readonly stats: Counter[] = [
    new Counter("meshguard.requests.allowed"),      // Stat.Allowed
    new Counter("meshguard.requests.denied"),       // Stat.Denied
    new Counter("meshguard.requests.would_deny"),   // Stat.WouldDeny
    new Counter("meshguard.requests.shadow"),       // Stat.Shadow
    new Counter("meshguard.ratelimit.table_full"),  // Stat.TableFull
    new Counter("meshguard.ratelimit.contention"),  // Stat.Contention
    new Counter("meshguard.ratelimit.host_error"),  // Stat.HostError
    new Counter("meshguard.monitor.quarantines"),   // Stat.Quarantined
    new Counter("meshguard.monitor.table_full"),    // Stat.MonitorFull
    new Counter("meshguard.monitor.host_error"),    // Stat.MonitorHostError
  ];
  readonly configRejected: Counter = new Counter("meshguard.config.rejected");
  readonly denied: Counter[] = perReason("meshguard.denied.");
  readonly wouldDeny: Counter[] = perReason("meshguard.audit.would_deny.");
  readonly liveKeys: Gauge = new Gauge("meshguard.ratelimit.live_keys");
}

// One configuration's tally: the base counters, per limit of its policy limited and would_limit,
// per detector fired.
export class HostTally extends Tally {
  private readonly limitedBy: Counter[];
  private readonly wouldLimitBy: Counter[];
  private readonly firedBy: Counter[];

  constructor(private readonly base: BaseMetrics, limits: RateLimits | null, monitoring: Monitoring | null) {
    super();
    const n = limits !== null ? limits.rules.length : 0;
    const limited = new Array<Counter>(n);
    const wouldLimit = new Array<Counter>(n);
    for (let i = 0; i < n; i++) {
      const name = limits!.rules[i].limit.name;
      limited[i] = new Counter("meshguard.ratelimit." + name + ".limited");
      wouldLimit[i] = new Counter("meshguard.ratelimit." + name + ".would_limit");
    }
    const detectors = monitoring !== null ? monitoring.detectors : new Array<Detector>(0);
    const fired = new Array<Counter>(detectors.length);
    for (let i = 0; i < detectors.length; i++) fired[i] = new Counter("meshguard.monitor." + detectors[i].name + ".fired");
    this.limitedBy = limited;
    this.wouldLimitBy = wouldLimit;
    this.firedBy = fired;
  }

  add(stat: Stat): void {
    const i = <i32>stat;
    if (i < this.base.stats.length) this.base.stats[i].increment();
  }

  refused(audited: bool, reason: i32): void {
    this.add(audited ? Stat.WouldDeny : Stat.Denied);
    const byReason = audited ? this.base.wouldDeny : this.base.denied;
    if (reason >= 0 && reason < byReason.length) byReason[reason].increment();
  }

  limited(audited: bool, limit: i32): void {
    const byLimit = audited ? this.wouldLimitBy : this.limitedBy;
    if (limit >= 0 && limit < byLimit.length) byLimit[limit].increment();
  }

  liveKeys(count: i32): void { this.base.liveKeys.set(<u64>count); }

  fired(detector: i32): void {
    if (detector >= 0 && detector < this.firedBy.length) this.firedBy[detector].increment();
  }
}
