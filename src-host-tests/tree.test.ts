// The shape of assembly/ (issue #9): folders by stage, imported in one direction only, the host
// wall in abi/ alone, files and functions a reader can hold in mind. scripts/tree.ts prints the
// same facts.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, folderEdges, scan } from "../scripts/tree";

// Lowest first: a folder may import only from folders before it.
const LAYERS = ["lib", "reply", "identity", "ratelimit", "monitor", "validate", "authz", "config", "pipeline", "abi", "."];
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 60;

describe("the source tree (assembly/)", () => {
  const { files, functions } = scan();

  it("every file is in a known folder", () => {
    expect(files.filter((f) => !LAYERS.includes(f.folder)).map((f) => f.path)).toEqual([]);
  });

  it(`no file over ${MAX_FILE_LINES} lines`, () => {
    expect(files.filter((f) => f.lines > MAX_FILE_LINES).map((f) => `${f.path}: ${f.lines}`)).toEqual([]);
  });

  it(`no function over ${MAX_FUNCTION_LINES} lines`, () => {
    expect(functions.filter((f) => f.lines > MAX_FUNCTION_LINES).map((f) => `${f.file} ${f.name}: ${f.lines}`)).toEqual([]);
  });

  it("folders import only from the folders below them (no cycles)", () => {
    const wrong: string[] = [];
    for (const [from, tos] of folderEdges(files)) {
      for (const to of tos) if (LAYERS.indexOf(to) >= LAYERS.indexOf(from)) wrong.push(`${from} -> ${to}`);
    }
    expect(wrong).toEqual([]);
  });

  it("no two files import each other, directly or around a loop", () => {
    const imports = new Map(files.map((f) => [resolve(ROOT, f.path), f.imports]));
    const state = new Map<string, "open" | "done">();
    const loops: string[] = [];
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") { loops.push([...trail, file].map((p) => p.slice(ROOT.length + 1)).join(" -> ")); return; }
      state.set(file, "open");
      for (const next of imports.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of imports.keys()) visit(file, []);
    expect(loops).toEqual([]);
  });

  it("only abi/host.ts calls the host (the SDK's import table)", () => {
    const callers = files.filter((f) => readFileSync(resolve(ROOT, f.path), "utf8").includes("@solo-io/proxy-runtime")).map((f) => f.path);
    expect(callers).toEqual(["abi/host.ts"]);
  });

  it("below abi/, nothing imports abi/ (the pipeline and the engines are pure)", () => {
    expect(files.filter((f) => f.folder !== "abi" && f.folder !== "." && f.imports.some((i) => i.includes("/assembly/abi/"))).map((f) => f.path)).toEqual([]);
  });
});
