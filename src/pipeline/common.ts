import { InputError, UsageError, namingSource } from '../core/errors.js';
import { counted } from '../core/words.js';
import { bufferExtent, extentsOverlap, type Extent } from '../core/extent.js';
import type { Logger } from '../core/logger.js';
import type { Summary } from '../core/summary.js';
import type { FrameInfo } from '../core/types.js';
import type { ElevationGrid } from '../core/grid.js';
import type { IngestOptions } from '../ingest/index.js';
import { probeRaster, rasterCentre, rasterExtentInFrame, readElevation, whereFrom, type RasterOptions } from '../ingest/raster.js';
import { frameBoxIn3857, mosaicTiles, tileInputs } from '../ingest/raster-tiles.js';
import { gridPoints, isPointCloud } from '../ingest/pointcloud.js';
import { groundMap } from '../ingest/ground-map.js';
import { listTiles } from '../ingest/tileset.js';
import { checkInputFile, formatOf } from '../ingest/formats.js';
import os from 'node:os';
import type { DemEncoding } from '../core/grid.js';
import type { Progress } from '../core/progress.js';
import type { ImageryRunOptions, ReadOptions, TerrainOptions } from './options.js';

/** The share of the buildings outside a DEM's data over which the run warns, beside counting each. */
const OFF_DEM_WARNED = 0.05;

/**
 * The buildings outside a DEM's data, judged: where none of the `drawn` buildings stands on it, the DEM is no
 * terrain for this city, an `InputError` (dem-left-every-building-off-its-data: a damaged tile of a Terrarium
 * folder left a 23 m strip of data, and 13,148 SF buildings were written seated on it, exit 0); where it covers
 * only part of the city (dem-covered-half-the-city-unsaid: a DEM of the west half left 8,043 of SF's 13,148
 * buildings seated on its nearest edge, exit 0 and only a count in the summary), warned once where `off` of them
 * (over {@link OFF_DEM_WARNED}) stand outside its data.
 */
export function judgeOffDem(stage: string, file: string, off: number, drawn: number, logger: Logger): void {
  if (drawn > 0 && off === drawn) throw new InputError(stage, `${file}: none of the ${counted(drawn.toLocaleString('en-US'), 'building')} stands on its elevation data (the data over the area: missing, unreadable or nodata tiles and cells; -v names them)`);
  if (!(drawn > 0) || off < OFF_DEM_WARNED * drawn) return;
  const share = Math.round((100 * off) / drawn);
  logger.warn(`${file}: ${off.toLocaleString('en-US')} of the ${drawn.toLocaleString('en-US')} buildings (${share} %) stand outside its data, each seated on the height of the data nearest it (-v names them): give a DEM that covers them all, or leave --terrain out`);
}

/** How far apart (m) a city model's buildings' lowest points may lie before a flat ground under them is worth a warning. */
const HILLSIDE_SPREAD = 3;

/**
 * A city model on a hillside without `--terrain` (plain-under-a-hillside, in `build`; tiles-said-nothing-of-the-hillside
 * in `tiles`): warned once, when the buildings' lowest points (`lowest`, one per building, in the frame) spread over
 * {@link HILLSIDE_SPREAD} m (5th to 95th percentile), naming the spread and `--terrain`.
 */
export function warnHillside(lowest: Float64Array, summary: Summary, logger: Logger): void {
  if (lowest.length < 2) return;
  const bases = lowest.slice().sort();
  const at = (q: number) => bases[Math.round(q * (bases.length - 1))];
  const lo = at(0.05), hi = at(0.95);
  if (hi - lo <= HILLSIDE_SPREAD) return;
  summary.warn('ground:buildings-on-a-slope');
  logger.warn(`the city model's buildings stand on ground ${(hi - lo).toFixed(1)} m apart in height (their lowest points, 5th to 95th percentile); without --terrain a viewer's ground is one plain at the lowest, under the buildings uphill: --terrain <DTM> gives them their ground`);
}

/** Metres of DEM read around the buildings (or a tile's square), so edges and seating have ground under them. */
export const TERRAIN_MARGIN = 30;

/** The ingest options of a run's options. */
export function ingestOptionsOf(o: ReadOptions, progress: Progress): Partial<IngestOptions> {
  return {
    levelHeight: o.levelHeight,
    defaultHeight: o.defaultHeight,
    maxHeight: o.maxHeight,
    tolerance: o.tolerance,
    minArea: o.minArea,
    layers: o.layers,
    where: o.where,
    sSrs: o.sSrs,
    origin: o.origin,
    maxTileBytes: o.maxTileBytes,
    attributes: o.attributes,
    cityObjectTypes: o.cityObjectTypes,
    lod: o.lod,
    heightsFrom: o.heightsFrom,
    joinOn: o.joinOn,
    ellipsoidalHeights: o.ellipsoidalHeights,
    onProgress: (n) => progress.update('reading features', n),
    onReproject: (done, total) => progress.update('reprojecting', done, total),
  };
}

/**
 * The options for a globe with terrain of its own. `groundMesh: false` (`--no-ground-mesh`) leaves out the ground
 * of `terrain`: a usage error without a terrain, or with imagery or a ground map, which are drawn on that ground.
 * globe-city-at-sea-level: `ellipsoidalHeights` without a terrain stands footprints at sea level (a city model
 * has heights of its own): on a globe's terrain they are buried in its hills. Said, with what to give.
 */
export function checkGlobeOptions(stage: string, inputs: readonly string[], o: Pick<TerrainOptions, 'terrain' | 'groundMesh'> & Partial<ImageryRunOptions> & { ellipsoidalHeights?: boolean; logger: Logger }): void {
  if (o.groundMesh === false) {
    if (!o.terrain) throw new UsageError(stage, '--no-ground-mesh leaves out the ground of --terrain; give the DEM to seat the buildings on with --terrain');
    if (o.imagery || o.groundMap) throw new UsageError(stage, `--no-ground-mesh writes no ground to drape ${o.imagery ? '--imagery' : '--ground-map'} on; leave out one of them`);
  }
  if (!o.ellipsoidalHeights || o.terrain) return;
  const models = inputs.some((i) => {
    try {
      return formatOf(i).name === 'cityjson';
    } catch {
      return false;
    }
  });
  if (!models) o.logger.warn('--ellipsoidal-heights without --terrain: the buildings stand at sea level (0 m), so on a globe\'s terrain they are buried in its hills; give their ground with --terrain <DEM> (and --no-ground-mesh to leave its mesh out)');
}

/** The raster options of a run's terrain options. */
export function rasterOptionsOf(o: Pick<TerrainOptions, 'zScale' | 'terrainResolution' | 'terrainBand' | 'maxRasterPixels'> & { terrainMaxSamples?: number }): Partial<RasterOptions> {
  return { zScale: o.zScale, resolution: o.terrainResolution, band: o.terrainBand, maxSourcePixels: o.maxRasterPixels, ...(o.terrainMaxSamples ? { maxSamples: o.terrainMaxSamples } : {}) };
}

/** What the outputs credit: the attribution given, else what the sources said (recorded in the summary). */
export function creditOf(o: { attribution?: string; logger?: Logger }, summary: Summary): string {
  summary.copyright = o.attribution ?? [...summary.attributions].sort().join('; ');
  // credit-missing-in-silence: a model shown to others with no credit at all, and nothing said (Vienna's open
  // data asks for "Datenquelle: Stadt Wien")
  if (!summary.copyright && o.attribution === undefined)
    o.logger?.warn('no credit: the inputs do not say who the data is by, so the outputs and the viewer credit no one; most open data licences (CC BY, ODbL) ask for one: --attribution "© …"');
  // (terrain-credit-dropped-unsaid: Terrarium tiles under an OSM city: the outputs credited OpenStreetMap alone)
  else if (o.attribution === undefined && summary.uncredited.size) {
    const list = [...summary.uncredited];
    o.logger?.info(`credit: ${list.join(', ')} ${list.length > 1 ? 'say' : 'says'} nothing of who ${list.length > 1 ? 'their' : 'its'} data is by: the outputs credit "${summary.copyright}" alone; --attribution "${summary.copyright}; © …" adds ${list.length > 1 ? 'theirs' : 'its'} where ${list.length > 1 ? 'their licences ask' : 'its licence asks'} for it`);
  }
  return summary.copyright;
}

/** The error of a run left with no building to build. */
export function noBuildings(inputs: string[], summary: Summary): InputError {
  return new InputError('ingest', `${inputs.join(', ')}: no buildings left to build (${summary.skippedTotal} skipped; see the skip counts)`);
}

/**
 * The DEM warped over the buildings' extent `e` (frame metres) and {@link TERRAIN_MARGIN} around it. A DEM
 * that does not overlap them stops the run (an {@link InputError} saying where it lies): a city built flat
 * where terrain was asked for, exit 0 and a warning, went unnoticed in batch runs (terrain-elsewhere-built-flat),
 * and imagery that misses the area stops the run too.
 */
export function readTerrainFor(e: Extent, frame: FrameInfo, o: TerrainOptions & { terrain: string; terrainLabel?: string }, logger: Logger, summary: Summary): ElevationGrid {
  const want = bufferExtent(e, TERRAIN_MARGIN);
  const have = rasterExtentInFrame(o.terrain, frame).extent;
  if (!extentsOverlap(have, want)) {
    const name = o.terrainLabel ?? o.terrain;
    throw new InputError('ingest', `${name}: the ${name !== o.terrain ? 'tiles do' : 'raster does'} not overlap the buildings (${whereFrom(rasterCentre(o.terrain), [frame.lon, frame.lat])}); give a DEM over them, or leave --terrain out to build on flat ground`);
  }
  return readElevation(o.terrain, frame, want, { ...rasterOptionsOf(o), label: o.terrainLabel }, logger, summary);
}

/** A raster input as a file GDAL reads, and how to let go of it. */
export interface RasterInput {
  /** The file to open: the input itself, or a temporary mosaic of its tiles. */
  file: string;
  /** What messages name: the input as given. */
  label: string;
  /** Whether `file` is a temporary raster made from the input (tiles mosaicked, points gridded). */
  tiles: boolean;
  /** Remove the temporary mosaic, if any. */
  release(): void;
}

/**
 * An elevation input (DEM, DSM, DTM) as a raster GDAL reads: elevation raster tiles (a z/x/y folder, a
 * `z-x-y.png`, MBTiles, PMTiles) are decoded and mosaicked over `extent` (frame metres, with
 * {@link TERRAIN_MARGIN}; every tile at the zoom without it) into a temporary GeoTIFF; a LAS/LAZ point
 * cloud is gridded into one (`points`: its surface, or its ground points — the default — at `pointCell`
 * of its CRS's units); any other input is returned as it is. The archive's attribution is credited.
 *
 * @example
 * ```ts
 * const dem = await elevationInput('sf-terrarium-z12', frame, extent, {}, logger, summary);
 * try { readElevation(dem.file, frame, extent, {}, logger, summary); } finally { dem.release(); }
 * ```
 */
export async function elevationInput(
  input: string,
  frame: FrameInfo | null,
  extent: Extent | null,
  o: { demZoom?: number; demEncoding?: DemEncoding; maxRasterPixels?: number; points?: 'surface' | 'ground'; pointCell?: number },
  logger: Logger,
  summary: Summary,
): Promise<RasterInput> {
  if (isPointCloud(input)) {
    const g = await gridPoints(input, { role: o.points ?? 'ground', cell: o.pointCell ?? 1, maxCells: o.maxRasterPixels ?? 400e6 }, logger);
    summary.uncredited.add(input);
    return { file: g.file, label: input, tiles: true, release: g.release };
  }
  const inputs = tileInputs(input);
  if (!inputs) {
    summary.uncredited.add(input);
    return { file: input, label: input, tiles: false, release() {} };
  }
  const box = frame && extent ? frameBoxIn3857(frame, bufferExtent(extent, TERRAIN_MARGIN)) : undefined;
  const m = await mosaicTiles(inputs, 'elevation', { zoom: o.demZoom, encoding: o.demEncoding, box, ...(o.maxRasterPixels ? { maxPixels: o.maxRasterPixels } : {}) }, logger, summary);
  if (m.attribution) summary.attributions.add(m.attribution);
  else summary.uncredited.add(input);
  return { file: m.file, label: input, tiles: true, release: m.release };
}

/** Whether an elevation input is one raster file (not raster tiles, not a point cloud). */
export function isPlainRaster(input: string): boolean {
  return !isPointCloud(input) && !tileInputs(input);
}

/**
 * An error about a tile mosaic's temporary file, reworded to name the input it was made from; with
 * `option`, the option that named the input follows it (raster-error-said-no-option: `dsm.tif: the raster
 * has no CRS` did not say whether it was the --dsm or the --dtm).
 */
export function namingInput(e: unknown, r: Pick<RasterInput, 'file' | 'label' | 'tiles'>, option?: string): unknown {
  const named = r.tiles ? namingSource(e, r.file, r.label) : e;
  if (!option || !(named instanceof InputError) || named.what.includes(`${r.label} (`) || !named.what.startsWith(`${r.label}: `)) return named;
  return new InputError(named.stage, `${r.label} (${option})${named.what.slice(r.label.length)}`);
}

/**
 * Check the rasters a run will read before it reads any footprints (a typo should not cost the whole
 * ingest): each exists, a file opens as a raster, and raster tiles hold the zoom asked for. Throws an {@link InputError} naming it.
 */
export async function checkRasterInputs(rasters: { input?: string; zoom?: number; option?: string }[], logger?: Logger): Promise<void> {
  for (const { input, zoom, option } of rasters) {
    if (!input) continue;
    const tiles = tileInputs(input);
    if (tiles) {
      for (const t of tiles) (await listTiles(t, { kind: 'raster', zoom })).close();
      continue;
    }
    // (dem-zoom-ignored-unsaid: a zoom means nothing to one raster file)
    if (zoom !== undefined) logger?.warn(`${input}: ${option === '--imagery' ? '--imagery-zoom' : '--dem-zoom'} ${zoom} ignored: it chooses among raster tiles (a z/x/y folder, MBTiles, PMTiles), and this is one raster`);
    // (missing-raster-said-no-option: which option named it)
    const st = checkInputFile(input, option);
    if (st) {
      // (a file GDAL cannot open, too: it failed only after every footprint was read)
      if (st.isFile() && !isPointCloud(input))
        try {
          probeRaster(input);
        } catch (e) {
          throw namingInput(e, { file: input, label: input, tiles: false }, option);
        }
    }
  }
}

/**
 * The ground's imagery for a run: `--imagery` as given, or with `--ground-map` a map drawn from the
 * vector tile inputs' own context layers over `area` (frame metres) into a temporary raster — finer for
 * `tiles` (every tile textured on its own) than for one GLB. Undefined without either.
 */
export async function groundImagery(inputs: readonly string[], o: ImageryRunOptions & { logger: Logger; progress?: Progress }, frame: FrameInfo, area: Extent, summary: Summary, forTiles = false): Promise<{ file: string; label: string; release(): void } | undefined> {
  if (o.imagery) return { file: o.imagery, label: o.imagery, release() {} };
  if (!o.groundMap) return undefined;
  const map = await groundMap(inputs, frameBoxIn3857(frame, area), { maxSide: forTiles ? 16384 : o.textureSize, ...(o.progress ? { progress: o.progress } : {}) }, o.logger, summary);
  return map ? { file: map.file, label: 'ground map', release: map.release } : undefined;
}

/**
 * Say when `--jobs` asks for more workers than the machine has cores (jobs-past-the-cores-unsaid: 8 on 2
 * cores took four times the memory, no faster). The run goes on as asked.
 */
export function warnJobsPastCores(jobs: number, logger: Logger, cores = os.availableParallelism()): void {
  if (jobs > cores) logger.warn(`--jobs ${jobs} on ${cores} core${cores === 1 ? '' : 's'}: the workers share them (each one's memory too); --jobs ${cores} is about as fast`);
}
