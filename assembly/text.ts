// Small text checks shared by the parsers and validators. Pure.

// The value of one hexadecimal digit (either case), or -1.
export function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

// The canonical 8-4-4-4-12 form, hex digits of either case.
export function isCanonicalUuid(s: string): bool {
  if (s.length != 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i == 8 || i == 13 || i == 18 || i == 23) { if (c != 0x2d) return false; }
    else if (hexDigit(c) < 0) return false;
  }
  return true;
}

// Length in code points: a surrogate pair counts once (its low half is skipped).
export function codePointCount(s: string): i32 {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}
