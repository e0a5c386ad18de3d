/**
 * The runs themselves, callable from code without the CLI: each takes its inputs and an
 * `XxxOptions` object (defaults in `XXX_DEFAULTS`), reports through the logger and progress it is
 * given, and returns its bytes or writes its folder, with a {@link Summary} of what happened.
 *
 * ```
 * sources ──ingest──▶ FeatureBatch ──procedural──▶ MeshBatch ──export──▶ GLB         buildGlb
 *         ──ingest (streamed)──▶ store ──tiles (procedural + export per tile)──▶ 3D Tiles   buildTileset, planTiles, mergeTiles
 * DEM ──ingest/raster──▶ ElevationGrid ──procedural/terrain──▶ TerrainMesh ──▶ GLB  buildTerrainGlb
 * ```
 *
 * @example
 * ```ts
 * import { buildGlb, buildTileset } from 'cityforge';
 * const { glb, summary } = await buildGlb(['data/sf-mvt'], { compress: true });
 * await buildTileset(['data/sf-mvt'], { output: 'out/tiles', jobs: 2 });
 * ```
 */
export { buildGlb, prepareCity, type BuildResult, type PreparedCity } from './build.js';
export { buildTerrainGlb } from './terrain.js';
export { buildCityJson, cityJsonCrs, type CityJsonRunResult } from './cityjson.js';
export { buildTileset, planTiles, mergeTiles, type PlanUnit } from './tiles.js';
export { inferParams, type InferResult } from './infer.js';
export { rasterizeCity, type RasterizeResult } from './rasterize.js';
export * from './options.js';
export type { Summary, SummaryJSON } from '../core/summary.js';
// (what a caller passes in and catches: a logger of lines, and the typed errors whose class is the CLI's exit code)
export { createLineLogger, NULL_LOGGER, type Logger, type LogLevel } from '../core/logger.js';
export { NULL_PROGRESS, type Progress } from '../core/progress.js';
export { CityforgeError, InputError, OutputError, UsageError } from '../core/errors.js';
