/** One side of the benchmark, in its own process: prints one JSON line. */
import { Summary } from '../src/core/summary.js';
import { NULL_LOGGER } from '../src/core/logger.js';
import { ingest } from '../src/ingest/index.js';
import { buildMeshes, ROOF_BUILDERS } from '../src/procedural/index.js';
import { writeGlb } from '../src/export/gltf.js';
import { baseline } from './baseline.js';

const [side, input] = process.argv.slice(2);
const t0 = performance.now();
const summary = new Summary();
const batch = await ingest([input], {}, NULL_LOGGER, summary);
const t1 = performance.now();
let bytes: number;
let triangles: number;
let skeletonSeconds = 0;
if (side === 'roofs') {
  // a deterministic mix of every roof shape over the same footprints
  const shapes = ROOF_BUILDERS.map((b) => b.shapes[0]);
  batch.params.forEach((p, i) => (p.roof.shape = shapes[(i * 7919) % shapes.length]));
}
if (side === 'cityforge' || side === 'roofs') {
  const mesh = buildMeshes(batch, {}, summary);
  skeletonSeconds = summary.timings.get('skeleton') ?? 0;
  const glb = await writeGlb(mesh, batch.params, batch.frame);
  bytes = glb.byteLength;
  triangles = mesh.indices.length / 3;
} else {
  const r = await baseline(batch);
  bytes = r.bytes.byteLength;
  triangles = r.triangles;
}
const t2 = performance.now();
console.log(JSON.stringify({ side, skeletonSeconds, fallbacks: [...summary.warnings.entries()].filter(([k]) => k.startsWith('roof:fallback')).reduce((a, [, v]) => a + v, 0), buildings: batch.params.length, triangles, bytes, seconds: (t2 - t1) / 1000, totalSeconds: (t2 - t0) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
