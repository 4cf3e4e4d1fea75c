// The bounds a JSON document is read within (lib/json.ts, lib/jsonstream.ts), and the names the
// policy's request_limits give them. Pure.

// The request_limits settings a document can run into, as the policy names them.
export const LIMIT_BYTES = "max_body_bytes";
export const LIMIT_DEPTH = "json_max_depth";
export const LIMIT_MEMBERS = "json_max_members";
export const LIMIT_STRING = "json_max_string_bytes";
export const LIMIT_NUMBER = "json_max_number_chars";

export class JsonLimits {
  constructor(
    public maxBytes: i32 = 1 << 20,
    public maxDepth: i32 = 32,
    public maxMembers: i32 = 10000,
    public maxStringBytes: i32 = 65536,
    public maxNumberChars: i32 = 64,
  ) {}
}
