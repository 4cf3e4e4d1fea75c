// Requests and the outcome meshguard puts in filter state for Envoy's access log (policy
// access_log: true), for the emulator and a real Envoy.
export const ACCESS_LOG_POLICY = {
  access_log: true,
  api_keys: { header: "x-api-key", keys: [{ sha256: "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", client: "partner", roles: [] }] },   // "password"
  routes: [
    { name: "open", path: "/open", public: true },
    { name: "partners", path: "/partners", allow: [{ api_clients: ["partner"] }] },
    { name: "orders", path: "/orders", methods: ["POST"], public: true, body_schema: { type: "object", required: ["qty"] } },
  ],
};

export interface AccessLogCase { name: string; method?: string; path: string; headers?: Record<string, string>; body?: string; status: number; outcome: Record<string, string> }

export const ACCESS_LOG_CASES: AccessLogCase[] = [
  { name: "allowed on a public route", path: "/open", status: 200, outcome: { decision: "allow", reason: "", route: "open" } },
  { name: "allowed API client", path: "/partners", headers: { "x-api-key": "password" }, status: 200, outcome: { decision: "allow", reason: "", route: "partners", api_client: "partner" } },
  { name: "refused at the headers", path: "/partners", status: 401, outcome: { decision: "deny", reason: "identity_missing", route: "partners" } },
  { name: "refused on no route", path: "/nowhere", status: 404, outcome: { decision: "deny", reason: "route_not_declared", route: "" } },
  { name: "refused by its body (after the headers went on)", method: "POST", path: "/orders", headers: { "content-type": "application/json" }, body: '{"n":1}', status: 400, outcome: { decision: "deny", reason: "body_schema_violation", route: "orders" } },
];
