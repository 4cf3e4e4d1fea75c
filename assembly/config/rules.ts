// Compiling a route's allow and deny rules. Pure.
import { ClaimCondition, ParamBinding, Rule } from "../authz/rules";
import { SpiffePattern, parseSpiffePattern } from "../identity/spiffe";
import { JsonKind, JsonValue } from "../lib/json";
import { ConfigReader } from "./reader";
import { RULE_FIELDS } from "./fields";

export const MAX_RULES_PER_ROUTE = 1000;

export function compileRules(c: ConfigReader, field: string, v: JsonValue | null, params: string[], isDeny: bool): Rule[] {
  const out = new Array<Rule>(0);
  if (v === null) return out;
  if (!c.expectKind(field, v, JsonKind.Array)) return out;
  if (v.items.length > MAX_RULES_PER_ROUTE) { c.fail(field, "more than " + MAX_RULES_PER_ROUTE.toString() + " rules"); return out; }
  for (let i = 0; i < v.items.length; i++) {
    const rule = compileRule(c, field + "[" + i.toString() + "]", v.items[i], params, isDeny, i);
    if (rule === null) return out;
    out.push(rule);
  }
  return out;
}

function compileRule(c: ConfigReader, field: string, v: JsonValue, params: string[], isDeny: bool, index: i32): Rule | null {
  if (c.object(field, v, RULE_FIELDS) === null) return null;
  let name = (isDeny ? "deny[" : "allow[") + index.toString() + "]";
  const nameV = v.member("name");
  if (nameV !== null && c.expectKind(field + ".name", nameV, JsonKind.String)) name = nameV.str;
  const modeV = v.member("mode");
  if (modeV !== null && !isDeny) { c.fail(field + ".mode", "only deny rules take a mode; put an allow rule in audit through its route's mode"); return null; }
  const audit = c.mode(field + ".mode", modeV);
  const authenticated = c.bool(field + ".authenticated", v.member("authenticated"), false);
  const peers = compilePeers(c, field + ".peers", v.member("peers"));
  const anyRole = c.strings(field + ".any_role", v.member("any_role"));
  const allScopes = c.strings(field + ".all_scopes", v.member("all_scopes"));
  const apiClients = c.strings(field + ".api_clients", v.member("api_clients"));
  for (let i = 0; i < apiClients.length; i++) {
    if (!c.clients.includes(apiClients[i])) { c.fail(field + ".api_clients[" + i.toString() + "]", "no API key belongs to client \"" + apiClients[i] + "\""); return null; }
  }
  const claims = compileClaims(c, field + ".claims", v.member("claims"));
  const bindings = compileBindings(c, field + ".path_params", v.member("path_params"), params);
  if (c.failed) return null;
  const conditions = (authenticated ? 1 : 0) + peers.length + anyRole.length + allScopes.length + claims.length + apiClients.length + bindings.length;
  if (conditions == 0) {
    c.fail(field, "a rule needs at least one condition; to let anyone in, make the route public");
    return null;
  }
  // `authenticated` is met by any verified identity, a user's included: the claims must be read.
  if (authenticated || anyRole.length > 0 || allScopes.length > 0 || claims.length > 0 || bindings.length > 0) c.usesUserClaims = true;
  return new Rule(name, audit, authenticated, peers, anyRole, allScopes, claims, apiClients, bindings);
}

function compilePeers(c: ConfigReader, field: string, v: JsonValue | null): SpiffePattern[] {
  const strings = c.strings(field, v);
  const peers = new Array<SpiffePattern>(0);
  for (let i = 0; i < strings.length; i++) {
    const f = field + "[" + i.toString() + "]";
    const p = parseSpiffePattern(strings[i]);
    const pattern = p.pattern;
    if (pattern === null) { c.fail(f, "\"" + strings[i] + "\": " + p.error); break; }
    const td = pattern.trustDomain;
    if (c.trustDomains.length > 0 && td != "*" && !c.trustDomains.includes(td)) {
      c.fail(f, "trust domain \"" + td + "\" is not in trust_domains, so this pattern could never match");
      break;
    }
    peers.push(pattern);
  }
  return peers;
}

// {"claim.path": "value" or ["values"]}: each claim must hold one of its values.
function compileClaims(c: ConfigReader, field: string, v: JsonValue | null): ClaimCondition[] {
  const claims = new Array<ClaimCondition>(0);
  if (v === null || !c.expectKind(field, v, JsonKind.Object)) return claims;
  for (let i = 0; i < v.names.length; i++) {
    const f = field + "." + v.names[i];
    const path = c.dottedClaimPath(f, v.names[i]);
    const cv = v.items[i];
    const values = cv.isString() ? [cv.str] : c.strings(f, cv);
    if (values.length == 0 && !c.failed) c.fail(f, "needs at least one value");
    claims.push(new ClaimCondition(path, values));
  }
  return claims;
}

// {"param": "claim.path"}: object-level authorization, the path parameter equals the claim.
function compileBindings(c: ConfigReader, field: string, v: JsonValue | null, params: string[]): ParamBinding[] {
  const bindings = new Array<ParamBinding>(0);
  if (v === null || !c.expectKind(field, v, JsonKind.Object)) return bindings;
  for (let i = 0; i < v.names.length; i++) {
    const param = v.names[i];
    const f = field + "." + param;
    const at = params.indexOf(param);
    if (at < 0) { c.fail(f, "the route's path has no {" + param + "}"); break; }
    bindings.push(new ParamBinding(param, at, c.claimPath(f, v.items[i])));
  }
  return bindings;
}
