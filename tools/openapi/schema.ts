// An OpenAPI schema object as a meshguard body_schema: OpenAPI's own annotations and vendor
// extensions dropped (never inside enum, const, default or example values), its standard formats
// understood (int32 and int64 as numeric ranges), readOnly properties no longer required in a
// request, and references to components.schemas collected under $defs, so recursive schemas stay
// references. What cannot be mapped is reported, with the JSON Pointer of the place.
import { type Json, type Problems, pointer, resolveRef } from "./document.ts";

const OPENAPI_ANNOTATIONS = ["example", "examples", "readOnly", "writeOnly", "deprecated", "xml", "externalDocs", "discriminator", "contentEncoding", "contentMediaType"];
const VALUES = ["enum", "const", "default", "example", "examples"];   // values, never walked as schemas
const SUPPORTED_FORMATS = ["email", "uuid", "date-time", "date", "ipv4", "ipv6", "uri", "hostname"];
// OpenAPI's standard formats that add nothing checkable to a JSON value (float and double are any
// JSON number; password is a UI hint; binary and byte are for non-JSON or base64 payloads).
const ANNOTATION_FORMATS = ["float", "double", "password", "binary", "byte"];
const RANGES: Record<string, [number, number]> = { int32: [-2147483648, 2147483647], int64: [-9223372036854775808, 9223372036854775807] };

export class SchemaConverter {
  private defs = new Map<string, Json | boolean>();
  constructor(private readonly api: Json, private readonly problems: Problems) {}

  // `schema` found at `at` (a pointer into the document); returns a schema for meshguard.
  convert(schema: unknown, at: string): Json | boolean {
    this.defs.clear();
    const out = this.walk(schema, at, 0);
    if (this.defs.size === 0 || typeof out === "boolean") return out;
    return { ...out, $defs: Object.fromEntries(this.defs) };
  }

  private walk(s: unknown, at: string, depth: number): Json | boolean {
    if (typeof s === "boolean") return s;
    if (s === null || typeof s !== "object" || Array.isArray(s)) { this.problems.warn(at, "not a schema object; any value is accepted here"); return true; }
    if (depth > 64) { this.problems.warn(at, "schema nested deeper than 64; any value is accepted here"); return true; }
    const obj = s as Json;
    if (typeof obj.$ref === "string") return this.reference(obj.$ref, at, depth);
    const out: Json = {};
    for (const [k, v] of Object.entries(obj)) {
      if (k.startsWith("x-") || OPENAPI_ANNOTATIONS.includes(k)) continue;
      const here = pointer(at, k);
      if (VALUES.includes(k)) out[k] = v;
      else if (k === "properties" || k === "patternProperties" || k === "$defs" || k === "definitions") {
        out[k] = Object.fromEntries(Object.entries(v as Json).map(([pk, pv]) => [pk, this.walk(pv, pointer(here, pk), depth + 1)]));
      } else if (k === "items" || k === "additionalProperties" || k === "not" || k === "additionalItems" || k === "propertyNames" || k === "contains") {
        out[k] = typeof v === "boolean" ? v : Array.isArray(v) ? v.map((x, i) => this.walk(x, pointer(here, i), depth + 1)) : this.walk(v, here, depth + 1);
      } else if (k === "allOf" || k === "anyOf" || k === "oneOf" || k === "prefixItems") {
        out[k] = (v as unknown[]).map((x, i) => this.walk(x, pointer(here, i), depth + 1));
      } else if (k === "format") this.format(out, String(v), here);
      else out[k] = v;
    }
    this.readOnlyNotRequired(obj, out);
    return out;
  }

  // #/components/schemas/<name> becomes #/$defs/<name>, converted once (so cycles stay cycles);
  // any other local reference is followed and inlined.
  private reference(ref: string, at: string, depth: number): Json | boolean {
    const m = /^#\/components\/schemas\/([^/]+)$/.exec(ref);
    if (m) {
      const name = decodeURIComponent(m[1]).replaceAll("~1", "/").replaceAll("~0", "~");
      const key = name.replace(/[^A-Za-z0-9_.-]/g, "_");
      if (!this.defs.has(key)) {
        this.defs.set(key, true);   // placeholder while it converts: a cycle finds it
        this.defs.set(key, this.walk(resolveRef(this.api, ref), ref.slice(1), 0));
      }
      return { $ref: `#/$defs/${key}` };
    }
    const target = ref.startsWith("#/") ? resolveRef(this.api, ref) : undefined;
    if (target === undefined) { this.problems.warn(at, `$ref ${ref} points outside the document's components; any value is accepted here`); return true; }
    return this.walk(target, ref.slice(1), depth + 1);
  }

  private format(out: Json, format: string, at: string): void {
    if (SUPPORTED_FORMATS.includes(format)) { out.format = format; return; }
    const range = RANGES[format];
    if (range) {
      // The integer's range, kept within any bounds the schema states itself.
      out.minimum = typeof out.minimum === "number" ? Math.max(out.minimum, range[0]) : range[0];
      out.maximum = typeof out.maximum === "number" ? Math.min(out.maximum, range[1]) : range[1];
      return;
    }
    if (ANNOTATION_FORMATS.includes(format)) return;
    this.problems.warn(at, `format "${format}" is not one meshguard checks; not checked`);
  }

  // OpenAPI 3.0: a readOnly property is sent in responses only; `required` does not apply to it in
  // a request.
  private readOnlyNotRequired(obj: Json, out: Json): void {
    if (!Array.isArray(obj.required) || obj.properties === null || typeof obj.properties !== "object") return;
    const props = obj.properties as Json;
    const readOnly = (name: string) => {
      let p = props[name] as Json | undefined;
      if (p && typeof p.$ref === "string") p = resolveRef(this.api, p.$ref) as Json | undefined;
      return p !== undefined && p !== null && typeof p === "object" && p.readOnly === true;
    };
    const required = (obj.required as string[]).filter((n) => !readOnly(n));
    if (required.length > 0) out.required = required; else delete out.required;
  }
}
