// The names a route binds, its path parameters and its declared query parameters, looked for where
// frameworks also read parameters of those names:
//   - a path parameter's name in the query: Laravel's $request->userId (and ->input()) reads the
//     query and the body before the route's parameters, so /users/{userId}/orders?userId=alice is
//     alice's to the service while meshguard checked the path's userId;
//   - a declared query parameter's name in a cookie: PHP's $_REQUEST takes cookies after the query
//     and the body when no php.ini orders it (the official images ship none);
//   - either name in a form body or as a multipart part's name, a declared query parameter's among
//     a JSON body's top-level members, and a path parameter's there unless it holds the path's
//     value (Rails, Laravel, $_REQUEST, ASP.NET model binding): validate/body.ts,
//     override-body.ts, multipart-names.ts.
// Names are compared as the most lenient binder reads them (shape.ts lenientName). Pure.
import { HeaderName, HeaderSnapshot } from "../lib/headers";
import { decodeQueryPart, lenientIndex, lenientName } from "./shape";

export class BoundNames {
  readonly shortest: i32;             // the shortest of `query`: a shorter name is none of them
  constructor(
    public readonly path: string[],   // the path parameters' lenient names, each once
    public readonly pathParams: i32[],  // aligned: the template parameter each is
    public readonly query: string[],  // the declared query parameters' lenient names
  ) {
    let shortest = i32.MAX_VALUE;
    for (let i = 0; i < query.length; i++) shortest = min(shortest, query[i].length);
    this.shortest = shortest;
  }
}

// The first name (as written) in `text`'s name=value pairs, split on `a` and `b`, that is one of
// `names` once percent-decoded as PHP and query readers do; "". `trim`: spaces around a pair are
// dropped (cookies). A name shorter than `shortest` is skipped: decoding and lenient reading never
// lengthen a name.
function nameIn(text: string, a: i32, b: i32, trim: bool, names: string[], shortest: i32): string {
  let start = 0;
  while (start <= text.length) {
    let end = start;
    while (end < text.length && text.charCodeAt(end) != a && text.charCodeAt(end) != b) end++;
    let pair = text.substring(start, end);
    if (trim) pair = pair.trim();
    start = end + 1;
    const eq = pair.indexOf("=");
    const raw = eq < 0 ? pair : pair.substring(0, eq);
    if (raw.length == 0 || raw.length < shortest) continue;
    const decoded = decodeQueryPart(raw);
    if (lenientIndex(names, decoded !== null ? decoded : raw) >= 0) return raw;
  }
  return "";
}

// The first query parameter (as written) named as one of `path`, or "". Pairs are split on '&'
// and ';' (older Rack and Python split on both).
export function pathNameInQuery(path: string[], rawQuery: string): string {
  if (path.length == 0 || rawQuery.length == 0) return "";
  return nameIn(rawQuery, 0x26, 0x3b, false, path, 0);
}

const COOKIE = new HeaderName("cookie");

// The first cookie name (decoded as PHP does) that is one of `names`, or "". Cookies are split on
// ';' and ',' (over-reading is the safe side).
export function boundNameInCookies(names: string[], shortest: i32, headers: HeaderSnapshot): string {
  if (names.length == 0) return "";
  for (let at = headers.find(COOKIE.bytes); at >= 0; at = headers.find(COOKIE.bytes, at + 1)) {
    const found = nameIn(headers.valueOf(at), 0x3b, 0x2c, true, names, shortest);
    if (found.length > 0) return found;
  }
  return "";
}

// Why the request names a bound parameter elsewhere, or "".
export function boundNameProblem(bound: BoundNames, rawQuery: string, headers: HeaderSnapshot): string {
  const q = pathNameInQuery(bound.path, rawQuery);
  if (q.length > 0) return "the query parameter " + q + " is named as a path parameter (Laravel's $request-><name> reads the query first)";
  const c = boundNameInCookies(bound.query, bound.shortest, headers);
  if (c.length > 0) return "the cookie " + c + " is named as a query parameter (PHP's $_REQUEST reads cookies last)";
  return "";
}

// The names a route binds, or null when it binds none.
export function boundNames(pathParams: string[], queryLenient: string[]): BoundNames | null {
  if (pathParams.length == 0 && queryLenient.length == 0) return null;
  const path = new Array<string>(0);
  const index = new Array<i32>(0);
  for (let i = 0; i < pathParams.length; i++) {
    const l = lenientName(pathParams[i]);
    if (path.includes(l)) continue;
    path.push(l);
    index.push(i);
  }
  return new BoundNames(path, index, queryLenient);
}
