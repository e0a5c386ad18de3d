/**
 * Roof fallbacks over every footprint of the sample city (data/sf-mvt, 13,148 buildings): each building
 * given one skeleton shape in turn (hipped, gabled, mansard, gambrel; roof:height 3 m), the fallback steps
 * `build` counts. Issue 16's goal is 0. `node --import tsx bench/fallbacks.ts [input]`.
 */
import { ingest } from '../src/ingest/index.js';
import { Summary } from '../src/core/summary.js';
import { buildMeshes } from '../src/procedural/index.js';
import type { Logger } from '../src/core/logger.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
const input = process.argv[2] ?? 'data/sf-mvt';
const batch = await ingest([input], {}, quiet, new Summary(quiet));
for (const shape of ['hipped', 'gabled', 'mansard', 'gambrel']) {
  for (const p of batch.params) p.roof = { ...p.roof, shape, height: 3, angle: null, direction: null, orientation: null };
  const s = new Summary(quiet);
  buildMeshes(batch, {}, s);
  const steps = [...s.warnings.entries()].filter(([k]) => k.startsWith('roof:fallback')).map(([k, v]) => `${k.slice('roof:fallback:'.length)} ${v}`);
  console.log(`fallbacks, every building ${shape} (${batch.params.length}): ${steps.join(', ') || 'none'}`);
}
