// The order documents the body benchmarks send (bench/validation.ts in the emulator,
// bench/envoy-load.ts through Envoy), and the schema they are checked against: nested objects, a
// $ref'd item schema, formats, enums, ranges.
export const ORDER_SCHEMA = {
  type: "object", required: ["customer", "items"], additionalProperties: false,
  properties: {
    customer: { type: "object", required: ["id", "email"], properties: { id: { type: "string", format: "uuid" }, email: { type: "string", format: "email" }, name: { type: "string", maxLength: 100 } } },
    items: { type: "array", minItems: 1, items: { $ref: "#/definitions/item" } },
    note: { type: "string", maxLength: 1000 },
  },
  definitions: { item: { type: "object", required: ["sku", "qty", "price"], additionalProperties: false, properties: { sku: { type: "string", minLength: 1, maxLength: 32 }, qty: { type: "integer", minimum: 1, maximum: 1000 }, price: { type: "number", minimum: 0 }, tags: { type: "array", items: { enum: ["gift", "fragile", "express"] } } } } },
};

// A valid order of about `targetBytes` (items are added until it is at least that long).
export function orderBody(targetBytes: number): string {
  const items: object[] = [];
  const doc = { customer: { id: "123e4567-e89b-12d3-a456-426614174000", email: "ann@example.com", name: "Ann Example" }, items, note: "leave at the door" };
  let i = 0;
  while (JSON.stringify(doc).length < targetBytes) items.push({ sku: `sku-${i}-abcdef`, qty: 1 + (i % 9), price: 9.99 + i, tags: i % 3 ? ["gift"] : ["fragile", "express"] }), i++;
  return JSON.stringify(doc);
}

// Documents made mostly of text (a blog API's posts: a title and a few hundred characters of body
// each), where order documents are mostly short names and numbers: bench/validation.ts runs both.
export const POSTS_SCHEMA = {
  type: "object", required: ["posts"], additionalProperties: false,
  properties: {
    posts: { type: "array", items: { type: "object", required: ["id", "title", "body"], additionalProperties: false, properties: {
      id: { type: "string", format: "uuid" }, title: { type: "string", minLength: 1, maxLength: 200 }, body: { type: "string", maxLength: 10000 },
      tags: { type: "array", maxItems: 10, items: { type: "string", maxLength: 30 } }, published: { type: "boolean" } } } },
  },
};
const LOREM = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ";

// Valid posts of about `targetBytes` (posts are added until the document is at least that long).
export function postsBody(targetBytes: number): string {
  const posts: object[] = [];
  let length = 12;
  for (let i = 0; length < targetBytes; i++) {
    const post = { id: `123e4567-e89b-12d3-a456-${String(426614174000 + i).padStart(12, "0")}`, title: `Post number ${i}: notes on streaming validation`,
      body: LOREM.repeat(3 + (i % 3)) + `(post ${i})`, tags: ["notes", i % 2 ? "wasm" : "envoy"], published: i % 4 !== 0 };
    posts.push(post);
    length += JSON.stringify(post).length + 1;
  }
  return JSON.stringify({ posts });
}

// Issue #14's chain policy, as meshguard expresses it: the rules the native chain (native-chain.ts)
// expresses (route, role, userId == sub, a limit), and the POST route's body, with or without the
// order schema. bench/envoy-load.ts and bench/guest-time-run.ts run it.
export const chainPolicy = (schema: boolean) => ({
  routes: [
    { name: "read-order", path: "/api/users/{userId}/orders/{orderId}", methods: ["GET"], allow: [{ path_params: { userId: "sub" }, any_role: ["reader"] }] },
    { name: "place-order", path: "/api/users/{userId}/orders", methods: ["POST"], allow: [{ path_params: { userId: "sub" }, any_role: ["reader"] }],
      content_types: ["application/json"], max_body_bytes: 65536, ...(schema ? { body_schema: ORDER_SCHEMA } : {}) },
  ],
  rate_limits: { limits: [{ name: "per-user", capacity: 1e9, refill: { tokens: 1e9, seconds: 1 }, key: ["user"] }] },
});

// The same caller and rules publishing posts (postsBody) against POSTS_SCHEMA: a text-heavy body
// for bench/envoy-load.ts.
export const postsPolicy = () => ({
  routes: [
    { name: "publish", path: "/api/users/{userId}/posts", methods: ["POST"], allow: [{ path_params: { userId: "sub" }, any_role: ["reader"] }],
      content_types: ["application/json"], max_body_bytes: 65536, body_schema: POSTS_SCHEMA },
  ],
});

// A form of about `targetBytes` (application/x-www-form-urlencoded): short fields and a long
// percent-encoded comment, as a web form posts them.
export function formBody(targetBytes: number): string {
  const fields = ["name=Ann+Example", "email=ann%40example.com", "sku=sku-1-abcdef", "qty=2"];
  const head = fields.join("&") + "&comment=";
  const words = encodeURIComponent("Leave it at the door, please: ring twice & wait. ").replace(/%20/g, "+");
  let comment = "";
  while (head.length + comment.length < targetBytes) comment += words;
  return head + comment;
}

// A multipart/form-data body of about `targetBytes` (boundary MULTIPART_BOUNDARY): two short fields
// and one file part of text, as a browser uploads a form with a file.
export const MULTIPART_BOUNDARY = "----meshguardBench7MA4YWxkTrZu0gW";
export function multipartBody(targetBytes: number): string {
  const part = (headers: string, content: string) => `--${MULTIPART_BOUNDARY}\r\n${headers}\r\n\r\n${content}\r\n`;
  const fields = part('Content-Disposition: form-data; name="title"', "Delivery notes") + part('Content-Disposition: form-data; name="qty"', "2");
  const fileHeaders = 'Content-Disposition: form-data; name="attachment"; filename="notes.txt"\r\nContent-Type: text/plain';
  const end = `--${MULTIPART_BOUNDARY}--\r\n`;
  const room = targetBytes - fields.length - end.length - fileHeaders.length - MULTIPART_BOUNDARY.length - 10;
  return fields + part(fileHeaders, LOREM.repeat(Math.ceil(Math.max(0, room) / LOREM.length)).slice(0, Math.max(0, room))) + end;
}

// The same caller and rules posting a form or a multipart body (formBody, multipartBody): no
// schema (schemas read JSON), but every such POST is read for `_method` and for fields named as
// the route's parameters (docs/policy.md). bench/envoy-load.ts runs it.
export const formsPolicy = () => ({
  routes: [
    { name: "notes", path: "/api/users/{userId}/notes", methods: ["POST"], allow: [{ path_params: { userId: "sub" }, any_role: ["reader"] }],
      content_types: ["application/x-www-form-urlencoded", "multipart/form-data"], max_body_bytes: 65536 },
  ],
});
