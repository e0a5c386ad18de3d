import path from 'node:path';
import type { Logger } from '../core/logger.js';
import { Summary } from '../core/summary.js';
import { ingest, INGEST_DEFAULTS, type IngestOptions } from '../ingest/index.js';
import { buildMeshes, groundElevations, terrainMesh, type BaseMode, type TerrainMesh } from '../procedural/index.js';
import { rasterExtentInFrame, readElevation } from '../ingest/raster.js';
import { makeFrame } from '../core/frame.js';
import gdal from 'gdal-async';
import type { FeatureBatch, FrameInfo } from '../core/types.js';
import type { ElevationGrid } from '../core/grid.js';
import { writeGlb } from '../export/gltf.js';
import { AtomicOutput } from './output.js';
import type { Progress } from './progress.js';

/** Options of `cityforge build`, as parsed from the command line. */
export interface BuildCommandOptions {
  output: string;
  layer?: string[];
  where?: string;
  sSrs?: string;
  levelHeight: number;
  defaultHeight: number;
  origin?: [number, number];
  /** DEM to seat the buildings on and to mesh. */
  terrain?: string;
  terrainError: number;
  terrainResolution: number;
  /** Largest side of the terrain grid, in samples (default 4097); `tiles`: beyond it, leaf tiles read their own DEM windows. */
  terrainMaxSamples?: number;
  zScale: number;
  base: BaseMode;
  /** EXT_meshopt_compression. */
  compress?: boolean;
}

/** Metres of DEM read around the buildings (or a tile's square), so edges and seating have ground under them. */
export const TERRAIN_MARGIN = 30;

/** Extent of a batch's footprints in the frame. */
function batchExtent(b: FeatureBatch) {
  const e = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (let i = 0; i < b.positions.length; i += 2) {
    e.minX = Math.min(e.minX, b.positions[i]);
    e.maxX = Math.max(e.maxX, b.positions[i]);
    e.minY = Math.min(e.minY, b.positions[i + 1]);
    e.maxY = Math.max(e.maxY, b.positions[i + 1]);
  }
  return e;
}

/** The ingest options of a command's options (what `build`, `tiles` and `plan` share). */
export function ingestOptionsOf(o: Omit<BuildCommandOptions, 'output'>, progress: Progress): Partial<IngestOptions> {
  return {
    ...INGEST_DEFAULTS,
    layers: o.layer,
    where: o.where,
    sSrs: o.sSrs,
    levelHeight: o.levelHeight,
    defaultHeight: o.defaultHeight,
    origin: o.origin,
    onProgress: (n) => progress.update('reading features', n),
  };
}

/** The error of a run left with no building to build. */
export function noBuildings(inputs: string[], summary: Summary): Error {
  return new Error(`cityforge ingest: ${inputs.join(', ')}: no buildings left to build (${summary.skippedTotal} skipped; see the skip counts)`);
}

/**
 * The `--terrain` DEM warped over the buildings' extent `e` (frame metres) and
 * {@link TERRAIN_MARGIN} around it, or undefined — with a warning, building on flat ground — when it
 * does not overlap.
 */
export function readTerrainFor(e: { minX: number; minY: number; maxX: number; maxY: number }, frame: FrameInfo, options: Omit<BuildCommandOptions, 'output'>, logger: Logger, summary: Summary): ElevationGrid | undefined {
  const m = TERRAIN_MARGIN;
  const want = { minX: e.minX - m, minY: e.minY - m, maxX: e.maxX + m, maxY: e.maxY + m };
  const have = rasterExtentInFrame(options.terrain!, frame).extent;
  if (have.maxX < want.minX || have.minX > want.maxX || have.maxY < want.minY || have.minY > want.maxY) {
    logger.warn(`${options.terrain}: the raster does not overlap the buildings; building on flat ground`);
    summary.warn('terrain:no-overlap-built-flat');
    return undefined;
  }
  return readElevation(options.terrain!, frame, want, { zScale: options.zScale, resolution: options.terrainResolution, ...(options.terrainMaxSamples ? { maxSamples: options.terrainMaxSamples } : {}) }, logger, summary);
}

/** Ingest the inputs in memory and, with `--terrain`, seat them and mesh the ground. */
export async function prepare(inputs: string[], options: Omit<BuildCommandOptions, 'output'>, logger: Logger, summary: Summary, progress: Progress): Promise<{ batch: FeatureBatch; ground?: Float64Array; terrain?: TerrainMesh }> {
  const batch = await ingest(inputs, ingestOptionsOf(options, progress), logger, summary);
  progress.done();
  if (batch.params.length === 0) throw noBuildings(inputs, summary);
  let ground: Float64Array | undefined;
  let terrain: TerrainMesh | undefined;
  if (options.terrain) {
    const t2 = performance.now();
    const grid = readTerrainFor(batchExtent(batch), batch.frame, options, logger, summary);
    if (grid) {
      ground = groundElevations(batch, grid, options.base);
      terrain = terrainMesh(grid, { maxError: options.terrainError });
      summary.triangles += terrain.indices.length / 3;
      logger.info(`terrain: ${terrain.surfaceTriangles} surface triangles (max error ${options.terrainError} m) from a ${grid.n} × ${grid.n} grid`);
    }
    summary.time('terrain', (performance.now() - t2) / 1000);
  }
  return { batch, ground, terrain };
}

/** Run `cityforge build`: ingest → procedural → GLB, written atomically. Returns the run summary. */
export async function runBuild(inputs: string[], options: BuildCommandOptions, logger: Logger, progress: Progress): Promise<Summary> {
  const summary = new Summary();
  const t0 = performance.now();
  if (!/\.glb$/i.test(options.output)) throw new Error(`cityforge: usage: the output must be a .glb file (got ${options.output})`);
  const out = new AtomicOutput(options.output);
  try {
    const { batch, ground, terrain } = await prepare(inputs, options, logger, summary, progress);
    progress.update('building meshes', 0, batch.params.length);
    const mesh = buildMeshes(batch, { ground }, summary, logger);
    progress.update('building meshes', batch.params.length, batch.params.length);
    progress.done();
    const t1 = performance.now();
    const glb = await writeGlb(mesh, batch.params, batch.frame, { terrain, compress: !!options.compress });
    summary.time('encode', (performance.now() - t1) / 1000);
    out.commit(glb);
    summary.buildingsWritten = batch.params.length;
    summary.bytes = glb.byteLength;
    logger.info(`wrote ${path.resolve(options.output)}`);
  } catch (e) {
    out.abort();
    throw e;
  }
  summary.time('total', (performance.now() - t0) / 1000);
  return summary;
}

/** Options of `cityforge terrain`. */
export interface TerrainCommandOptions {
  output: string;
  terrainError: number;
  terrainResolution: number;
  zScale: number;
}

/** Run `cityforge terrain`: a DEM alone → a terrain GLB in a frame centred on the raster. */
export async function runTerrain(raster: string, options: TerrainCommandOptions, logger: Logger): Promise<Summary> {
  const summary = new Summary();
  const t0 = performance.now();
  if (!/\.glb$/i.test(options.output)) throw new Error(`cityforge: usage: the output must be a .glb file (got ${options.output})`);
  const out = new AtomicOutput(options.output);
  try {
    summary.inputs.push(raster);
    let ds: gdal.Dataset;
    try {
      ds = gdal.open(raster);
    } catch (e) {
      throw new Error(`cityforge ingest: ${raster}: cannot open as a raster (${(e as Error).message.trim()})`);
    }
    if (!ds.srs) throw new Error(`cityforge ingest: ${raster}: the raster has no CRS (assign one with gdal_edit.py -a_srs)`);
    const gt = ds.geoTransform!;
    const { x: w, y: h } = ds.rasterSize;
    const centre = new gdal.CoordinateTransformation(ds.srs, gdal.SpatialReference.fromEPSG(4326)).transformPoint(gt[0] + (w / 2) * gt[1] + (h / 2) * gt[2], gt[3] + (w / 2) * gt[4] + (h / 2) * gt[5]);
    ds.close();
    const frame = makeFrame(centre.x, centre.y, 0, [rasterExtentInFrame(raster, makeFrame(centre.x, centre.y, 0, [])).crs]);
    const { extent } = rasterExtentInFrame(raster, frame);
    const grid = readElevation(raster, frame, extent, { zScale: options.zScale, resolution: options.terrainResolution }, logger, summary);
    const terrain = terrainMesh(grid, { maxError: options.terrainError });
    const empty = buildMeshes({ frame, positions: new Float64Array(0), ringOffsets: new Uint32Array([0]), polygonOffsets: new Uint32Array([0]), featureOffsets: new Uint32Array([0]), params: [] }, {}, summary);
    const glb = await writeGlb(empty, [], frame, { terrain });
    out.commit(glb);
    summary.triangles = terrain.indices.length / 3;
    summary.bytes = glb.byteLength;
    logger.info(`terrain: ${terrain.surfaceTriangles} surface triangles (max error ${options.terrainError} m) from a ${grid.n} × ${grid.n} grid; wrote ${path.resolve(options.output)}`);
  } catch (e) {
    out.abort();
    throw e;
  }
  summary.time('total', (performance.now() - t0) / 1000);
  return summary;
}
