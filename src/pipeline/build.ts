import { bufferExtent, extentOf, type Extent } from '../core/extent.js';
import type { ElevationGrid } from '../core/grid.js';
import type { Logger } from '../core/logger.js';
import { Summary } from '../core/summary.js';
import type { FeatureBatch, GroundTexture, TerrainMesh } from '../core/types.js';
import { readImagery } from '../ingest/imagery.js';
import { writeGlb } from '../export/gltf.js';
import { ingest } from '../ingest/index.js';
import { buildMeshes, countClimbedOver, countOffData, drawnRows, groundElevations, terrainMesh } from '../procedural/index.js';
import { checkGlobeOptions, checkRasterInputs, creditOf, elevationInput, groundImagery, ingestOptionsOf, namingInput, noBuildings, readTerrainFor, TERRAIN_MARGIN, judgeOffDem, warnHillside } from './common.js';
import { BUILD_DEFAULTS, type BuildOptions } from './options.js';

/** What {@link buildGlb} returns. */
export interface BuildResult {
  /** The GLB's bytes. */
  glb: Uint8Array;
  /** The run's counts: read, written, skipped and warned by reason, timings. */
  summary: Summary;
  /** The buildings as read (in the local frame). */
  batch: FeatureBatch;
}

/** Buildings read and, with a DEM, seated and the ground meshed. */
export interface PreparedCity {
  batch: FeatureBatch;
  /** Ground elevation per building (with a DEM). */
  ground?: Float64Array;
  /** Which buildings stand outside the DEM's data (1, by batch index: seated on the nearest data). */
  outside?: Uint8Array;
  /** The DEM's grid the buildings were seated on (with a DEM): facades leave out what it covers. */
  grid?: ElevationGrid;
  /** The terrain mesh (with a DEM). */
  terrain?: TerrainMesh;
  /** The imagery draped on the ground (with `imagery`). */
  imagery?: GroundTexture;
}

/**
 * Read the inputs in memory and, with `terrain`, seat the buildings on the DEM and mesh the ground.
 * Throws an `InputError` when no building is left.
 */
export async function prepareCity(inputs: string[], o: BuildOptions, summary: Summary): Promise<PreparedCity> {
  checkGlobeOptions('build', inputs, o);
  await checkRasterInputs([{ input: o.terrain, zoom: o.demZoom, option: '--terrain' }, { input: o.imagery, zoom: o.imageryZoom, option: '--imagery' }], o.logger);
  const batch = await ingest(inputs, ingestOptionsOf(o, o.progress), o.logger, summary);
  o.progress.done();
  if (batch.params.length === 0) throw noBuildings(inputs, summary);
  const extent = extentOf(batch.positions);
  const city: PreparedCity = { batch };
  // the imagery covers the terrain's grid, or the buildings and a margin around them
  let ground = bufferExtent(extent, TERRAIN_MARGIN);
  if (o.terrain) await seatOnTerrain(city, o.terrain, extent, o, summary, (g) => (ground = { minX: g.x0, minY: g.y0, maxX: g.x0 + (g.n - 1) * g.cell, maxY: g.y0 + (g.n - 1) * g.cell }));
  const t = performance.now();
  const img = await groundImagery(inputs, o, batch.frame, ground, summary);
  if (img)
    try {
      city.imagery = await readImagery(img.file, batch.frame, ground, { zoom: o.imageryZoom, maxTextureSize: o.textureSize, maxPixels: o.maxRasterPixels, label: img.label }, o.logger, summary);
      summary.time('imagery', (performance.now() - t) / 1000);
    } finally {
      img.release();
    }
  return city;
}

/** Seat a city's buildings on the DEM and mesh the ground (a DEM that does not overlap them stops the run). */
async function seatOnTerrain(city: PreparedCity, terrain: string, extent: Extent, o: BuildOptions, summary: Summary, onGrid: (g: ElevationGrid) => void): Promise<void> {
  const { batch } = city;
  const t = performance.now();
  const dem = await elevationInput(terrain, batch.frame, extent, o, o.logger, summary);
  try {
    const grid = readTerrainFor(extent, batch.frame, { ...o, terrain: dem.file, terrainLabel: dem.label }, o.logger, summary);
    onGrid(grid);
    const rise = new Float64Array(batch.params.length);
    city.ground = groundElevations(batch, grid, o.base, rise);
    city.grid = grid;
    city.outside = checkOffData(batch, grid, terrain, summary);
    countClimbedOver(batch, rise, o.base, summary);
    if (o.groundMesh !== false) city.terrain = meshTerrain(grid, o.terrainError, summary, o);
  } catch (e) {
    throw namingInput(e, dem, '--terrain');
  } finally {
    dem.release();
  }
  summary.time('terrain', (performance.now() - t) / 1000);
}

/**
 * A city model on a hillside without `--terrain` (plain-under-a-hillside: Vienna's buildings stand 28–46 m
 * and the viewer's ground is one plain at the lowest, so the buildings uphill float up to 17 m above it):
 * see {@link warnHillside}, from each building's lowest point (its parts' included: a part on top of another
 * starts in mid-air).
 */
function warnBatchHillside(batch: FeatureBatch, summary: Summary, logger: Logger): void {
  const lowest = new Map<number, number>();
  for (const p of batch.params) if (p.drawAs >= 0 && p.base !== undefined) lowest.set(p.drawAs, Math.min(lowest.get(p.drawAs) ?? Infinity, p.base));
  warnHillside(Float64Array.from(lowest.values()), summary, logger);
}

/**
 * Count (and name) the buildings that stand outside the DEM's data ({@link countOffData}), judged by
 * {@link judgeOffDem} (none on it: an `InputError`; many off it: a warning). Returns which ones are.
 */
function checkOffData(batch: FeatureBatch, grid: ElevationGrid, file: string, summary: Summary): Uint8Array {
  const { drawn, off, outside } = countOffData(batch, grid, file, summary);
  judgeOffDem('build', file, off, drawn, summary.logger);
  return outside;
}

/** The terrain mesh of a grid, counted and logged. */
export function meshTerrain(grid: ElevationGrid, maxError: number, summary: Summary, o: Pick<BuildOptions, 'logger'>): TerrainMesh {
  const terrain = terrainMesh(grid, { maxError });
  summary.triangles += terrain.indices.length / 3;
  o.logger.info(`terrain: ${terrain.surfaceTriangles} surface triangles (max error ${maxError} m) from a ${grid.n} × ${grid.n} grid`);
  return terrain;
}

/**
 * Build GIS footprints into one georeferenced GLB: ingest → procedural → export, in memory. The bytes
 * are returned (write them with `AtomicOutput`); a broken feature is skipped and counted in the
 * summary, a broken input throws an `InputError` naming it.
 *
 * @example
 * ```ts
 * import { buildGlb } from 'cityforge/pipeline';
 * const { glb, summary } = await buildGlb(['data/sf-mvt'], { terrain: 'data/sf-terrain-3857.tif' });
 * fs.writeFileSync('sf.glb', glb);
 * console.log(summary.buildingsWritten);
 * ```
 */
export async function buildGlb(inputs: string[], options: Partial<BuildOptions> = {}): Promise<BuildResult> {
  const o: BuildOptions = { ...BUILD_DEFAULTS, ...options };
  const summary = new Summary(o.logger);
  // (warnings-printed-not-counted: the run's own warnings counted in its summary)
  o.logger = summary.logger;
  const t0 = performance.now();
  const { batch, ground, outside, grid, terrain, imagery } = await prepareCity(inputs, o, summary);
  if (!o.terrain) warnBatchHillside(batch, summary, o.logger);
  o.progress.update('building meshes', 0, batch.params.length);
  const mesh = buildMeshes(batch, { ground, ...(grid ? { terrain: grid } : {}), facades: o.facades, onProgress: (done, total) => o.progress.update('building meshes', done, total) }, summary, o.logger);
  o.progress.update('building meshes', batch.params.length, batch.params.length);
  const t1 = performance.now();
  const glb = await writeGlb(mesh, drawnRows(batch.params, mesh.tops!, ground, outside), batch.frame, { terrain, imagery, compress: o.compress, copyright: creditOf(o, summary), onProgress: (done, total) => o.progress.update('encoding', done, total) });
  o.progress.done();
  summary.time('encode', (performance.now() - t1) / 1000);
  summary.buildingsWritten = batch.params.length;
  summary.partsWritten = batch.params.filter((p) => p.partOf).length;
  summary.bytes = glb.byteLength;
  // (glb-too-large-unsaid: a million buildings made a 1.4 GB GLB, 6 GB of memory, and nothing said `tiles`)
  if (glb.byteLength > (o.largeGlbBytes ?? BUILD_DEFAULTS.largeGlbBytes!))
    o.logger.warn(`the GLB is ${(glb.byteLength / 2 ** 20).toFixed(0)} MB (${batch.params.length.toLocaleString('en-US')} buildings): viewers load a GLB whole, and building it holds the whole city in memory; for a city this size \`cityforge tiles\` streams it (3D Tiles, memory bounded)`);
  summary.time('total', (performance.now() - t0) / 1000);
  return { glb, summary, batch };
}
