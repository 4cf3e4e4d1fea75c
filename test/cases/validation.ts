// The validation table: header hygiene, the request's shape (typed parameters, query, headers),
// body type, size and schema, and rate limits. One list of cases for the unit pipeline and the
// emulator (src-host-tests/validation.test.ts) and a real Envoy (test/validation.e2e.test.ts).
// Only requests Envoy's own codec lets through to the filter are here: control characters and
// conflicting framing headers are refused by Envoy before meshguard sees them (they stay in
// src-host-tests/hygiene.test.ts, as the filter's second line).

const U = "123e4567-e89b-12d3-a456-426614174000";

export const VALIDATION_POLICY = {
  routes: [
    { name: "upload", path: "/upload", public: true, max_body_bytes: 1000, content_types: ["application/json"] },
    { name: "item", path: "/items/{id}", public: true, param_types: { id: "integer" }, query: { page: { type: "integer" }, per_page: { type: "integer" }, limit: { type: "integer" } } },
    {
      name: "orders", path: "/orders", methods: ["POST"], public: true, content_types: ["application/json"],
      body_schema: { type: "object", required: ["sku", "qty"], additionalProperties: false, properties: { sku: { type: "string", maxLength: 16 }, qty: { type: "integer", minimum: 1 } } },
    },
    {
      name: "user-orders", path: "/users/{userId}/orders/{orderId}", methods: ["GET"], public: true,
      param_types: { orderId: "integer", userId: "uuid" },
      query: { sort: { enum: ["asc", "desc"] }, q: { required: true, max_length: 5 }, tag: { pattern: "^[a-z]{2,4}$" } },
      query_additional: false,
      required_headers: ["x-tenant"], forbidden_headers: ["x-debug"], header_patterns: { "x-tenant": "^[a-z0-9-]{1,16}$" },
    },
    { name: "limited", path: "/limited", public: true },
    // A schema without content_types: JSON media types or none.
    { name: "untyped", path: "/untyped", methods: ["POST"], public: true, body_schema: { type: "object", properties: { qty: { type: "integer", maximum: 10 } } } },
    { name: "profile", path: "/profile", methods: ["POST"], public: true, content_types: ["application/json"], body_schema: { type: "object", properties: { qty: { type: "integer", maximum: 10 }, kind: { enum: ["gift", "order"] } } } },
  ],
  request_limits: { max_headers: 30, max_header_value_bytes: 512 },
  rate_limits: {
    response_headers: true,
    limits: [{ name: "per-client", capacity: 2, refill: { tokens: 1, seconds: 60 }, key: ["header:x-client"], routes: ["limited"] }],
  },
};

export interface ValidationCase {
  name: string;
  method?: string;
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string;
  chunks?: string[];                 // a body of unknown length, in these pieces
  status: number;                    // 200 when forwarded
  reason?: string;
  reply?: Record<string, unknown>;   // more fields the reply body must carry
}

const manyHeaders: Record<string, string> = {};
for (let i = 0; i < 40; i++) manyHeaders[`x-h${i}`] = "v";
const json = { "content-type": "application/json" };
const tenant = { "x-tenant": "acme" };
const order = (path: string) => `/users/${U}/orders/${path}`;

export const VALIDATION_CASES: ValidationCase[] = [
  // Header hygiene (request_limits)
  { name: "ordinary headers pass", path: "/items/7", headers: { accept: "*/*" }, status: 200 },
  { name: "more headers than the policy allows: 431", path: "/items/7", headers: manyHeaders, status: 431, reason: "headers_too_large" },
  { name: "a header value over max_header_value_bytes: 431", path: "/items/7", headers: { "x-big": "a".repeat(513) }, status: 431, reason: "headers_too_large" },
  // Typed path and query parameters
  { name: "typed parameters of the declared types pass", path: "/items/7?page=2", status: 200 },
  { name: "a path parameter that is not an integer: 400", path: "/items/x", status: 400, reason: "path_param_invalid" },
  { name: "a declared query parameter twice (pollution): 400", path: "/items/7?page=1&page=2", status: 400, reason: "query_invalid" },
  { name: "a query value of the wrong type: 400", path: "/items/7?page=two", status: 400, reason: "query_invalid" },
  { name: "a query value encoded twice: 400", path: "/items/7?page=%2532", status: 400, reason: "query_invalid" },
  // ASP.NET binds query parameters without regard to case: PAGE=two would be page=two to it.
  { name: "a declared query parameter in another case: 400", path: "/items/7?PAGE=two", status: 400, reason: "query_invalid" },
  // PHP, Rack and Express's qs read page[] and page[x] as page; PHP reads per.page and "per page" as per_page.
  { name: "a declared query parameter in array form: 400", path: "/items/7?page[]=two", status: 400, reason: "query_invalid" },
  { name: "a declared query parameter beside its hash form: 400", path: "/items/7?page=2&page%5Bx%5D=two", status: 400, reason: "query_invalid" },
  { name: "a declared query parameter with '.' for '_' (PHP): 400", path: "/items/7?per.page=two", status: 400, reason: "query_invalid" },
  // Rack before 3 drops leading '[' and ']' and the ']' after a name: ]page and page] are page to it.
  { name: "a declared query parameter after a ']' (Rack before 3 reads page): 400", path: "/items/7?%5Dpage=two", status: 400, reason: "query_invalid" },
  { name: "a path parameter's name in brackets in the query (Rack before 3 reads id): 400", path: "/items/7?%5Bid%5D=8", status: 400, reason: "query_invalid" },
  { name: "a declared query parameter with an unclosed '[' for '_' (PHP): 400", path: "/items/7?per%5Bpage=two", status: 400, reason: "query_invalid" },
  { name: "a declared query parameter with ' ' for '_' (PHP): 400", path: "/items/7?per_page=2&per+page=two", status: 400, reason: "query_invalid" },
  // ASP.NET compares names the .NET way, which reads dotless ı as I: l%C4%B1mit is limit to it.
  { name: "a declared query parameter with a letter .NET folds to ASCII: 400", path: "/items/7?limit=1&l%C4%B1mit=two", status: 400, reason: "query_invalid" },
  { name: "an undeclared parameter passes where the route allows others", path: "/items/7?page=2&pager=x&pages[]=y&per_pages=z", status: 200 },
  // The full shape of one route
  { name: "a request of the declared shape passes", path: order("42?q=abc&sort=asc&tag=ab"), headers: tenant, status: 200 },
  // Older Rack and Python split the query on ';' too: q would be "a" there, with an undeclared x.
  { name: "a raw ';' in a query the route checks: 400", path: order("42?q=a;x=1"), headers: tenant, status: 400, reason: "query_invalid" },
  { name: "an encoded ';' is part of a value", path: order("42?q=a%3Bb"), headers: tenant, status: 200 },
  { name: "a UUID parameter that is not one: 400", path: "/users/alice/orders/42?q=a", headers: tenant, status: 400, reason: "path_param_invalid" },
  { name: "a required query parameter missing: 400", path: order("42"), headers: tenant, status: 400, reason: "query_invalid" },
  { name: "a query value longer than max_length: 400", path: order("42?q=abcdef"), headers: tenant, status: 400, reason: "query_invalid" },
  { name: "a query value not in the enum: 400", path: order("42?q=a&sort=random"), headers: tenant, status: 400, reason: "query_invalid" },
  { name: "a query value not matching its pattern: 400", path: order("42?q=a&tag=TOOLONG"), headers: tenant, status: 400, reason: "query_invalid" },
  { name: "an undeclared query parameter (query_additional: false): 400", path: order("42?q=a&admin=1"), headers: tenant, status: 400, reason: "query_invalid" },
  { name: "a required header missing: 400", path: order("42?q=a"), status: 400, reason: "header_missing" },
  { name: "a forbidden header present: 400", path: order("42?q=a"), headers: { ...tenant, "x-debug": "1" }, status: 400, reason: "header_forbidden" },
  { name: "a header value not matching its pattern: 400", path: order("42?q=a"), headers: { "x-tenant": "Acme Corp" }, status: 400, reason: "header_value_invalid" },
  // PHP, Rack and WSGI servers read x_tenant and x-tenant as one HTTP_X_TENANT (validate/twins.ts).
  { name: "a '_' spelling of a patterned header beside it: 400 (a CGI-style server reads either)", path: order("42?q=a"), headers: { ...tenant, x_tenant: "../admin" }, status: 400, reason: "header_invalid" },
  { name: "a '_' spelling of a required header instead of it: 400", path: order("42?q=a"), headers: { x_tenant: "acme" }, status: 400, reason: "header_invalid" },
  { name: "a '.' spelling of a patterned header (older Apache's CGI reads it so): 400", path: order("42?q=a"), headers: { ...tenant, "x.tenant": "../admin" }, status: 400, reason: "header_invalid" },
  { name: "a '_' spelling of a forbidden header: 400", path: order("42?q=a"), headers: { ...tenant, x_debug: "1" }, status: 400, reason: "header_invalid" },
  { name: "a '-' and '_' mixed spelling of a header the body check reads: 400", method: "POST", path: "/orders", headers: { ...json, content_type: "application/x-www-form-urlencoded" }, body: '{"sku":"a-1","qty":1}', status: 400, reason: "header_invalid" },
  { name: "a name with '_' that is no header meshguard reads passes", path: order("42?q=a"), headers: { ...tenant, x_request_tag: "blue", "x-trace_id": "7" }, status: 200 },
  { name: "a second line of a patterned header that does not match: 400 (the service may read either)", path: order("42?q=a"), headers: { "x-tenant": ["acme", "../admin"] }, status: 400, reason: "header_value_invalid" },
  { name: "two lines of a patterned header that both match pass", path: order("42?q=a"), headers: { "x-tenant": ["acme", "acme-eu"] }, status: 200 },
  // Body: media type and size
  { name: "a JSON body within the route's limit passes", method: "POST", path: "/upload", headers: json, body: '{"n":1}', status: 200 },
  { name: "another media type: 415", method: "POST", path: "/upload", headers: { "content-type": "text/plain" }, body: "hello", status: 415, reason: "content_type_not_allowed" },
  // PHP cuts a content-type at its first space: a form to it, an unknown type to the scans.
  { name: "a space inside the media type: 400", method: "POST", path: "/upload", headers: { "content-type": "application/x-www-form-urlencoded x" }, body: "_method=DELETE", status: 400, reason: "header_invalid" },
  { name: "a space inside the media type, the body chunked: 400", method: "POST", path: "/upload", headers: { "content-type": "application/x-www-form-urlencoded x" }, chunks: ["a=1&", "_method=DELETE"], status: 400, reason: "header_invalid" },
  { name: "spaces around the media type and its parameters pass", method: "POST", path: "/upload", headers: { "content-type": "application/json ; charset=utf-8" }, body: '{"n":1}', status: 200 },
  { name: "content-length over the route's limit: 413", method: "POST", path: "/upload", headers: json, body: "x".repeat(1001), status: 413, reason: "body_too_large" },
  { name: "a chunked body past the route's limit: 413", method: "POST", path: "/upload", headers: json, chunks: Array.from({ length: 20 }, () => "y".repeat(100)), status: 413, reason: "body_too_large" },
  { name: "a chunked body within the limit passes", method: "POST", path: "/upload", headers: json, chunks: ["[", "1,".repeat(10), "2]"], status: 200 },
  // Body: schema
  { name: "a body that matches the schema passes", method: "POST", path: "/orders", headers: json, body: '{"sku":"a-1","qty":3}', status: 200 },
  { name: "a value under the minimum: 400 with pointer and keyword", method: "POST", path: "/orders", headers: json, body: '{"sku":"a-1","qty":0}', status: 400, reason: "body_schema_violation", reply: { pointer: "/qty", keyword: "minimum" } },
  { name: "a member the schema does not declare: 400", method: "POST", path: "/orders", headers: json, body: '{"sku":"a-1","qty":1,"price":0}', status: 400, reason: "body_schema_violation", reply: { keyword: "additionalProperties" } },
  { name: "a required member missing: 400", method: "POST", path: "/orders", headers: json, body: '{"sku":"a-1"}', status: 400, reason: "body_schema_violation", reply: { keyword: "required" } },
  // ASP.NET binds members without regard to case: QTY would be qty to it, unchecked here.
  { name: "a declared member in other case (additional members allowed): 400", method: "POST", path: "/profile", headers: json, body: '{"QTY":99999}', status: 400, reason: "body_schema_violation", reply: { pointer: "/QTY", keyword: "properties" } },
  { name: "an undeclared member passes where the schema allows others", method: "POST", path: "/profile", headers: json, body: '{"qty":5,"note":"x"}', status: 200 },
  // Go's encoding/json and Java read the Kelvin sign as k: "\u212aind" is kind to them.
  { name: "a declared member spelt with the Kelvin sign: 400", method: "POST", path: "/profile", headers: json, body: '{"kind":"gift","\\u212aind":"refund"}', status: 400, reason: "body_schema_violation", reply: { keyword: "properties" } },
  { name: "a declared member spelt with a raw dotless ı (UTF-8, as .NET reads it): 400", method: "POST", path: "/profile", headers: json, body: '{"kind":"gift","k\u0131nd":"refund"}', status: 400, reason: "body_schema_violation", reply: { keyword: "properties", pointer: "/k\u0131nd" } },
  { name: "a declared member's name and a NUL (a C-string parser reads the name): 400", method: "POST", path: "/profile", headers: json, body: '{"kind":"gift","kind\\u0000x":"refund"}', status: 400, reason: "body_schema_violation", reply: { keyword: "properties" } },
  { name: "members with other non-ASCII letters pass as additional members", method: "POST", path: "/profile", headers: json, body: '{"kind":"gift","k\u00efnd":"x","\\u212bind":"y"}', status: 200 },
  { name: "a string over maxLength: 400", method: "POST", path: "/orders", headers: json, body: `{"sku":"${"s".repeat(17)}","qty":1}`, status: 400, reason: "body_schema_violation", reply: { pointer: "/sku", keyword: "maxLength" } },
  { name: "a duplicate member name (read two ways): 400", method: "POST", path: "/orders", headers: json, body: '{"sku":"a","qty":1,"qty":0}', status: 400, reason: "body_invalid_json" },
  { name: "a chunked body that is not JSON: 400", method: "POST", path: "/orders", headers: json, chunks: ['{"sku":', '"a", ', "}"], status: 400, reason: "body_invalid_json" },
  { name: "no body where the schema needs one: 400", method: "POST", path: "/orders", headers: json, status: 400, reason: "body_invalid_json" },
  // A schema reads JSON; a service reads a body declared as a form as a form: qty=1000"} to PHP,
  // Rails or Express.
  { name: "JSON sent as a form to a schema route without content_types: 415", method: "POST", path: "/untyped", headers: { "content-type": "application/x-www-form-urlencoded" }, body: '{"qty":1,"x":"&qty=1000"}', status: 415, reason: "content_type_not_allowed" },
  { name: "a +json media type passes a schema route without content_types", method: "POST", path: "/untyped", headers: { "content-type": "application/merge-patch+json" }, body: '{"qty":1}', status: 200 },
  { name: "no content-type passes a schema route without content_types", method: "POST", path: "/untyped", body: '{"qty":1}', status: 200 },
  // Rails, Laravel, PHP's $_REQUEST and ASP.NET merge body parameters with the query's, the
  // body's winning: a declared query parameter in the body would skip its checks.
  { name: "a declared query parameter in a form body: 400", method: "POST", path: "/items/7", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "note=x&limit=99999999999999999999", status: 400, reason: "query_invalid" },
  { name: "a declared query parameter in a form body, spelt as PHP binds it (LIMIT[]): 400", method: "POST", path: "/items/7?limit=5", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "LIMIT%5B%5D=x", status: 400, reason: "query_invalid" },
  { name: "a declared query parameter among a JSON body's members: 400", method: "POST", path: "/items/7", headers: json, body: '{"page":"x"}', status: 400, reason: "query_invalid" },
  { name: "a form body without the route's query parameter names passes", method: "POST", path: "/items/7?page=2", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "note=x&pages=1", status: 200 },
  { name: "a query parameter name nested in a JSON body passes", method: "POST", path: "/items/7", headers: json, body: '{"paging":{"page":"x"}}', status: 200 },
  // Laravel's $request->id reads the query (and the body) before the route's {id}.
  { name: "a query parameter named as a path parameter: 400", path: "/items/7?id=8", status: 400, reason: "query_invalid" },
  { name: "one named so leniently (ID[]): 400", path: "/items/7?page=1&ID%5B%5D=8", status: 400, reason: "query_invalid" },
  { name: "a form body field named as a path parameter: 400", method: "PUT", path: "/items/7", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "name=x&id=8", status: 400, reason: "query_invalid" },
  { name: "a JSON body repeating the resource's id passes (a representation)", method: "PUT", path: "/items/7", headers: json, body: '{"id":7,"name":"x"}', status: 200 },
  { name: "a JSON body naming another id than the path's: 400", method: "PUT", path: "/items/7", headers: json, body: '{"name":"x","id":8}', status: 400, reason: "query_invalid" },
  // PHP's $_REQUEST without a php.ini takes cookies last, over the query a rewrite rule made of the
  // path (items.php?id=7): a cookie id=8 is the id the script reads.
  { name: "a cookie named as a path parameter with another value: 400", path: "/items/7", headers: { cookie: "session=abc; id=8" }, status: 400, reason: "query_invalid" },
  { name: "a cookie named as a path parameter in the array form: 400", path: "/items/7", headers: { cookie: "id[]=7" }, status: 400, reason: "query_invalid" },
  { name: "a cookie named as a path parameter holding the path's value passes", path: "/items/7", headers: { cookie: "ID=7" }, status: 200 },
  // PHP's $_REQUEST reads cookies after the query when no php.ini orders it (the official images):
  // such a cookie's value must pass the parameter's rule.
  { name: "a cookie named as a declared query parameter, with a value its rule refuses: 400", path: "/items/7?limit=5", headers: { cookie: "session=abc; limit=99999999999999999999" }, status: 400, reason: "query_invalid" },
  { name: "a cookie named as one leniently (Per.Page for per_page), with a value its rule refuses: 400", path: "/items/7", headers: { cookie: "Per.Page=lots" }, status: 400, reason: "query_invalid" },
  { name: "a cookie named as one, percent-encoded twice: 400", path: "/items/7", headers: { cookie: "page=%252" }, status: 400, reason: "query_invalid" },
  { name: "a cookie named as a declared query parameter, a value PHP reads past a ',' (it splits cookies on ';' only): 400", path: "/items/7", headers: { cookie: "page=2,x=1" }, status: 400, reason: "query_invalid" },
  { name: "a cookie named as one after a ',' (a reader that splits there), with a value its rule refuses: 400", path: "/items/7", headers: { cookie: "a=1,page=x" }, status: 400, reason: "query_invalid" },
  { name: "cookies named as declared query parameters, with values their rules take, pass", path: "/items/7?page=2", headers: { cookie: "page=3; Per.Page=20; limit=%35" }, status: 200 },
  { name: "other cookies pass a route with query rules", path: "/items/7?page=2", headers: { cookie: ["session=abc; theme=dark", "pages=3"] }, status: 200 },
  // A header that keys a rate limit: the bucket is the first value's, a service may read the last
  // (or a CGI-style server the '_' spelling), so a client could vary the first for a fresh bucket.
  { name: "the header a rate limit is keyed by, given twice: 400", path: "/limited", headers: { "x-client": ["fresh-1", "victim"] }, status: 400, reason: "header_invalid" },
  { name: "its '_' spelling beside it: 400", path: "/limited", headers: { "x-client": "fresh-2", x_client: "victim" }, status: 400, reason: "header_invalid" },
];

// Rate limits: a sequence of requests on one bucket (its own x-client value), and the statuses.
export interface RateCase { name: string; client: string; statuses: number[] }

export const RATE_CASES: RateCase[] = [
  { name: "a bucket of 2 admits two requests, then 429 with Retry-After", client: "alpha", statuses: [200, 200, 429, 429] },
  { name: "another client has its own bucket", client: "beta", statuses: [200, 200, 429] },
];

// What a 429 must carry (the IETF RateLimit fields of the limit that refused, and when to retry).
export const RATE_LIMITED_HEADERS = { "retry-after": /^\d+$/, "ratelimit-policy": /^"per-client";q=2;w=120$/, ratelimit: /^"per-client";r=0;t=\d+$/ };
