// `meshguard check --config <plugin-config.json> --request <request.json>`: runs the compiled
// filter in the emulator on one request and prints the outcome as JSON.
// Exit codes: 0 allowed, 1 refused, 2 the command's own input is bad (error on stderr).
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ProxyWasmHost } from "../emulator/host.ts";
import { type RequestSpec, runRequest } from "../emulator/request.ts";
import { type PolicyFile, readPolicyFile } from "./policy-file.ts";

const DEFAULT_WASM = resolve(import.meta.dirname, "..", "..", "build", "meshguard.wasm");
const USAGE = `usage: meshguard validate <policy.yaml|json> [--wasm <meshguard.wasm>]
       meshguard check --config <policy.yaml|json> --request <request.json> [--wasm <meshguard.wasm>]
       meshguard openapi <openapi.yaml|json> [--strict] [--wasm <meshguard.wasm>]
       meshguard render <policy.yaml|json> --image oci://<repo>@sha256:<digest> --namespace <ns> --app <label>
                        [--issuer <iss> --jwks-uri <url>] [--audience <aud>] [--wasm <meshguard.wasm>]
       meshguard test <tests.yaml|json> [--format json] [--wasm <meshguard.wasm>]
       meshguard diff <old-policy> <new-policy> --requests <requests.json|jsonl> [--format json] [--wasm <meshguard.wasm>]
       meshguard rollout <policy.yaml|json> --dir <watched ECDS directory> [--module <path Envoy loads>] [--wasm <meshguard.wasm>]
       meshguard package [--format compat|wasm] [--wasm <meshguard.wasm>]
       meshguard dashboard --admin <Envoy admin URL> --events <log file|-> [--policy <policy.yaml|json>] [--port <n>] [--host <addr>]
       meshguard push --registry <http(s)://host:port> --repository <name> --tag <tag> [--format compat|wasm] [--wasm <meshguard.wasm>]`;

export const CHECK_REQUEST_ID = "meshguard-check";

class InputError extends Error {}

function parseArgs(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) throw new InputError(`unexpected argument "${a}"\n${USAGE}`);
    const v = args[i + 1];
    if (v === undefined || v.startsWith("--")) throw new InputError(`${a} needs a value\n${USAGE}`);
    out[a.slice(2)] = v;
    i++;
  }
  return out;
}

function readJsonFile(path: string, what: string): unknown {
  if (!existsSync(path)) throw new InputError(`${what}: ${path} does not exist`);
  try { return JSON.parse(readFileSync(path, "utf8")); } catch (e) { throw new InputError(`${what}: ${path} is not valid JSON: ${(e as Error).message}`); }
}

const REQUEST_FIELDS = ["method", "path", "authority", "headers", "body", "peer", "jwt_claims", "dynamic_metadata"];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

// The request file format (README, "Checking a policy offline"). Strict: unknown fields are errors.
export function parseRequest(v: unknown): RequestSpec {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new InputError("request: expected a JSON object");
  const r = v as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!REQUEST_FIELDS.includes(k)) throw new InputError(`request.${k}: unknown field (known: ${REQUEST_FIELDS.join(", ")})`);
  if (typeof r.path !== "string" || r.path.length === 0) throw new InputError("request.path: required, a non-empty string");
  for (const k of ["method", "authority"]) if (r[k] !== undefined && typeof r[k] !== "string") throw new InputError(`request.${k}: expected a string`);
  if (r.peer !== undefined && r.peer !== null && typeof r.peer !== "string") throw new InputError("request.peer: expected a SPIFFE ID string or null");
  if (r.headers !== undefined) {
    if (typeof r.headers !== "object" || r.headers === null || Array.isArray(r.headers)) throw new InputError("request.headers: expected an object of name to value (or list of values)");
    for (const [k, hv] of Object.entries(r.headers)) {
      const ok = typeof hv === "string" || (Array.isArray(hv) && hv.every((x) => typeof x === "string"));
      if (!ok) throw new InputError(`request.headers.${k}: expected a string or a list of strings`);
    }
  }
  if (r.jwt_claims !== undefined && !isObject(r.jwt_claims)) throw new InputError("request.jwt_claims: expected an object (the verified JWT payload)");
  if (r.dynamic_metadata !== undefined) {
    if (!isObject(r.dynamic_metadata)) throw new InputError("request.dynamic_metadata: expected an object of filter namespace to object");
    for (const [ns, v] of Object.entries(r.dynamic_metadata)) {
      if (!isObject(v)) throw new InputError(`request.dynamic_metadata.${ns}: expected an object (e.g. {"jwt_payload": {...claims}})`);
    }
  }
  if (r.body !== undefined && typeof r.body !== "string") {
    const b = r.body as Record<string, unknown>;
    if (typeof b !== "object" || b === null || typeof b.base64 !== "string" || Object.keys(b).length !== 1) throw new InputError("request.body: expected a string or {\"base64\": \"...\"}");
  }
  return r as unknown as RequestSpec;
}

async function check(opts: Record<string, string>): Promise<number> {
  for (const k of Object.keys(opts)) if (!["config", "request", "wasm"].includes(k)) throw new InputError(`unknown option --${k}\n${USAGE}`);
  if (!opts.config || !opts.request) throw new InputError(USAGE);
  const wasm = opts.wasm ?? DEFAULT_WASM;
  if (!existsSync(wasm)) throw new InputError(`${wasm} does not exist: run npm run build`);
  if (!existsSync(opts.config)) throw new InputError(`config: ${opts.config} does not exist`);
  const request = parseRequest(readJsonFile(opts.request, "request"));
  const file = loadPolicyFile(opts.config);
  const host = await ProxyWasmHost.load(readFileSync(wasm), { pluginConfig: JSON.stringify(file.policy) });
  if (!host.configured) throw new InputError(refusal(host, file));
  // A fixed request id when the file gives none, so the output is the same on every run.
  const headers = { ...(request.headers as Record<string, string | string[]> | undefined) };
  if (!Object.keys(headers).some((k) => k.toLowerCase() === "x-request-id")) headers["x-request-id"] = CHECK_REQUEST_ID;
  const out = runRequest(host, { ...request, headers });
  const result = {
    decision: out.allowed ? "allowed" : "refused",
    status: out.status,
    reason: out.reason,
    details: out.details,
    body: out.body,
    forwarded_headers: out.forwardedHeaders,
    logs: host.logs.filter((l) => l.message.includes("\"event\"")).map((l) => l.message),
  };
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  return out.allowed ? 0 : 1;
}

// Prints the policy on stdout; warnings, a summary and errors on stderr. Exit 0, or 2 when the
// document cannot be imported (every problem on its own line, each with its JSON Pointer).
async function openapi(args: string[]): Promise<number> {
  const strict = args.includes("--strict");
  const rest = args.filter((a) => a !== "--strict");
  const opts = parseArgs(rest.slice(1));
  const doc = rest[0];
  if (!doc || doc.startsWith("--")) throw new InputError(USAGE);
  if (!existsSync(doc)) throw new InputError(`${doc} does not exist`);
  const { importOpenApi, ImportError } = await import("../openapi/import.ts");
  try {
    const report = await importOpenApi(doc, { strict, wasm: opts.wasm ?? DEFAULT_WASM });
    for (const w of report.warnings) process.stderr.write(`meshguard: warning: ${w.pointer || "/"}: ${w.message}\n`);
    process.stderr.write(`meshguard: ${report.imported} of ${report.operations} operations imported\n`);
    process.stdout.write(JSON.stringify(report.policy, null, 2) + "\n");
    return 0;
  } catch (e) {
    if (e instanceof ImportError) throw new InputError(`cannot import ${doc}:\n  ${e.problems.join("\n  ")}`);
    throw new InputError(`cannot import ${doc}: ${(e as Error).message}`);
  }
}

function loadPolicyFile(path: string): PolicyFile {
  if (!existsSync(path)) throw new InputError(`${path} does not exist`);
  try { return readPolicyFile(path); } catch (e) { throw new InputError((e as Error).message); }
}

// The filter's own refusal ("configuration refused: <field>: ..."), placed in the file.
function refusal(host: ProxyWasmHost, file: PolicyFile): string {
  const line = host.logsAt("error").at(-1)?.replace(/^meshguard: configuration refused: /, "") ?? "configuration refused";
  const field = line.split(": ")[0];
  return `${file.locate(field)}: ${line}`;
}

// `meshguard validate <policy>`: the policy through the compiled filter. Exit 0 when it is
// accepted, 1 when it is refused (the reason at its file:line:column), 2 when the command's input
// is bad.
async function validate(args: string[]): Promise<number> {
  const opts = parseArgs(args.slice(1));
  if (!args[0] || args[0].startsWith("--")) throw new InputError(USAGE);
  const wasm = opts.wasm ?? DEFAULT_WASM;
  if (!existsSync(wasm)) throw new InputError(`${wasm} does not exist: run npm run build`);
  if (!existsSync(args[0])) throw new InputError(`${args[0]} does not exist`);
  let file: PolicyFile;
  try { file = readPolicyFile(args[0]); } catch (e) { process.stderr.write(`${(e as Error).message}\n`); return 1; }   // not YAML or JSON: an invalid policy
  const host = await ProxyWasmHost.load(readFileSync(wasm), { pluginConfig: JSON.stringify(file.policy) });
  if (!host.configured) { process.stderr.write(`${refusal(host, file)}\n`); return 1; }
  const routes = (file.policy as { routes?: unknown[] }).routes?.length ?? 0;
  process.stdout.write(`${file.path}: valid (${routes} route${routes === 1 ? "" : "s"})\n`);
  return 0;
}

// `meshguard render <policy>`: the Istio manifests, as one YAML stream on stdout. The policy is
// checked by the compiled filter first (as Istio will configure it) and the manifests against
// Istio's CRD schemas. Exit 0, 1 when the policy is refused, 2 on bad arguments.
async function render(args: string[]): Promise<number> {
  const opts = parseArgs(args.slice(1));
  for (const k of Object.keys(opts)) if (!["image", "namespace", "app", "issuer", "jwks-uri", "audience", "wasm", "name"].includes(k)) throw new InputError(`unknown option --${k}\n${USAGE}`);
  if (!args[0] || !opts.image || !opts.namespace || !opts.app) throw new InputError(USAGE);
  const file = loadPolicyFile(args[0]);
  const { forIstio, renderIstio, RenderError } = await import("../istio/render.ts");
  const host = await ProxyWasmHost.load(readFileSync(opts.wasm ?? DEFAULT_WASM), { pluginConfig: JSON.stringify(forIstio(file.policy as Record<string, unknown>)) });
  if (!host.configured) { process.stderr.write(`${refusal(host, file)}\n`); return 1; }
  try {
    const docs = renderIstio(file.policy as Record<string, unknown>, { image: opts.image, namespace: opts.namespace, app: opts.app, name: opts.name, issuer: opts.issuer, jwksUri: opts["jwks-uri"], audiences: opts.audience ? [opts.audience] : undefined });
    const { stringify } = await import("yaml");
    process.stdout.write(docs.map((d) => stringify(d)).join("---\n"));
    return 0;
  } catch (e) {
    if (e instanceof RenderError) throw new InputError(e.message);
    throw e;
  }
}

// `meshguard package`: the module as an OCI image (docs/istio.md), printed as its digests; the same
// module always gives the same digests. `meshguard push`: the image to a registry, printed as the
// pinned reference `render --image` takes.
async function packageImage(args: string[], andPush: boolean): Promise<number> {
  const opts = parseArgs(args);
  const allowed = ["format", "wasm", ...(andPush ? ["registry", "repository", "tag"] : [])];
  for (const k of Object.keys(opts)) if (!allowed.includes(k)) throw new InputError(`unknown option --${k}\n${USAGE}`);
  const format = (opts.format ?? "wasm") as "compat" | "wasm";
  if (format !== "compat" && format !== "wasm") throw new InputError(`--format: compat or wasm, not ${format}`);
  const wasm = opts.wasm ?? DEFAULT_WASM;
  if (!existsSync(wasm)) throw new InputError(`${wasm} does not exist: run npm run build`);
  const { buildImage } = await import("../oci/image.ts");
  const image = buildImage(readFileSync(wasm), format);
  if (!andPush) {
    process.stdout.write(JSON.stringify({ format, manifest: image.manifest.digest, config: image.config.digest, layers: image.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.bytes.length })) }, null, 2) + "\n");
    return 0;
  }
  if (!opts.registry || !opts.repository || !opts.tag) throw new InputError(USAGE);
  const { push } = await import("../oci/registry.ts");
  const digest = await push(opts.registry.replace(/\/$/, ""), opts.repository, opts.tag, image);
  process.stdout.write(`oci://${new URL(opts.registry).host}/${opts.repository}@${digest}\n`);
  return 0;
}

// `meshguard test <file>`: exit 0 when every test passes, 1 when one fails, 2 on bad input.
async function policyTests(args: string[]): Promise<number> {
  const opts = parseArgs(args.slice(1));
  if (!args[0] || args[0].startsWith("--")) throw new InputError(USAGE);
  if (!existsSync(args[0])) throw new InputError(`${args[0]} does not exist`);
  const { runPolicyTests } = await import("./policy-tests.ts");
  let results;
  try { results = await runPolicyTests(args[0], opts.wasm ?? DEFAULT_WASM); } catch (e) { throw new InputError((e as Error).message); }
  const failed = results.filter((r) => !r.passed);
  if (opts.format === "json") process.stdout.write(JSON.stringify({ passed: results.length - failed.length, failed: failed.length, results }, null, 2) + "\n");
  else {
    for (const r of results) process.stdout.write(r.passed ? `PASS ${r.name}\n` : `FAIL ${r.name}\n${r.problems.map((p) => `     ${p}\n`).join("")}`);
    process.stdout.write(`${results.length - failed.length} passed, ${failed.length} failed\n`);
  }
  return failed.length > 0 ? 1 : 0;
}

// `meshguard diff <old> <new> --requests <file>`: exit 0 when no decision changes, 1 when some do.
async function diff(args: string[]): Promise<number> {
  const opts = parseArgs(args.slice(2));
  if (!args[0] || !args[1] || !opts.requests) throw new InputError(USAGE);
  for (const p of [args[0], args[1], opts.requests]) if (!existsSync(p)) throw new InputError(`${p} does not exist`);
  const { diffPolicies, readRequests } = await import("./policy-tests.ts");
  let result;
  try { result = await diffPolicies(args[0], args[1], readRequests(opts.requests), opts.wasm ?? DEFAULT_WASM); } catch (e) { throw new InputError((e as Error).message); }
  if (opts.format === "json") process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  else {
    for (const c of result.changes) process.stdout.write(`${c.request}: ${c.before} -> ${c.after}\n`);
    process.stdout.write(`${result.changes.length} of ${result.total} decisions change\n`);
  }
  return result.changes.length > 0 ? 1 : 0;
}

// `meshguard rollout <policy> --dir <dir>`: a policy to a plain Envoy that loads meshguard through
// file-based ECDS (docs/operations.md): checked by the compiled filter first (a refused policy is
// never written: exit 1 at its line), then written atomically; prints the version written.
async function rollout(args: string[]): Promise<number> {
  const opts = parseArgs(args.slice(1));
  for (const k of Object.keys(opts)) if (!["dir", "module", "wasm"].includes(k)) throw new InputError(`unknown option --${k}\n${USAGE}`);
  if (!args[0] || !opts.dir) throw new InputError(USAGE);
  if (!existsSync(opts.dir)) throw new InputError(`--dir: ${opts.dir} does not exist`);
  const wasm = opts.wasm ?? DEFAULT_WASM;
  const file = loadPolicyFile(args[0]);
  const host = await ProxyWasmHost.load(readFileSync(wasm), { pluginConfig: JSON.stringify(file.policy) });
  if (!host.configured) { process.stderr.write(`${refusal(host, file)}\n`); return 1; }
  const { writeExtensionConfig } = await import("../envoy/reload.ts");
  const version = writeExtensionConfig(opts.dir, resolve(opts.module ?? wasm), file.policy);
  process.stdout.write(`${file.path}: written to ${opts.dir}/meshguard.json (version ${version})\n`);
  return 0;
}

// `meshguard dashboard --admin <url> --events <file|->`: the live dashboard for any Envoy that runs
// meshguard (docs/dashboard.md). Runs until Ctrl-C; exit 0 then.
async function dashboard(args: string[]): Promise<number> {
  const opts = parseArgs(args);
  for (const k of Object.keys(opts)) if (!["admin", "events", "policy", "port", "host"].includes(k)) throw new InputError(`unknown option --${k}\n${USAGE}`);
  if (!opts.admin || !opts.events) throw new InputError(`dashboard needs --admin and --events\n${USAGE}`);
  if (!/^https?:\/\/[^/]+$/.test(opts.admin.replace(/\/$/, ""))) throw new InputError(`--admin: expected http://host:port, got ${opts.admin}`);
  if (opts.events !== "-" && !existsSync(opts.events)) throw new InputError(`--events: ${opts.events} does not exist (a file Envoy's log is written to, or - for standard input)`);
  const port = opts.port === undefined ? 4040 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`--port: expected 0 to 65535, got ${opts.port}`);
  const policy = opts.policy ? loadPolicyFile(opts.policy).policy : undefined;
  const { startDashboard } = await import("../dashboard/server.ts");
  const { eventSource } = await import("../dashboard/sources.ts");
  const d = await startDashboard({ adminUrl: opts.admin.replace(/\/$/, ""), events: eventSource(opts.events), policy, port, host: opts.host });
  process.stdout.write(`meshguard dashboard: ${d.url} (Envoy admin ${opts.admin}, events from ${opts.events === "-" ? "standard input" : opts.events}); Ctrl-C stops it\n`);
  await new Promise<void>((ok) => { for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => ok()); });
  await d.close();
  return 0;
}

export async function main(args: string[]): Promise<number> {
  try {
    if (args[0] === "--help" || args[0] === "help" || args.includes("--help")) { process.stdout.write(`${USAGE}\n`); return 0; }
    if (args[0] === "rollout") return await rollout(args.slice(1));
    if (args[0] === "dashboard") return await dashboard(args.slice(1));
    if (args[0] === "test") return await policyTests(args.slice(1));
    if (args[0] === "diff") return await diff(args.slice(1));
    if (args[0] === "package") return await packageImage(args.slice(1), false);
    if (args[0] === "push") return await packageImage(args.slice(1), true);
    if (args[0] === "render") return await render(args.slice(1));
    if (args[0] === "validate") return await validate(args.slice(1));
    if (args[0] === "openapi") return await openapi(args.slice(1));
    if (args[0] !== "check") throw new InputError(USAGE);
    return await check(parseArgs(args.slice(1)));
  } catch (e) {
    process.stderr.write(`meshguard: ${(e as Error).message}\n`);
    return 2;
  }
}
