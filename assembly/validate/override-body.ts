// Parameters in a request body that frameworks read beside, or instead of, what meshguard checked:
// a `_method` parameter in a POST body (see override.ts), and a parameter named as one the route
// binds, a path or declared query parameter (validate/bound-names.ts: Rails, Laravel, PHP's
// $_REQUEST and ASP.NET's model binding merge body parameters with the others, the body's
// winning). Which body formats frameworks read them from, and a scanner for each, fed the body in
// pieces of any size with O(1) state per name (and one bounded value, bound-values.ts):
//
//   form       application/x-www-form-urlencoded, and no content-type at all (Rack reads a POST
//              without one as a form): every parameter name, and a declared query parameter's value
//   JSON       a content-type with "/json" or "+json" anywhere in it (Laravel's test), or
//              "/x-json" (Rails registers text/x-json as JSON and merges its members): the
//              top-level object's member names, escapes decoded, and the values of those named as
//              a declared query parameter or a path parameter
//   multipart  multipart/*: every part's name, and "_method" anywhere in its header block
//              (multipart-names.ts)
// Other media types are not read as parameters by those frameworks and are not scanned.
import { lowerAscii } from "../lib/text";
import { feedScan } from "./byte-scan";
import { JsonNames } from "./json-names";
import { PartNames } from "./multipart-names";
import { PartValues, strictBoundary } from "./multipart-values";
import { FormNames, METHOD_PARAMETER } from "./override";
import { QueryParam } from "./shape";

// The names one body scan looks for, and their rules (BodyRules keeps two: with `_method` first,
// for a POST, and without). `formNames`: those looked for in a form (lenient forms, override.ts
// NameMatch) and as multipart part names; `jsonNames`: those looked for among a JSON body's
// top-level members, those from `jsonBoundFrom` on path parameters' (passing when they hold the
// path's value, `pathParams` their template indices). `formRules` and `jsonRules`, aligned with the
// names (the JSON list up to `jsonBoundFrom`): a declared query parameter's rule, which its value
// must pass (bound-values.ts), or null for a name found by itself (`_method`), or, in a form, by
// a value other than the path's (`formPathParams`: the template index; -1 for the others).
export class ScanTargets {
  formNames: string[] = [];
  formRules: Array<QueryParam | null> = [];
  formPathParams: i32[] = [];
  jsonNames: string[] = [];
  jsonRules: Array<QueryParam | null> = [];
  jsonBoundFrom: i32 = 0;
  pathParams: i32[] = [];

  constructor(method: bool) {
    if (method) {
      this.inForms(METHOD_PARAMETER, null, -1);
      this.inJson(METHOD_PARAMETER, null);
    }
  }

  // A name looked for in forms and multipart bodies, once (`pathParam`: a path parameter's
  // template index, -1 for a query parameter's or `_method`).
  inForms(name: string, rule: QueryParam | null, pathParam: i32): void {
    if (this.formNames.includes(name)) return;
    this.formNames.push(name);
    this.formRules.push(rule);
    this.formPathParams.push(pathParam);
  }

  // A declared query parameter's name looked for among JSON members (before any path parameter).
  inJson(name: string, rule: QueryParam | null): void {
    this.jsonNames.push(name);
    this.jsonRules.push(rule);
    this.jsonBoundFrom = this.jsonNames.length;
  }

  // A path parameter's name looked for among JSON members (after the query parameters').
  pathInJson(name: string, templateIndex: i32): void {
    this.jsonNames.push(name);
    this.pathParams.push(templateIndex);
  }
}

// The scanners a body needs, from its media type (validate/hygiene.ts mediaType) and its whole
// content-type value (Laravel tests the value, parameters included), or null when none does. A
// body two frameworks would read as different formats is scanned as both. `params`: the path's
// values (read now: the array may be reused).
export function bodyParameterScan(mediaType: string, contentType: string, targets: ScanTargets, params: string[]): BodyParameters | null {
  const names = targets.formNames;
  const jsonNames = targets.jsonNames;
  const form = mediaType.length == 0 || mediaType == "application/x-www-form-urlencoded";
  const multipart = mediaType.startsWith("multipart/") && names.length > 0;
  const lower = lowerAscii(contentType);
  const json = (lower.includes("/json") || lower.includes("+json") || lower.includes("/x-json")) && jsonNames.length > 0;
  if (!((form && names.length > 0) || multipart || json)) return null;
  const paths = form || multipart ? pathValues(targets.formPathParams, params) : null;
  const jsonPaths = json ? pathValues(targets.pathParams, params) : null;
  // Plain parts named as bound parameters are judged by their values when the boundary is strict.
  const boundary = multipart ? strictBoundary(contentType) : "";
  const values = boundary.length > 0 ? new PartValues(boundary, names, targets.formRules, <Array<string | null>>paths) : null;
  const parts = multipart ? new PartNames(names, names.includes(METHOD_PARAMETER), values) : null;
  return new BodyParameters(form ? new FormNames(names, targets.formRules, paths) : null, json ? new JsonNames(targets.jsonNames, targets.jsonRules, targets.jsonBoundFrom, <Array<string | null>>jsonPaths) : null, parts);
}

// The path's values for the names that are path parameters' (null for the others): copied, since
// the route matcher reuses its parameter array for the next stream's path while a body arrives.
function pathValues(pathParams: i32[], params: string[]): Array<string | null> {
  const values = new Array<string | null>(pathParams.length);
  for (let i = 0; i < pathParams.length; i++) {
    const p = unchecked(pathParams[i]);
    values[i] = p >= 0 && p < params.length ? unchecked(params[p]) : null;
  }
  return values;
}

export class BodyParameters {
  constructor(private readonly form: FormNames | null, private readonly json: JsonNames | null, private readonly parts: PartNames | null) {}

  // The next bytes of the body; true once a parameter looked for was seen (`found`).
  feed(bytes: Uint8Array): bool {
    const form = this.form;
    const json = this.json;
    const parts = this.parts;
    if (form !== null) feedScan<FormNames>(form, bytes);
    if (json !== null) feedScan<JsonNames>(json, bytes);
    if (parts !== null) feedScan<PartNames>(parts, bytes);
    return this.found.length > 0;
  }

  // The end of the body: true when it carried a parameter looked for.
  end(): bool {
    const form = this.form;
    if (form !== null) form.end();
    const json = this.json;
    if (json !== null) json.end();
    const parts = this.parts;
    if (parts !== null) parts.end();
    return this.found.length > 0;
  }

  // The name of the first parameter looked for that the body carried (as looked for); "" if none.
  get found(): string {
    const form = this.form;
    if (form !== null && form.found.length > 0) return form.found;
    const json = this.json;
    if (json !== null && json.found.length > 0) return json.found;
    const parts = this.parts;
    return parts !== null ? parts.found : "";
  }

  // When `found` names a parameter judged by its value (a declared query parameter's rule, or
  // the path's value) and the value failed: why; "" when the name alone was refused.
  get why(): string {
    const form = this.form;
    if (form !== null && form.found.length > 0) return form.why;
    const json = this.json;
    if (json !== null && json.found.length > 0) return json.why;
    const parts = this.parts;
    return parts !== null ? parts.why : "";
  }
}
