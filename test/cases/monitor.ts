// The monitoring policy both levels use (src-host-tests/monitor.test.ts, test/monitor.e2e.test.ts):
// an orders API with object-level rules, API keys, and three detectors.
import { createHash } from "node:crypto";

export const PARTNER_KEY = "pk_live_monitor_0123456789";
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

export const MONITOR_POLICY = {
  api_keys: { header: "x-api-key", keys: [{ sha256: sha(PARTNER_KEY), client: "partner", roles: ["partner"] }] },
  routes: [
    { name: "read-order", path: "/users/{userId}/orders/{orderId}", methods: ["GET"], allow: [{ path_params: { userId: "sub" } }, { any_role: ["support"] }] },
    { name: "reports", path: "/reports", allow: [{ api_clients: ["partner"] }] },
    { name: "health", path: "/healthz", public: true },
  ],
  monitoring: {
    quarantine: { seconds: 30, max_seconds: 240, never: ["ops-robot"] },
    detectors: [
      // A user reading many different orders (anyone's: her own, or others' she is refused).
      { name: "order-scraping", kind: "enumeration", identity: "user", route: "read-order", param: "orderId", window_seconds: 10, threshold: 20, action: "quarantine" },
      // An address trying keys or tokens.
      { name: "key-guessing", kind: "refusal_burst", identity: "client_ip", groups: ["credentials"], window_seconds: 60, threshold: 10, action: "quarantine" },
      // A user refused again and again, for any reason of access or form: alert only.
      { name: "refusals", kind: "refusal_burst", identity: "user", groups: ["authorization", "validation", "undeclared"], window_seconds: 60, threshold: 15, action: "alert" },
    ],
  },
};

// The attack scene through a real Envoy (test/monitor.e2e.test.ts): the same API with one detector
// per attack, each keyed on the identity the attack comes with.
export const ATTACK_POLICY = {
  ...MONITOR_POLICY,
  routes: [
    ...MONITOR_POLICY.routes,
    { name: "create-order", path: "/orders", methods: ["POST"], allow: [{ authenticated: true }], content_types: ["application/json"],
      body_schema: { type: "object", required: ["sku", "qty"], additionalProperties: false, properties: { sku: { type: "string", maxLength: 16 }, qty: { type: "integer", minimum: 1 } } } },
  ],
  monitoring: {
    quarantine: MONITOR_POLICY.monitoring.quarantine,
    detectors: [
      MONITOR_POLICY.monitoring.detectors[0],   // order-scraping: enumeration per user
      MONITOR_POLICY.monitoring.detectors[1],   // key-guessing: credentials per client address
      { name: "route-probing", kind: "refusal_burst", identity: "user", groups: ["undeclared"], window_seconds: 60, threshold: 10, action: "quarantine" },
      { name: "schema-fuzzing", kind: "refusal_burst", identity: "user", groups: ["validation"], window_seconds: 60, threshold: 10, action: "quarantine" },
      { name: "flood", kind: "rate_jump", identity: "api_client", window_seconds: 1, threshold: 40, factor: 5, warmup_windows: 3, action: "quarantine" },
    ],
  },
};
