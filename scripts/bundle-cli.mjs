// Bundle the compiled CLI (dist/cli, dist/tiles: tsc's output) into dist/run, which bin/cityforge.js runs.
//
// Every process of the CLI loaded some 170 ES modules one by one (resolved, read and compiled), in the
// main thread and again in the job worker: 0.1 s of a one-building `build` (0.67 s → 0.55 s), 0.05 s of
// `--help` (bench/RESULTS.md, issue 16). Bundled, they are a few files. gdal-async (a native addon with
// its own loader) and laz-perf (found at run time through createRequire) stay in node_modules.
//
// Entry points keep their names, flat in dist/run, so that the workers are found where the code
// expects them beside itself: `new URL('./job.js', import.meta.url)`, `new URL('./worker.js', …)`.
// Code shared by the entries (the job's state, the temp-file registry) is one chunk, loaded once.
import fs from 'node:fs';
import { build } from 'esbuild';

const ENTRIES = ['dist/cli/early.js', 'dist/cli/main.js', 'dist/cli/job.js', 'dist/tiles/worker.js', 'dist/pipeline/infer-worker.js'];

// chunks are named by their content: the last build's would stay beside the new ones
fs.rmSync('dist/run', { recursive: true, force: true });
await build({
  entryPoints: ENTRIES,
  outdir: 'dist/run',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  external: ['gdal-async', 'laz-perf'],
  // gdal-async's preload stays a file of its own, imported before gdal-async (bundled, its code would run
  // after every external import of the chunk: too late)
  plugins: [{ name: 'gdal-preload', setup: (b) => b.onResolve({ filter: /gdal-preload\.js$/ }, () => ({ path: '../ingest/gdal-preload.js', external: true })) }],
  // CommonJS dependencies bundled into ES modules still call require() for Node's built-ins
  banner: { js: "import { createRequire as __cityforgeRequire } from 'node:module'; const require = __cityforgeRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
