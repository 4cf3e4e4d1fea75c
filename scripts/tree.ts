// The shape of assembly/: folders, files with line counts, which folder imports which, and the
// largest functions. Run: npx tsx scripts/tree.ts [--json]. docs/architecture.md quotes it, and
// src-host-tests/tree.test.ts holds the limits (files, functions, import direction).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

export const ROOT = resolve(import.meta.dirname, "..", "assembly");

export interface FileInfo { path: string; folder: string; lines: number; imports: string[] }
export interface FunctionInfo { file: string; name: string; lines: number }

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : [];
  });
}

export function folderOf(path: string): string {
  const rel = relative(ROOT, path);
  return rel.includes("/") ? rel.split("/")[0] : ".";
}

export function scan(): { files: FileInfo[]; functions: FunctionInfo[] } {
  const files: FileInfo[] = [];
  const functions: FunctionInfo[] = [];
  for (const path of walk(ROOT)) {
    const text = readFileSync(path, "utf8");
    const src = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const imports: string[] = [];
    const lineOf = (pos: number) => src.getLineAndCharacterOfPosition(pos).line;
    const visit = (node: ts.Node, owner: string) => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        const spec = node.moduleSpecifier.text;
        if (spec.startsWith(".")) imports.push(resolve(dirname(path), spec) + ".ts");
      }
      let name = "";
      if (ts.isFunctionDeclaration(node) && node.name) name = node.name.text;
      else if ((ts.isMethodDeclaration(node) || ts.isGetAccessor(node)) && ts.isIdentifier(node.name)) name = `${owner}.${node.name.text}`;
      else if (ts.isConstructorDeclaration(node)) name = `${owner}.constructor`;
      if (name && "body" in node && node.body) {
        functions.push({ file: relative(ROOT, path), name, lines: lineOf(node.getEnd()) - lineOf(node.getStart()) + 1 });
      }
      const nextOwner = ts.isClassDeclaration(node) && node.name ? node.name.text : owner;
      ts.forEachChild(node, (c) => visit(c, nextOwner));
    };
    visit(src, "");
    files.push({ path: relative(ROOT, path), folder: folderOf(path), lines: text.split("\n").length - (text.endsWith("\n") ? 1 : 0), imports });
  }
  return { files, functions };
}

// Folder → the folders it imports from (itself excluded).
export function folderEdges(files: FileInfo[]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const f of files) {
    const from = edges.get(f.folder) ?? new Set<string>();
    for (const i of f.imports) { const to = folderOf(i); if (to !== f.folder) from.add(to); }
    edges.set(f.folder, from);
  }
  return edges;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { files, functions } = scan();
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify({ files, functions }, null, 2));
  } else {
    let folder = "";
    for (const f of files) {
      if (f.folder !== folder) { folder = f.folder; console.log(`${folder === "." ? "assembly" : "assembly/" + folder}/`); }
      console.log(`  ${String(f.lines).padStart(4)}  ${f.path}`);
    }
    console.log(`\n${files.length} files, ${files.reduce((s, f) => s + f.lines, 0)} lines; largest file ${Math.max(...files.map((f) => f.lines))} lines`);
    console.log("\nimports between folders:");
    for (const [from, to] of folderEdges(files)) console.log(`  ${from} -> ${[...to].sort().join(", ") || "(none)"}`);
    console.log("\nlargest functions:");
    for (const fn of [...functions].sort((a, b) => b.lines - a.lines).slice(0, 12)) console.log(`  ${String(fn.lines).padStart(3)}  ${fn.file}  ${fn.name}`);
  }
}
