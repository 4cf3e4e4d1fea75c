import { SchemaNode } from "../validate/schema";

// The outcome of checking one request: a value, never an exception.

export class Decision {
  // What the deciding route accepts as a body; -1: the policy's default.
  maxBodyBytes: i64 = -1;
  contentTypes: string[] = NO_TYPES;
  detail: string = "";    // what exactly was refused, for the log line (never the reply body)
  schema: SchemaNode | null = null;   // the route's body schema, when it has one
  pointer: string = "";   // for a body that fails its schema: where, and which keyword (reply body)
  keyword: string = "";
  limit: string = "";     // for body_limit_exceeded: the setting the body ran into (reply body)
  routeAudit: bool = false;   // the deciding route is in audit mode: its body refusals are logged only
  streamBody: bool = false;   // the route streams its body instead of holding it (body_forwarding)

  constructor(
    public readonly allowed: bool,
    public readonly status: u32,      // the local reply's status when refused, or the status it
                                      // would have had when `audited`
    public readonly reason: string,   // a constant from reasons.ts; "" for a plain allow
    public readonly route: string,    // the route that decided ("" when none matched)
    public readonly rule: string,     // the rule that decided, for logs ("" when none)
    public readonly audited: bool,    // allowed only because of audit mode: a "would deny"
    public readonly shadow: bool,     // allowed on no declared route (unmatched_routes: allow)
  ) {}

  static allow(route: string, rule: string): Decision { return new Decision(true, 0, "", route, rule, false, false); }
  static deny(status: u32, reason: string, route: string, rule: string): Decision { return new Decision(false, status, reason, route, rule, false, false); }
  static shadowAllow(): Decision { return SHADOW; }

  // The same refusal, let through by audit mode.
  asAudited(): Decision {
    const d = new Decision(true, this.status, this.reason, this.route, this.rule, true, false);
    d.maxBodyBytes = this.maxBodyBytes;
    d.contentTypes = this.contentTypes;
    d.detail = this.detail;
    d.schema = this.schema;
    d.routeAudit = this.routeAudit;
    d.streamBody = this.streamBody;
    return d;
  }

  withBody(maxBodyBytes: i64, contentTypes: string[], schema: SchemaNode | null, routeAudit: bool, streamBody: bool): Decision {
    this.maxBodyBytes = maxBodyBytes;
    this.contentTypes = contentTypes;
    this.schema = schema;
    this.routeAudit = routeAudit;
    this.streamBody = streamBody;
    return this;
  }
}

const NO_TYPES: string[] = [];
const SHADOW = new Decision(true, 0, "", "", "", false, true);
