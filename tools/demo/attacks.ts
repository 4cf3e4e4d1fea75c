// The six attacks the page's buttons start. Each comes with an identity of its own (a fresh one per
// click: a new address or user), sends its requests at a visible pace until meshguard quarantines
// it (or gives up after `max`), sends a few more to show the quarantine holding, and reports what
// happened: answers by status and reason, and how many requests reached the service.
import { type Caller, type Reply, reasonOf } from "./client.ts";
import { pause } from "./traffic.ts";

export interface AttackIdentity { kind: "user" | "client_ip" | "api_client"; value: string }

export interface AttackKit {
  // A caller for the attack: a token for `user`, headers, and the address it comes from.
  caller(name: string, o: { user?: { sub: string; roles?: string[]; scope?: string }; address?: string; headers?: Record<string, string> }): Caller;
  reached(name: string): number;     // requests of that caller the service received
}

export interface AttackSpec {
  id: string;
  title: string;
  story: string;                     // one sentence: what the attacker does
  detector: string;                  // the policy's detector that should catch it
  everyMs: number;
  max: number;
  plan(n: number, kit: AttackKit): { identity: AttackIdentity; caller: Caller; request(i: number): { method: string; path: string; headers?: Record<string, string>; body?: string }; warmup?: { requests: number; everyMs: number }; concurrency?: number };
}

export interface AttackRun {
  id: string; title: string; detector: string; run: number;
  identity: AttackIdentity;
  state: "warming up" | "running" | "quarantined" | "gave up";
  started_ms: number;
  sent: number;                       // requests sent (answered or still in flight)
  statuses: Record<string, number>;   // "403 not_allowed": 3
  reached_service: number;
  detected: { requests: number; ms: number } | null;      // the detector's anomaly event arrived (requests sent by then)
  quarantined: { requests: number; ms: number } | null;   // the first 429 quarantined answer
  legit_served_during: number | null; // the legitimate callers' share served while it ran (0..1)
  done: boolean;
}

const AFTER_QUARANTINE = 5;

const addr = (net: string, n: number) => `${net}.${(10 + n * 7) % 250 + 2}`;
const suffix = (n: number) => (n === 1 ? "" : `-${n}`);

export const ATTACKS: AttackSpec[] = [
  {
    id: "enumeration", title: "Object enumeration", detector: "order-scraping", everyMs: 60, max: 60,
    story: "A stolen support token walks through other customers' orders, one id after the other.",
    plan: (n, kit) => {
      const sub = `mallory${suffix(n)}`;
      return {
        identity: { kind: "user", value: sub },
        caller: kit.caller(`attack:enumeration:${n}`, { user: { sub, roles: ["support"] }, address: addr("203.0.113", n) }),
        request: (i) => ({ method: "GET", path: `/users/u${1000 + i}/orders/${5000 + i}` }),
      };
    },
  },
  {
    id: "key-guessing", title: "API-key guessing", detector: "key-guessing", everyMs: 60, max: 40,
    story: "A script on one address tries made-up partner API keys against the reports API.",
    plan: (n, kit) => {
      const address = addr("198.51.100", n);
      return {
        identity: { kind: "client_ip", value: address },
        caller: kit.caller(`attack:key-guessing:${n}`, { address }),
        request: (i) => ({ method: "GET", path: "/api/reports", headers: { "x-api-key": `pk_demo_partner_${(i * 7919 + n).toString(16).padStart(6, "0")}` } }),
      };
    },
  },
  {
    id: "traversal", title: "Path-traversal probing", detector: "path-probing", everyMs: 60, max: 40,
    story: "A scanner tries encoded dot-segments, doubled slashes and hidden endpoints to reach the admin API.",
    plan: (n, kit) => {
      const address = addr("203.0.113", n + 100);
      const probes = [
        "/api/catalog/..%2f..%2fapi/admin/users", "/api/catalog/%2e%2e/admin/users", "/api/catalog/items/..%5c..%5cadmin",
        "/api/catalog/items/%252e%252e/admin", "/api/catalog/./../admin/users", "/.env", "/actuator/env", "/api/admin%2fusers",
        "/api/catalog/items/%c0%ae%c0%ae/admin", "/.git/config", "/api/catalog/%2E%2E%2F%2E%2E%2Fetc/passwd", "/debug/pprof",
      ];
      return {
        identity: { kind: "client_ip", value: address },
        caller: kit.caller(`attack:traversal:${n}`, { address }),
        request: (i) => ({ method: "GET", path: probes[i % probes.length] }),
      };
    },
  },
  {
    id: "schema-fuzzing", title: "Schema fuzzing", detector: "schema-fuzzing", everyMs: 60, max: 40,
    story: "A signed-in user sends malformed orders: wrong types, extra fields, huge numbers, broken JSON.",
    plan: (n, kit) => {
      const sub = `fuzzer${suffix(n)}`;
      const bodies = [
        '{"sku":"ABC-001","qty":0}', '{"sku":1,"qty":1}', '{"sku":"ABC-001"}', '{"sku":"ABC-001","qty":1,"admin":true}',
        '{"sku":"../../etc","qty":1}', "[]", '{"sku":"ABC-001","qty":1e400}', '{"sku":"ABC-001","qty":', '{"sku":"ABC-001","qty":1.5}', "{}",
      ];
      return {
        identity: { kind: "user", value: sub },
        caller: kit.caller(`attack:schema-fuzzing:${n}`, { user: { sub, scope: "orders:read" }, address: addr("198.51.100", n + 100) }),
        request: (i) => ({ method: "POST", path: `/users/${sub}/orders`, headers: { "content-type": "application/json" }, body: bodies[i % bodies.length] }),
      };
    },
  },
  {
    id: "flood", title: "Flood", detector: "flood", everyMs: 0, max: 1500,
    story: "A reseller's leaked API key: three seconds at its usual pace, then a bot floods the reports API.",
    plan: (_n, kit) => ({
      identity: { kind: "api_client", value: "reseller" },
      caller: kit.caller(`attack:flood:${_n}`, { address: addr("192.0.2", _n + 100), headers: { "x-api-key": RESELLER_KEY } }),
      request: () => ({ method: "GET", path: "/api/reports" }),
      warmup: { requests: 30, everyMs: 110 },
      concurrency: 6,
    }),
  },
  {
    id: "spoofing", title: "Spoofed identity", detector: "identity-spoofing", everyMs: 60, max: 40,
    story: "A caller without a certificate sends the identity headers meshguard sets, claiming to be the admin service.",
    plan: (n, kit) => {
      const address = addr("192.0.2", n);
      return {
        identity: { kind: "client_ip", value: address },
        caller: kit.caller(`attack:spoofing:${n}`, { address, headers: { "x-meshguard-peer-id": "spiffe://demo.mesh/ns/ops/sa/admin", "x-meshguard-user": "admin" } }),
        request: (i) => ({ method: "GET", path: i % 2 === 0 ? "/api/admin/users" : `/api/orders/${i}` }),
      };
    },
  },
];

export const PARTNER_KEY = "pk_demo_partner_5f2b7c";
export const RESELLER_KEY = "pk_demo_reseller_9d41e0";

// Runs one attack to its end, updating `run` as it goes (the page reads it every second).
export type AttackPlan = ReturnType<AttackSpec["plan"]>;

export async function runAttack(spec: AttackSpec, p: AttackPlan, run: AttackRun, kit: AttackKit): Promise<void> {
  const callerName = p.caller.name;
  const t0 = run.started_ms;
  let after = 0;
  const note = (r: Reply | null, nth: number) => {
    const key = r ? `${r.status}${reasonOf(r) ? " " + reasonOf(r) : ""}` : "no answer";
    run.statuses[key] = (run.statuses[key] ?? 0) + 1;
    run.reached_service = kit.reached(callerName);
    if (r && r.status === 429 && reasonOf(r) === "quarantined" && !run.quarantined) {
      run.quarantined = { requests: nth, ms: Date.now() - t0 };
      run.state = "quarantined";
    }
  };
  const one = async (i: number) => {
    const q = p.request(i);
    run.sent++;
    const nth = run.sent;
    note(await p.caller.send(q.method, q.path, { headers: q.headers, body: q.body }).catch(() => null), nth);
  };
  try {
    if (p.warmup) {
      run.state = "warming up";
      for (let i = 0; i < p.warmup.requests; i++) { await one(i); await pause(p.warmup.everyMs); }
      run.state = "running";
    }
    let i = 0;
    const worker = async () => {
      while (i < spec.max && after < AFTER_QUARANTINE) {
        const mine = i++;
        await one(mine);
        if (run.quarantined) after++;
        if (spec.everyMs) await pause(spec.everyMs);
      }
    };
    await Promise.all(Array.from({ length: p.concurrency ?? 1 }, worker));
    if (!run.quarantined) run.state = "gave up";
  } finally {
    run.reached_service = kit.reached(callerName);
    p.caller.close();
  }
}
