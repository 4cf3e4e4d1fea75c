// A snapshot of the request headers, taken with one host call (proxy_get_header_map_pairs) instead
// of one call per header: in Envoy every host call crosses from V8 into C++, and that crossing
// costs more than the filter's own work. Pure: it parses the bytes the host gave.
//
// The serialisation (proxy-wasm ABI): a u32 count, then a (name size, value size) u32 pair per
// header, then every name and value followed by a NUL byte. Values are decoded only when asked.

export const MAX_HEADERS = 1024;

// Why `value` would not reach a service as it is when set as a header value, or "": HTTP servers
// drop a field value's leading and trailing spaces and tabs (RFC 9110 5.5), and Envoy refuses
// control characters in one. For values meshguard forwards (the verified subject).
export function fieldValueProblem(value: string): string {
  const n = value.length;
  if (n > 0) {
    const first = value.charCodeAt(0);
    const last = value.charCodeAt(n - 1);
    if (first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09) return "begins or ends with a space or tab";
  }
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c != 0x09) || c == 0x7f) return "has a control character";
  }
  return "";
}

// A header name encoded once, at configure or start time, never per request: the one way
// meshguard holds a header name it looks for, sets or removes.
export class HeaderName {
  readonly bytes: ArrayBuffer;
  constructor(public readonly name: string) {
    this.bytes = String.UTF8.encode(name);
  }
}

export class HeaderSnapshot {
  readonly count: i32;
  readonly ok: bool;
  // Per header, four entries: where its name starts in `bytes`, the name's length, where its value
  // starts, the value's length (one array: a snapshot is taken on every request).
  private readonly at: Int32Array;

  constructor(public readonly bytes: Uint8Array) {
    const size = bytes.length;
    let n = size >= 4 ? <i32>load<u32>(bytes.dataStart) : 0;
    let ok = size >= 4 && n >= 0 && n <= MAX_HEADERS && 4 + 8 * n <= size;
    if (!ok) n = 0;
    const at = new Int32Array(4 * n);
    this.at = at;
    let p = 4 + 8 * n;
    for (let i = 0; i < n && ok; i++) {
      const ks = <i32>load<u32>(bytes.dataStart + <usize>(4 + 8 * i));
      const vs = <i32>load<u32>(bytes.dataStart + <usize>(8 + 8 * i));
      if (ks < 0 || vs < 0 || p + ks + vs + 2 > size) { ok = false; break; }
      at[4 * i] = p; at[4 * i + 1] = ks; p += ks + 1;
      at[4 * i + 2] = p; at[4 * i + 3] = vs; p += vs + 1;
    }
    this.ok = ok;
    this.count = ok ? n : 0;
  }

  private nameAt(i: i32): i32 { return this.at[4 * i]; }
  private nameLen(i: i32): i32 { return this.at[4 * i + 1]; }
  private valueAt(i: i32): i32 { return this.at[4 * i + 2]; }
  private valueLen(i: i32): i32 { return this.at[4 * i + 3]; }

  // Index of the first header with this (lowercase) name from index `from` on, or -1.
  find(name: ArrayBuffer, from: i32 = 0): i32 {
    const len = name.byteLength;
    const base = this.bytes.dataStart;
    for (let i = from; i < this.count; i++) {
      if (unchecked(this.at[4 * i + 1]) == len && memory.compare(base + <usize>unchecked(this.at[4 * i]), changetype<usize>(name), <usize>len) == 0) return i;
    }
    return -1;
  }

  has(name: ArrayBuffer): bool { return this.find(name) >= 0; }

  // The first value, as Envoy's get_header_map_value answers; "" when absent.
  value(name: ArrayBuffer): string {
    const i = this.find(name);
    return i < 0 ? "" : this.valueOf(i);
  }

  valueOf(i: i32): string {
    return String.UTF8.decodeUnsafe(this.bytes.dataStart + <usize>this.valueAt(i), <usize>this.valueLen(i), false);
  }

  nameLength(i: i32): i32 { return this.nameLen(i); }

  nameOf(i: i32): string {
    return String.UTF8.decodeUnsafe(this.bytes.dataStart + <usize>this.nameAt(i), <usize>this.nameLen(i), false);
  }

  nameIs(i: i32, name: ArrayBuffer): bool {
    const len = name.byteLength;
    return this.nameLen(i) == len && memory.compare(this.bytes.dataStart + <usize>this.nameAt(i), changetype<usize>(name), <usize>len) == 0;
  }

  // Whether header i's name is only lowercase letters, digits and '-' (as nearly every name is).
  namePlain(i: i32): bool {
    const at = this.bytes.dataStart + <usize>this.nameAt(i);
    const n = <usize>this.nameLen(i);
    for (let k: usize = 0; k < n; k++) {
      const c = load<u8>(at + k);
      if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d)) return false;
    }
    return true;
  }

  isPseudo(i: i32): bool {
    return this.nameLen(i) > 0 && load<u8>(this.bytes.dataStart + <usize>this.nameAt(i)) == 0x3a;
  }

  // RFC 9110 field values: no control characters but horizontal tab (obs-text is allowed).
  hasControlCharacter(i: i32): bool {
    const at = this.bytes.dataStart + <usize>this.valueAt(i);
    const n = <usize>this.valueLen(i);
    for (let k: usize = 0; k < n; k++) {
      const c = load<u8>(at + k);
      if ((c < 0x20 && c != 0x09) || c == 0x7f) return true;
    }
    return false;
  }
  valueLength(i: i32): i32 { return this.valueLen(i); }
}
