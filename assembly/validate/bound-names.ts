// The names a route binds, its path parameters and its declared query parameters, looked for where
// frameworks also read parameters of those names:
//   - a path parameter's name in the query: Laravel's $request->userId (and ->input()) reads the
//     query and the body before the route's parameters, so /users/{userId}/orders?userId=alice is
//     alice's to the service while meshguard checked the path's userId;
//   - either name in a cookie: PHP's $_REQUEST takes cookies after the query and the body when no
//     php.ini orders it (the official images ship none), so such a cookie's value must pass a
//     declared query parameter's own rule (a `lang` cookie beside a declared `lang` is common), or
//     be the path's value (a rewrite rule hands a path parameter to PHP in the query);
//   - either name as a multipart part's name; in a form body or among a JSON body's top-level
//     members, a path parameter's unless it holds the path's value, a declared query parameter's
//     unless its value passes the parameter's rule (Rails, Laravel, $_REQUEST, ASP.NET model
//     binding): validate/body.ts, override-body.ts, bound-values.ts, multipart-names.ts.
// Names are compared as the most lenient binder reads them (shape.ts lenientName). Pure.
import { HeaderName, HeaderSnapshot } from "../lib/headers";
import { QueryParam, checkQueryValue, decodeQueryPart, lenientIndex, lenientName } from "./shape";

export class BoundNames {
  readonly shortest: i32;             // the shortest of `path` and `query`: a shorter name is none of them
  constructor(
    public readonly path: string[],   // the path parameters' lenient names, each once
    public readonly pathParams: i32[],  // aligned: the template parameter each is
    public readonly query: string[],  // the declared query parameters' lenient names
    public readonly queryParams: QueryParam[],  // aligned: their rules
  ) {
    let shortest = i32.MAX_VALUE;
    for (let i = 0; i < path.length; i++) shortest = min(shortest, path[i].length);
    for (let i = 0; i < query.length; i++) shortest = min(shortest, query[i].length);
    this.shortest = shortest;
  }
}

// The name=value pairs of a text split on `a` and `b` (spaces around a pair dropped when `trim`:
// cookies), one at a time: next() is false after the last.
class Pairs {
  name: string = "";        // as written
  value: string = "";       // as written; "" when the pair has no '='
  private start: i32 = 0;
  constructor(private readonly text: string, private readonly a: i32, private readonly b: i32, private readonly trim: bool) {}

  next(): bool {
    const text = this.text;
    if (this.start > text.length) return false;
    let end = this.start;
    while (end < text.length && text.charCodeAt(end) != this.a && text.charCodeAt(end) != this.b) end++;
    let pair = text.substring(this.start, end);
    if (this.trim) pair = pair.trim();
    this.start = end + 1;
    const eq = pair.indexOf("=");
    this.name = eq < 0 ? pair : pair.substring(0, eq);
    this.value = eq < 0 ? "" : pair.substring(eq + 1);
    return true;
  }
}

// Which of `names` a pair's raw name is once percent-decoded as PHP and query readers do, or -1.
function boundIndex(raw: string, names: string[]): i32 {
  if (raw.length == 0) return -1;
  const decoded = decodeQueryPart(raw);
  return lenientIndex(names, decoded !== null ? decoded : raw);
}

// The first query parameter (as written) named as one of `path`, or "". Pairs are split on '&'
// and ';' (older Rack and Python split on both).
export function pathNameInQuery(path: string[], rawQuery: string): string {
  if (path.length == 0 || rawQuery.length == 0) return "";
  const pairs = new Pairs(rawQuery, 0x26, 0x3b, false);
  while (pairs.next()) if (boundIndex(pairs.name, path) >= 0) return pairs.name;
  return "";
}

const COOKIE = new HeaderName("cookie");

// Why a cookie named (decoded as PHP does) as a bound parameter cannot stand for it (PHP's
// $_REQUEST reads cookies last: a cookie `id` overrides the query's id a rewrite rule made of the
// path): a declared query parameter's fails its rule, a path parameter's is not the path's value
// (`params`, the path's values), each percent-decoded as PHP decodes cookies; or the name is in the
// array form (`page[]`: an array to PHP). "" when none. Cookies are split on ';' and ',' for their
// names (over-reading is the safe side); PHP splits on ';' only, so a judged value must not hold a
// ',' (`page=2,x` is 2,x to PHP).
export function cookieProblem(bound: BoundNames, headers: HeaderSnapshot, params: string[]): string {
  for (let at = headers.find(COOKIE.bytes); at >= 0; at = headers.find(COOKIE.bytes, at + 1)) {
    const text = headers.valueOf(at);
    for (let phpReading = 0; phpReading < 2; phpReading++) {
      const pairs = new Pairs(text, 0x3b, phpReading == 1 ? 0x3b : 0x2c, true);
      while (pairs.next()) {
        const why = cookieValueProblem(bound, pairs.name, pairs.value, params);
        if (why.length > 0) return why;
      }
    }
  }
  return "";
}

// A cookie's name is decoded once, and not at all when it is shorter than every bound name
// (decoding and lenient reading never lengthen a name).
function cookieValueProblem(bound: BoundNames, name: string, raw: string, params: string[]): string {
  if (name.length == 0 || name.length < bound.shortest) return "";
  const decoded = decodeQueryPart(name);
  const read = decoded !== null ? decoded : name;
  const k = lenientIndex(bound.query, read);
  const p = k < 0 ? lenientIndex(bound.path, read) : -1;
  if (k < 0 && p < 0) return "";
  const why = "the cookie " + name + " is named as a " + (k >= 0 ? "query" : "path") + " parameter (PHP's $_REQUEST reads cookies last): ";
  if (decoded === null || decoded.includes("[") || decoded.includes("]")) return why + "in the array form, or with brackets";
  if (raw.includes(",")) return why + "its value holds a ',' (PHP reads past it, other readers end the cookie there)";
  const value = decodeQueryPart(raw);
  if (value === null) return why + "its value is not valid percent-encoded UTF-8";
  if (k >= 0) {
    const r = checkQueryValue(unchecked(bound.queryParams[k]), value);
    return r.ok ? "" : why + r.detail;
  }
  const i = unchecked(bound.pathParams[p]);
  return i < params.length && value == unchecked(params[i]) ? "" : why + "its value is not the path's";
}

// Why the request names a bound parameter elsewhere, or "". `params`: the path's values.
export function boundNameProblem(bound: BoundNames, rawQuery: string, headers: HeaderSnapshot, params: string[]): string {
  const q = pathNameInQuery(bound.path, rawQuery);
  if (q.length > 0) return "the query parameter " + q + " is named as a path parameter (Laravel's $request-><name> reads the query first)";
  return cookieProblem(bound, headers, params);
}

// The names a route binds, or null when it binds none. `queryParams`: the declared query
// parameters, `queryLenient` their lenient names, aligned.
export function boundNames(pathParams: string[], queryLenient: string[], queryParams: QueryParam[]): BoundNames | null {
  if (pathParams.length == 0 && queryLenient.length == 0) return null;
  const path = new Array<string>(0);
  const index = new Array<i32>(0);
  for (let i = 0; i < pathParams.length; i++) {
    const l = lenientName(pathParams[i]);
    if (path.includes(l)) continue;
    path.push(l);
    index.push(i);
  }
  return new BoundNames(path, index, queryLenient, queryParams);
}
