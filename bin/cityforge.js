#!/usr/bin/env node
// The CLI is compiled to dist/ and bundled into dist/run by `npm run build` (scripts/setup.sh does it).
// The job worker starts first, on the command's name alone, and loads the pipeline on the other core
// while the main thread loads the command line's definitions (src/cli/early.ts).
const { startJobWorkerEarly } = await import('../dist/run/early.js');
startJobWorkerEarly(process.argv);
await import('../dist/run/main.js');
