// The official JSON Schema Test Suite, from the source distribution of PyPI's `jsonschema`, which
// carries it under json/tests/. Downloaded once into .schema-suite/ (project-local, like Envoy),
// with pip's progress shown.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

export const JSONSCHEMA_VERSION = "4.23.0";
const ROOT = resolve(import.meta.dirname, "..", ".schema-suite");
const TESTS = join(ROOT, `jsonschema-${JSONSCHEMA_VERSION}`, "json", "tests");

export interface SuiteGroup { description: string; schema: unknown; tests: { description: string; data: unknown; valid: boolean }[] }

export function suiteDir(): string {
  if (existsSync(TESTS)) return TESTS;
  mkdirSync(ROOT, { recursive: true });
  process.stderr.write(`meshguard: downloading the JSON Schema Test Suite (PyPI jsonschema==${JSONSCHEMA_VERSION}, source) into ${ROOT} ...\n`);
  execFileSync("python3", ["-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--progress-bar", "on", `jsonschema==${JSONSCHEMA_VERSION}`, "-d", ROOT], { stdio: ["ignore", process.stderr, process.stderr] });
  execFileSync("tar", ["xzf", `jsonschema-${JSONSCHEMA_VERSION}.tar.gz`, `jsonschema-${JSONSCHEMA_VERSION}/json/tests`], { cwd: ROOT });
  if (!existsSync(TESTS)) throw new Error(`the jsonschema ${JSONSCHEMA_VERSION} source has no json/tests/`);
  return TESTS;
}

// The core files of a draft and its optional/format/ files, each with its groups.
export function suiteFiles(draft: string): { file: string; groups: SuiteGroup[] }[] {
  const dir = join(suiteDir(), draft);
  const core = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  const formats = readdirSync(join(dir, "optional", "format")).filter((f) => f.endsWith(".json")).sort().map((f) => `optional/format/${f}`);
  return [...core, ...formats].map((file) => ({ file, groups: JSON.parse(readFileSync(join(dir, file), "utf8")) as SuiteGroup[] }));
}
