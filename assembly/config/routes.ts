// Compiling the routes: template, methods, hosts, access rules, body and shape. Pure.
import { RouteAccess, RoutePolicy } from "../authz/route";
import { takesMethod } from "../authz/routes";
import { Rule } from "../authz/rules";
import { PathTemplate, compileTemplate, isMethodToken } from "../authz/template";
import { JsonKind, JsonValue } from "../lib/json";
import { BodyRules, isJsonMediaType } from "../validate/body";
import { boundNames } from "../validate/bound-names";
import { mediaType } from "../validate/hygiene";
import { Budget, SchemaNode } from "../validate/schema";
import { compileSchema } from "../validate/schema-compile";
import { QueryRules } from "../validate/shape";
import { ConfigReader, entry } from "./reader";
import { ROUTE_FIELDS } from "./fields";
import { compileRules } from "./rules";
import { compileShape } from "./shape";

export const MAX_ROUTES = 5000;

const NO_QUERY = new QueryRules([], true);

// The routes, most specific first.
export function compileRoutes(c: ConfigReader, v: JsonValue | null): RoutePolicy[] {
  const routes = new Array<RoutePolicy>(0);
  if (v === null) { c.fail("routes", "required"); return routes; }
  if (!c.expectKind("routes", v, JsonKind.Array)) return routes;
  if (v.items.length > MAX_ROUTES) { c.fail("routes", "more than " + MAX_ROUTES.toString() + " routes"); return routes; }
  const schemas = new CompiledSchemas();
  // Routes by their templates' shape without case: only routes of one shape can overlap, so each
  // is compared with those alone (not with every route before it: 125,000 pairs for 500 routes).
  const byShape = new Map<string, i32[]>();
  for (let i = 0; i < v.items.length; i++) {
    const field = "routes[" + i.toString() + "]";
    const route = compileRoute(c, field, v.items[i], schemas);
    if (route === null) return routes;
    const shape = route.template.foldedShape();
    let same: i32[];
    if (byShape.has(shape)) same = byShape.get(shape);
    else { same = new Array<i32>(0); byShape.set(shape, same); }
    for (let k = 0; k < same.length; k++) {
      const j = unchecked(same[k]);
      // Of one shape without case: the same requests when they share a host and a method, read
      // alike by every server when their literals are the same as written. The message is built
      // only for a refusal.
      if (!sharesRequests(routes[j], route)) continue;
      const other = "routes[" + j.toString() + "] \"" + routes[j].template.source + "\"";
      if (routes[j].template.sameShape(route.template)) {
        c.fail(field, "\"" + route.template.source + "\" matches the same requests (path, host, method) as " + other + ", so one of them would never decide; merge them");
      } else {
        c.fail(field, "\"" + route.template.source + "\" differs from " + other + " only in letter case: a server that routes without regard to case reads their requests as one route, so meshguard would refuse them (path_invalid); use one spelling");
      }
      return routes;
    }
    same.push(routes.length);
    routes.push(route);
  }
  return sortBySpecificity(routes);
}

// Whether two routes of one template shape ("/x" and "/x/", "/a/{id}" and "/a/{name}") share a
// host and a method: then the less specific one is dead for those requests.
function sharesRequests(a: RoutePolicy, b: RoutePolicy): bool {
  return intersects(a.hosts, b.hosts) && sharesMethod(a.methods, b.methods);
}

// Empty means "any".
function intersects(a: string[], b: string[]): bool {
  if (a.length == 0 || b.length == 0) return true;
  for (let i = 0; i < a.length; i++) if (b.includes(a[i])) return true;
  return false;
}

// Whether one request method is taken by both method lists (authz/routes.ts takesMethod: GET takes
// HEAD too). Empty means "any".
function sharesMethod(a: string[], b: string[]): bool {
  if (a.length == 0 || b.length == 0) return true;
  for (let i = 0; i < a.length; i++) if (takesMethod(b, a[i])) return true;
  for (let i = 0; i < b.length; i++) if (takesMethod(a, b[i])) return true;
  return false;
}

// Most specific first; stable, so declaration order breaks ties.
function sortBySpecificity(routes: RoutePolicy[]): RoutePolicy[] {
  const out = routes.slice(0);
  for (let i = 1; i < out.length; i++) {
    const r = out[i];
    let j = i - 1;
    while (j >= 0 && out[j].template.compare(r.template) > 0) {
      out[j + 1] = out[j];
      j--;
    }
    out[j + 1] = r;
  }
  return out;
}

function compileRoute(c: ConfigReader, field: string, v: JsonValue, schemas: CompiledSchemas): RoutePolicy | null {
  if (c.object(field, v, ROUTE_FIELDS) === null) return null;
  const pathV = v.member("path");
  if (pathV === null) { c.fail(field + ".path", "required"); return null; }
  // A member's field name is built only for a member that is there, or for an error.
  if (pathV.kind != JsonKind.String) { c.expectKind(field + ".path", pathV, JsonKind.String); return null; }
  const t = compileTemplate(pathV.str);
  const template = t.template;
  if (template === null) { c.fail(field + ".path", "\"" + pathV.str + "\": " + t.error); return null; }
  const methodsV = v.member("methods");
  const methods = methodsV !== null ? compileMethods(c, field + ".methods", methodsV) : new Array<string>(0);
  const hostsV = v.member("hosts");
  const hosts = hostsV !== null ? compileHosts(c, field + ".hosts", hostsV) : new Array<string>(0);
  const nameV = v.member("name");
  let name = nameV !== null && c.expectKind(field + ".name", nameV, JsonKind.String) ? nameV.str : (methods.length > 0 ? methods.join(",") : "*") + " " + pathV.str;
  const modeV = v.member("mode");
  const audit = modeV !== null && c.mode(field + ".mode", modeV);
  const access = compileAccess(c, field, v, template);
  if (access === null) return null;
  const shape = compileShape(c, field, v, template.params);
  const body = compileBody(c, field, v, schemas);
  if (c.failed || body === null) return null;
  const query = shape !== null ? shape.query : NO_QUERY;
  const bound = boundNames(template.params, query.lenient, query.params);
  if (bound !== null) {
    // A query parameter named as a path parameter would always be refused (bound-names.ts).
    for (let i = 0; i < query.params.length; i++) {
      if (!bound.path.includes(query.lenient[i])) continue;
      c.fail(field + ".query." + query.params[i].name, "named as a path parameter: frameworks read one for the other, so such a query is refused");
      return null;
    }
    body.lookFor(bound.path, bound.pathParams, bound.query, bound.queryParams);
  }
  const route = new RoutePolicy(name, template, methods, hosts, audit, access, body, shape);
  route.bound = bound;
  route.allowEncodedPercent = c.bool(field + ".allow_encoded_percent", v.member("allow_encoded_percent"), false);
  return route;
}

function compileMethods(c: ConfigReader, field: string, v: JsonValue | null): string[] {
  const methods = c.strings(field, v);
  for (let i = 0; i < methods.length; i++) {
    if (!isMethodToken(methods[i])) { c.fail(entry(field, i), "\"" + methods[i] + "\" is not an uppercase HTTP method"); break; }
  }
  return methods;
}

function compileHosts(c: ConfigReader, field: string, v: JsonValue | null): string[] {
  const hosts = c.strings(field, v);
  for (let i = 0; i < hosts.length; i++) {
    if (hosts[i] != hosts[i].toLowerCase() || hosts[i].includes(":") || hosts[i].includes("/") || hosts[i].endsWith(".")) {
      c.fail(entry(field, i), "\"" + hosts[i] + "\" must be a lowercase host name without port or trailing dot");
      break;
    }
  }
  return hosts;
}

// public, deny, allow: a public route takes no allow rules; any other needs at least one.
function compileAccess(c: ConfigReader, field: string, v: JsonValue, template: PathTemplate): RouteAccess | null {
  const publicV = v.member("public");
  const isPublic = publicV !== null && c.bool(field + ".public", publicV, false);
  const denyV = v.member("deny");
  const deny = denyV !== null ? compileRules(c, field + ".deny", denyV, template.params, true) : new Array<Rule>(0);
  const allowV = v.member("allow");
  if (isPublic && allowV !== null) { c.fail(field + ".allow", "a public route takes no allow rules (deny rules still apply)"); return null; }
  if (!isPublic && allowV === null) { c.fail(field + ".allow", "required unless the route is public"); return null; }
  const allow = allowV !== null ? compileRules(c, field + ".allow", allowV, template.params, false) : new Array<Rule>(0);
  if (!isPublic && allow.length == 0 && !c.failed) { c.fail(field + ".allow", "empty; a route nobody may call is a route to delete"); return null; }
  return new RouteAccess(isPublic, deny, allow);
}

// The schemas compiled so far for one policy: routes often share one (an API's request type), and
// a compiled schema is immutable, so a schema written the same way (same members in the same
// order, numbers as written) is compiled once. The comparisons of one policy are bounded in all
// (many schemas that differ deep inside would otherwise cost a quadratic number of steps); past
// the bound a schema is simply compiled.
const SCHEMA_COMPARE_STEPS: i64 = 2000000;
class CompiledSchemas {
  private sources: JsonValue[] = [];
  private nodes: SchemaNode[] = [];
  private budget: Budget = new Budget(SCHEMA_COMPARE_STEPS);
  find(schema: JsonValue): SchemaNode | null {
    for (let i = 0; i < this.sources.length && this.budget.left > 0; i++) {
      if (sameJson(this.sources[i], schema, this.budget)) return this.nodes[i];
    }
    return null;
  }
  add(schema: JsonValue, node: SchemaNode): void {
    this.sources.push(schema);
    this.nodes.push(node);
  }
}

// Written the same way: kinds, strings and number literals equal, lists and members in order.
function sameJson(a: JsonValue, b: JsonValue, budget: Budget): bool {
  if (--budget.left < 0 || a.kind != b.kind || a.bool != b.bool || a.str != b.str) return false;
  if (a.items.length != b.items.length || a.names.length != b.names.length) return false;
  for (let i = 0; i < a.names.length; i++) if (a.names[i] != b.names[i]) return false;
  for (let i = 0; i < a.items.length; i++) if (!sameJson(a.items[i], b.items[i], budget)) return false;
  return true;
}

// max_body_bytes, content_types, body_schema, body_forwarding.
function compileBody(c: ConfigReader, field: string, v: JsonValue, schemas: CompiledSchemas): BodyRules | null {
  const maxBody = c.wholeNumber(field + ".max_body_bytes", v.member("max_body_bytes"), 0, 1099511627776.0, -1);
  const types = c.strings(field + ".content_types", v.member("content_types"));
  for (let i = 0; i < types.length; i++) {
    const t = types[i];
    if (mediaType(t) != t || !t.includes("/") || t.includes(" ")) { c.fail(field + ".content_types[" + i.toString() + "]", "\"" + t + "\" is not a lowercase media type such as application/json"); return null; }
  }
  let schema: SchemaNode | null = null;
  const schemaV = v.member("body_schema");
  const known = schemaV !== null ? schemas.find(schemaV) : null;
  if (known !== null) {
    schema = known;
  } else if (schemaV !== null) {
    const compiled = compileSchema(schemaV);
    if (compiled.node === null) {
      // The schema compiler names the place as a JSON Pointer into the schema: "/properties/x: ...".
      const sep = compiled.error.indexOf(": ");
      const where = sep > 0 ? compiled.error.substring(0, sep) : "";
      c.fail(field + ".body_schema" + (where == "/" ? "" : where), sep > 0 ? compiled.error.substring(sep + 2) : compiled.error);
      return null;
    }
    schema = compiled.node;
    schemas.add(schemaV, compiled.node!);
  }
  // A schema reads the body as JSON: a body declared as another type would be parsed otherwise by
  // the service (validate/body.ts).
  if (schema !== null) {
    for (let i = 0; i < types.length; i++) {
      if (isJsonMediaType(types[i])) continue;
      c.fail(field + ".content_types[" + i.toString() + "]", "\"" + types[i] + "\" with body_schema: the schema reads JSON, so only JSON media types (application/json, +json) can go with it");
      return null;
    }
  }
  // "hold" (default): a body that may still be refused stays in Envoy until it has passed.
  // "stream": it goes on as it arrives; a size limit then cuts the stream (the service may see a
  // prefix of a refused body, never its end). For streaming APIs and large uploads.
  const stream = c.choice(field + ".body_forwarding", v.member("body_forwarding"), ["hold", "stream"], 0) == 1;
  if (stream && schema !== null) {
    c.fail(field + ".body_forwarding", "\"stream\" cannot go with body_schema: a body checked against a schema is held until it has passed");
    return null;
  }
  return new BodyRules(maxBody, types, schema, stream);
}
