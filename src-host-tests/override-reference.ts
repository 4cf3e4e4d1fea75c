// A reference for the method-override scans (validate/override.ts), written from the rules in that
// file's header rather than from its code: the fuzz tests (override.test.ts, fuzz.ts) hold the
// filter to it.
import { rackUnnamed } from "./rack-reference";

// Names as the most lenient reader reads them (PHP, Symfony, Rack, qs, ASP.NET), decoded bytes (UTF-8)
// or code points above 0xff in; `target` in that reading (lowercase, '_' for ' ', '.' and '[').
// İ, ı, ſ and the Kelvin sign read as i, i, s and k (.NET's and Java's case-insensitive compares).
export function nameMatches(raw: number[], target = "_method"): boolean {
  const name = readName(foldLetters(raw));
  const n = target.length;
  if (name.length < n) return false;
  for (let k = 0; k < n; k++) {
    let c = name[k];
    if (c === 0x20 || c === 0x2e || c === 0x5b) c = 0x5f;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== target.charCodeAt(k)) return false;
  }
  return name.length === n || name[n] === 0x5b || name[n] === 0x5d;
}
// A name's bytes as the readers take them: leading spaces dropped (PHP) and leading '[' and ']'
// (Rack before 3: /\A[\[\]]*/), cut at a NUL (C readers).
function readName(bytes: number[]): number[] {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x5b || bytes[i] === 0x5d)) i++;
  const name = bytes.slice(i);
  const nul = name.indexOf(0);
  return nul >= 0 ? name.slice(0, nul) : name;
}
function foldLetters(raw: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const [a, b, c] = [raw[i], raw[i + 1], raw[i + 2]];
    if (a === 0xc4 && (b === 0xb0 || b === 0xb1)) { out.push(0x69); i++; }
    else if (a === 0xc5 && b === 0xbf) { out.push(0x73); i++; }
    else if (a === 0xe2 && b === 0x84 && c === 0xaa) { out.push(0x6b); i += 2; }
    else out.push(a === 0x130 || a === 0x131 ? 0x69 : a === 0x17f ? 0x73 : a === 0x212a ? 0x6b : a);
  }
  return out;
}
function formDecode(raw: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    const hex = (x: number | undefined) => x !== undefined && /[0-9a-fA-F]/.test(String.fromCharCode(x));
    if (c === 0x25 && hex(raw[i + 1]) && hex(raw[i + 2])) { out.push(parseInt(String.fromCharCode(raw[i + 1], raw[i + 2]), 16)); i += 2; }
    else out.push(c === 0x2b ? 0x20 : c);
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

// Whether a multipart body names one of `targets` as a part (its header block's `name`, `name*` or
// `name*N` parameter, in double or single quotes or a token, an extended value's charset'language'
// dropped; several on a line, or in a block read joined, also concatenated as written and by
// their numbers), or, with `method`, holds "_method" anywhere in a header block. From
// multipart-names.ts's header: a header block runs from a line opening with "--" (after those two
// bytes) to the next line that is empty or only "\r"; in it, backslashes are dropped and escapes
// decoded (a malformed one is dropped); names count after "content-disposition", read line by
// line, and again with the line breaks taken out (PHP joins continued header lines).
export function multipartReference(body: number[], targets: string[], method: boolean): boolean {
  const blocks: number[][] = [];
  let block: number[] | null = null;
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf(0x0a, start);
    end = end < 0 ? body.length : end + 1;
    const line = body.slice(start, end);
    start = end;
    if (block === null) {
      if (line[0] === 0x2d && line[1] === 0x2d) { block = line.slice(2); blocks.push(block); }
      continue;
    }
    block.push(...line);
    const text = line.filter((c) => c !== 0x0a);
    if (text.length === 0 || (text.length === 1 && text[0] === 0x0d)) block = null;
  }
  return blocks.some((b) => {
    const text = String.fromCharCode(...headerDecode(b));
    if (method && text.replace(/[A-Z]/g, (c) => c.toLowerCase()).includes("_method")) return true;
    // Line by line: split where the body has a line feed (a decoded %0A ends no line).
    const lines: number[][] = [[]];
    for (const c of b) { lines[lines.length - 1].push(c); if (c === 0x0a) lines.push([]); }
    if (lines.some((line) => namesIn(String.fromCharCode(...headerDecode(line)), targets))) return true;
    if (namesIn(text.replace(/[\r\n]/g, ""), targets, disposition(text))) return true;
    // A part Rack reads no name for: named by its Content-ID, filename or Content-Type.
    return rackUnnamed(b, text, targets, nameMatches, (t) => namesIn(t.replace(/[\r\n]/g, ""), targets, disposition(t), "filename"));
  });
}
// Where names may start: after the first "content-disposition" (the whole block's, for the joined
// reading, which drops line breaks only after that needle was found on the lines as written).
function disposition(text: string): number {
  const at = text.toLowerCase().indexOf("content-disposition");
  return at < 0 ? -1 : at + "content-disposition".length - (text.slice(0, at).match(/[\r\n]/g)?.length ?? 0);
}
function namesIn(text: string, targets: string[], from = disposition(text), param = "name"): boolean {
  if (from < 0) return false;
  const key = new RegExp(`(?<![A-Za-z0-9])${param}([ \\t*0-9]*)=[ \\t]*`, "gi");
  key.lastIndex = from;
  // The first 8 values, with their continuation numbers (the key's first digits), for the chain.
  const segments: { n: number; bytes: number[] }[] = [];
  for (let m = key.exec(text); m !== null; m = key.exec(text)) {
    const extended = m[1].includes("*");
    const i = key.lastIndex;
    const c = text[i];
    if (c === undefined || c === "\r" || c === "\n" || c === ";") continue;
    let value: string;
    if (c === '"' || (c === "'" && !extended)) {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== "\r" && text[j] !== "\n") j++;
      value = text.slice(i + 1, j);
      key.lastIndex = text[j] === c ? j + 1 : j;
    } else {
      let j = i + 1;
      while (j < text.length && !/[;, \t\r\n]/.test(text[j])) j++;
      value = text.slice(i, j);
      key.lastIndex = j;
    }
    if (extended) value = value.slice(value.lastIndexOf("'") + 1);
    const bytes = [...value].map((ch) => ch.charCodeAt(0));
    if (targets.some((t) => nameMatches(bytes, t))) return true;
    const digits = m[1].match(/[0-9]+/);
    if (segments.length < 8) segments.push({ n: digits ? parseInt(digits[0].slice(0, 6), 10) : -1, bytes });
  }
  // RFC 2231 continuations: the values joined as written and by number (stable), in 256 bytes.
  if (segments.length < 2) return false;
  let room = 256;
  for (const seg of segments) { seg.bytes = seg.bytes.slice(0, room); room -= seg.bytes.length; }
  const sorted = [...segments].sort((a, b) => a.n - b.n);
  return [segments, sorted].some((order) => targets.some((t) => nameMatches(order.flatMap((seg) => seg.bytes), t)));
}
function headerDecode(raw: number[]): number[] {
  const hex = (x: number | undefined) => x !== undefined && /[0-9a-fA-F]/.test(String.fromCharCode(x));
  const out: number[] = [];
  const bytes = raw.filter((c) => c !== 0x5c);
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c !== 0x25) { out.push(c); continue; }
    if (!hex(bytes[i + 1])) continue;                                // '%' dropped
    if (!hex(bytes[i + 2])) { i += 1; continue; }                    // '%' and one digit dropped
    out.push(parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16));
    i += 2;
  }
  return out;
}

// How a raw form name (or a JSON member name, as UTF-8) reads against `target`: not at all, as the
// name, or as the name in the array form (name[...]).
export function nameMatchKind(raw: number[], target: string, decode: boolean): "no" | "name" | "array" {
  if (!nameMatches(decode ? formDecode(raw) : raw, target)) return "no";
  const name = readName(foldLetters(decode ? formDecode(raw) : raw));
  // After the name: nothing, or only ']' (Rack before 3 drops them), is the name; anything else
  // ('[', or ']' then more: a hash to Rack) the array form.
  const rest = name.slice(target.length);
  return rest.every((c) => c === 0x5d) ? "name" : "array";
}

// Whether a form names `_method` (when `method`), or one of `targets` (declared query parameters)
// in the array form or with a value `accepts` refuses. Names are split on '&' and ';'; a value runs
// to the next '&' (PHP's reading), as written, and is refused when it holds a ';' (where older
// Rack and Python end it).
export function formValuesReference(form: number[], targets: string[], accepts: (raw: number[]) => boolean, method = true): boolean {
  const pairs: [number[], number[] | null][] = [[[], null]];
  for (let i = 0; i < form.length; i++) {
    const c = form[i];
    const pair = pairs[pairs.length - 1];
    if (c === 0x26 || c === 0x3b) pairs.push([[], null]);
    else if (pair[1] !== null) pair[1].push(c);
    else if (c === 0x3d) {
      let end = form.indexOf(0x26, i + 1);
      if (end < 0) end = form.length;
      pair[1] = [];
      (pair as unknown as { whole: number[] }).whole = form.slice(i + 1, end);
    } else pair[0].push(c);
  }
  return pairs.some((pair) => {
    const [name, value] = pair;
    if (method && nameMatchKind(name, "_method", true) !== "no") return true;
    const t = targets.find((x) => nameMatchKind(name, x, true) !== "no");
    if (t === undefined) return false;
    const whole = (pair as unknown as { whole?: number[] }).whole ?? value ?? [];
    return nameMatchKind(name, t, true) === "array" || whole.includes(0x3b) || !accepts(whole);
  });
}

// Whether a value passes an integer query rule (shape.ts hasType, not encoded twice), and a form
// value as written, read as a query's is (percent-decoded strictly, '+' a space, UTF-8, at most
// 4096 bytes: bound-values.ts).
export const integerText = (v: string) => /^-?(0|[1-9][0-9]{0,17})$/.test(v) && !/%[0-9a-f]{2}/i.test(v);
export function formInteger(raw: number[]): boolean {
  if (raw.length > 4096 || raw.some((c) => c > 0x7f)) return false;
  const text = String.fromCharCode(...raw);
  if (/%(?![0-9a-f]{2})/i.test(text)) return false;
  try { return integerText(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(decodeURIComponent(text.replace(/\+/g, " ")), "utf8"))); } catch { return false; }
}

// Whether a multipart body with boundary `boundary` (read strictly) carries a part named as one of
// `targets` that is not a plain part whose value `accepts` (multipart-values.ts's header: the
// delimiter line, one `Content-Disposition: form-data; name="X"` line, an empty line, all with
// CRLF; the content runs to the CRLF before the next delimiter, at most 4096 bytes with it; a
// content line that starts with the delimiter but is none, a part after the closing delimiter or
// one the body ends inside is not plain, nor one whose header lines the name scanner reads in a
// block opened by an earlier "--" line), or, with `method`, "_method" in a header block. A plain
// part's header lines are taken out of the body before the names are looked for in what is left
// (multipartReference).
export function plainPartsReference(body: number[], boundary: string, targets: string[], method: boolean, accepts: (k: number, value: number[]) => boolean): boolean {
  const lines: number[][] = [];
  for (let start = 0; start < body.length;) {
    const nl = body.indexOf(0x0a, start);
    const end = nl < 0 ? body.length : nl + 1;
    lines.push(body.slice(start, end));
    start = end;
  }
  // Where the name scanner's header block holding each line began (-1: in none): a block opens at
  // a line starting with "--" and ends at an empty line ("\n" or "\r\n").
  const blockStart: number[] = [];
  for (let i = 0, open = -1; i < lines.length; i++) {
    const l = lines[i];
    if (open < 0 && l[0] === 0x2d && l[1] === 0x2d) open = i;
    blockStart.push(open);
    if (open >= 0 && open !== i && (l.length === 1 && l[0] === 0x0a || l.length === 2 && l[0] === 0x0d && l[1] === 0x0a)) open = -1;
  }
  const delimiter = "--" + boundary;
  const copy = lines.map((l) => [...l]);
  let state = "seek";
  let name = "";
  let cdLine = -1;
  let judged = -1;
  let content: number[] = [];
  let found = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const crlf = line.length >= 2 && line[line.length - 1] === 0x0a && line[line.length - 2] === 0x0d && line.length <= 4104;
    const text = crlf ? String.fromCharCode(...line.slice(0, -2)) : null;
    const kind = text === delimiter ? 1 : text === delimiter + "--" ? 2 : 0;
    if (state === "content") {
      if (kind !== 0) {
        if (judged >= 0) {
          const ok = content.length >= 2 && content.length <= 4096 && content[content.length - 1] === 0x0a && content[content.length - 2] === 0x0d && accepts(judged, content.slice(0, -2));
          if (!ok) found = true;
        }
        state = kind === 1 ? "header" : "closed";
        judged = -1;
      } else if (judged >= 0) {
        if (String.fromCharCode(...line.slice(0, delimiter.length)) === delimiter) { found = true; judged = -1; }
        else content.push(...line);
      }
      continue;
    }
    if (state === "closed") continue;
    if (kind !== 0) { state = kind === 1 ? "header" : "closed"; continue; }
    if (state === "header") {
      state = "seek";
      const m = text === null ? null : /^content-disposition: form-data; name="([A-Za-z0-9_.-]{1,64})"$/i.exec(text);
      if (m) { name = m[1]; cdLine = i; state = "blank"; }
    } else if (state === "blank") {
      state = text === "" ? "content" : "seek";
      if (state === "content") {
        const k = targets.findIndex((t) => nameMatches([...Buffer.from(name, "latin1")], t));
        content = [];
        // (Only a block opened by the part's own delimiter line: three lines.)
        judged = k >= 0 && targets[k] !== "_method" && blockStart[i] === cdLine - 1 ? k : -1;
        if (judged >= 0) copy[cdLine] = [...Buffer.from("x-plain: 1\r\n", "latin1")];
      }
    }
  }
  if (state === "content" && judged >= 0) found = true;
  return found || multipartReference(copy.flat(), targets, method);
}

// The boundary of a multipart content-type when every reader reads it alike (multipart-values.ts
// strictBoundary): the word "boundary" once in the value, 1 to 70 of RFC 2046's characters but
// the space, quoted or not, nothing around them; "".
export function strictBoundaryReference(contentType: string): string {
  if (contentType.includes(",") || contentType.toLowerCase().split("boundary").length !== 2) return "";
  const values = contentType.split(";").slice(1).filter((p) => p.includes("=") && p.slice(0, p.indexOf("=")).trim().toLowerCase() === "boundary").map((p) => p.slice(p.indexOf("=") + 1));
  if (values.length !== 1 || values[0] !== values[0].trim()) return "";
  let v = values[0];
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
  return /^[0-9A-Za-z'()+_\-./:=?]{1,70}$/.test(v) ? v : "";
}
