// The bytes that make up a JSON token, for the streaming tokenizer (lib/jsonstream.ts) and the body
// scan for names (validate/json-names.ts): the run that continues a token of a kind, a literal
// read where it lies, the end of a run of string content found eight bytes at a time. Pure.

export const enum Token { None = 0, String = 1, Number = 2, Literal = 3 }

// What the tokenizer expects next, outside a token (None: nothing, for afterSeparator).
export const enum Expect { Value = 0, KeyOrEnd = 1, Key = 2, Colon = 3, CommaOrEndObject = 4, ValueOrEndArray = 5, CommaOrEndArray = 6, Done = 7, None = 8 }

// What is expected after the byte `c` when `e` was: for the ':' or ',' expected, what follows it;
// Expect.None for any other byte (the tokenizer's structural step then judges it).
export function afterSeparator(c: u8, e: Expect): Expect {
  if (c == 0x3a) return e == Expect.Colon ? Expect.Value : Expect.None;
  if (c != 0x2c) return Expect.None;
  return e == Expect.CommaOrEndObject ? Expect.Key : e == Expect.CommaOrEndArray ? Expect.Value : Expect.None;
}

// The end of the run of bytes from chunk[from] that continue a token of this kind: for a string,
// up to the next quote or backslash; for a number, its characters; for a literal, letters.
export function runEnd(chunk: Uint8Array, from: i32, n: i32, token: Token): i32 {
  if (token == Token.String) return quoteOrBackslash(chunk.dataStart, from, n);
  let j = from;
  if (token == Token.Number) {
    while (j < n) { const c = unchecked(chunk[j]); if (!((c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2b || c == 0x2e || c == 0x65 || c == 0x45)) break; j++; }
  } else {
    while (j < n) { const c = unchecked(chunk[j]); if (!(c >= 0x61 && c <= 0x7a)) break; j++; }
  }
  return j;
}

export const NO_LITERAL = 0;
export const TRUE = 1;
export const FALSE = 2;
export const NULL = 3;

// The literal at `p` (`true`, `false` or `null`) when a byte that cannot continue it follows before
// `stop`; NO_LITERAL otherwise (another word, or its end not in sight).
export function literalAt(p: usize, stop: usize): i32 {
  if (p + 4 >= stop) return NO_LITERAL;
  const word = load<u32>(p);
  let literal = NO_LITERAL;
  let len: usize = 4;
  if (word == 0x65757274) literal = TRUE;          // "true", little-endian
  else if (word == 0x6c6c756e) literal = NULL;     // "null"
  else if (word == 0x736c6166 && p + 5 < stop && load<u8>(p + 4) == 0x65) { literal = FALSE; len = 5; }   // "fals" "e"
  if (literal == NO_LITERAL) return NO_LITERAL;
  const next = load<u8>(p + len);
  return next >= 0x61 && next <= 0x7a ? NO_LITERAL : literal;
}

// The literal that is exactly the `len` bytes at `p` (readable four bytes at a time), or NO_LITERAL.
export function literalIn(p: usize, len: i32): i32 {
  if (len == 4) { const word = load<u32>(p); return word == 0x65757274 ? TRUE : word == 0x6c6c756e ? NULL : NO_LITERAL; }
  return len == 5 && load<u32>(p) == 0x736c6166 && load<u8>(p + 4) == 0x65 ? FALSE : NO_LITERAL;
}

// The index of the first quote or backslash in p[i, n), or n: what ends a run of string content.
export function quoteOrBackslash(p: usize, i: i32, n: i32): i32 {
  return eitherByteAt(p, i, n, 0x22, 0x5c);
}

// The index of the first byte `a` or `b` in p[i, n), or n. Eight bytes at a time.
// @ts-ignore: decorator
@inline export function eitherByteAt(p: usize, i: i32, n: i32, a: u8, b: u8): i32 {
  const spreadA = <u64>a * 0x0101010101010101;
  const spreadB = <u64>b * 0x0101010101010101;
  while (i + 8 <= n) {
    const w = load<u64>(p + <usize>i);
    const marks = zeroBytes(w ^ spreadA) | zeroBytes(w ^ spreadB);
    if (marks != 0) return i + <i32>(ctz(marks) >> 3);
    i += 8;
  }
  while (i < n) {
    const c = load<u8>(p + <usize>i);
    if (c == a || c == b) return i;
    i++;
  }
  return n;
}

// The index of the first byte `b` in p[i, n), or n. Eight bytes at a time.
// @ts-ignore: decorator
@inline export function byteAt(p: usize, i: i32, n: i32, b: u8): i32 {
  return eitherByteAt(p, i, n, b, b);
}

// The high bit of each zero byte of `w` set: exact up to the first zero byte (the lowest); a byte
// above it may be marked wrongly, so only the lowest mark is read.
// @ts-ignore: decorator
@inline export function zeroBytes(w: u64): u64 {
  return (w - 0x0101010101010101) & ~w & 0x8080808080808080;
}
