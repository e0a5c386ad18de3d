/** Terrain part of `npm run bench`: the SF DEM meshed over the SF buildings' extent at three error bounds. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NULL_LOGGER } from '../src/core/logger.js';
import { Summary } from '../src/core/summary.js';
import { ingest } from '../src/ingest/index.js';
import { readElevation } from '../src/ingest/raster.js';
import { terrainMesh } from '../src/procedural/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const batch = await ingest([path.join(here, '..', 'data', 'sf-mvt')], {}, NULL_LOGGER, new Summary());
const xs = Array.from(batch.positions).filter((_, i) => i % 2 === 0), ys = Array.from(batch.positions).filter((_, i) => i % 2 === 1);
const ext = { minX: Math.min(...xs) - 30, minY: Math.min(...ys) - 30, maxX: Math.max(...xs) + 30, maxY: Math.max(...ys) + 30 };
const t0 = performance.now();
const grid = readElevation(path.join(here, '..', 'data', 'sf-terrain-3857.tif'), batch.frame, ext, {}, NULL_LOGGER, new Summary());
const t1 = performance.now();
console.log(`terrain: DEM warped into the frame: ${grid.n} × ${grid.n} grid, ${grid.cell.toFixed(2)} m, ${((t1 - t0) / 1000).toFixed(3)} s`);
for (const e of [0.5, 1, 2]) {
  const a = performance.now();
  const m = terrainMesh(grid, { maxError: e });
  console.log(`terrain: max error ${e} m: ${((performance.now() - a) / 1000).toFixed(3)} s, ${m.surfaceTriangles} surface triangles (+${m.indices.length / 3 - m.surfaceTriangles} skirt)`);
}
