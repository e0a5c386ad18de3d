/** One side of the benchmark, in its own process: prints one JSON line. */
import { Summary } from '../src/core/summary.js';
import { NULL_LOGGER } from '../src/core/logger.js';
import { ingest } from '../src/ingest/index.js';
import { buildMeshes } from '../src/procedural/index.js';
import { writeGlb } from '../src/export/gltf.js';
import { baseline } from './baseline.js';

const [side, input] = process.argv.slice(2);
const t0 = performance.now();
const summary = new Summary();
const batch = await ingest([input], {}, NULL_LOGGER, summary);
const t1 = performance.now();
let bytes: number;
let triangles: number;
if (side === 'cityforge') {
  const mesh = buildMeshes(batch, {}, summary);
  const glb = await writeGlb(mesh, batch.params, batch.frame);
  bytes = glb.byteLength;
  triangles = mesh.indices.length / 3;
} else {
  const r = await baseline(batch);
  bytes = r.bytes.byteLength;
  triangles = r.triangles;
}
const t2 = performance.now();
console.log(JSON.stringify({ side, buildings: batch.params.length, triangles, bytes, seconds: (t2 - t1) / 1000, totalSeconds: (t2 - t0) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
