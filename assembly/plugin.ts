// The plugin (root context): owns the compiled policy and the counters, built at configure time.
import { compileConfig } from "./config";
import { Counter, HeaderName, LogLevel, log } from "./host";
import { Policy } from "./policy";
import { ALL_REASONS } from "./reasons";

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
  constructor(policy: Policy) {
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
    log(LogLevel.Info, LOG_PREFIX + "policy loaded: " + policy.routes.length.toString() + " routes" + (policy.audit ? " (audit mode)" : ""));
    return true;
  }
}
