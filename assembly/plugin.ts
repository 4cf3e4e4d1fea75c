// The plugin (root context): owns the compiled policy and the counters, built at configure time.
import { compileConfig } from "./config";
import { Counter, HeaderName, LogLevel, log } from "./host";
import { Policy } from "./policy";
import { ALL_REASONS } from "./reasons";

export const LOG_PREFIX = "meshguard: ";

export class Metrics {
  readonly allowed: Counter = new Counter("meshguard.requests.allowed");
  readonly denied: Counter = new Counter("meshguard.requests.denied");
  readonly configRejected: Counter = new Counter("meshguard.config.rejected");
  readonly byReason: Map<string, Counter> = new Map();

  constructor() {
    for (let i = 0; i < ALL_REASONS.length; i++) {
      const r = ALL_REASONS[i];
      this.byReason.set(r, new Counter("meshguard.denied." + r));
    }
  }

  deniedFor(reason: string): void {
    this.denied.increment();
    if (this.byReason.has(reason)) this.byReason.get(reason).increment();
  }
}

// Header names the pipeline uses, encoded once per policy.
export class CompiledHeaders {
  readonly path: HeaderName = new HeaderName(":path");
  readonly requestId: HeaderName = new HeaderName("x-request-id");
  readonly peer: HeaderName;
  readonly strip: HeaderName[];
  constructor(policy: Policy) {
    this.peer = new HeaderName(policy.peerHeader);
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
    log(LogLevel.Info, LOG_PREFIX + "policy loaded: " + policy.routes.length.toString() + " routes");
    return true;
  }
}
