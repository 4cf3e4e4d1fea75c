// Step 7 of the pipeline: rate limits. A token is taken from every limit that applies, in order;
// the first that has none refuses with 429 (Retry-After and the RateLimit fields), unless the
// limit's own mode is audit (the policy's and the route's modes are about access and validation:
// a dry run of new rules does not switch off the limits that protect the service). On success the tightest limit's fields are kept for
// the response (rate_limits.response_headers).
import { Decision } from "../authz/route";
import { Caller } from "../identity/caller";
import { HeaderName, HeaderSnapshot } from "../lib/headers";
import { Limit } from "../ratelimit/bucket";
import { Limiter, TakeStatus } from "../ratelimit/limiter";
import { BucketFacts, LimitRule, RateLimits, WhenFull, bucketKey, clientIpOf } from "../ratelimit/limits";
import { HEADER_INVALID, RATE_LIMITED, RATE_LIMIT_UNAVAILABLE } from "../reply/reasons";
import { Stat, StreamIO } from "./io";
import { Settler } from "./settle";

const XFF = new HeaderName("x-forwarded-for");
const RATE_LIMITED_HEADERS: string[] = ["content-type", "retry-after", "ratelimit-policy", "ratelimit"];
const NO_HEADERS: string[] = [];   // read-only: the facts of a policy whose keys name no header
const NO_REPEATS: bool[] = [];

// RateLimit-Policy and RateLimit field values (IETF httpapi draft "RateLimit header fields"):
// q the capacity, w the seconds to refill from empty, r the tokens left, t seconds to wait.
export function policyField(l: Limit): string {
  return "\"" + l.name + "\";q=" + (<i64>l.capacity).toString() + ";w=" + l.windowSeconds.toString();
}
export function limitField(l: Limit, remaining: f64, seconds: f64): string {
  return "\"" + l.name + "\";r=" + (<i64>Math.floor(remaining)).toString() + ";t=" + (<i64>Math.ceil(seconds)).toString();
}

// What the response will carry when the request is allowed: the tightest limit's fields.
export class Quota {
  policy: string = "";
  left: string = "";
  tightest: f64 = f64.MAX_VALUE;
}

export class LimitStep {
  quota: Quota | null = null;
  private facts: BucketFacts | null = null;
  private now: u64 = 0;

  constructor(
    private readonly settler: Settler,
    private readonly io: StreamIO,
    private readonly limits: RateLimits,
    private readonly limiter: Limiter,
  ) {}

  // Returns true when the request was refused.
  run(caller: Caller, decision: Decision, snapshot: HeaderSnapshot): bool {
    const route = decision.routeName;
    const rules = this.limits.rules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      if (!rule.appliesTo(route)) continue;
      if (this.facts === null) { this.facts = this.factsFor(caller, route, snapshot); this.now = this.io.now(); }
      if (this.takeFrom(rule, decision)) return true;
    }
    return false;
  }

  // One limit: true when it refused the request.
  private takeFrom(rule: LimitRule, decision: Decision): bool {
    const tally = this.settler.config.tally;
    const limit = rule.limit;
    const repeated = rule.repeatedKey(this.facts!);
    if (repeated >= 0) {
      const detail = this.limits.headers[repeated].name + " given more than once: it keys limit " + limit.name;
      if (this.settler.settle(this.withRule(Decision.refuseFor(HEADER_INVALID, decision.route, detail), limit), rule.audit, "")) return true;
    }
    const result = this.limiter.takeToken(limit, bucketKey(rule, this.facts!), this.now);
    if (result.status == TakeStatus.HostError) {
      // Envoy's shared data failed: no token was taken, so none is granted (fail closed).
      tally.add(Stat.HostError);
      const d = Decision.refuseFor(RATE_LIMIT_UNAVAILABLE, decision.route, "limit " + limit.name + ": shared data failed");
      return this.settler.settle(this.withRule(d, limit), rule.audit, "");
    }
    if (result.status == TakeStatus.Contention) { tally.add(Stat.Contention); return false; }
    if (result.status == TakeStatus.TableFull) {
      tally.add(Stat.TableFull);
      if (this.limits.whenFull == WhenFull.Allow) return false;
      return this.refuse(rule, 1.0 / limit.ratePerSecond, decision);
    }
    const t = result.take!;
    if (!t.allowed) return this.refuse(rule, t.waitSeconds, decision);
    if (this.limits.responseHeaders && t.tokens < this.tightest()) {
      const q = this.quota !== null ? this.quota! : new Quota();
      q.tightest = t.tokens;
      q.policy = policyField(limit);
      q.left = limitField(limit, t.tokens, (limit.capacity - t.tokens) / limit.ratePerSecond);
      this.quota = q;
    }
    return false;
  }

  private tightest(): f64 { const q = this.quota; return q !== null ? q.tightest : f64.MAX_VALUE; }

  private withRule(d: Decision, limit: Limit): Decision {
    const r = new Decision(d.reason, d.route, limit.name, false, false);
    r.detail = d.detail;
    return r;
  }

  // A 429, or in audit mode a would-deny and the per-limit would_limit counter.
  private refuse(rule: LimitRule, waitSeconds: f64, decision: Decision): bool {
    const limit = rule.limit;
    const d = this.withRule(Decision.refuseFor(RATE_LIMITED, decision.route, "limit " + limit.name), limit);
    const audited = rule.audit;
    this.settler.config.tally.limited(audited, limit.index);
    if (audited) { this.settler.wouldDeny(d, ""); return false; }
    const wait = max<i64>(1, <i64>Math.ceil(waitSeconds));
    this.settler.deny(d, "", RATE_LIMITED_HEADERS, ["application/json", wait.toString(), policyField(limit), limitField(limit, 0, <f64>wait)]);
    return true;
  }

  private factsFor(caller: Caller, route: string, snapshot: HeaderSnapshot): BucketFacts {
    const rl = this.limits;
    let ip = "";
    if (rl.usesClientIp) {
      const xff = rl.trustedHops > 0 ? snapshot.value(XFF.bytes) : "";
      ip = clientIpOf(this.io.sourceAddress(), xff, rl.trustedHops);
    }
    const n = rl.headers.length;
    const values = n > 0 ? new Array<string>(n) : NO_HEADERS;
    const repeated = n > 0 ? new Array<bool>(n) : NO_REPEATS;
    for (let i = 0; i < n; i++) {
      const name = rl.headers[i].bytes;
      const at = snapshot.find(name);
      values[i] = at >= 0 ? snapshot.valueOf(at) : "";
      repeated[i] = at >= 0 && snapshot.find(name, at + 1) >= 0;
    }
    return new BucketFacts(caller, route, ip, values, repeated);
  }
}
