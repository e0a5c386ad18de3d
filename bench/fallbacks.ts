/**
 * The straight skeleton over every footprint of the sample city (data/sf-mvt, 13,148 buildings):
 * 1. cityforge's wavefront kernel against the `straight-skeleton` 1.x library, per footprint (median and
 *    mean µs, each footprint timed alone; how many each closes; how many the kernel's keeps are exact);
 * 2. the roof fallbacks `build` counts with each building given one skeleton shape in turn (hipped,
 *    gabled, mansard, gambrel; roof:height 3 m). Issue 16's goals: 0 fallbacks, ≥ 5× the library.
 * `npx tsc -p tsconfig.json && node --import tsx bench/fallbacks.ts [input]`.
 */
import { ingest } from '../src/ingest/index.js';
import { Summary } from '../src/core/summary.js';
import { buildMeshes } from '../src/procedural/index.js';
import { featurePolygons, type Footprint } from '../src/procedural/footprint.js';
import { tilesFootprint, type StraightSkeleton } from '../src/procedural/skeleton.js';
// the kernels timed as the CLI runs them: compiled by tsc (npm run bench builds first). Under tsx every
// closure a call creates also gets a name set (esbuild's keepNames), which costs more than a small skeleton.
import { librarySkeleton } from '../dist/procedural/skeleton.js';
import { wavefrontSkeleton } from '../dist/procedural/wavefront.js';
import type { Logger } from '../src/core/logger.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
const input = process.argv[2] ?? 'data/sf-mvt';
const batch = await ingest([input], {}, quiet, new Summary(quiet));

const footprints: Footprint[] = [];
for (let f = 0; f < batch.params.length; f++) footprints.push(...featurePolygons(batch, f));
const time = (fn: (fp: Footprint) => StraightSkeleton | null) => {
  const us: number[] = [];
  let closed = 0;
  // two warm-up passes, then one timed
  for (let pass = 0; pass < 3; pass++) {
    us.length = 0;
    closed = 0;
    for (const fp of footprints) {
      const t0 = performance.now();
      const sk = fn(fp);
      us.push(1000 * (performance.now() - t0));
      if (sk && tilesFootprint(fp, sk, 1e-3)) closed++;
    }
  }
  const sorted = us.slice().sort((a, b) => a - b);
  return { median: sorted[sorted.length >> 1], mean: us.reduce((a, b) => a + b, 0) / us.length, closed };
};
const own = time(wavefrontSkeleton);
const lib = time(librarySkeleton);
console.log(`skeleton over ${footprints.length} footprints: own ${own.median.toFixed(1)} µs median (${own.mean.toFixed(1)} mean), closes ${own.closed}; straight-skeleton 1.x ${lib.median.toFixed(1)} µs median (${lib.mean.toFixed(1)} mean), closes ${lib.closed}; ${(lib.median / own.median).toFixed(1)}× by median, ${(lib.mean / own.mean).toFixed(1)}× by mean`);

for (const shape of ['hipped', 'gabled', 'mansard', 'gambrel']) {
  for (const p of batch.params) p.roof = { ...p.roof, shape, height: 3, angle: null, direction: null, orientation: null };
  const s = new Summary(quiet);
  buildMeshes(batch, {}, s);
  const steps = [...s.warnings.entries()].filter(([k]) => k.startsWith('roof:fallback')).map(([k, v]) => `${k.slice('roof:fallback:'.length)} ${v}`);
  console.log(`fallbacks, every building ${shape} (${batch.params.length}): ${steps.join(', ') || 'none'}`);
}
