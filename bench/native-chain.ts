// The benchmark's native comparison: the policy meshguard enforces in the GET scenarios, written
// with Envoy's own filters after jwt_authn. RBAC allows GET on the orders template for a token
// whose roles include "reader"; optionally with a CEL condition that the path's {userId} is the
// token's subject (the object-level rule); local_ratelimit holds one large token bucket (Envoy's
// local rate limit has no per-user bucket without descriptors, so this is the cheaper form).
import { JWT_PAYLOAD_KEY } from "../tools/envoy/config.ts";

const JWT_NS = "envoy.filters.http.jwt_authn";
// A parsed CEL expression (google.api.expr.v1alpha1.Expr); every node needs its own id.
let ids = 0;
const str = (v: string) => ({ id: ++ids, const_expr: { string_value: v } });
const call = (fn: string, args: object[], target?: object) => ({ id: ++ids, call_expr: { ...(target ? { target } : {}), function: fn, args } });
const select = (operand: object, field: string) => ({ id: ++ids, select_expr: { operand, field } });
const ident = (name: string) => ({ id: ++ids, ident_expr: { name } });

// request.path.startsWith("/api/users/" + metadata.filter_metadata[JWT_NS][payload]["sub"] + "/")
const SUB = call("_[_]", [call("_[_]", [call("_[_]", [select(ident("metadata"), "filter_metadata"), str(JWT_NS)]), str(JWT_PAYLOAD_KEY)]), str("sub")]);
const OWNER_CONDITION = call("startsWith", [call("_+_", [call("_+_", [str("/api/users/"), SUB]), str("/")])], select(ident("request"), "path"));

export function nativeChain(o: { ownerCondition: boolean }): object[] {
  return [
    {
      name: "envoy.filters.http.rbac",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
        rules: {
          action: "ALLOW",
          policies: {
            "read-order": {
              permissions: [{ and_rules: { rules: [
                { header: { name: ":method", string_match: { exact: "GET" } } },
                { url_path: { path: { safe_regex: { regex: "^/api/users/[^/]+/orders/[^/]+$" } } } },
              ] } }],
              principals: [{ sourced_metadata: { metadata_matcher: { filter: JWT_NS, path: [{ key: JWT_PAYLOAD_KEY }, { key: "roles" }], value: { list_match: { one_of: { string_match: { exact: "reader" } } } } } } }],
              // Envoy leaves CEL's string concatenation off unless the policy turns it on.
              ...(o.ownerCondition ? { condition: OWNER_CONDITION, cel_config: { enable_string_concat: true } } : {}),
            },
          },
        },
      },
    },
    {
      name: "envoy.filters.http.local_ratelimit",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
        stat_prefix: "bench_rl",
        token_bucket: { max_tokens: 1000000000, tokens_per_fill: 1000000000, fill_interval: "1s" },
        filter_enabled: { runtime_key: "bench_rl_enabled", default_value: { numerator: 100, denominator: "HUNDRED" } },
        filter_enforced: { runtime_key: "bench_rl_enforced", default_value: { numerator: 100, denominator: "HUNDRED" } },
      },
    },
  ];
}
