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
