#!/usr/bin/env bash
# The quick start's test command (also what .ci/run calls): set up, type-check, run every test,
# and end with one plain line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
mkdir -p test-output
npx vitest run --reporter=default --reporter=json --outputFile.json=test-output/vitest.json "$@"
status=$?
if [ -f test-output/vitest.json ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync("test-output/vitest.json", "utf8"));
    const skipped = r.numPendingTests + (r.numTodoTests || 0);
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  '
else
  echo "0 passed, 1 failed"
  status=1
fi
exit $status
