import path from 'node:path';
import gdal, { linearUnit, vrtOf } from './gdal.js';
import { fillGaps, type ElevationGrid, type RasterGrid } from '../core/grid.js';
import type { Logger } from '../core/logger.js';
import type { Summary } from '../core/summary.js';
import type { FrameInfo } from '../core/types.js';
import { crsName } from './ogr.js';
import { isEmptyFile } from './source.js';
import { InputError } from '../core/errors.js';
import { emptyExtent, growByPoint, isEmptyExtent, type Extent } from '../core/extent.js';

/** Options for {@link readElevation}. */
export interface RasterOptions {
  /** Multiply raster values by this (vertical units other than metres, e.g. 0.3048 for feet). */
  zScale: number;
  /** The band holding elevations (1-based); needed when the raster has several. */
  band?: number;
  /**
   * The most source pixels one read may touch (GDAL reads every pixel of the window it resamples,
   * or of the overview it picks): a raster declaring millions of pixels a side stops here, named.
   */
  maxSourcePixels: number;
  /** Grid spacing in metres; 0: about the raster's own resolution. */
  resolution: number;
  /** Largest grid side (samples); the spacing grows to respect it. */
  maxSamples: number;
  /** What messages call the raster (default its file name: a tile mosaic's says which tiles). */
  label?: string;
}

/** Defaults for {@link RasterOptions}. */
export const RASTER_DEFAULTS: RasterOptions = { zScale: 1, resolution: 0, maxSamples: 4097, maxSourcePixels: 1 << 30 };

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

/** Whether `file` opens as a raster with bands (throws the {@link InputError} a read would): checked before a run reads its footprints. */
export function probeRaster(file: string): void {
  withRaster(file, () => undefined);
}

/**
 * What a raster without a CRS is told: a copy that declares one (`gdal_translate -a_srs` writes a new
 * file; `gdal_edit.py` would change the user's own in place).
 */
function noCrs(file: string, ds?: gdal.Dataset): string {
  // (cut-short-said-no-crs: a GeoTIFF cut to its first bytes loses its geokeys with its pixels; its last row
  // unreadable says which it is)
  if (ds)
    try {
      const band = ds.bands.get(1);
      band.pixels.read(0, ds.rasterSize.y - 1, 1, 1);
    } catch {
      return `${file}: the file is damaged or cut short (its CRS and its last pixels cannot be read)`;
    }
  const base = path.basename(file).replace(/\.[^.]*$/, '');
  return `${file}: the raster has no CRS; write a copy that says which it is in, e.g. gdal_translate -a_srs EPSG:xxxx ${path.basename(file)} ${base}-crs.tif (or set it in place with gdal_edit.py -a_srs)`;
}

/**
 * The raster's footprint in the local frame (its corners and edge midpoints transformed), its coarser
 * pixel axis there (`resolution`) and the side of a square of its centre pixel's area (`pixel`); throws
 * when it cannot be placed.
 */
export function rasterExtentInFrame(file: string, frame: FrameInfo): { extent: FrameExtent; resolution: number; pixel: number; crs: string } {
  return withRaster(file, (ds) => {
    const srs = ds.srs;
    if (!srs) throw new InputError('ingest', noCrs(file, ds));
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
    // the side of a square of the centre pixel's area on the ground (a lon/lat raster's pixels are
    // narrower than tall away from the equator: 0.41 × 0.67 m at Delft for 0.5 m data)
    let pixel = resolution;
    try {
      const at = (u: number, v: number) => ct.transformPoint(gt[0] + u * gt[1] + v * gt[2], gt[3] + u * gt[4] + v * gt[5]);
      const o = at(w / 2, h / 2), a = at(w / 2 + 1, h / 2), b = at(w / 2, h / 2 + 1);
      const area = Math.abs((a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x));
      if (area > 0 && Number.isFinite(area)) pixel = Math.sqrt(area);
    } catch {
      /* keep the coarser axis */
    }
    return { extent: e, resolution, pixel, crs: crsName(srs) };
  });
}

/** The centre of a raster in lon/lat (WGS84). */
export function rasterCentre(file: string): [number, number] {
  return withRaster(file, (ds) => {
    if (!ds.srs) throw new InputError('ingest', noCrs(file, ds));
    const gt = ds.geoTransform;
    if (!gt) throw new InputError('ingest', `${file}: the raster is not georeferenced (no geotransform)`);
    const { x: w, y: h } = ds.rasterSize;
    const p = new gdal.CoordinateTransformation(ds.srs, gdal.SpatialReference.fromEPSG(4326)).transformPoint(gt[0] + (w / 2) * gt[1] + (h / 2) * gt[2], gt[3] + (w / 2) * gt[4] + (h / 2) * gt[5]);
    return [p.x, p.y];
  });
}

function openRaster(file: string): gdal.Dataset {
  if (isEmptyFile(file)) throw new InputError('ingest', `${file}: the file is empty`);
  let ds: gdal.Dataset;
  try {
    ds = gdal.open(file);
  } catch (e) {
    throw new InputError('ingest', `${file}: cannot open as a raster (${(e as Error).message.trim()})`);
  }
  if (ds.bands.count() === 0) throw new InputError('ingest', `${file}: not a raster (no bands; format ${ds.driver.description})`);
  return ds;
}

/** The band to read as elevation: the one given, or the only one; a multi-band raster without one is refused. */
function elevationBand(file: string, ds: gdal.Dataset, band: number | undefined, bandAdvice = 'with --terrain-band <n>'): number {
  const count = ds.bands.count();
  if (band !== undefined) {
    if (!(Number.isInteger(band) && band >= 1 && band <= count)) throw new InputError('ingest', `${file}: --terrain-band ${band}, but the raster has ${count} band(s)`);
    return band;
  }
  if (count > 1)
    throw new InputError('ingest', `${file}: a raster of ${count} bands (an image?) is not a DEM; name the band that holds elevations ${bandAdvice}; elevation packed in RGB (Terrarium, Terrain-RGB) is read as tiles — a z/x/y folder, MBTiles or PMTiles — with --dem-encoding terrarium|terrain-rgb`);
  return 1;
}

/**
 * The source pixels GDAL will read to resample `side` metres at `cell` metres (the window at the
 * raster's resolution, or at the coarsest overview still finer than the cell); throws when beyond
 * `limit`.
 */
function checkReadSize(file: string, ds: gdal.Dataset, band: number, resolution: number, side: number, cell: number, limit: number): void {
  const { x: w, y: h } = ds.rasterSize;
  let res = resolution;
  const b = ds.bands.get(band);
  for (let k = 0; k < b.overviews.count(); k++) {
    const o = b.overviews.get(k);
    const r = resolution * (w / o.size.x);
    if (r <= cell && r > res) res = r;
  }
  const a = Math.min(side / res, (w * resolution) / res);
  const c = Math.min(side / res, (h * resolution) / res);
  const pixels = a * c;
  if (pixels > limit)
    throw new InputError('ingest', `${file}: resampling would read about ${(pixels / 1e6).toFixed(0)} million source pixels (a ${w} × ${h} raster), more than the limit of ${(limit / 1e6).toFixed(0)} million (--max-raster-mpx; or give the raster overviews: gdaladdo)`);
}

/** Band units other than metres a DEM says it is in: their pattern, their name, the factor to metres. */
const BAND_UNITS: readonly [RegExp, string, string][] = [
  [/^(ft|foot|feet|us[ -]?ft|us survey foot|us_survey_foot)$/, 'feet', '0.3048'],
  // (dsm-in-centimetres-read-as-metres: a band in centimetres or millimetres, said as feet are)
  [/^(cm|centimet(er|re)s?)$/, 'centimetres', '0.01'],
  [/^(mm|millimet(er|re)s?)$/, 'millimetres', '0.001'],
];

/**
 * dem-in-feet-built-3-times-too-high: a raster whose band says its heights are in feet (or centimetres,
 * millimetres), or (saying nothing) whose CRS is in feet, read without `--z-scale`: a warning that names the factor.
 */
function warnFeet(file: string, src: gdal.Dataset, band: number, zScale: number, logger: Logger, advice: (factor: string) => string = (f) => `--z-scale ${f}`): void {
  if (zScale !== 1) return;
  const unit = (src.bands.get(band).unitType ?? '').trim().toLowerCase();
  const known = unit ? BAND_UNITS.find(([pattern]) => pattern.test(unit)) : undefined;
  if (known) {
    logger.warn(`${file}: its heights are in ${known[1]} (the band's unit, '${unit}'); metres are read: give ${advice(known[2])}`);
    return;
  }
  if (unit) return;
  const linear = src.srs ? linearUnit(src.srs) : null;
  if (linear && /foot|feet/i.test(linear.name) && src.srs?.isProjected())
    logger.warn(`${file}: its CRS is in ${linear.name} and its band names no unit for the heights; they are read as metres: if they are in feet, give ${advice(linear.metres.toFixed(4).replace(/0+$/, ''))}`);
}

/** Warp band `band` of `src` onto the frame's grid (samples at its corners, x0 + i·cell); heights as NaN where there is no data, rows south → north. */
function warpToGrid(file: string, src: gdal.Dataset, band: number, frame: FrameInfo, x0: number, y0: number, side: number, n: number, zScale: number, srcNodata?: number): Float32Array {
  // a sample is the centre of a cell of the warped raster
  const cell = side / (n - 1);
  return warpWindow(file, src, band, frame, x0 - cell / 2, y0 - cell / 2, cell, n, n, zScale, undefined, srcNodata);
}

/**
 * Resample a DEM (any GDAL raster, any CRS; one band) into a square grid over `extent` in the local
 * frame with GDAL warp (bilinear). Where the raster has no data: samples connected to the grid's
 * border are outside the data (`valid` 0: not meshed), the others are holes in it, filled from their
 * surroundings (counted). Throws an `InputError` when the raster has no data over the extent, has
 * several bands and none is named, or would take more than `maxSourcePixels` to read.
 *
 * @example
 * ```ts
 * const grid = readElevation('dem.tif', frame, { minX: -500, minY: -500, maxX: 500, maxY: 500 }, { resolution: 2 }, logger, summary);
 * grid.valid; // undefined when the raster covers the whole grid
 * ```
 */
export function readElevation(file: string, frame: FrameInfo, extent: FrameExtent, options: Partial<RasterOptions>, logger: Logger, summary: Summary): ElevationGrid {
  const opts = { ...RASTER_DEFAULTS, ...options };
  const info = rasterExtentInFrame(file, frame);
  const side = Math.max(extent.maxX - extent.minX, extent.maxY - extent.minY, 1);
  const want = opts.resolution > 0 ? opts.resolution : Math.max(0.5, info.resolution);
  let n = 3;
  while (n < opts.maxSamples && side / (n - 1) > want) n = (n - 1) * 2 + 1;
  // terrain-grid-finer-than-the-raster: the doubling stops at the first spacing under the raster's, anywhere
  // in (want / 2, want]; the coarser one is taken when it is nearer (by ratio): a 0.5 m DTM over 614 m had
  // 2049² samples at 0.30 m, four times the work of 1025² at 0.60 m, for no detail the raster has
  if (n > 3 && opts.resolution <= 0 && (side / (n - 1)) * (side / ((n - 1) / 2)) < want * want) n = (n - 1) / 2 + 1;
  const cell = side / (n - 1);
  const x0 = (extent.minX + extent.maxX) / 2 - side / 2;
  const y0 = (extent.minY + extent.maxY) / 2 - side / 2;
  const heights = withRaster(file, (src) => {
    const band = elevationBand(file, src, opts.band);
    checkReadSize(file, src, band, info.resolution, side, cell, opts.maxSourcePixels);
    warnFeet(opts.label ?? file, src, band, opts.zScale, logger);
    // (undeclared-nodata-read-as-heights: -9999 where a DEM has no data, undeclared, dug pits 10 km deep)
    return withUndeclaredNodata(src, band, opts.zScale, opts.label ?? file, logger, (nodata) => warpToGrid(file, src, band, frame, x0, y0, side, n, opts.zScale, nodata));
  });
  const { valid, holes, outside } = fillGaps(heights, n);
  const name = opts.label ?? file;
  if (outside === n * n) throw new InputError('ingest', `${file}: no elevation data over the buildings (all nodata)`);
  if (holes) {
    summary.warn('terrain:nodata-holes-filled', `${name}: ${holes} grid samples in holes of the data, filled from their surroundings`);
    logger.info(`${name}: ${holes} of ${n * n} grid samples are holes in the data; filled from their surroundings`);
  }
  // (terrain-log-read-alarming: a square grid over an oblong raster reaches past its edges; a share says how much)
  if (outside) logger.info(`${name}: ${outside} of ${n * n} grid samples (${((100 * outside) / (n * n)).toFixed(0)} %) lie outside the raster's data (the square grid reaches past its edges or nodata); the terrain is meshed where it has data`);
  logger.info(`${name}: ${info.crs} raster resampled to a ${n} × ${n} grid, ${cell.toFixed(2)} m spacing`);
  return { x0, y0, cell, n, heights, ...(outside ? { valid } : {}) };
}

/** Options for {@link readSurface}. */
export interface SurfaceOptions {
  /** Cell size in metres; 0: the raster's own resolution (at least 0.1 m). */
  cell: number;
  /** Multiply raster values by this. */
  zScale: number;
  /** The band holding heights (1-based); needed when the raster has several. */
  band?: number;
  /** The most source pixels the read may touch. */
  maxSourcePixels: number;
  /** What messages call the raster (default its file name). */
  label?: string;
  /** What a warning of heights in feet says to give, for a factor (default `--z-scale <factor>`). */
  feetAdvice?: (factor: string) => string;
  /** How a multi-band raster's elevation band is named, for the refusal (default `with --terrain-band <n>`). */
  bandAdvice?: string;
}

/** Defaults for {@link SurfaceOptions}. */
export const SURFACE_DEFAULTS: SurfaceOptions = { cell: 0, zScale: 1, maxSourcePixels: 1 << 30 };

/**
 * Warp a surface or terrain model (any GDAL raster, any CRS) into the local frame over `extent`, at
 * about its own resolution, keeping its gaps (NaN): the input of inverse modelling. Cells are aligned
 * to multiples of the cell size in the frame (a raster written in the same frame at the same cell is
 * read back exactly). Bilinear, so planes stay planes.
 * Throws an `InputError` when the raster has no CRS, several bands and none named, no data over the
 * extent, or would take more than `maxSourcePixels` to read.
 *
 * @example
 * ```ts
 * const dsm = readSurface('dsm.tif', frame, extent, { cell: 0.5 }, logger);
 * dsm.values[j * dsm.nx + i]; // NaN where the DSM has no data
 * ```
 */
export function readSurface(file: string, frame: FrameInfo, extent: FrameExtent, options: Partial<SurfaceOptions>, logger: Logger): RasterGrid & { crs: string } {
  const opts = { ...SURFACE_DEFAULTS, ...options };
  const info = rasterExtentInFrame(file, frame);
  // (geographic-dsm-at-its-coarser-axis: a lon/lat DSM was read at its pixels' longer side, 0.67 m for 0.5 m
  // data; pixels square on the ground within 5 % keep the coarser axis, as before)
  const own = info.resolution > 1.05 * info.pixel ? info.pixel : info.resolution;
  const cell = opts.cell > 0 ? opts.cell : Math.max(0.1, Math.round(own * 1000) / 1000);
  const x0 = Math.floor(Math.max(extent.minX, info.extent.minX) / cell) * cell;
  const y0 = Math.floor(Math.max(extent.minY, info.extent.minY) / cell) * cell;
  const x1 = Math.ceil(Math.min(extent.maxX, info.extent.maxX) / cell) * cell;
  const y1 = Math.ceil(Math.min(extent.maxY, info.extent.maxY) / cell) * cell;
  if (!(x1 > x0 && y1 > y0)) throw new InputError('ingest', `${file}: the raster does not overlap the buildings`);
  const nx = Math.round((x1 - x0) / cell), ny = Math.round((y1 - y0) / cell);
  const values = withRaster(file, (src) => {
    const band = elevationBand(file, src, opts.band, opts.bandAdvice);
    if (nx * ny > opts.maxSourcePixels) throw new InputError('ingest', `${file}: the read would take ${nx} × ${ny} cells, more than the limit of ${(opts.maxSourcePixels / 1e6).toFixed(0)} million (--max-raster-mpx)`);
    checkReadSize(file, src, band, info.resolution, Math.max(x1 - x0, y1 - y0), cell, opts.maxSourcePixels);
    warnFeet(opts.label ?? file, src, band, opts.zScale, logger, opts.feetAdvice);
    const scale = Math.min(1, info.resolution / cell);
    // (undeclared-nodata-read-as-heights: a DSM holding -9999 where it has no data, without saying so,
    // gave buildings "below the ground")
    return withUndeclaredNodata(src, band, opts.zScale, opts.label ?? file, logger, (nodata) => warpWindow(file, src, band, frame, x0, y0, cell, nx, ny, opts.zScale, scale, nodata));
  });
  let data = 0;
  for (let k = 0; k < values.length; k++) if (!Number.isNaN(values[k])) data++;
  if (data === 0) throw new InputError('ingest', `${file}: no data over the buildings (all nodata)`);
  logger.info(`${opts.label ?? file}: ${info.crs} raster warped to ${nx} × ${ny} cells of ${cell} m (${((100 * data) / values.length).toFixed(0)} % with data)`);
  return { x0, y0, cell, nx, ny, values, crs: info.crs };
}

/** Values rasters use for "no data" without always declaring it. */
const NODATA_SENTINELS = [-9999, -32768, -32767, -99999, -10000, -3.4028234663852886e38];

/**
 * The no-data sentinel an undeclared raster seems to hold: a known one ({@link NODATA_SENTINELS}) found
 * exactly among the warped cells (4 sentinel pixels under a cell keep its value) — no real surface lies
 * 1,000 m below sea level. Null when none is found.
 */
function undeclaredSentinel(values: Float32Array, zScale: number): number | null {
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (!(v < -1000)) continue;
    for (const s of NODATA_SENTINELS) if (Math.abs(v - Math.fround(s * zScale)) <= Math.abs(s * zScale) * 1e-6) return s;
  }
  return null;
}

/**
 * `warp()` of a raster, again with a known sentinel as its nodata when its band declares none and the
 * first warp holds that sentinel ({@link undeclaredSentinel}), which is said.
 */
function withUndeclaredNodata(src: gdal.Dataset, band: number, zScale: number, label: string, logger: Logger, warp: (nodata?: number) => Float32Array): Float32Array {
  const first = warp();
  if (src.bands.get(band).noDataValue !== null) return first;
  const sentinel = undeclaredSentinel(first, zScale);
  if (sentinel === null) return first;
  logger.warn(`${label}: holds ${sentinel} where it seems to have no data, and its band declares no nodata value: ${sentinel} is read as nodata (declare it: gdal_edit.py -a_nodata ${sentinel})`);
  return warp(sentinel);
}

/** Warp band `band` of `src` onto an nx × ny grid of `cell` metres whose south-west corner is (x0, y0) in the frame; NaN where no data, rows south → north. With `scale` (destination pixels per source pixel, one for the whole raster), each cell is the same whatever the window. */
function warpWindow(file: string, src: gdal.Dataset, band: number, frame: FrameInfo, x0: number, y0: number, cell: number, nx: number, ny: number, zScale: number, scale?: number, srcNodata?: number): Float32Array {
  const id = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const vsi = `/vsimem/cityforge-surface-${id}.tif`;
  const vrt = `/vsimem/cityforge-surface-band-${id}.vrt`;
  let input = src;
  let out: gdal.Dataset;
  try {
    if (src.bands.count() > 1) input = vrtOf(vrt, src, ['-b', String(band)]);
    out = gdal.warp(vsi, null, [input], [
      '-t_srs', frame.proj,
      '-te', String(x0), String(y0), String(x0 + nx * cell), String(y0 + ny * cell),
      '-ts', String(nx), String(ny),
      '-r', 'bilinear',
      // (window-made-the-samples: GDAL sized the resampling kernel from each chunk's own ratio of source to
      // destination pixels, and approximated the transform within 1/8 pixel along spans that depend on the
      // window, so a cell's value depended on the window read around it: up to 0.57 m on Delft, and a
      // building's fit on which others the run held. One ratio for the whole raster, and the transform
      // within 1e-5 pixel: under 0.1 mm apart, for 0.05 s on Delft where an exact transform took 2.6 s)
      ...(scale ? ['-wo', `XSCALE=${scale}`, '-wo', `YSCALE=${scale}`, '-et', '0.00001'] : []),
      ...(srcNodata !== undefined ? ['-srcnodata', String(srcNodata)] : []),
      '-ot', 'Float32',
      '-dstnodata', '-3.4e38',
      '-of', 'GTiff',
    ]);
  } catch (e) {
    // (truncated-raster-unsaid: a file cut short fails only here, as a block GDAL cannot read)
    const m = (e as Error).message.trim();
    throw new InputError('ingest', `${file}: ${/Read(Encoded)?(Tile|Strip|Block)|IReadBlock|read error|short read|cut short/i.test(m) ? 'the file is damaged or cut short: ' : ''}GDAL warp into the build's frame failed (${m})`);
  } finally {
    if (input !== src) {
      input.close();
      gdal.vsimem.release(vrt);
    }
  }
  // band-scale-ignored: a band's own scale and offset (GDAL's: value = raw × scale + offset; centimetres stored as
  // integers with a scale of 0.01, a datum shift as an offset) are applied, before --z-scale (heights were read
  // 100 times too high, unsaid)
  const b = src.bands.get(band);
  const bandScale = b.scale !== null && Number.isFinite(b.scale) && b.scale !== 0 ? b.scale : 1;
  const bandOffset = b.offset !== null && Number.isFinite(b.offset) ? b.offset : 0;
  try {
    const data = out.bands.get(1).pixels.read(0, 0, nx, ny) as Float32Array;
    const values = new Float32Array(nx * ny);
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const v = data[(ny - 1 - j) * nx + i];
        values[j * nx + i] = v > -1e37 && Number.isFinite(v) ? (v * bandScale + bandOffset) * zScale : NaN;
      }
    return values;
  } finally {
    out.close();
    gdal.vsimem.release(vsi);
  }
}

/** Where a raster's centre lies from the buildings' (lon, lat): its distance and compass direction. */
export function whereFrom([lon, lat]: [number, number], [lon0, lat0]: [number, number]): string {
  const rad = Math.PI / 180;
  const [p0, p1, dl] = [lat0 * rad, lat * rad, (lon - lon0) * rad];
  const km = 6371 * 2 * Math.asin(Math.sqrt(Math.sin((p1 - p0) / 2) ** 2 + Math.cos(p0) * Math.cos(p1) * Math.sin(dl / 2) ** 2));
  const bearing = (Math.atan2(Math.sin(dl) * Math.cos(p1), Math.cos(p0) * Math.sin(p1) - Math.sin(p0) * Math.cos(p1) * Math.cos(dl)) / rad + 360) % 360;
  const compass = ['north', 'north-east', 'east', 'south-east', 'south', 'south-west', 'west', 'north-west'][Math.round(bearing / 45) % 8];
  const at = (x: number, y: number) => `${y.toFixed(3)}°, ${x.toFixed(3)}°`;
  return `its centre, ${at(lon, lat)}, lies ${km < 10 ? km.toFixed(1) : Math.round(km).toLocaleString('en-US')} km ${compass} of theirs, ${at(lon0, lat0)}`;
}
