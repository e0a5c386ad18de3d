import { InputError } from '../core/errors.js';
import { bufferExtent, extentsOverlap, type Extent } from '../core/extent.js';
import type { Logger } from '../core/logger.js';
import type { Summary } from '../core/summary.js';
import type { FrameInfo } from '../core/types.js';
import type { ElevationGrid } from '../core/grid.js';
import type { IngestOptions } from '../ingest/index.js';
import { rasterExtentInFrame, readElevation, type RasterOptions } from '../ingest/raster.js';
import type { Progress } from '../core/progress.js';
import type { ReadOptions, TerrainOptions } from './options.js';

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
    onProgress: (n) => progress.update('reading features', n),
  };
}

/** The raster options of a run's terrain options. */
export function rasterOptionsOf(o: Pick<TerrainOptions, 'zScale' | 'terrainResolution' | 'terrainBand' | 'maxRasterPixels'> & { terrainMaxSamples?: number }): Partial<RasterOptions> {
  return { zScale: o.zScale, resolution: o.terrainResolution, band: o.terrainBand, maxSourcePixels: o.maxRasterPixels, ...(o.terrainMaxSamples ? { maxSamples: o.terrainMaxSamples } : {}) };
}

/** What the outputs credit: the attribution given, else what the sources said. */
export function creditOf(o: { attribution?: string }, summary: Summary): string {
  return o.attribution ?? [...summary.attributions].sort().join('; ');
}

/** The error of a run left with no building to build. */
export function noBuildings(inputs: string[], summary: Summary): InputError {
  return new InputError('ingest', `${inputs.join(', ')}: no buildings left to build (${summary.skippedTotal} skipped; see the skip counts)`);
}

/**
 * The DEM warped over the buildings' extent `e` (frame metres) and {@link TERRAIN_MARGIN} around it,
 * or undefined — with a warning, building on flat ground — when it does not overlap.
 */
export function readTerrainFor(e: Extent, frame: FrameInfo, o: TerrainOptions & { terrain: string }, logger: Logger, summary: Summary): ElevationGrid | undefined {
  const want = bufferExtent(e, TERRAIN_MARGIN);
  const have = rasterExtentInFrame(o.terrain, frame).extent;
  if (!extentsOverlap(have, want)) {
    logger.warn(`${o.terrain}: the raster does not overlap the buildings; building on flat ground`);
    summary.warn('terrain:no-overlap-built-flat', o.terrain);
    return undefined;
  }
  return readElevation(o.terrain, frame, want, rasterOptionsOf(o), logger, summary);
}
