// The compiled, immutable policy: what config/compile.ts makes of the plugin configuration, in
// named parts. Pure.
import { RouteTable } from "../authz/routes";
import { IdentityHeaders, IdentitySources } from "../identity/sources";
import { JsonLimits } from "../lib/json";
import { Monitoring } from "../monitor/detectors";
import { RateLimits } from "../ratelimit/limits";
import { HeaderLimits } from "../validate/hygiene";
import { HeaderTwins } from "../validate/twins";

// Request-wide limits (request_limits).
export class RequestLimits {
  constructor(
    public readonly headers: HeaderLimits,
    public readonly maxBodyBytes: i64,     // for routes that set none
    public readonly bodyJson: JsonLimits,  // depth, members, string and number sizes of bodies
  ) {}
}

export class Policy {
  constructor(
    public readonly routes: RouteTable,
    public readonly audit: bool,                  // policy-wide dry run (mode: audit)
    public readonly identity: IdentitySources,
    public readonly headers: IdentityHeaders,
    public readonly twins: HeaderTwins,           // '_' spellings of the headers above and of those read
    public readonly limits: RequestLimits,
    public readonly rateLimits: RateLimits | null,
    public readonly monitoring: Monitoring | null,
    public readonly accessLog: bool,              // the outcome in filter state, for Envoy's access log
  ) {}
}
