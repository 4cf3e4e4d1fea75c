// The plugin (root context): owns the compiled policy and the counters, built at configure time.
import { compileConfig } from "../config/compile";
import { Counter, Gauge, HeaderName, LogLevel, log, nowNanos, setTickPeriod } from "./host";
import { LocalSlotTable, Limiter, SharedSlotTable, SlotTable } from "../ratelimit/limiter";
import { Policy } from "../authz/policy";
import { RateLimits } from "../ratelimit/limits";
import { ALL_REASONS } from "../reply/reasons";
import { sha256 } from "../lib/sha256";

// How often idle buckets are swept, and how many slots a tick looks at (a full pass of the
// default 10,000 slots takes 10 ticks).
export const TICK_MS: u32 = 1000;
export const SWEEP_MIN_PER_TICK: i32 = 1000;

export const LOG_PREFIX = "meshguard: ";

function countersByReason(prefix: string): Map<string, Counter> {
  const m = new Map<string, Counter>();
  for (let i = 0; i < ALL_REASONS.length; i++) m.set(ALL_REASONS[i], new Counter(prefix + ALL_REASONS[i]));
  return m;
}

// Every name is defined here, once; nothing is named per request.
export class Metrics {
  readonly allowed: Counter = new Counter("meshguard.requests.allowed");
  readonly denied: Counter = new Counter("meshguard.requests.denied");
  readonly wouldDeny: Counter = new Counter("meshguard.audit.would_deny");
  readonly shadow: Counter = new Counter("meshguard.requests.shadow");
  readonly configRejected: Counter = new Counter("meshguard.config.rejected");
  readonly deniedByReason: Map<string, Counter> = countersByReason("meshguard.denied.");
  readonly wouldDenyByReason: Map<string, Counter> = countersByReason("meshguard.audit.would_deny.");

  deniedFor(reason: string): void {
    this.denied.increment();
    if (this.deniedByReason.has(reason)) this.deniedByReason.get(reason).increment();
  }

  wouldDenyFor(reason: string): void {
    this.wouldDeny.increment();
    if (this.wouldDenyByReason.has(reason)) this.wouldDenyByReason.get(reason).increment();
  }
}

// Per-limit counters and the limiter's own, defined when a policy with limits is loaded.
export class LimitMetrics {
  readonly limited: Counter[];
  readonly wouldLimit: Counter[];
  readonly tableFull: Counter = new Counter("meshguard.ratelimit.table_full");
  readonly contention: Counter = new Counter("meshguard.ratelimit.contention");
  readonly hostError: Counter = new Counter("meshguard.ratelimit.host_error");
  readonly liveKeys: Gauge = new Gauge("meshguard.ratelimit.live_keys");
  constructor(limits: RateLimits) {
    this.limited = new Array<Counter>(limits.rules.length);
    this.wouldLimit = new Array<Counter>(limits.rules.length);
    for (let i = 0; i < limits.rules.length; i++) {
      const name = limits.rules[i].limit.name;
      this.limited[i] = new Counter("meshguard.ratelimit." + name + ".limited");
      this.wouldLimit[i] = new Counter("meshguard.ratelimit." + name + ".would_limit");
    }
  }
}

function limitKeyHeaders(rl: RateLimits | null): HeaderName[] {
  const names = rl !== null ? rl.headerNames : new Array<string>(0);
  const out = new Array<HeaderName>(names.length);
  for (let i = 0; i < names.length; i++) out[i] = new HeaderName(names[i]);
  return out;
}

// Header names the pipeline uses, encoded once per policy.
export class CompiledHeaders {
  readonly path: HeaderName = new HeaderName(":path");
  readonly method: HeaderName = new HeaderName(":method");
  readonly authority: HeaderName = new HeaderName(":authority");
  readonly requestId: HeaderName = new HeaderName("x-request-id");
  readonly peer: HeaderName;
  readonly user: HeaderName;
  readonly client: HeaderName;
  readonly apiKey: HeaderName;
  readonly strip: HeaderName[];
  readonly xff: HeaderName = new HeaderName("x-forwarded-for");
  readonly contentLength: HeaderName = new HeaderName("content-length");
  readonly contentType: HeaderName = new HeaderName("content-type");
  readonly transferEncoding: HeaderName = new HeaderName("transfer-encoding");
  readonly limitKeys: HeaderName[];      // headers that rate-limit keys read
  readonly retryAfter: HeaderName = new HeaderName("retry-after");
  readonly rateLimitPolicy: HeaderName = new HeaderName("ratelimit-policy");
  readonly rateLimit: HeaderName = new HeaderName("ratelimit");
  constructor(policy: Policy) {
    this.limitKeys = limitKeyHeaders(policy.rateLimits);
    this.peer = new HeaderName(policy.peerHeader);
    this.user = new HeaderName(policy.userHeader);
    this.client = new HeaderName(policy.clientHeader);
    this.apiKey = new HeaderName(policy.apiKeyHeader);
    this.strip = new Array<HeaderName>(policy.stripHeaders.length);
    for (let i = 0; i < policy.stripHeaders.length; i++) this.strip[i] = new HeaderName(policy.stripHeaders[i]);

  }
}

export class Plugin {
  policy: Policy | null = null;
  headers: CompiledHeaders | null = null;
  metrics: Metrics | null = null;
  limiter: Limiter | null = null;
  limitMetrics: LimitMetrics | null = null;

  // Returns false (Envoy then refuses the configuration) when the policy does not compile.
  // A bad policy never replaces a good one: on failure the previous policy stays in force.
  configure(bytes: Uint8Array): bool {
    if (this.metrics === null) this.metrics = new Metrics();
    const result = compileConfig(bytes);
    if (!result.ok) {
      this.metrics!.configRejected.increment();
      log(LogLevel.Error, LOG_PREFIX + "configuration refused: " + result.error);
      return false;
    }
    const policy = result.policy!;
    this.headers = new CompiledHeaders(policy);
    this.policy = policy;
    this.startLimiter(policy, bytes);
    log(LogLevel.Info, LOG_PREFIX + "policy loaded: " + policy.routes.length.toString() + " routes" + (policy.audit ? " (audit mode)" : ""));
    return true;
  }

  // Slot positions are seeded from the policy's digest: the same in every worker, and not
  // guessable from outside unless the policy is known.
  startLimiter(policy: Policy, config: Uint8Array): void {
    const rl = policy.rateLimits;
    if (rl === null) { this.limiter = null; this.limitMetrics = null; return; }
    const digest = sha256(config);
    const seed = (<u32>digest[0] << 24) | (<u32>digest[1] << 16) | (<u32>digest[2] << 8) | <u32>digest[3];
    const table: SlotTable = rl.shared ? new SharedSlotTable(rl.slots) : new LocalSlotTable(rl.slots);
    this.limiter = new Limiter(table, rl.limits, seed);
    this.limitMetrics = new LimitMetrics(rl);
    setTickPeriod(TICK_MS);
  }

  onTick(): void {
    const limiter = this.limiter;
    const lm = this.limitMetrics;
    if (limiter === null || lm === null) return;
    const perTick = max(SWEEP_MIN_PER_TICK, limiter.table.size / 10);
    lm.liveKeys.set(<u64>limiter.sweep(perTick, nowNanos()));
  }
}
