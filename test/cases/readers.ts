// Requests that name a route's bound parameters where real frameworks read them, for the readers
// test (test/readers.e2e.test.ts): each goes to a real Rack 2 application, PHP's built-in server,
// a Werkzeug application and an Express 4 one, directly and through Envoy with meshguard. What a reader hands the service must be what
// meshguard checked: a `limit` its rule takes (an integer of at most 3 characters), no `id` but the
// path's, and the method the request came with.
import { Rng } from "../../src-host-tests/random";

export const READERS_POLICY = {
  routes: [
    { name: "items", path: "/items/{id}", methods: ["GET", "POST", "PUT"], public: true, query: { limit: { type: "integer", max_length: 3 } } },
    { name: "forms", path: "/forms", methods: ["POST"], public: true },
  ],
};

export interface ReaderRequest {
  name: string;
  method: string;
  path: string;                 // with the query
  contentType?: string;
  body?: string;                // sent as latin1 bytes
  cookie?: string;
  headers?: Record<string, string>;
}

export interface ReaderCase extends ReaderRequest {
  target: "rack" | "php" | "werkzeug" | "express";       // the reader the request is an attack on (read unsafely, directly)
}

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";
const part = (disposition: string, content: string) => `--b0\r\nContent-Disposition: form-data; ${disposition}\r\n\r\n${content}\r\n`;
const multipart = (...parts: string[]) => parts.join("") + "--b0--\r\n";
const MULTIPART = "multipart/form-data; boundary=b0";

// Attacks each reader falls for when nothing stands in front of it.
export const READER_CASES: ReaderCase[] = [
  // Rack before 3 drops leading '[' and ']' and the ']' after a name.
  { name: "]limit in the query", target: "rack", method: "GET", path: "/items/7?]limit=99999" },
  { name: "[limit] in a form", target: "rack", method: "POST", path: "/items/7", contentType: FORM, body: "note=x&[limit]=99999" },
  { name: "limit] as a part name", target: "rack", method: "POST", path: "/items/7", contentType: MULTIPART, body: multipart(part('name="limit]"', "99999")) },
  { name: "a part without a name, whose filename is limit (Rack names the part by it)", target: "rack", method: "POST", path: "/items/7", contentType: MULTIPART, body: multipart(part('filename="limit"', "99999")) },
  { name: "a part without a name and with a Content-ID (Rack names the part by it)", target: "rack", method: "POST", path: "/items/7", contentType: MULTIPART, body: '--b0\r\nContent-Disposition: form-data\r\nContent-ID: limit\r\n\r\n99999\r\n--b0--\r\n' },
  { name: "a part with an empty name and a filename (Rack names the part by it)", target: "rack", method: "POST", path: "/items/7", contentType: MULTIPART, body: multipart(part('name=""; filename="limit"', "99999")) },
  { name: "[_method] in a form", target: "rack", method: "POST", path: "/forms", contentType: FORM, body: "a=1&[_method]=DELETE" },
  // Ruby's json gem reads comments as whitespace, and (before 2.17) "\l" as "l".
  { name: "a JSON body after a comment", target: "rack", method: "PUT", path: "/items/7", contentType: JSON_TYPE, body: '/*c*/{"limit":"99999"}' },
  { name: "a JSON member after a comment hiding a bracket", target: "rack", method: "PUT", path: "/items/7", contentType: JSON_TYPE, body: '{"a":[1,/*]*/2],"limit":99999}' },
  { name: "a JSON member named \\limit", target: "rack", method: "PUT", path: "/items/7", contentType: JSON_TYPE, body: '{"\\limit":"99999"}' },
  { name: "a JSON member in text/x-json", target: "rack", method: "PUT", path: "/items/7", contentType: "text/x-json", body: '{"limit":"x"}' },
  { name: "a form field limit", target: "rack", method: "POST", path: "/items/7", contentType: FORM, body: "limit=99999" },
  // PHP reads a form value past ';', a cookie past ',', and the first "boundary" anywhere.
  { name: "a form value past ';'", target: "php", method: "POST", path: "/items/7", contentType: FORM, body: "limit=1;2345" },
  { name: "a cookie value past ','", target: "php", method: "GET", path: "/items/7", cookie: "limit=2,x" },
  { name: "a part inside the part PHP reads with xboundary's zz", target: "php", method: "POST", path: "/items/7", contentType: "multipart/form-data; xboundary=zz; boundary=b0",
    body: '--zz\r\n--b0\r\nContent-Disposition: form-data; name="limit"\r\n\r\n5\r\n--b0--\r\n99999\r\n--zz--\r\n' },
  { name: "limit[] in a form (an array to PHP)", target: "php", method: "POST", path: "/items/7", contentType: FORM, body: "limit[]=1" },
  { name: "a cookie id that is not the path's ($_REQUEST reads cookies last)", target: "php", method: "GET", path: "/items/7", cookie: "session=1; id=8" },
  { name: "an id field that is not the path's", target: "php", method: "POST", path: "/items/7", contentType: FORM, body: "id=8" },
  { name: "a JSON _method (Laravel)", target: "php", method: "POST", path: "/forms", contentType: JSON_TYPE, body: '{"_method":"DELETE"}' },
  { name: "_method in the query (Laravel reads it on a POST)", target: "php", method: "POST", path: "/forms?_method=DELETE", contentType: FORM, body: "a=1" },
  // Flask's request.values: the query's values, then the form's (a multipart form's too).
  { name: "a form field limit where the query has none", target: "werkzeug", method: "POST", path: "/items/7", contentType: FORM, body: "note=x&limit=99999" },
  { name: "a multipart field named by RFC 2231 continuations (Werkzeug joins them)", target: "werkzeug", method: "POST", path: "/items/7", contentType: MULTIPART, body: multipart(part('name*0="li"; name*1="mit"', "99999")) },
  { name: "a multipart field id that is not the path's", target: "werkzeug", method: "POST", path: "/items/7", contentType: MULTIPART, body: multipart(part('name="id"', "8")) },
  // Express 4: qs reads a leading [..] as the name; method-override reads _method from a body or the query.
  { name: "[limit] in the query (qs reads limit)", target: "express", method: "GET", path: "/items/7?[limit]=99999" },
  { name: "limit[] in the query (an array to qs)", target: "express", method: "GET", path: "/items/7?limit[]=5" },
  { name: "[_method] in a form (qs reads _method)", target: "express", method: "POST", path: "/forms", contentType: FORM, body: "a=1&[_method]=DELETE" },
  { name: "a JSON _method (method-override's body getter)", target: "express", method: "POST", path: "/forms", contentType: JSON_TYPE, body: '{"_method":"DELETE"}' },
  { name: "_method in the query (method-override's query getter)", target: "express", method: "POST", path: "/forms?_method=DELETE", contentType: FORM, body: "a=1" },
  { name: "a JSON member whose content-type only holds /json (Laravel)", target: "php", method: "PUT", path: "/items/7", contentType: "text/plain; x=/json", body: '{"limit":"x"}' },
];

// Requests that must pass, and be read as sent.
export const READER_VALID: ReaderRequest[] = [
  { name: "a form field limit its rule takes", method: "POST", path: "/items/7", contentType: FORM, body: "note=x&limit=20" },
  { name: "a JSON member limit its rule takes, between comments", method: "PUT", path: "/items/7", contentType: JSON_TYPE, body: '{"note":"x"/*c*/,"limit"/**/:20}' },
  { name: "a form field limit] its rule takes (Rack reads limit)", method: "POST", path: "/items/7", contentType: FORM, body: "limit]=20" },
  { name: "a hidden id field holding the path's value", method: "POST", path: "/items/7", contentType: FORM, body: "id=7&note=x" },
  { name: "a plain multipart field", method: "POST", path: "/items/7", contentType: MULTIPART, body: multipart(part('name="limit"', "20")) },
  { name: "a cookie limit its rule takes", method: "GET", path: "/items/7", cookie: "limit=20" },
  { name: "a cookie id holding the path's value", method: "GET", path: "/items/7", cookie: "id=7" },
];

// Identity headers a client may not set (meshguard removes them; on the readers' public routes it
// sets none), spelled as CGI-style servers fold them into one HTTP_* variable.
export const SPOOFED_IDENTITY: Record<string, string>[] = ["X-Meshguard-User", "x_meshguard_user", "X_MESHGUARD_USER", "x-meshguard_user", "x.meshguard.user", "x-meshguard-peer-id",
  "x_meshguard_peer_id", "X-Meshguard-Api-Client", "x_meshguard_api_client", "X-Forwarded-Client-Cert", "x_forwarded_client_cert", "x-forwarded-client_cert"]
  .map((name) => ({ [name]: "spiffe://cluster.local/ns/ops/sa/admin" }));

// Random requests built from the pieces the attacks above are made of.
const NAMES = ["limit", "LIMIT", "]limit", "[limit]", "limit]", "limit[]", "limit]x", " limit", "li%6dit", "l%C4%B1mit", "limit%00x", "li.mit", "[limit", "li]mit",
  "_method", "[_method]", "]_method", "_METHOD", "%5Fmethod", "id", "[id]", "ID", "id]", "note", "limit[", "li+mit", "%5Blimit%5D", "limit%5B%5D", "%20limit", "l%00imit", "limit.", "%EF%BB%BFlimit"];
const VALUES = ["5", "20", "x", "99999", "1;x", "%32", "2,x", "", "-1", "007", "1%00", "DELETE", "7", "8", "1e2", "+5", "5+", "%2B5", "%35%30", "0x1", "%E2%80%8B5", "1&limit=x"];
const JSON_VALUES = ['"5"', "20", '"x"', "99999", "true", "null", '{"$gt":1}', "[1]", '"7"', "7", "8", '"DELETE"', '"\\u0031"', '"\\1"'];
const JSON_NAMES = ["limit", "\\limit", "l\\imit", "\\u006cimit", "LIMIT", "_method", "\\_method", "id", "\\id", "note", "[limit]", "limit\\u0000", "\\ufefflimit", "limit ", "l\\u0131mit"];
const GAPS = ["", "", "", " ", "/*c*/", "/*]*/", '/*"*/', "//x\n", "/*"];

function pairs(rng: Rng, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(rng.pick(NAMES) + (rng.int(8) === 0 ? "" : "=" + rng.pick(VALUES)));
  return out.join(rng.int(5) === 0 ? ";" : "&");
}

function jsonBody(rng: Rng): string {
  const gap = () => rng.pick(GAPS);
  const members: string[] = [];
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const value = rng.int(6) === 0 ? `[1,${gap()}2]` : rng.pick(JSON_VALUES);
    members.push(`${gap()}"${rng.pick(JSON_NAMES)}"${gap()}:${gap()}${value}${gap()}`);
  }
  return `${gap()}{${members.join(",")}}${gap()}`;
}

// Part headers as readers disagree on them: the name's spelling and quoting, other parameters
// around it, a second header, bare LF line ends, a boundary given otherwise.
function disposition(rng: Rng, name: string): string {
  return rng.pick([`name="${name}"`, `name="${name}"`, `name=${name}`, `name="${name}"; filename="a.txt"`, `name*=utf-8''${name}`, `NAME="${name}"`, `name = "${name}"`,
    `xname="note"; name="${name}"`, `name="note"; name="${name}"`, `name="${name}"; name="note"`, `filename="${name}"`, `name="${name}\\"`, `name=\\"${name}\\"`,
    `name*0="${name.slice(0, 2)}"; name*1="${name.slice(2)}"`, `name='${name}'`]);
}

function multipartBody(rng: Rng): { type: string; body: string } {
  const eol = rng.int(8) === 0 ? "\n" : "\r\n";
  const parts: string[] = [];
  const n = 1 + rng.int(2);
  for (let i = 0; i < n; i++) {
    const name = rng.pick(NAMES).replace(/%[0-9A-F]{2}/gi, "");
    const header = `${rng.pick(["Content-Disposition", "content-disposition", "Content-Disposition "])}: form-data; ${disposition(rng, name)}`;
    const extra = rng.int(6) === 0 ? `Content-Type: text/plain${eol}` : "";
    parts.push(`--b0${eol}${header}${eol}${extra}${eol}${rng.pick(VALUES)}${eol}`);
  }
  const body = parts.join("") + `--b0--${eol}`;
  const type = rng.pick([MULTIPART, MULTIPART, MULTIPART, 'multipart/form-data; boundary="b0"', "multipart/form-data; BOUNDARY=b0", "multipart/form-data; boundary=b0; charset=utf-8", "multipart/mixed; boundary=b0", "multipart/form-data; boundary=zz; boundary=b0"]);
  return { type, body };
}

const JSON_TYPES = [JSON_TYPE, JSON_TYPE, "text/x-json", "application/vnd.api+json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/jsonrequest", "text/plain; x=/json", "application/json, text/plain"];
const FORM_TYPES = [FORM, FORM, "", "application/x-www-form-urlencoded; charset=utf-8", "APPLICATION/X-WWW-FORM-URLENCODED", "text/plain", "application/x-www-form-urlencoded x"];

export function randomReaderRequest(rng: Rng, i: number): ReaderRequest {
  const kind = rng.int(4);
  const target = rng.int(3) === 0 ? "/forms" : "/items/7";
  const query = rng.int(3) === 0 ? "?" + pairs(rng, 1 + rng.int(2)).replace(/ /g, "%20") : "";
  const cookie = rng.int(6) === 0 ? pairs(rng, 1 + rng.int(2)).replace(/&/g, rng.pick(["; ", ";", ", "])) : undefined;
  const base = { name: `random ${i}`, path: target + query, cookie };
  if (kind === 0) return { ...base, method: rng.pick(["POST", "POST", "PUT"]), contentType: rng.pick(FORM_TYPES), body: pairs(rng, 1 + rng.int(3)) };
  if (kind === 1) return { ...base, method: rng.pick(["POST", "PUT"]), contentType: rng.pick(JSON_TYPES), body: jsonBody(rng) };
  if (kind === 2) { const m = multipartBody(rng); return { ...base, method: "POST", contentType: m.type, body: m.body }; }
  return { ...base, method: "GET" };
}

// What the readers hand a service, from their answers (test/readers/): why it is not what
// meshguard checked, or "" when it is: `limit` and `id` on the route that binds them, and the method
// the request was sent with.
export function unsafeReading(reader: "rack" | "php" | "werkzeug" | "express", answer: Record<string, unknown>, r: Pick<ReaderRequest, "method" | "path">): string {
  const problems: string[] = [];
  const limitOk = (v: unknown) => v === undefined || (typeof v === "number" && Number.isInteger(v) && String(v).length <= 3) ||
    (typeof v === "string" && /^-?(0|[1-9][0-9]*)$/.test(v) && v.length <= 3);
  const idOk = (v: unknown) => v === undefined || v === "7" || v === 7;
  // Express merges nothing: its query is what meshguard's query rules checked.
  const views = reader === "rack" ? { params: answer.params } : reader === "php" ? { request: answer.request, input: answer.input } : reader === "werkzeug" ? { values: answer.values } : { query: answer.query };
  const bound = r.path.startsWith("/items/7");   // the route that binds limit and id
  for (const [view, bag] of Object.entries(views)) {
    if (!bound) continue;
    if (bag === null || typeof bag !== "object" || Array.isArray(bag)) continue;
    const b = bag as Record<string, unknown>;
    if (!limitOk(b.limit)) problems.push(`${view}.limit = ${JSON.stringify(b.limit)}`);
    if ((reader === "php" || reader === "werkzeug") && !idOk(b.id)) problems.push(`${view}.id = ${JSON.stringify(b.id)}`);
  }
  if (answer.method !== r.method) problems.push(`method ${String(answer.method)} for ${r.method}`);
  return problems.join("; ");
}
