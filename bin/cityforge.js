#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm run build` (scripts/setup.sh does it).
import '../dist/cli/main.js';
