// `meshguard openapi <document>`: an OpenAPI 3.0 or 3.1 document as a meshguard policy. Its
// operations become the API's inventory (every other route is refused as a shadow API);
// parameters, JSON request bodies and security requirements become checks. What the subset cannot
// express is worked around and reported as a warning (a check left out, an operation skipped), or,
// with --strict, refused; every problem is reported in one run, each with its JSON Pointer into the
// document. The policy is loaded into the compiled filter before it is returned, route by route,
// so it is known to be accepted.
import SwaggerParser from "@apidevtools/swagger-parser";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ProxyWasmHost } from "../emulator/host.ts";
import { type Json, type Problem, Problems, deref, pointer } from "./document.ts";
import { SchemaConverter } from "./schema.ts";

export const DEFAULT_WASM = resolve(import.meta.dirname, "..", "..", "build", "meshguard.wasm");
// A JSON media type (application/json, application/<x>+json), parameters allowed.
const JSON_TYPE = /^application\/(.+\+)?json\s*(;|$)/i;
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

export class ImportError extends Error {
  constructor(public problems: string[]) { super(problems.join("\n")); }
}

export interface ImportReport {
  policy: Json;
  warnings: Problem[];
  operations: number;   // in the document
  imported: number;     // routes in the policy
}

export interface ImportOptions { strict?: boolean; wasm?: string }

export async function importOpenApi(path: string, options: ImportOptions = {}): Promise<ImportReport> {
  const strict = options.strict ?? false;
  const api = (await SwaggerParser.bundle(path)) as unknown as Json;   // external references brought in
  if (typeof api.openapi !== "string" || !api.openapi.startsWith("3.")) throw new ImportError(["/: not an OpenAPI 3.0 or 3.1 document"]);
  if (strict) {
    try { await SwaggerParser.validate(structuredClone(api) as never); } catch (e) { throw new ImportError([`/: ${(e as Error).message.split("\n")[0]}`]); }
  }
  const problems = new Problems(strict);
  const importer = new OperationImporter(api, problems);
  const routes: Located[] = [];
  let operations = 0;
  for (const [template, rawItem] of Object.entries((api.paths ?? {}) as Record<string, Json>)) {
    const item = deref(api, rawItem);
    for (const method of METHODS) {
      if (!item?.[method]) continue;
      operations++;
      const route = importer.operation(template, item, method);
      if (route) routes.push({ route, at: pointer(pointer("/paths", template), method) });
    }
  }
  const accepted = await acceptedByFilter(routes, problems, options.wasm ?? DEFAULT_WASM);
  if (problems.errors.length > 0) throw new ImportError(problems.errors.map((p) => `${p.pointer || "/"}: ${p.message}`));
  return { policy: { routes: accepted, unmatched_routes: "deny" }, warnings: problems.warnings, operations, imported: accepted.length };
}

// A route and the pointer of the operation it came from.
interface Located { route: Json; at: string }

// One operation as a route, or null when it cannot be one (reported).
class OperationImporter {
  private readonly schemas: SchemaConverter;
  // method + route shape, literals in ASCII lowercase → the operation that has it, and its shape as
  // written (meshguard refuses two routes that differ only in letter case: config/routes.ts)
  private readonly seen = new Map<string, { name: string; shape: string }>();

  constructor(private readonly api: Json, private readonly problems: Problems) {
    this.schemas = new SchemaConverter(api, problems);
  }

  operation(template: string, item: Json, method: string): Json | null {
    const op = deref(this.api, item[method] as Json);
    const at = pointer(pointer("/paths", template), method);
    const name = (op.operationId as string | undefined) ?? `${method.toUpperCase()} ${template}`;
    const path = this.template(template, at);
    if (path === null) return null;
    // HEAD is matched as GET too (authz/routes.ts): a head and a get operation share a shape.
    const shape = `${method === "head" ? "get" : method} ${path.path.replace(/\{[^}]*\}/g, "{}").replace(/\/$/, "")}`;
    const folded = shape.replace(/[A-Z]/g, (c) => c.toLowerCase());
    const twin = this.seen.get(folded);
    if (twin && twin.shape === shape) { this.problems.warn(at, `matches the same requests as ${twin.name}; operation ${name} skipped`); return null; }
    if (twin) { this.problems.warn(at, `differs from ${twin.name} only in letter case, which servers that route without regard to case read as one route; operation ${name} skipped`); return null; }
    this.seen.set(folded, { name, shape });
    const route: Json = { name, path: path.path, methods: [method.toUpperCase()] };
    this.parameters(route, [...((item.parameters ?? []) as Json[]), ...((op.parameters ?? []) as Json[])], path.names, at);
    this.body(route, op, at);
    this.security(route, op, at);
    return route;
  }

  // {name} segments only (meshguard parameter names: letters, digits, '_'; others are renamed). A
  // segment that mixes a parameter with text ("{name}:verb", "{a}.{b}") cannot be matched exactly.
  private template(template: string, at: string): { path: string; names: Map<string, string> } | null {
    const names = new Map<string, string>();
    if (/[#?]/.test(template)) {
      this.problems.warn(at, `path ${template}: an operation told apart by what follows '#' or '?' (a header or a query value, as AWS documents write them) cannot be a meshguard route, which is a method and a path; operation skipped`);
      return null;
    }
    const segments = template.split("/").map((seg) => {
      const m = /^\{([^{}]+)\}$/.exec(seg);
      if (!m) return seg.includes("{") || seg.includes("}") ? null : seg;
      const safe = m[1].replace(/[^A-Za-z0-9_]/g, "_");
      names.set(m[1], safe);
      return `{${safe}}`;
    });
    if (segments.some((s) => s === null)) { this.problems.warn(at, `path template ${template}: a segment that mixes a parameter with text cannot be matched exactly; operation skipped`); return null; }
    return { path: segments.join("/") || "/", names };
  }

  private parameters(route: Json, raw: Json[], names: Map<string, string>, at: string): void {
    const params = new Map<string, { p: Json; where: string }>();
    raw.forEach((r, i) => { const p = deref(this.api, r); if (p) params.set(`${p.in}:${p.name}`, { p, where: pointer(pointer(at, "parameters"), i) }); });
    const paramTypes: Json = {};
    const query: Json = {};
    const required: string[] = [];
    const patterns: Json = {};
    for (const { p, where } of params.values()) {
      const schema = deref(this.api, p.schema as Json | undefined);
      const type = scalarType(schema);
      const name = String(p.name);
      if (p.in === "path") {
        if (type === null) this.problems.warn(where, `path parameter ${name} is an array or object; not type-checked`);
        else if (type !== "string") paramTypes[names.get(name) ?? name] = type;
      } else if (p.in === "query") {
        const lenient = (n: string) => n.replace(/^ +/, "").split("[")[0].toLowerCase().replace(/[ .]/g, "_");
        if ([...names.values()].some((n) => lenient(n) === lenient(name))) { this.problems.warn(where, `query parameter ${name} is named as a path parameter: frameworks read one for the other, so meshguard refuses such a query; not declared`); continue; }
        if (type === null) { this.problems.warn(where, `query parameter ${name} is an array or object (style ${String(p.style ?? "form")}); not checked`); continue; }
        const spec: Json = { type };
        if (p.required) spec.required = true;
        if (typeof schema?.maxLength === "number") spec.max_length = schema.maxLength;
        if (Array.isArray(schema?.enum)) spec.enum = [...new Set((schema.enum as unknown[]).filter((v) => v !== null).map(String))];
        if (typeof schema?.pattern === "string") spec.pattern = schema.pattern;
        query[name] = spec;
      } else if (p.in === "header") {
        const header = name.toLowerCase();
        if (p.required) required.push(header);
        if (Array.isArray(schema?.enum)) patterns[header] = `^(?:${(schema.enum as unknown[]).map((v) => escapeRegex(String(v))).join("|")})$`;
        else if (typeof schema?.pattern === "string") patterns[header] = schema.pattern;
      } else this.problems.warn(where, `${String(p.in)} parameter ${name}: not checked (meshguard reads paths, queries and headers)`);
    }
    if (Object.keys(paramTypes).length > 0) route.param_types = paramTypes;
    if (Object.keys(query).length > 0) route.query = query;
    if (required.length > 0) route.required_headers = [...new Set(required)];
    if (Object.keys(patterns).length > 0) route.header_patterns = patterns;
  }

  private body(route: Json, op: Json, at: string): void {
    const body = deref(this.api, op.requestBody as Json | undefined);
    if (!body) return;
    const where = pointer(at, "requestBody");
    const content = (body.content ?? {}) as Record<string, Json>;
    let types = [...new Set(Object.keys(content).map((t) => t.split(";")[0].trim().toLowerCase()))];
    const jsonType = Object.keys(content).find((t) => JSON_TYPE.test(t));
    const schema = jsonType ? content[jsonType].schema : undefined;
    // With a schema meshguard reads the body as JSON, so a body of another type is refused: a
    // service would parse it otherwise (a form body as a form).
    if (schema !== undefined) {
      for (const t of types.filter((t) => !JSON_TYPE.test(t))) this.problems.warn(pointer(where, "content"), `${t}: not accepted beside the JSON body's schema (meshguard validates request bodies as JSON)`);
      types = types.filter((t) => JSON_TYPE.test(t));
    }
    if (types.some((t) => t.includes("*"))) this.problems.warn(pointer(where, "content"), "a wildcard media type: any content type is accepted");
    else if (types.length > 0) route.content_types = types;
    if (schema === undefined) return;
    route.body_schema = this.schemas.convert(schema, pointer(pointer(pointer(where, "content"), jsonType!), "schema"));
    if (!body.required) this.problems.warn(where, "the request body is optional in the document; with a body_schema meshguard requires one");
  }

  // No security, [] or {} among the alternatives: public. Otherwise each requirement is an allow
  // rule: any verified identity, with the requirement's OAuth scopes.
  private security(route: Json, op: Json, at: string): void {
    const security = (op.security as Json[] | undefined) ?? (this.api.security as Json[] | undefined);
    if (!security || security.length === 0 || security.some((r) => Object.keys(r).length === 0)) { route.public = true; return; }
    const schemes = ((this.api.components as Json | undefined)?.securitySchemes ?? {}) as Record<string, Json>;
    route.allow = security.map((req) => {
      const scopes = [...new Set(Object.values(req).flat() as string[])];
      for (const name of Object.keys(req)) this.scheme(name, deref(this.api, schemes[name]), at);
      return scopes.length > 0 ? { authenticated: true, all_scopes: scopes } : { authenticated: true };
    });
  }

  private readonly schemesSeen = new Set<string>();
  private scheme(name: string, s: Json | undefined, at: string): void {
    if (this.schemesSeen.has(name)) return;
    this.schemesSeen.add(name);
    const where = pointer(pointer(pointer("/components", "securitySchemes"), name), "type");
    if (!s) { this.problems.warn(pointer(at, "security"), `security scheme ${name} is not defined; any verified identity is admitted`); return; }
    if (s.type === "apiKey") {
      this.problems.warn(where, `${name} is an API key (${String(s.in)} ${String(s.name)}): add api_keys to the policy (header ${String(s.name).toLowerCase()}, the SHA-256 digest of each key and its client); until then any verified identity (a peer, or a token jwt_authn verified) is admitted`);
    } else if (s.type === "http" && String(s.scheme).toLowerCase() === "basic") {
      this.problems.warn(where, `${name} is HTTP basic authentication, which meshguard does not verify; any verified identity is admitted`);
    }
    // http bearer, oauth2 and openIdConnect: tokens that Envoy's jwt_authn verifies; mutualTLS: a peer.
  }
}

// The parameter type meshguard checks, or null for arrays and objects.
function scalarType(schema: Json | undefined): string | null {
  if (!schema) return "string";
  const type = Array.isArray(schema.type) ? schema.type.filter((t) => t !== "null")[0] : schema.type;
  if (type === "integer") return "integer";
  if (type === "number") return "number";
  if (type === "boolean") return "boolean";
  if (type === "array" || type === "object") return null;
  return schema.format === "uuid" ? "uuid" : "string";
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

// Loads the routes into the compiled filter one at a time, then all together. A route the filter
// refuses is left out with the filter's reason (a warning; an error with --strict).
async function acceptedByFilter(routes: Located[], problems: Problems, wasm: string): Promise<Json[]> {
  const host = await ProxyWasmHost.load(readFileSync(wasm), { pluginConfig: JSON.stringify({ routes: [{ path: "/", public: true }] }) });
  const accepted: Json[] = [];
  for (const { route, at } of routes) {
    if (host.configure(JSON.stringify({ routes: [route] }))) { accepted.push(route); continue; }
    const reason = (host.logsAt("error").at(-1) ?? "").replace("meshguard: configuration refused: routes[0].", "").replace("meshguard: configuration refused: ", "");
    if (route.body_schema !== undefined && reason.startsWith("body_schema")) {
      const withoutSchema = { ...route };
      delete withoutSchema.body_schema;
      problems.warn(pointer(at, "requestBody"), `the body schema is not checked: ${reason.replace(/^body_schema/, "meshguard's compiler refuses /")}`);
      if (host.configure(JSON.stringify({ routes: [withoutSchema] }))) { accepted.push(withoutSchema); continue; }
    }
    problems.warn(at, `operation ${String(route.name)} skipped: ${reason}`);
  }
  if (accepted.length > 0 && !host.configure(JSON.stringify({ routes: accepted, unmatched_routes: "deny" }))) {
    problems.error("/", `the imported routes together are refused: ${host.logsAt("error").at(-1) ?? ""}`);
  }
  return accepted;
}
