// validate()'s verdict on a string value read where it lies in the body's bytes, for the
// streaming check (schema-stream.ts), where the schema reads no more than the string's length or
// its bytes against an enum of strings: without decoding it, the same steps and budget as
// schema.ts validate(). Pure.
import { JsonKind } from "../lib/json";
import { Budget, SchemaError, SchemaNode, T_STR, lengthError } from "./schema";

// validate() of a string of `codePoints` code points, for a node whose verdict on a string reads
// no more than its length (schema-stream.ts: no reference, enum, const, format, pattern or
// combinator): the same steps, the same budget.
export function validateStringLength(codePoints: i64, n: SchemaNode, budget: Budget): SchemaError | null {
  const e = stringStart(n, budget);
  return e !== null ? e : lengthError(n, codePoints);
}

// validate()'s first steps on a string against `n` (without a $ref): its step of the budget, a false
// schema, the type.
// @ts-ignore: decorator
@inline function stringStart(n: SchemaNode, budget: Budget): SchemaError | null {
  if (--budget.left < 0) return new SchemaError("complexity");
  if (n.alwaysFalse) return new SchemaError("false");
  if ((n.types & T_STR) == 0) return new SchemaError("type");
  return null;
}

// Whether a keyword other than enum needs the value whole: a $ref beside others, const,
// uniqueItems, a combinator (schema-stream.ts checks such a node with validate()).
export function needsWholeValue(n: SchemaNode): bool {
  return n.ref !== null || n.constValue !== null || n.uniqueItems || n.allOf.length > 0 || n.anyOf.length > 0 || n.oneOf.length > 0 || n.not !== null;
}

// For a node whose one keyword that needs the whole value is an enum of strings (no $ref, const,
// format, pattern or combinator beside it): the values' UTF-8 bytes; null for any other node.
export function enumStrings(n: SchemaNode): Uint8Array[] | null {
  if (n.enumDecided) return n.enumBytes;
  n.enumDecided = true;
  const en = n.enumValues;
  if (en === null || needsWholeValue(n) || n.format.length > 0 || n.pattern !== null) return null;
  const bytes: Uint8Array[] = [];
  for (let i = 0; i < en.length; i++) {
    if (en[i].kind != JsonKind.String) return null;
    bytes.push(Uint8Array.wrap(String.UTF8.encode(en[i].str)));
  }
  n.enumBytes = bytes;
  return bytes;
}

// validate()'s verdict on the plain ASCII string of `len` bytes at `ptr` against a node with an enum
// of strings (enumStrings: `values`), found by its bytes, the budget spent as validate() spends it.
export function validateEnumString(ptr: usize, len: i32, n: SchemaNode, values: Uint8Array[], budget: Budget): SchemaError | null {
  const e = stringStart(n, budget);
  if (e !== null) return e;
  let found = false;
  for (let i = 0; i < values.length && !found; i++) {
    if (--budget.left < 0) return new SchemaError("complexity");   // jsonEqual's step per value
    const b = unchecked(values[i]);
    found = b.length == len && memory.compare(b.dataStart, ptr, <usize>len) == 0;
  }
  return found ? lengthError(n, <i64>len) : new SchemaError("enum");
}
