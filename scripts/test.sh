#!/usr/bin/env bash
# The test command (npm test): builds the filter, runs every test (emulator, real Envoy, compose)
# and closes with one plain line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
./build.sh || exit 1
node_modules/.bin/tsc -p tsconfig.json || { echo "typecheck failed"; exit 1; }
start=$(date +%s)
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json=build/test-results.json "$@"
code=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync("build/test-results.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || true
echo "test suite wall time: $(( $(date +%s) - start )) s"
exit $code
