import { makeFrame } from '../core/frame.js';
import { Summary } from '../core/summary.js';
import { emptyBatch } from '../core/batch.js';
import { writeGlb } from '../export/gltf.js';
import { rasterCentre, rasterExtentInFrame, readElevation } from '../ingest/raster.js';
import { buildMeshes } from '../procedural/index.js';
import { meshTerrain } from './build.js';
import { elevationInput, namingInput, rasterOptionsOf } from './common.js';
import { TERRAIN_GLB_DEFAULTS, type TerrainGlbOptions } from './options.js';

/**
 * A DEM alone → a terrain GLB (an adaptive RTIN mesh with skirts), in a frame centred on the raster.
 *
 * @example
 * ```ts
 * const { glb } = await buildTerrainGlb('dem.tif', { terrainError: 0.5 });
 * ```
 */
export async function buildTerrainGlb(raster: string, options: Partial<TerrainGlbOptions> = {}): Promise<{ glb: Uint8Array; summary: Summary }> {
  const o: TerrainGlbOptions = { ...TERRAIN_GLB_DEFAULTS, ...options };
  const summary = new Summary(o.logger);
  o.logger = summary.logger;
  const t0 = performance.now();
  summary.inputs.push(raster);
  const dem = await elevationInput(raster, null, null, o, o.logger, summary);
  let glb: Uint8Array;
  try {
    const [lon, lat] = rasterCentre(dem.file);
    const frame = makeFrame(lon, lat, 0, [rasterExtentInFrame(dem.file, makeFrame(lon, lat, 0, [])).crs]);
    const { extent } = rasterExtentInFrame(dem.file, frame);
    let t = performance.now();
    const lap = (stage: string) => {
      const now = performance.now();
      summary.time(stage, (now - t) / 1000);
      t = now;
    };
    const grid = readElevation(dem.file, frame, extent, { ...rasterOptionsOf(o), label: dem.label }, o.logger, summary);
    lap('read');
    const terrain = meshTerrain(grid, o.terrainError, summary, o);
    lap('terrain');
    // (no buildings: their stages' timings are not this run's)
    const empty = buildMeshes(emptyBatch(frame), {}, new Summary());
    glb = await writeGlb(empty, [], frame, { terrain, copyright: [...summary.attributions].sort().join('; ') });
    lap('encode');
  } catch (e) {
    throw namingInput(e, dem);
  } finally {
    dem.release();
  }
  summary.bytes = glb.byteLength;
  summary.time('total', (performance.now() - t0) / 1000);
  return { glb, summary };
}
