// The body table: request bodies that meshguard must refuse or pass, each sent in every framing
// Envoy knows. One table drives the emulator (src-host-tests/body-hold.test.ts) and the real Envoy
// (test/body.e2e.test.ts), and both assert what the *service* received, not only the status.
export const BODY_POLICY = {
  routes: [
    {
      name: "orders", path: "/orders", methods: ["POST"], public: true, content_types: ["application/json"],
      body_schema: {
        type: "object", required: ["sku", "qty"], additionalProperties: false,
        properties: { sku: { type: "string" }, qty: { type: "integer", minimum: 1, maximum: 100 }, amount: { type: "number", maximum: 1e39 }, count: { type: "integer", maximum: 9007199254740992 }, note: { type: "string", maxLength: 40 }, status: { enum: ["new", "paid"] } },
      },
    },
    // Additional members allowed: a declared one in other case, and exact numbers in an enum.
    { name: "profile", path: "/profile", methods: ["POST"], public: true, content_types: ["application/json"], body_schema: { type: "object", properties: { qty: { maximum: 10 }, id: { enum: [9007199254740992] } } } },
    { name: "upload", path: "/upload", methods: ["POST"], public: true, max_body_bytes: 64 },
    // No schema, no content_types: only the method-override scan reads these bodies.
    { name: "forms", path: "/forms", methods: ["POST"], public: true },
    // A path and a declared query parameter, looked for in bodies (validate/bound-names.ts); a
    // body's limit must pass the query's rule (validate/bound-values.ts).
    { name: "items", path: "/items/{id}", methods: ["POST", "PUT"], public: true, query: { limit: { type: "integer", max_length: 3 }, sort: { pattern: "^[a-z]+$" } } },
    // A declared query parameter the schema declares too, more loosely: a merged body's limit must
    // pass both (Laravel's input('limit') hands it over as the query's).
    { name: "search", path: "/search", methods: ["POST"], public: true, query: { limit: { type: "integer", max_length: 3 } }, body_schema: { type: "object", properties: { limit: { type: "integer" } } } },
    // A schema without content_types: a JSON media type or none.
    { name: "notes", path: "/notes", methods: ["POST"], public: true, body_schema: { type: "object" } },
  ],
  request_limits: { json_max_number_chars: 20 },
};

export type BodyKind = "valid" | "schema violation" | "unfinished document" | "mid-body error" | "over the limit" | "over a JSON limit" | "method override" | "encoded body" | "bound parameter" | "media type";

export interface BodyCase {
  name: string;
  kind: BodyKind;
  path: string;
  pieces: string[];          // the body as the client writes it, piece by piece
  status: number;            // what the client gets (200: the service's answer)
  reason?: string;
  lengthKnown?: boolean;     // false: no content-length (HTTP/1.1 chunked, HTTP/2 without one)
  contentType?: string;      // default application/json; "": none sent
  encoding?: string;         // a content-encoding header
  method?: string;           // default POST
}

const MULTIPART = "multipart/form-data; boundary=b0";

export const BODY_CASES: BodyCase[] = [
  { name: "a document that matches the schema", kind: "valid", path: "/orders", pieces: ['{"sku":"a-1",', '"qty":3}'], status: 200 },
  // An enum of strings: a plain value is matched on its bytes where it lies, one that crosses pieces
  // or holds an escape is decoded first (schema-strings.ts validateEnumString, schema.ts validate()).
  { name: "an enum of strings, a value in it", kind: "valid", path: "/orders", pieces: ['{"sku":"a-1","qty":3,', '"status":"paid"}'], status: 200 },
  { name: "an enum of strings, a value in it written with an escape", kind: "valid", path: "/orders", pieces: ['{"sku":"a-1","qty":3,', '"status":"\\u0070aid"}'], status: 200 },
  { name: "an enum of strings, a value in other case", kind: "schema violation", path: "/orders", pieces: ['{"sku":"a-1","qty":3,', '"status":"Paid"}'], status: 400, reason: "body_schema_violation" },
  { name: "an enum of strings, a prefix of a value", kind: "schema violation", path: "/orders", pieces: ['{"sku":"a-1","qty":3,', '"status":"pai"}'], status: 400, reason: "body_schema_violation" },
  { name: "an enum of strings, a longer value across pieces", kind: "schema violation", path: "/orders", pieces: ['{"sku":"a-1","qty":3,"status":"pa', 'idd"}'], status: 400, reason: "body_schema_violation" },
  { name: "additionalProperties", kind: "schema violation", path: "/orders", pieces: ['{"sku":"a-1","qty":3,', '"admin":true}'], status: 400, reason: "body_schema_violation" },
  { name: "maximum", kind: "schema violation", path: "/orders", pieces: ['{"sku":"a-1",', '"qty":1000}'], status: 400, reason: "body_schema_violation" },
  // 2.36e40, which AssemblyScript's parseFloat read as 2.36e38 (under the maximum); the service reads 2.36e40.
  { name: "maximum, on a long number a lenient parser misreads", kind: "schema violation", path: "/orders", pieces: ['{"sku":"a-1","qty":3,', '"amount":23616649545148486e24}'], status: 400, reason: "body_schema_violation" },
  // 2^53 + 1 is 2^53 as a double, equal to the maximum; a service reading exact integers sees it over.
  { name: "maximum, on an integer a double cannot hold", kind: "schema violation", path: "/orders", pieces: ['{"sku":"a-1","qty":3,', '"count":9007199254740993}'], status: 400, reason: "body_schema_violation" },
  // ASP.NET binds members without regard to case: QTY would be its qty, over the maximum.
  { name: "a declared member in other case", kind: "schema violation", path: "/profile", pieces: ['{"note":"x",', '"QTY":99999}'], status: 400, reason: "body_schema_violation" },
  // .NET reads dotless ı (raw UTF-8 here) as I; a parser handing out C strings cuts a name at a NUL.
  { name: "a declared member with a dotless ı", kind: "schema violation", path: "/profile", pieces: ['{"note":"x","\u0131', 'd":5}'], status: 400, reason: "body_schema_violation" },
  { name: "a declared member's name and a NUL", kind: "schema violation", path: "/profile", pieces: ['{"note":"x","qty\\u0000', 'x":99999}'], status: 400, reason: "body_schema_violation" },
  // 2^53 + 1 is 2^53 as a double: a service reading exact integers sees a value not in the enum.
  { name: "enum, on an integer a double cannot hold", kind: "schema violation", path: "/profile", pieces: ['{"id":90071992', '54740993}'], status: 400, reason: "body_schema_violation" },
  { name: "additional members and the enum's own value", kind: "valid", path: "/profile", pieces: ['{"id":9007199254740992,', '"qty":5,"note":"x"}'], status: 200 },
  { name: "type", kind: "schema violation", path: "/orders", pieces: ['{"sku":1,', '"qty":3}'], status: 400, reason: "body_schema_violation" },
  // Strings past 32 bytes are read where they lie, and a plain ASCII one is judged by its length
  // without being decoded (lib/jsonstream.ts); one that crosses pieces goes through the carry.
  { name: "maxLength, on a long plain string in one piece", kind: "schema violation", path: "/orders", pieces: ['{"sku":"a-1","qty":3,', `"note":"${"n".repeat(41)}"}`], status: 400, reason: "body_schema_violation" },
  { name: "maxLength, on a long plain string across pieces", kind: "schema violation", path: "/orders", pieces: [`{"sku":"a-1","qty":3,"note":"${"n".repeat(20)}`, `${"n".repeat(21)}"}`], status: 400, reason: "body_schema_violation" },
  { name: "maxLength counts characters, not bytes (40 with an é, 41 bytes)", kind: "valid", path: "/orders", pieces: ['{"sku":"a-1","qty":3,', `"note":"${"n".repeat(39)}é"}`], status: 200 },
  { name: "required", kind: "schema violation", path: "/orders", pieces: ['{"sku":', '"a-1"}'], status: 400, reason: "body_schema_violation" },
  { name: "an unclosed object", kind: "unfinished document", path: "/orders", pieces: ['{"sku":"a-1",', '"qty":3'], status: 400, reason: "body_invalid_json" },
  { name: "an unclosed string", kind: "unfinished document", path: "/orders", pieces: ['{"sku":"a-1', ''], status: 400, reason: "body_invalid_json" },
  { name: "a missing value", kind: "unfinished document", path: "/orders", pieces: ['{"sku":"a-1","qty":'], status: 400, reason: "body_invalid_json" },
  { name: "a duplicate member", kind: "mid-body error", path: "/orders", pieces: ['{"sku":"a-1","sku":"b",', '"qty":3}'], status: 400, reason: "body_invalid_json" },
  // Valid JSON, refused by request_limits.json_max_number_chars only once its number is complete.
  { name: "a number longer than json_max_number_chars, ending the document", kind: "over a JSON limit", path: "/orders", pieces: ['{"sku":"a-1",', '"qty":' + "1".repeat(25) + "}"], status: 413, reason: "body_limit_exceeded" },
  // A _method parameter a framework behind meshguard would run the POST as (method_override: strip).
  { name: "a form field _method, cut inside its name", kind: "method override", path: "/forms", pieces: ["a=1&_me", "thod=DELETE"], status: 400, reason: "method_override", contentType: "application/x-www-form-urlencoded" },
  { name: "a form without content-type (Rack reads it as a form)", kind: "method override", path: "/forms", pieces: ["a=1&%5F", "method=DELETE"], status: 400, reason: "method_override", contentType: "" },
  { name: "an escaped top-level JSON member _method", kind: "method override", path: "/forms", pieces: ['{"a":1,"\\u005f', 'method":"DELETE"}'], status: 400, reason: "method_override" },
  { name: "a top-level JSON member _method after a comment (Ruby's json gem reads comments as whitespace)", kind: "method override", path: "/forms", pieces: ['/*{', '*/{"_method":"DELETE"}'], status: 400, reason: "method_override" },
  { name: "a top-level JSON member \\_method (Ruby's json gem before 2.17 drops a backslash JSON has no escape for)", kind: "method override", path: "/forms", pieces: ['{"a":1,"\\', '_method":"DELETE"}'], status: 400, reason: "method_override" },
  { name: "a form field [_method] (Rack before 3 and Express's qs read _method)", kind: "method override", path: "/forms", pieces: ["a=1&[_meth", "od]=DELETE"], status: 400, reason: "method_override", contentType: "application/x-www-form-urlencoded" },
  { name: "a multipart part named _method", kind: "method override", path: "/forms", pieces: ['--b0\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b0\r\nContent-Disposition: form-data; name="_met', 'hod"\r\n\r\nDELETE\r\n--b0--\r\n'], status: 400, reason: "method_override", contentType: MULTIPART },
  // Long runs a scan skips eight bytes at a time (a form value it does not judge, multipart part
  // content): the separator or line break that ends them, at any place in a word, still counts.
  { name: "a form field _method after a long value that ';' ends (older Rack)", kind: "method override", path: "/forms", pieces: ["note=" + "x".repeat(43) + ";_me", "thod=DELETE"], status: 400, reason: "method_override", contentType: "application/x-www-form-urlencoded" },
  { name: "a form field _method after a long value, across pieces", kind: "method override", path: "/forms", pieces: ["note=" + "y".repeat(61), "z".repeat(29) + "&_method=DELETE"], status: 400, reason: "method_override", contentType: "application/x-www-form-urlencoded" },
  { name: "a multipart part named _method after a long file part", kind: "method override", path: "/forms", pieces: ['--b0\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n' + "q".repeat(75), "r".repeat(37) + '\r\n--b0\r\nContent-Disposition: form-data; name="_method"\r\n\r\nDELETE\r\n--b0--\r\n'], status: 400, reason: "method_override", contentType: MULTIPART },
  { name: "a multipart body with a long file part and no _method", kind: "valid", path: "/forms", pieces: ['--b0\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n' + "q".repeat(75), "r".repeat(37) + '\r\n--b0\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b0--\r\n'], status: 200, contentType: MULTIPART },
  { name: "a form that names _method only in a value", kind: "valid", path: "/forms", pieces: ["a=_method&method=", "DELETE"], status: 200, contentType: "application/x-www-form-urlencoded" },
  // A body meshguard reads must come unencoded: it would judge the compressed bytes, the service the inflated ones.
  { name: "a form declared gzip-encoded", kind: "encoded body", path: "/forms", pieces: ["a=1&", "b=2"], status: 415, reason: "content_encoding_not_allowed", contentType: "application/x-www-form-urlencoded", encoding: "gzip" },
  { name: "a body for a schema declared br-encoded", kind: "encoded body", path: "/orders", pieces: ['{"sku":"a-1",', '"qty":3}'], status: 415, reason: "content_encoding_not_allowed", encoding: "br" },
  { name: "a JSON body declared UTF-16 (body-parser decodes it; the scan would see NULs)", kind: "encoded body", path: "/forms", pieces: ["{\u0000", "}\u0000"], status: 415, reason: "content_encoding_not_allowed", contentType: "application/json; charset=utf-16le" },
  { name: "an encoded body meshguard does not read", kind: "valid", path: "/forms", pieces: ["\u0001\u0002", "\u0003"], status: 200, contentType: "application/octet-stream", encoding: "gzip" },
  // Rails, Laravel and PHP's $_REQUEST merge body parameters with the route's, the body's winning.
  { name: "a form field named as a declared query parameter, cut inside its name", kind: "bound parameter", path: "/items/7", pieces: ["note=x&lim", "it=99999"], status: 400, reason: "query_invalid", contentType: "application/x-www-form-urlencoded" },
  // Frameworks merge these with the query: a value the query's rule takes passes (a form's decoded as a query's).
  { name: "a form field named as a declared query parameter, a value its rule takes", kind: "valid", path: "/items/7", method: "PUT", pieces: ["note=x&lim", "it=2%30"], status: 200, contentType: "application/x-www-form-urlencoded" },
  { name: "a JSON member named as a declared query parameter, a value its rule takes", kind: "valid", path: "/items/7", method: "PUT", pieces: ['{"note":"x","limit":"1', '2","id":7}'], status: 200 },
  { name: "a JSON member named as a declared query parameter, an object (an operator a NoSQL driver reads)", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ['{"note":"x","limit":{"$g', 't":1}}'], status: 400, reason: "query_invalid" },
  { name: "a JSON member named as a declared query parameter, a value its rule refuses after an escape", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ['{"limit":"1\\u00', '30x"}'], status: 400, reason: "query_invalid" },
  { name: "a JSON member named as a declared string parameter, true (PHP compares true == \"admin\" loosely)", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ['{"note":"x","sort":', 'true}'], status: 400, reason: "query_invalid" },
  { name: "a JSON member named as a declared query parameter and declared by the schema, a value only the schema takes", kind: "bound parameter", path: "/search", pieces: ['{"q":"x","limit":999', '99}'], status: 400, reason: "query_invalid" },
  { name: "a JSON member named as a declared query parameter and declared by the schema, a value both take", kind: "valid", path: "/search", pieces: ['{"q":"x","limit":2', '0}'], status: 200 },
  { name: "a JSON member named as a declared query parameter after a comment (Rails' json gem reads it as whitespace)", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ['/*c', '*/{"limit":"99999"}'], status: 400, reason: "query_invalid" },
  { name: "a JSON member named as a declared query parameter after a comment hiding a bracket", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ['{"note":[1,/*]*', '/2],"limit":99999}'], status: 400, reason: "query_invalid" },
  { name: "a JSON member named \\limit, an escape JSON does not have (Rails' json gem before 2.17 reads limit)", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ['{"note":"x","\\l', 'imit":99999}'], status: 400, reason: "query_invalid" },
  { name: "a JSON member named as a declared query parameter between comments, a value its rule takes", kind: "valid", path: "/items/7", method: "PUT", pieces: ['{"note":"x"/*c*/,"limit"/*', '*/:20}'], status: 200 },
  { name: "a form field ]limit (Rack before 3 reads limit), a value its rule refuses", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ["note=x&]li", "mit=99999"], status: 400, reason: "query_invalid", contentType: "application/x-www-form-urlencoded" },
  { name: "a form field limit] (Rack before 3 reads limit), a value its rule takes", kind: "valid", path: "/items/7", method: "PUT", pieces: ["note=x&limit", "]=20"], status: 200, contentType: "application/x-www-form-urlencoded" },
  { name: "a form field named as a declared query parameter, a value PHP reads past a ';' (older Rack ends it there)", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ["note=x&limit=1", ";x=2"], status: 400, reason: "query_invalid", contentType: "application/x-www-form-urlencoded" },
  { name: "a form field named as a declared query parameter, its value encoded twice", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ["limit=%25", "31"], status: 400, reason: "query_invalid", contentType: "application/x-www-form-urlencoded" },
  { name: "a form field named as the path parameter holding the path's value (a hidden id field)", kind: "valid", path: "/items/7", method: "PUT", pieces: ["note=x&i", "d=%37"], status: 200, contentType: "application/x-www-form-urlencoded" },
  { name: "a form field named as the path parameter with another value", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ["note=x&I", "D=8"], status: 400, reason: "query_invalid", contentType: "application/x-www-form-urlencoded" },
  { name: "a JSON member named as the path parameter with another value", kind: "bound parameter", path: "/items/7", pieces: ['{"note":"x","id":', '8}'], status: 400, reason: "query_invalid" },
  { name: "a JSON member holding the path parameter's own value", kind: "valid", path: "/items/7", pieces: ['{"note":"x","id":', '7}'], status: 200 },
  // ASP.NET Core reads a form in the charset its content-type names, and binds its fields before the
  // route's parameters. PUT: a POST body was held to this already, for its _method scan.
  { name: "a PUT form declared UTF-16 to a route with a path parameter", kind: "encoded body", path: "/items/7", method: "PUT", pieces: ["i\u0000d\u0000", "=\u00008\u0000"], status: 415, reason: "content_encoding_not_allowed", contentType: "application/x-www-form-urlencoded; charset=utf-16le" },
  { name: "a PUT JSON body declared gzip-encoded to a route with a path parameter", kind: "encoded body", path: "/items/7", method: "PUT", pieces: ["\u001f\u008b", "\u0008"], status: 415, reason: "content_encoding_not_allowed", encoding: "gzip" },
  // ASP.NET binds names case-insensitively with .NET's OrdinalIgnoreCase, which reads a dotless ı as I.
  { name: "a JSON member named as the path parameter with a dotless ı, another value", kind: "bound parameter", path: "/items/7", pieces: ['{"note":"x","ı', 'd":8}'], status: 400, reason: "query_invalid" },
  { name: "a form field named as a declared query parameter with an encoded dotless ı", kind: "bound parameter", path: "/items/7", pieces: ["note=x&l%C4%B", "1mit=99999"], status: 400, reason: "query_invalid", contentType: "application/x-www-form-urlencoded" },
  // PHP reads every part into $_POST or $_FILES by its name (Laravel's $request->all() holds both); Rails alike.
  { name: "a multipart part named as a declared query parameter, cut inside its name", kind: "bound parameter", path: "/items/7", pieces: ['--b0\r\nContent-Disposition: form-data; name="note"\r\n\r\nx\r\n--b0\r\nContent-Disposition: form-data; name="li', 'mit"\r\n\r\n99999\r\n--b0--\r\n'], status: 400, reason: "query_invalid", contentType: MULTIPART },
  { name: "a multipart file part named as the path parameter", kind: "bound parameter", path: "/items/7", pieces: ['--b0\r\nContent-Disposition: form-data; name=ID; filename="a.txt"\r\n\r\n', '8\r\n--b0--\r\n'], status: 400, reason: "query_invalid", contentType: MULTIPART },
  { name: "a multipart part named on a continued header line, in single quotes (PHP joins the lines)", kind: "bound parameter", path: "/items/7", pieces: ['--b0\r\nContent-Disposition: form-data; name=\r\n', " 'limit'\r\n\r\n99999\r\n--b0--\r\n"], status: 400, reason: "query_invalid", contentType: MULTIPART },
  { name: "a multipart part named as a declared query parameter by RFC 2231 continuations (Werkzeug joins them)", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ['--b0\r\nContent-Disposition: form-data; name*0="li"; na', 'me*1="mit"\r\n\r\n99999\r\n--b0--\r\n'], status: 400, reason: "query_invalid", contentType: MULTIPART },
  { name: "a multipart part named as the path parameter by continuations out of order (the email package sorts them)", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ["--b0\r\nContent-Disposition: form-data; name*1=d; name*0=", "i\r\n\r\n8\r\n--b0--\r\n"], status: 400, reason: "query_invalid", contentType: MULTIPART },
  // A plain form field part (multipart-values.ts) so named is judged by its value, as a form field is.
  { name: "a plain multipart field named as a declared query parameter, a value its rule takes", kind: "valid", path: "/items/7", method: "PUT", pieces: ['--b0\r\nContent-Disposition: form-data; name="note"\r\n\r\nx\r\n--b0\r\nContent-Disposition: form-data; name="li', 'mit"\r\n\r\n20\r\n--b0--\r\n'], status: 200, contentType: MULTIPART },
  { name: "a plain multipart field named as the path parameter holding the path's value", kind: "valid", path: "/items/7", method: "PUT", pieces: ['--b0\r\nContent-Disposition: form-data; name="id"\r\n\r\n', '7\r\n--b0--\r\n'], status: 200, contentType: MULTIPART },
  { name: "a plain multipart field named as a declared query parameter, a value its rule refuses", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ['--b0\r\nContent-Disposition: form-data; name="limit"\r\n\r\n2', '0x\r\n--b0--\r\n'], status: 400, reason: "query_invalid", contentType: MULTIPART },
  { name: "a plain multipart field inside a part PHP reads with another boundary (it takes xboundary's zz)", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ['--zz\r\n--b0\r\nContent-Disposition: form-data; name="limit"\r\n\r\n5\r\n--b0--\r\n', '99999\r\n--zz--\r\n'], status: 400, reason: "query_invalid", contentType: "multipart/form-data; xboundary=zz; boundary=b0" },
  { name: "a plain multipart field whose content holds a line starting with the boundary (padded: readers disagree where it ends)", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ['--b0\r\nContent-Disposition: form-data; name="id"\r\n\r\n7\r\n--b0 \r\n', 'Content-Disposition: form-data; name="x"\r\n\r\n8\r\n--b0--\r\n'], status: 400, reason: "query_invalid", contentType: MULTIPART },
  { name: "a multipart upload of SQL whose comment lines start with '--' and name the parameter", kind: "valid", path: "/items/7", pieces: ['--b0\r\nContent-Disposition: form-data; name="dump"; filename="a.sql"\r\n\r\n-- items\r\nUPDATE t SET name = \'id\'', ";\r\n--b0--\r\n"], status: 200, contentType: MULTIPART },
  { name: "a multipart part without a name, its filename a declared query parameter's (Rack names the part by it)", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ['--b0\r\nContent-Disposition: form-data; filena', 'me="limit"\r\n\r\n99999\r\n--b0--\r\n'], status: 400, reason: "query_invalid", contentType: MULTIPART },
  { name: "a multipart part without a name, named by its Content-ID (Rack)", kind: "bound parameter", path: "/items/7", method: "PUT", pieces: ['--b0\r\nContent-Disposition: form-data\r\nContent-I', 'D: id\r\n\r\n8\r\n--b0--\r\n'], status: 400, reason: "query_invalid", contentType: MULTIPART },
  { name: "a multipart upload whose file name is the parameter's", kind: "valid", path: "/items/7", pieces: ['--b0\r\nContent-Disposition: form-data; name="photo"; filename="id"\r\n\r\n', 'name="limit"\r\n--b0--\r\n'], status: 200, contentType: MULTIPART },
  // A JSON body declared as a form is parsed as a form by PHP, Rails and Express: qty=1000"}.
  { name: "JSON declared as a form, to a schema route without content_types", kind: "media type", path: "/notes", pieces: ['{"qty":1,', '"x":"&qty=1000"}'], status: 415, reason: "content_type_not_allowed", contentType: "application/x-www-form-urlencoded" },
  { name: "a body of unknown length within the limit", kind: "valid", path: "/upload", pieces: ["x".repeat(30), "y".repeat(30)], status: 200, lengthKnown: false },
  { name: "a body of unknown length over the limit", kind: "over the limit", path: "/upload", pieces: ["x".repeat(40), "y".repeat(40)], status: 413, reason: "body_too_large", lengthKnown: false },
];
