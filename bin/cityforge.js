#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm run build` (scripts/setup.sh does it).
// The job worker starts first, on the command's name alone, and loads the pipeline on the other core
// while the main thread loads the command line's definitions (src/cli/early.ts).
const { startJobWorkerEarly } = await import('../dist/cli/early.js');
startJobWorkerEarly(process.argv);
await import('../dist/cli/main.js');
