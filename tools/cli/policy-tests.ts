// `meshguard test` and `meshguard diff`: policies checked against requests, through the compiled
// filter in the emulator.
//   test <tests.yaml>   requests with expected outcomes, like `opa test`: each passes or fails with
//                       what was expected and what happened
//   diff <old> <new> --requests <file>   the same requests through two policies: every decision
//                       that changes (the gate before a policy is promoted)
// The request format is `meshguard check`'s (docs/cli.md).
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ProxyWasmHost } from "../emulator/host.ts";
import { type Outcome, type RequestSpec, header, runRequest } from "../emulator/request.ts";
import { readPolicyFile } from "./policy-file.ts";

export interface Expectation { allowed?: boolean; status?: number; reason?: string; forwarded?: Record<string, string | null> }
export interface PolicyTest { name: string; request: RequestSpec; expect: Expectation }
export interface TestResult { name: string; passed: boolean; problems: string[]; status: number | null; reason: string | null }

const FIXED_ID = "meshguard-test";

async function hostFor(policy: unknown, wasm: string): Promise<ProxyWasmHost> {
  const host = await ProxyWasmHost.load(readFileSync(wasm), { pluginConfig: JSON.stringify(policy) });
  if (!host.configured) throw new Error(host.logsAt("error").at(-1)?.replace(/^meshguard: /, "") ?? "configuration refused");
  return host;
}

function run(host: ProxyWasmHost, request: RequestSpec): Outcome {
  const headers = { ...(request.headers as Record<string, string | string[]> | undefined) };
  if (!Object.keys(headers).some((k) => k.toLowerCase() === "x-request-id")) headers["x-request-id"] = FIXED_ID;
  return runRequest(host, { ...request, headers });
}

function judge(t: PolicyTest, out: Outcome): string[] {
  const e = t.expect;
  const problems: string[] = [];
  const got = out.allowed ? "allowed" : `refused ${out.status} ${out.reason}`;
  if (e.allowed !== undefined && e.allowed !== out.allowed) problems.push(`expected ${e.allowed ? "allowed" : "refused"}, got ${got}`);
  if (e.status !== undefined && e.status !== (out.status ?? 200)) problems.push(`expected status ${e.status}, got ${got}`);
  if (e.reason !== undefined && e.reason !== out.reason) problems.push(`expected reason ${e.reason}, got ${got}`);
  for (const [name, value] of Object.entries(e.forwarded ?? {})) {
    const seen = header(out.forwardedHeaders, name);
    if (value === null ? seen.length > 0 : seen[0] !== value) problems.push(`expected ${name}: ${value === null ? "(absent)" : value} upstream, got ${seen.length ? seen.join(", ") : "(absent)"}`);
  }
  return problems;
}

// A tests file: { policy: <path relative to the file, or the policy itself>, tests: [...] }.
export async function runPolicyTests(path: string, wasm: string): Promise<TestResult[]> {
  const file = readPolicyFile(path);
  const doc = file.policy as { policy?: unknown; tests?: PolicyTest[] };
  if (!doc || typeof doc !== "object" || !Array.isArray(doc.tests)) throw new Error(`${path}: expected { policy, tests: [...] }`);
  const policy = typeof doc.policy === "string" ? readPolicyFile(resolve(dirname(path), doc.policy)).policy : doc.policy;
  if (policy === undefined) throw new Error(`${path}: policy: required (a path or the policy)`);
  const host = await hostFor(policy, wasm);
  return doc.tests.map((t, i) => {
    if (!t || typeof t.request !== "object" || typeof t.expect !== "object") throw new Error(`${path}: tests[${i}]: expected { name, request, expect }`);
    const out = run(host, t.request);
    const problems = judge(t, out);
    return { name: t.name ?? `tests[${i}]`, passed: problems.length === 0, problems, status: out.status, reason: out.reason };
  });
}

export interface Change { request: string; before: string; after: string }

const describe = (o: Outcome) => (o.allowed ? "allowed" : `refused ${o.status} ${o.reason}`);

// Requests: a JSON array, or one request per line (JSON lines).
export function readRequests(path: string): RequestSpec[] {
  const text = readFileSync(path, "utf8").trim();
  if (text.startsWith("[")) return JSON.parse(text) as RequestSpec[];
  return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as RequestSpec);
}

export async function diffPolicies(oldPath: string, newPath: string, requests: RequestSpec[], wasm: string): Promise<{ changes: Change[]; total: number }> {
  const before = await hostFor(readPolicyFile(oldPath).policy, wasm);
  const after = await hostFor(readPolicyFile(newPath).policy, wasm);
  const changes: Change[] = [];
  for (const r of requests) {
    const a = describe(run(before, r));
    const b = describe(run(after, r));
    if (a !== b) changes.push({ request: `${r.method ?? "GET"} ${r.path}${r.peer ? ` peer=${r.peer}` : ""}${r.jwt_claims ? ` sub=${String((r.jwt_claims as Record<string, unknown>).sub ?? "")}` : ""}`, before: a, after: b });
  }
  return { changes, total: requests.length };
}
