// A reference for the method-override scans (validate/override.ts), written from the rules in that
// file's header rather than from its code: the fuzz tests (override.test.ts, fuzz.ts) hold the
// filter to it.

// Names as the most lenient reader reads them (PHP, Symfony, Rack, qs), decoded bytes in; `target`
// in that reading (lowercase, '_' for ' ', '.' and '[').
export function nameMatches(bytes: number[], target = "_method"): boolean {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0x20) i++;
  let name = bytes.slice(i);
  const nul = name.indexOf(0);
  if (nul >= 0) name = name.slice(0, nul);
  const n = target.length;
  if (name.length < n) return false;
  for (let k = 0; k < n; k++) {
    let c = name[k];
    if (c === 0x20 || c === 0x2e || c === 0x5b) c = 0x5f;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== target.charCodeAt(k)) return false;
  }
  return name.length === n || name[n] === 0x5b;
}
function formDecode(raw: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    const hex = (x: number | undefined) => x !== undefined && /[0-9a-fA-F]/.test(String.fromCharCode(x));
    if (c === 0x25 && hex(raw[i + 1]) && hex(raw[i + 2])) { out.push(parseInt(String.fromCharCode(raw[i + 1], raw[i + 2]), 16)); i += 2; }
    else out.push(c === 0x2b ? 0x20 : c > 0x7f ? 0xff : c);
  }
  return out;
}
export function formReference(form: number[], target = "_method"): boolean {
  const names: number[][] = [[]];
  let inName = true;
  for (const c of form) {
    if (c === 0x26 || c === 0x3b) { names.push([]); inName = true; } else if (c === 0x3d) inName = false;
    else if (inName) names[names.length - 1].push(c);
  }
  return names.some((n) => nameMatches(formDecode(n), target));
}

// Whether a raw query string (after the '?') carries a `_method` parameter.
export function queryReference(query: string): boolean {
  return formReference([...query].map((ch) => ch.charCodeAt(0)));
}
