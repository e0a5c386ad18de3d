import gdal from './gdal.js';
import type { ElevationGrid } from '../core/grid.js';
import type { Logger } from '../core/logger.js';
import type { Summary } from '../core/summary.js';
import type { FrameInfo } from '../core/types.js';
import { crsName } from './ogr.js';
import { InputError } from '../core/errors.js';
import { emptyExtent, growByPoint, isEmptyExtent, type Extent } from '../core/extent.js';

/** Options for {@link readElevation}. */
export interface RasterOptions {
  /** Multiply raster values by this (vertical units other than metres, e.g. 0.3048 for feet). */
  zScale: number;
  /** Grid spacing in metres; 0: about the raster's own resolution. */
  resolution: number;
  /** Largest grid side (samples); the spacing grows to respect it. */
  maxSamples: number;
}

/** Defaults for {@link RasterOptions}. */
export const RASTER_DEFAULTS: RasterOptions = { zScale: 1, resolution: 0, maxSamples: 4097 };

/** An extent in the local frame. */
export type FrameExtent = Extent;

/** Open a raster, run `f` on it, and close it whatever happens. */
function withRaster<T>(file: string, f: (ds: gdal.Dataset) => T): T {
  const ds = openRaster(file);
  try {
    return f(ds);
  } finally {
    ds.close();
  }
}

/** The raster's footprint in the local frame (its corners and edge midpoints transformed); throws when it cannot be placed. */
export function rasterExtentInFrame(file: string, frame: FrameInfo): { extent: FrameExtent; resolution: number; crs: string } {
  return withRaster(file, (ds) => {
    const srs = ds.srs;
    if (!srs) throw new InputError('ingest', `${file}: the raster has no CRS (assign one with gdal_edit.py -a_srs)`);
    const gt = ds.geoTransform;
    if (!gt) throw new InputError('ingest', `${file}: the raster is not georeferenced (no geotransform)`);
    const { x: w, y: h } = ds.rasterSize;
    const ct = new gdal.CoordinateTransformation(srs, gdal.SpatialReference.fromProj4(frame.proj));
    const e = emptyExtent();
    for (const [u, v] of [[0, 0], [w, 0], [w, h], [0, h], [w / 2, 0], [w, h / 2], [w / 2, h], [0, h / 2], [w / 2, h / 2]]) {
      try {
        const p = ct.transformPoint(gt[0] + u * gt[1] + v * gt[2], gt[3] + u * gt[4] + v * gt[5]);
        if (Number.isFinite(p.x) && Number.isFinite(p.y)) growByPoint(e, p.x, p.y);
      } catch {
        /* a corner beyond the frame's hemisphere */
      }
    }
    if (isEmptyExtent(e)) throw new InputError('ingest', `${file}: the raster cannot be placed in the build's frame (is it on the other side of the Earth?)`);
    const resolution = Math.max((e.maxX - e.minX) / w, (e.maxY - e.minY) / h);
    return { extent: e, resolution, crs: crsName(srs) };
  });
}

/** The centre of a raster in lon/lat (WGS84). */
export function rasterCentre(file: string): [number, number] {
  return withRaster(file, (ds) => {
    if (!ds.srs) throw new InputError('ingest', `${file}: the raster has no CRS (assign one with gdal_edit.py -a_srs)`);
    const gt = ds.geoTransform;
    if (!gt) throw new InputError('ingest', `${file}: the raster is not georeferenced (no geotransform)`);
    const { x: w, y: h } = ds.rasterSize;
    const p = new gdal.CoordinateTransformation(ds.srs, gdal.SpatialReference.fromEPSG(4326)).transformPoint(gt[0] + (w / 2) * gt[1] + (h / 2) * gt[2], gt[3] + (w / 2) * gt[4] + (h / 2) * gt[5]);
    return [p.x, p.y];
  });
}

function openRaster(file: string): gdal.Dataset {
  let ds: gdal.Dataset;
  try {
    ds = gdal.open(file);
  } catch (e) {
    throw new InputError('ingest', `${file}: cannot open as a raster (${(e as Error).message.trim()})`);
  }
  if (ds.bands.count() === 0) throw new InputError('ingest', `${file}: not a raster (no bands; format ${ds.driver.description})`);
  return ds;
}

/** The warped grid's heights with nodata filled from the surroundings (GDAL FillNodata); throws when all is nodata. */
function fillGaps(out: gdal.Dataset, n: number, file: string, logger: Logger, summary: Summary): Float32Array {
  const band = out.bands.get(1);
  let data = band.pixels.read(0, 0, n, n) as Float32Array;
  let missing = 0;
  for (let i = 0; i < data.length; i++) if (!(data[i] > -1e37)) missing++;
  if (missing === data.length) throw new InputError('ingest', `${file}: no elevation data over the buildings (all nodata)`);
  if (missing > 0) {
    summary.warn('terrain:nodata-filled');
    logger.info(`${file}: ${missing} of ${data.length} grid samples are nodata; filled from their surroundings`);
    gdal.fillNodata({ src: band, searchDist: n, smoothingIterations: 0 });
    data = band.pixels.read(0, 0, n, n) as Float32Array;
    let still = 0;
    let min = Infinity;
    for (let i = 0; i < data.length; i++) if (data[i] > -1e37) min = Math.min(min, data[i]);
    for (let i = 0; i < data.length; i++)
      if (!(data[i] > -1e37)) {
        data[i] = min;
        still++;
      }
    if (still) summary.warn('terrain:nodata-set-to-minimum');
  }
  return data;
}

/**
 * Resample a DEM (any GDAL raster, any CRS) into a square grid over `extent` in the local frame with
 * GDAL warp (bilinear), honouring the raster's nodata: gaps are filled by GDAL's FillNodata from the
 * surrounding heights, never taken as elevations. Throws when the raster holds no data over the extent.
 */
export function readElevation(file: string, frame: FrameInfo, extent: FrameExtent, options: Partial<RasterOptions>, logger: Logger, summary: Summary): ElevationGrid {
  const opts = { ...RASTER_DEFAULTS, ...options };
  const info = rasterExtentInFrame(file, frame);
  const side = Math.max(extent.maxX - extent.minX, extent.maxY - extent.minY, 1);
  const want = opts.resolution > 0 ? opts.resolution : Math.max(0.5, info.resolution);
  let n = 3;
  while (n < opts.maxSamples && side / (n - 1) > want) n = (n - 1) * 2 + 1;
  const cell = side / (n - 1);
  const cx = (extent.minX + extent.maxX) / 2;
  const cy = (extent.minY + extent.maxY) / 2;
  const x0 = cx - side / 2;
  const y0 = cy - side / 2;
  const vsi = `/vsimem/cityforge-dem-${process.pid}-${Math.random().toString(36).slice(2)}.tif`;
  const data = withRaster(file, (src) => {
    let out: gdal.Dataset;
    try {
      out = gdal.warp(vsi, null, [src], [
        '-t_srs', frame.proj,
        '-te', String(x0 - cell / 2), String(y0 - cell / 2), String(x0 + side + cell / 2), String(y0 + side + cell / 2),
        '-ts', String(n), String(n),
        '-r', 'bilinear',
        '-ot', 'Float32',
        '-dstnodata', '-3.4e38',
        '-of', 'GTiff',
      ]);
    } catch (e) {
      throw new InputError('ingest', `${file}: GDAL warp into the build's frame failed (${(e as Error).message.trim()})`);
    }
    try {
      return fillGaps(out, n, file, logger, summary);
    } finally {
      out.close();
      gdal.vsimem.release(vsi);
    }
  });
  // GDAL rows run north → south; the grid's rows run south → north
  const heights = new Float32Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) heights[j * n + i] = data[(n - 1 - j) * n + i] * opts.zScale;
  logger.info(`${file}: ${info.crs} raster resampled to a ${n} × ${n} grid, ${cell.toFixed(2)} m spacing`);
  return { x0, y0, cell, n, heights };
}
