// `meshguard openapi <document>`: turns an OpenAPI 3.0 or 3.1 document into a meshguard policy.
// The operations it declares become the API's inventory (every other route is refused as a shadow
// API); parameters, JSON request bodies and security requirements become checks. What the subset
// cannot express is an error naming the operation and the place, never silently dropped. The result
// is loaded into the compiled filter before it is printed, so it is known to be accepted.
import SwaggerParser from "@apidevtools/swagger-parser";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ProxyWasmHost } from "../emulator/host.ts";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
// OpenAPI-only annotations meshguard's schema compiler does not know; dropped before compiling.
const OPENAPI_ANNOTATIONS = ["example", "readOnly", "writeOnly", "deprecated", "xml", "externalDocs", "discriminator"];

type Json = Record<string, unknown>;
export class ImportError extends Error {
  constructor(public problems: string[]) { super(problems.join("\n")); }
}

function cleanSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(cleanSchema);
  if (s === null || typeof s !== "object") return s;
  const out: Json = {};
  for (const [k, v] of Object.entries(s as Json)) {
    if (OPENAPI_ANNOTATIONS.includes(k)) continue;
    out[k] = k === "properties" || k === "definitions" || k === "$defs"
      ? Object.fromEntries(Object.entries(v as Json).map(([pk, pv]) => [pk, cleanSchema(pv)]))
      : cleanSchema(v);
  }
  return out;
}

function paramType(schema: Json | undefined, where: string, problems: string[]): string {
  if (!schema) return "string";
  const type = Array.isArray(schema.type) ? schema.type.filter((t) => t !== "null")[0] : schema.type;
  if (type === "integer") return "integer";
  if (type === "number") return "number";
  if (type === "boolean") return "boolean";
  if (type === "string" || type === undefined) return schema.format === "uuid" ? "uuid" : "string";
  problems.push(`${where}: array or object parameters (style and explode encodings) are outside meshguard's subset`);
  return "string";
}

export async function importOpenApi(path: string): Promise<{ policy: Json; warnings: string[] }> {
  const api = (await SwaggerParser.validate(path)) as unknown as Json;   // validated and dereferenced
  const problems: string[] = [];
  const warnings: string[] = [];
  const routes: Json[] = [];
  const rootSecurity = api.security as Json[] | undefined;
  for (const [template, item] of Object.entries((api.paths ?? {}) as Record<string, Json>)) {
    const shared = (item.parameters ?? []) as Json[];
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const name = (op.operationId as string | undefined) ?? `${method.toUpperCase()} ${template}`;
      const at = `paths.${template}.${method}`;
      const route: Json = { name, path: template, methods: [method.toUpperCase()] };
      const params = new Map<string, Json>();
      for (const p of [...shared, ...((op.parameters ?? []) as Json[])]) params.set(`${p.in}:${p.name}`, p);
      const paramTypes: Json = {};
      const query: Json = {};
      const required: string[] = [];
      const headerPatterns: Json = {};
      for (const p of params.values()) {
        const where = `${at}.parameters.${String(p.name)}`;
        const schema = p.schema as Json | undefined;
        if (p.in === "path") paramTypes[p.name as string] = paramType(schema, where, problems);
        else if (p.in === "query") {
          const spec: Json = { type: paramType(schema, where, problems) };
          if (p.required) spec.required = true;
          if (schema?.maxLength !== undefined) spec.max_length = schema.maxLength;
          if (Array.isArray(schema?.enum)) spec.enum = (schema!.enum as unknown[]).map(String);
          if (schema?.pattern !== undefined) spec.pattern = schema.pattern;
          query[p.name as string] = spec;
        } else if (p.in === "header") {
          if (p.required) required.push(String(p.name).toLowerCase());
          if (schema?.pattern !== undefined) headerPatterns[String(p.name).toLowerCase()] = schema.pattern;
          if (schema?.enum !== undefined) problems.push(`${where}: header enums are outside meshguard's subset (use a pattern)`);
        } else problems.push(`${where}: ${String(p.in)} parameters are outside meshguard's subset`);
      }
      if (Object.values(paramTypes).some((t) => t !== "string")) route.param_types = paramTypes;
      if (Object.keys(query).length > 0) route.query = query;
      if (required.length > 0) route.required_headers = required;
      if (Object.keys(headerPatterns).length > 0) route.header_patterns = headerPatterns;
      const body = op.requestBody as Json | undefined;
      if (body) {
        const content = (body.content ?? {}) as Record<string, Json>;
        const types = Object.keys(content).map((t) => t.split(";")[0].trim().toLowerCase());
        if (types.some((t) => t.includes("*"))) problems.push(`${at}.requestBody: wildcard media types are outside meshguard's subset`);
        else route.content_types = types;
        const json = content["application/json"];
        if (json?.schema) {
          try { JSON.stringify(json.schema); } catch { problems.push(`${at}.requestBody: a recursive schema cannot be imported yet (write it with local $ref by hand)`); }
          route.body_schema = cleanSchema(json.schema);
          if (!body.required) warnings.push(`${name}: the request body is optional in the document; with a body_schema meshguard requires one`);
        }
      }
      const security = (op.security as Json[] | undefined) ?? rootSecurity;
      if (!security || security.length === 0 || security.some((r) => Object.keys(r).length === 0)) route.public = true;
      else {
        route.allow = security.map((req) => {
          const scopes = [...new Set(Object.values(req).flat() as string[])];
          return scopes.length > 0 ? { authenticated: true, all_scopes: scopes } : { authenticated: true };
        });
      }
      routes.push(route);
    }
  }
  if (problems.length > 0) throw new ImportError(problems);
  return { policy: { routes, unmatched_routes: "deny" }, warnings };
}

// Loads the policy into the compiled filter: the import is only as good as what meshguard accepts.
export async function checkWithFilter(policy: Json, wasm: string): Promise<void> {
  const host = await ProxyWasmHost.load(readFileSync(wasm), { pluginConfig: JSON.stringify(policy) });
  if (host.configured) return;
  const error = host.logsAt("error")[0]?.replace("meshguard: configuration refused: ", "") ?? "refused";
  const m = error.match(/^routes\[(\d+)\]/);
  const routes = policy.routes as Json[];
  const op = m ? ` (operation ${String(routes[Number(m[1])].name)})` : "";
  throw new ImportError([`${error}${op}`]);
}

export const DEFAULT_WASM = resolve(import.meta.dirname, "..", "..", "build", "meshguard.wasm");
