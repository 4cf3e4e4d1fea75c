// Small text checks shared by the parsers and validators. Pure.

// The value of one hexadecimal digit (either case), or -1.
export function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

// The first `n` bytes (at most) in lowercase hex, two digits each.
export function hexOf(bytes: Uint8Array, n: i32 = i32.MAX_VALUE): string {
  let out = "";
  for (let i = 0; i < n && i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return out;
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

// `s` lowercased; `s` itself, not a copy, when that changes nothing (ASCII without capitals, the
// usual header value).
export function lowerAscii(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || c > 0x7f) return s.toLowerCase();
  }
  return s;
}

// A name as case-insensitive readers compare it: in lowercase, with the four non-ASCII letters that
// some of them equate with ASCII ones read as those: .NET's OrdinalIgnoreCase takes dotless ı
// (U+0131) for I and long ſ (U+017F) for S; Java's equalsIgnoreCase also İ (U+0130) for i and the
// Kelvin sign (U+212A) for k; Go's encoding/json ſ and the Kelvin sign. `s` itself when plain ASCII
// without capitals.
export function foldCase(s: string): string {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) { ascii = false; break; }
  }
  if (ascii) return lowerAscii(s);
  return s.replaceAll("\u0130", "i").replaceAll("\u0131", "i").replaceAll("\u017f", "s").replaceAll("\u212a", "k").toLowerCase();
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

// Strict UTF-8 (RFC 3629): no overlong forms (C0, C1, E0 80-9F, F0 80-8F), no surrogates
// (ED A0-BF), nothing past U+10FFFF (F4 90+, F5-FF), no stray continuation bytes, nothing cut off.
// Lenient decoders read the overlong %c0%ae as '.', so this is where a traversal would hide.
export function isUtf8(bytes: Uint8Array): bool {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = <i32>bytes[i];
    if (b < 0x80) { i++; continue; }
    let need = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) { need = 2; if (b == 0xe0) lo = 0xa0; if (b == 0xed) hi = 0x9f; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; if (b == 0xf0) lo = 0x90; if (b == 0xf4) hi = 0x8f; }
    else return false;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return false;
      const c = <i32>bytes[i + k];
      if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xbf)) return false;
    }
    i += need + 1;
  }
  return true;
}

// Percent-escapes decoded to bytes, other characters as they are; with `plusIsSpace` (query
// strings, as HTML forms send them) '+' is a space. null when an escape is malformed or a character
// is not ASCII.
export function percentDecode(s: string, plusIsSpace: bool): Uint8Array | null {
  const bytes = new Uint8Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x2b && plusIsSpace) { bytes[n++] = 0x20; continue; }
    if (c != 0x25) { if (c > 0x7f) return null; bytes[n++] = <u8>c; continue; }
    if (i + 2 >= s.length) return null;
    const h = hexDigit(s.charCodeAt(i + 1));
    const l = hexDigit(s.charCodeAt(i + 2));
    if (h < 0 || l < 0) return null;
    bytes[n++] = <u8>((h << 4) | l);
    i += 2;
  }
  return bytes.subarray(0, n);
}
