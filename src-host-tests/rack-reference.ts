// A reference for multipart-unnamed.ts, written from its header: a multipart part Rack reads no
// name for is named by its Content-ID, filename or Content-Type. For the fuzz that compares the
// compiled scanner with override-reference.ts's multipartReference.

// Whether a header block (as written, from after its opening "--") names its part as Rack surely
// reads a name: Rack's /Content-Disposition:[^:]*;\s*name=(VALUE)/i over the whole block, taken
// conservatively. A segment starts at "content-disposition:" (any case, outside a quoted value) and
// ends at a ':' outside one; in it, each ";", whitespace, "name=" (any case) unnames the part until
// its value proves non-empty: a token byte, or a quoted value of at least one byte closed by a '"'
// (a backslash escapes the next byte). The first segment where a value proved anything decides.
export function rackNamed(raw: number[]): boolean {
  const t = String.fromCharCode(...raw);
  const lower = t.toLowerCase();
  const NEEDLE = "content-disposition:";
  let named = false;
  let decided = false;
  let i = 0;
  let inSegment = false;
  while (i < t.length) {
    if (lower.startsWith(NEEDLE, i)) { if (decided) return named; inSegment = true; i += NEEDLE.length; continue; }
    const c = t[i];
    if (!inSegment) { i++; continue; }
    if (c === ":") { inSegment = false; i++; continue; }
    const key = /;[ \t\r\n\f\v]*name=/iy;
    key.lastIndex = i;
    const semi = key.exec(t);
    if (!semi) { i++; continue; }
    named = false;
    i += semi[0].length;
    const v = t[i];
    if (v === '"') {
      let j = i + 1;
      if (t[j] === '"') { decided = true; i = j + 1; continue; }   // ""
      while (j < t.length && t[j] !== '"') j += t[j] === "\\" ? 2 : 1;
      if (j < t.length) { named = true; decided = true; i = j + 1; continue; }
      return named;   // never closed: the rest is the value
    }
    if (v !== undefined && isToken(v)) { named = true; decided = true; i++; continue; }
  }
  return named;
}
function isToken(c: string): boolean {
  const x = c.charCodeAt(0);
  return x > 0x20 && x !== 0x7f && !'()<>,;:\\"/[]?='.includes(c);
}

// Whether a header block's part, unnamed to Rack (rackNamed false), is named one of `targets` by
// Rack's fallbacks: the rest of a line after "content-id:" or "content-type:" (any case, the
// block decoded as the name scanner decodes it: `decoded`, split at its line breaks), or a
// `filename` parameter (`filenameIn`: override-reference.ts's reading of `name`, keyed otherwise).
export function rackUnnamed(raw: number[], decoded: string, targets: string[], matches: (bytes: number[], target: string) => boolean, filenameIn: (text: string) => boolean): boolean {
  if (rackNamed(raw)) return false;
  for (const line of decoded.split(/[\r\n]/)) {
    for (const header of ["content-id:", "content-type:"]) {
      const at = line.toLowerCase().indexOf(header);
      if (at < 0) continue;
      const value = [...line.slice(at + header.length)].map((ch) => ch.charCodeAt(0));
      if (targets.some((t) => matches(value, t))) return true;
    }
  }
  return filenameIn(decoded);
}
