// Fuzz at scale (not in CI: CI runs src-host-tests/fuzz-scale.test.ts, the same run made small).
//   npm run fuzz -- [requests=1000000] [seed=20261128]
// Prints progress, then traps (must be 0), invariant violations (must be 0), outcome counts and
// the filter's linear memory in 64 KiB pages at the start and the end. Exit 1 on a trap or a
// violation.
import { cpus } from "node:os";
import { fuzzRun } from "../src-host-tests/fuzz";

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 20261128);
console.log(`fuzz: ${count} requests, seed ${seed}, on ${cpus()[0]?.model ?? "?"} (${cpus().length} cores), node ${process.version}`);
const report = await fuzzRun(count, seed, (done, pages) => { if (done % 100000 === 0) console.log(`  ${done} requests, ${pages} pages`); });
const rows = [...report.outcomes].sort((a, b) => b[1] - a[1]);
console.log(`requests: ${report.requests} in ${(report.ms / 1000).toFixed(1)} s`);
console.log(`traps: ${report.traps.length}`);
for (const t of report.traps.slice(0, 20)) console.log(`  ${t}`);
console.log(`invariant violations: ${report.violations.length}`);
for (const v of report.violations) console.log(`  ${v}`);
console.log(`memory pages: start ${report.pagesStart}, end ${report.pagesEnd}`);
console.log("outcomes (status reason: count):");
for (const [k, n] of rows) console.log(`  ${k.trim() || "200"}: ${n}`);
process.exit(report.traps.length === 0 && report.violations.length === 0 ? 0 : 1);
