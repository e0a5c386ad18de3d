#!/usr/bin/env bash
# The quick start's test command (also what .ci/run calls): set up, type-check, run every test,
# and end with one plain line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
mkdir -p test-output
rm -f test-output/vitest*.json
if [ $# -gt 0 ]; then
  npx vitest run --reporter=default --reporter=json --outputFile.json=test-output/vitest.json "$@"
  status=$?
else
  # two lanes on the machine's cores: the browser suites (one Chromium at a time) with the fuzz corpus, the raster
  # tiles, the remote-shell sharding and the terrain data beside everything else, about as long; the browser
  # lane's log follows the other's
  browser=(test/viewer/viewer.test.ts test/viewer/viewer-panels.test.ts test/fuzz/fuzz.test.ts test/ingest/raster-tiles.test.ts test/tiles/remote-shell.test.ts test/cli/terrain-data.test.ts)
  npx vitest run "${browser[@]}" --reporter=default --reporter=json --outputFile.json=test-output/vitest-browser.json > test-output/browser-lane.log 2>&1 &
  lane=$!
  npx vitest run "${browser[@]/#/--exclude=}" --reporter=default --reporter=json --outputFile.json=test-output/vitest-rest.json
  status=$?
  wait "$lane" || status=1
  echo
  echo "The browser suites (run beside the others):"
  cat test-output/browser-lane.log
  # one report of both lanes
  node -e '
    const fs = require("fs");
    const parts = ["test-output/vitest-rest.json", "test-output/vitest-browser.json"].filter((f) => fs.existsSync(f)).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
    if (parts.length < 2) process.exit(0);
    const out = { ...parts[0], testResults: parts.flatMap((p) => p.testResults), success: parts.every((p) => p.success) };
    for (const k of Object.keys(parts[0])) if (typeof parts[0][k] === "number" && k !== "startTime") out[k] = parts.reduce((s, p) => s + (p[k] || 0), 0);
    out.startTime = Math.min(...parts.map((p) => p.startTime));
    fs.writeFileSync("test-output/vitest.json", JSON.stringify(out));
  '
fi
if [ -f test-output/vitest.json ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync("test-output/vitest.json", "utf8"));
    const skipped = r.numPendingTests + (r.numTodoTests || 0);
    // the failures again at the end, where a log cut to its tail still shows them
    for (const f of r.testResults) for (const t of f.assertionResults || []) if (t.status === "failed") {
      const why = (t.failureMessages || []).join("\n").split("\n").filter((l) => !/node_modules|node:internal|new Promise/.test(l)).slice(0, 8).join("\n    ");
      console.log(`FAILED ${f.name.replace(process.cwd() + "/", "")} > ${t.fullName}\n    ${why}`);
    }
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  '
else
  echo "0 passed, 1 failed"
  status=1
fi
exit $status
