// Compiling a route's allow and deny rules. Pure.
import { ClaimCondition, ParamBinding, Rule } from "../authz/rules";
import { SpiffePattern, parseSpiffePattern } from "../identity/spiffe";
import { JsonKind, JsonValue } from "../lib/json";
import { ConfigReader, entry } from "./reader";
import { RULE_FIELDS } from "./fields";

export const MAX_RULES_PER_ROUTE = 1000;

export function compileRules(c: ConfigReader, field: string, v: JsonValue | null, params: string[], isDeny: bool): Rule[] {
  const out = new Array<Rule>(0);
  if (v === null) return out;
  if (!c.expectKind(field, v, JsonKind.Array)) return out;
  if (v.items.length > MAX_RULES_PER_ROUTE) { c.fail(field, "more than " + MAX_RULES_PER_ROUTE.toString() + " rules"); return out; }
  for (let i = 0; i < v.items.length; i++) {
    const rule = compileRule(c, entry(field, i), v.items[i], params, isDeny, i);
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
  // A member's field name is built only when the member is there (most rules have one or two).
  const audit = modeV !== null && c.mode(field + ".mode", modeV);
  const authV = v.member("authenticated");
  const authenticated = authV !== null && c.bool(field + ".authenticated", authV, false);
  const peersV = v.member("peers");
  const peers = peersV !== null ? compilePeers(c, field + ".peers", peersV) : new Array<SpiffePattern>(0);
  const anyRole = listAt(c, field, v, "any_role");
  const allScopes = listAt(c, field, v, "all_scopes");
  const apiClients = listAt(c, field, v, "api_clients");
  for (let i = 0; i < apiClients.length; i++) {
    if (!c.clients.includes(apiClients[i])) { c.fail(field + ".api_clients[" + i.toString() + "]", "no API key belongs to client \"" + apiClients[i] + "\""); return null; }
  }
  const claimsV = v.member("claims");
  const claims = claimsV !== null ? compileClaims(c, field + ".claims", claimsV) : new Array<ClaimCondition>(0);
  const bindingsV = v.member("path_params");
  const bindings = bindingsV !== null ? compileBindings(c, field + ".path_params", bindingsV, params) : new Array<ParamBinding>(0);
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

// The list of strings in member `name` of `v` (empty when absent), read as field.name.
function listAt(c: ConfigReader, field: string, v: JsonValue, name: string): string[] {
  const m = v.member(name);
  return m !== null ? c.strings(field + "." + name, m) : new Array<string>(0);
}

function compilePeers(c: ConfigReader, field: string, v: JsonValue | null): SpiffePattern[] {
  const strings = c.strings(field, v);
  const peers = new Array<SpiffePattern>(0);
  for (let i = 0; i < strings.length; i++) {
    const p = parseSpiffePattern(strings[i]);
    const pattern = p.pattern;
    if (pattern === null) { c.fail(entry(field, i), "\"" + strings[i] + "\": " + p.error); break; }
    const td = pattern.trustDomain;
    if (c.trustDomains.length > 0 && td != "*" && !c.trustDomains.includes(td)) {
      c.fail(entry(field, i), "trust domain \"" + td + "\" is not in trust_domains, so this pattern could never match");
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
