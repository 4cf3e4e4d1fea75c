// A policy file as people edit it: YAML or JSON (JSON is YAML), read with every node's position, so
// an error the compiler names by field ("routes[2].allow[0].peers[1]: ...") is reported at the
// file, line and column where that field is.
import { readFileSync } from "node:fs";
import { LineCounter, type Node, isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";

export class PolicyFileError extends Error {}

export interface PolicyFile { path: string; policy: unknown; locate(field: string): string }

// "routes[2].allow[0].peers[1]" or "routes[0].body_schema/properties/a": the tokens of the path.
export function fieldPath(field: string): (string | number)[] {
  const slash = field.indexOf("/");
  const dotted = slash >= 0 ? field.slice(0, slash) : field;
  const out: (string | number)[] = [];
  for (const part of dotted.split(".")) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) { out.push(part); continue; }
    if (m[1]) out.push(m[1]);
    for (const i of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(i[1]));
  }
  if (slash >= 0) for (const t of field.slice(slash + 1).split("/")) if (t) out.push(/^\d+$/.test(t) ? Number(t) : t.replaceAll("~1", "/").replaceAll("~0", "~"));
  return out;
}

export function readPolicyFile(path: string): PolicyFile {
  const text = readFileSync(path, "utf8");
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number) => { const p = lines.linePos(offset); return `${path}:${p.line}:${p.col}`; };
  if (doc.errors.length > 0) throw new PolicyFileError(doc.errors.map((e) => `${at(e.pos[0])}: ${e.message.split("\n")[0]}`).join("\n"));
  const locate = (field: string): string => {
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
    for (const token of fieldPath(field)) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(token));
        if (!pair) break;
        offset = (pair.key as Node).range?.[0] ?? offset;   // an unknown field: its name
        node = pair.value;
        if ((node as Node | null)?.range && typeof token === "number") offset = (node as Node).range![0];
      } else if (isSeq(node) && typeof token === "number" && token < node.items.length) {
        node = node.items[token];
        offset = (node as Node).range?.[0] ?? offset;
      } else break;
    }
    return at(offset);
  };
  return { path, policy: doc.toJS(), locate };
}
