// The plugin (root context): compiles each configuration into one FilterConfig and swaps it in
// whole; sweeps the rate limiter's idle buckets on the tick.
import { compileConfig } from "../config/compile";
import { Policy } from "../config/policy";
import { sha256 } from "../lib/sha256";
import { hexOf } from "../lib/text";
import { FilterConfig } from "../pipeline/filter-config";
import { Monitor } from "../monitor/monitor";
import { Limiter, LocalSlotTable, SlotTable } from "../ratelimit/limiter";
import { LOG_PREFIX } from "../reply/event-fields";
import { LogLevel, log, nowNanos, setTickPeriod } from "./host";
import { BaseMetrics, HostTally } from "./metrics";
import { SharedSlotTable } from "./shared-slots";

// How often idle buckets are swept, and how many slots a tick looks at (a full pass of the
// default 10,000 slots takes 10 ticks).
export const TICK_MS: u32 = 1000;
export const SWEEP_MIN_PER_TICK: i32 = 1000;

export class Plugin {
  // The configuration in force; null until one was accepted. Streams capture it when they start.
  config: FilterConfig | null = null;
  metrics: BaseMetrics | null = null;
  // Counts refusals while no configuration was accepted (after a refused one).
  fallbackTally: HostTally | null = null;

  // Returns false (Envoy then refuses the configuration) when the policy does not compile.
  // A bad policy never replaces a good one: on failure the previous configuration stays in force.
  configure(bytes: Uint8Array): bool {
    let metrics = this.metrics;
    if (metrics === null) {
      metrics = new BaseMetrics();
      this.metrics = metrics;
      this.fallbackTally = new HostTally(metrics, null, null);
    }
    const result = compileConfig(bytes);
    const policy = result.policy;
    if (policy === null) {
      metrics.configRejected.increment();
      log(LogLevel.Error, LOG_PREFIX + "configuration refused: " + result.error);
      return false;
    }
    const digest = sha256(bytes);
    const version = hexOf(digest, 6);
    const m = policy.monitoring;
    const monitor = m !== null ? new Monitor(m, new SharedSlotTable(m.slots, "mg:mon:"), new SharedSlotTable(m.quarantineSlots, "mg:q:")) : null;
    this.config = new FilterConfig(policy, this.limiterFor(policy, digest), new HostTally(metrics, policy.rateLimits, m), version, monitor);
    log(LogLevel.Info, LOG_PREFIX + "policy loaded: " + policy.routes.routes.length.toString() + " routes" + (policy.audit ? " (audit mode)" : "") + ", version " + version);
    return true;
  }

  // Slot positions are seeded from the policy's digest: the same in every worker, and not
  // guessable from outside unless the policy is known.
  private limiterFor(policy: Policy, digest: Uint8Array): Limiter | null {
    const rl = policy.rateLimits;
    if (rl === null) return null;
    const seed = (<u32>digest[0] << 24) | (<u32>digest[1] << 16) | (<u32>digest[2] << 8) | <u32>digest[3];
    const table: SlotTable = rl.shared ? new SharedSlotTable(rl.slots, "mg:rl:") : new LocalSlotTable(rl.slots);
    setTickPeriod(TICK_MS);
    return new Limiter(table, rl.limits, seed, rl.shared);
  }

  onTick(): void {
    const config = this.config;
    if (config === null) return;
    const limiter = config.limiter;
    if (limiter === null) return;
    const perTick = max(SWEEP_MIN_PER_TICK, limiter.table.size / 10);
    config.tally.liveKeys(limiter.sweep(perTick, nowNanos()));
  }
}
