/**
 * Raster tile pyramids (z/x/y folders, `z-x-y.png` files, MBTiles, PMTiles of PNG, JPEG or WebP) as
 * rasters GDAL reads: the tiles covering an area at one zoom are decoded (GDAL's PNG, JPEG and WebP
 * drivers) and mosaicked into a temporary EPSG:3857 GeoTIFF — elevation tiles (Terrarium or Mapbox
 * Terrain-RGB) decoded to metres, imagery kept as RGBA — which the existing raster path then warps
 * into the build's frame like any DEM or orthophoto.
 */
import { counted } from '../core/words.js';
import gdal from './gdal.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError, inputErrorOf } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Summary } from '../core/summary.js';
import { trackTemp, untrackTemp } from '../core/temp.js';
import { isTileInput, listTiles, storedTileBytes, type TileList, type TileRef } from './tileset.js';
import { tileAt, tileBounds } from './webmercator.js';
import type { FrameInfo } from '../core/types.js';
import { emptyExtent, growByPoint, type Extent } from '../core/extent.js';

import { DEM_ENCODINGS, type DemEncoding } from '../core/grid.js';

export { DEM_ENCODINGS, type DemEncoding } from '../core/grid.js';

/** Options of {@link mosaicTiles}. */
export interface RasterTileOptions {
  /** The zoom to read; default the finest the input holds. */
  zoom?: number;
  /** Elevation: the encoding; default the archive's metadata (`encoding`), else told by the pixels. */
  encoding?: DemEncoding;
  /** The area wanted, EPSG:3857 [minX, minY, maxX, maxY]; default every tile at the zoom. */
  box?: [number, number, number, number];
  /** The most pixels of the mosaic: beyond it the run stops and names a coarser zoom. */
  maxPixels: number;
  /** Largest size of one stored tile (bytes). */
  maxTileBytes: number;
}

/** Defaults for {@link RasterTileOptions}. */
export const RASTER_TILE_DEFAULTS: RasterTileOptions = { maxPixels: 1 << 28, maxTileBytes: 16 << 20 };

/** A mosaic written to a temporary GeoTIFF: its path, what it holds, and how to remove it. */
export interface TileMosaic {
  /** The GeoTIFF (EPSG:3857): one Float32 band of metres (nodata −32768) or four Byte bands RGBA. */
  file: string;
  zoom: number;
  /** Tile side in pixels. */
  tileSize: number;
  /** Tiles decoded into the mosaic, and tiles of the area that were missing or unreadable (nodata). */
  tiles: number;
  missing: number;
  /** The share of the area (`box`) the decoded tiles cover, 0–1 (1 without a box). */
  covered: number;
  encoding?: DemEncoding;
  /** Who the tiles are by, from the archive's metadata. */
  attribution?: string;
  /** Imagery: the tiles are paletted (a drawn map: keep it lossless). */
  paletted: boolean;
  /** Remove the temporary file. */
  release(): void;
}

/** Whether `input` is a raster tile pyramid (a z/x/y folder, a `z-x-y.png`, an `.mbtiles` or `.pmtiles`) rather than a raster file GDAL opens. */
export function isRasterTileInput(input: string): boolean {
  return isTileInput(input, 'raster');
}

/**
 * The raster tile inputs `input` names — one, or several separated by commas (each a tile pyramid,
 * mosaicked as one) — or null when it is a raster file GDAL opens.
 */
export function tileInputs(input: string): string[] | null {
  if (isRasterTileInput(input)) return [input];
  if (fs.existsSync(input) || !input.includes(',')) return null;
  const parts = input.split(',').filter(Boolean);
  return parts.length > 1 && parts.every((p) => isRasterTileInput(p)) ? parts : null;
}

const NODATA = -32768;

/**
 * A temporary raster's name (and GDAL's side files of it) in the temp folder: a tile mosaic's
 * `cityforge-<pid>-<n>-<kind>-z<zoom>.tif`, a gridded point cloud's `cityforge-<pid>-<n>-points-<role>.tif`.
 */
// (and the straight copies of curved vector layers, ogr.ts)
const MOSAIC_FILE = /^cityforge-(\d+)-\d+-(?:(?:(?:elevation|imagery)-z\d+|points-(?:surface|ground))\.tif(?:\.aux\.xml|\.ovr)?|linear\.gpkg(?:-journal|-wal|-shm)?)$/;

/** Remove the temporary rasters that runs killed with -9 left in the temp folder (their process is gone). */
export function sweepStaleMosaics(): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const m = MOSAIC_FILE.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') fs.rmSync(path.join(os.tmpdir(), name), { force: true });
    }
  }
}

/** A decoded tile: its side and RGBA pixels, row-major from the north. */
interface Decoded {
  size: number;
  rgba: Uint8Array;
  /** The image had a colour table (a map, not a photo). */
  paletted: boolean;
}

let counter = 0;

/** Decode a PNG, JPEG or WebP tile through GDAL into RGBA (paletted and grey tiles expanded). */
export function decodeTile(bytes: Uint8Array, label: string): Decoded {
  const vsi = `/vsimem/cityforge-tile-${process.pid}-${counter++}`;
  gdal.vsimem.set(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), vsi);
  let ds: gdal.Dataset | undefined;
  try {
    const why = (e: unknown) => (e as Error).message.split(vsi).join('the tile').trim();
    try {
      ds = gdal.open(vsi, 'r', ['PNG', 'JPEG', 'WEBP']);
    } catch (e) {
      throw new InputError('ingest', `${label}: not a PNG, JPEG or WebP image (${why(e)})`);
    }
    const { x: w, y: h } = ds.rasterSize;
    if (w !== h || w < 1) throw new InputError('ingest', `${label}: a ${w} × ${h} image, not a square tile`);
    const n = w * h;
    const rgba = new Uint8Array(4 * n).fill(255);
    const count = ds.bands.count();
    const read = (b: number) => {
      try {
        return ds!.bands.get(b).pixels.read(0, 0, w, h, undefined, { data_type: gdal.GDT_Byte }) as Uint8Array;
      } catch (e) {
        throw new InputError('ingest', `${label}: broken image data (${why(e)})`);
      }
    };
    const first = ds.bands.get(1);
    const table = count === 1 ? first.colorTable : null;
    if (table) {
      const idx = read(1);
      const lut = new Uint8Array(256 * 4);
      for (let k = 0; k < Math.min(256, table.count()); k++) {
        const c = table.get(k);
        lut.set([c.c1, c.c2, c.c3, c.c4], 4 * k);
      }
      for (let k = 0; k < n; k++) rgba.set(lut.subarray(4 * idx[k], 4 * idx[k] + 4), 4 * k);
    } else if (count <= 2) {
      const g = read(1);
      const a = count === 2 ? read(2) : null;
      for (let k = 0; k < n; k++) {
        rgba[4 * k] = rgba[4 * k + 1] = rgba[4 * k + 2] = g[k];
        if (a) rgba[4 * k + 3] = a[k];
      }
    } else {
      for (let b = 0; b < Math.min(4, count); b++) {
        const v = read(b + 1);
        for (let k = 0; k < n; k++) rgba[4 * k + b] = v[k];
      }
    }
    return { size: w, rgba, paletted: !!table };
  } finally {
    ds?.close();
    gdal.vsimem.release(vsi);
  }
}

/**
 * Elevation (metres) of a tile's pixels under `encoding`: Terrarium h = R·256 + G + B/256 − 32768,
 * Terrain-RGB h = −10000 + (R·65536 + G·256 + B)·0.1. Transparent pixels are nodata (NaN).
 */
export function decodeElevation(rgba: Uint8Array, encoding: DemEncoding, out = new Float32Array(rgba.length / 4)): Float32Array {
  for (let k = 0, n = out.length; k < n; k++) {
    const r = rgba[4 * k], g = rgba[4 * k + 1], b = rgba[4 * k + 2];
    out[k] = rgba[4 * k + 3] === 0 ? NaN : encoding === 'terrarium' ? r * 256 + g + b / 256 - 32768 : -10000 + (r * 65536 + g * 256 + b) * 0.1;
  }
  return out;
}

/** The encoding an archive's metadata declares (`encoding`: terrarium, mapbox, terrain-rgb), if any. */
function declaredEncoding(list: TileList): DemEncoding | undefined {
  const e = (list.metadata?.encoding ?? '').toLowerCase();
  if (e === 'terrarium') return 'terrarium';
  if (e === 'mapbox' || e === 'terrain-rgb' || e === 'terrainrgb') return 'terrain-rgb';
  return undefined;
}

/**
 * The encoding the pixels tell: land and sea between −500 and 9,000 m put red near 128 in Terrarium
 * and at 0–2 in Terrain-RGB. Undefined when neither fits.
 */
function guessEncoding(rgba: Uint8Array): DemEncoding | undefined {
  const reds: number[] = [];
  for (let k = 0; k < rgba.length; k += 4 * 17) if (rgba[k + 3] !== 0) reds.push(rgba[k]);
  if (!reds.length) return undefined;
  reds.sort((a, b) => a - b);
  const r = reds[reds.length >> 1];
  if (r >= 126 && r <= 163) return 'terrarium';
  if (r <= 3) return 'terrain-rgb';
  return undefined;
}

/**
 * The elevation encoding a tile meant as imagery is in, if it is one (imagery-was-elevation: Terrarium tiles
 * given to --imagery were draped as purple and green): its red tells an encoding ({@link guessEncoding}),
 * the heights it then decodes to change by under 10 m from one pixel to the next almost everywhere (a photo's
 * or a map's colours decode to jumps of tens to hundreds of metres), and it holds many colours (a blank or
 * flat-coloured tile is no evidence). Undefined for imagery.
 */
export function elevationLookingTile(rgba: Uint8Array, size: number): DemEncoding | undefined {
  const encoding = guessEncoding(rgba);
  if (!encoding) return undefined;
  const h = decodeElevation(rgba, encoding);
  let pairs = 0, smooth = 0;
  const colours = new Set<number>();
  for (let y = 0; y < size; y += 3)
    for (let x = 0; x + 1 < size; x += 3) {
      const k = y * size + x;
      if (!Number.isFinite(h[k]) || !Number.isFinite(h[k + 1])) continue;
      pairs++;
      if (Math.abs(h[k + 1] - h[k]) < 10) smooth++;
      if (colours.size < 64) colours.add((rgba[4 * k] << 16) | (rgba[4 * k + 1] << 8) | rgba[4 * k + 2]);
    }
  return pairs > 100 && smooth > 0.95 * pairs && colours.size >= 64 ? encoding : undefined;
}

/** Median of the finite values (sampled), NaN when none. */
function medianOf(v: Float32Array): number {
  const s: number[] = [];
  for (let k = 0; k < v.length; k += 13) if (Number.isFinite(v[k])) s.push(v[k]);
  if (!s.length) return NaN;
  s.sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** An attribution naming the software that made an archive rather than who the data is by. */
const SOFTWARE_CREDIT = /^\s*(created|generated|made|exported|produced) (by|with|using)\b|\b(QGIS|GDAL|gdal2tiles|tippecanoe|mb-util|rio[- ]pmtiles) (algorithm|version|\d)/i;

/**
 * Mosaic raster tiles into a temporary EPSG:3857 GeoTIFF: `kind` `elevation` decodes Terrarium or
 * Terrain-RGB into metres (one Float32 band, nodata −32768), `imagery` keeps the colours (RGBA).
 * Several inputs are one pyramid (the first input holding a tile wins). Only the tiles over `box`
 * are read; a tile missing there, unreadable, of another size, or decoding to impossible heights
 * (another encoding) is nodata, counted under `tiles:*` and named. An input without raster tiles, or
 * a mosaic beyond `maxPixels`, throws an {@link InputError}.
 *
 * @example
 * ```ts
 * const m = await mosaicTiles(['sf-terrarium-z12'], 'elevation', {}, logger, summary);
 * try { readElevation(m.file, frame, extent, {}, logger, summary); } finally { m.release(); }
 * ```
 */
export async function mosaicTiles(inputs: readonly string[], kind: 'elevation' | 'imagery', options: Partial<RasterTileOptions>, logger: Logger, summary: Summary): Promise<TileMosaic> {
  const o = { ...RASTER_TILE_DEFAULTS, ...options };
  const lists: TileList[] = [];
  try {
    for (const input of inputs) lists.push(await listTiles(input, { kind: 'raster', zoom: o.zoom }));
    // one zoom for all: the one asked for, else the finest every input reached
    const zoom = o.zoom ?? Math.max(...lists.map((l) => l.tiles[0].z));
    const byKey = new Map<string, TileRef>();
    for (const l of lists) for (const t of l.tiles) if (t.z === zoom && !byKey.has(`${t.x}/${t.y}`)) byKey.set(`${t.x}/${t.y}`, t);
    if (!byKey.size) throw new InputError('ingest', `${inputs.join(', ')}: no raster tiles at zoom ${zoom}`);
    // the tile range: over the box, else over every tile
    const have = [...byKey.values()];
    let standIn = false;
    let [x0, x1, y0, y1] = [Math.min(...have.map((t) => t.x)), Math.max(...have.map((t) => t.x)), Math.min(...have.map((t) => t.y)), Math.max(...have.map((t) => t.y))];
    if (o.box) {
      const [bx0, by0] = tileAt(zoom, o.box[0], o.box[3]);
      const [bx1, by1] = tileAt(zoom, o.box[2], o.box[1]);
      const overlaps = have.some((t) => t.x >= bx0 && t.x <= bx1 && t.y >= by0 && t.y <= by1);
      // no tile over the area: one tile stands for the pyramid (the caller finds it does not overlap)
      if (overlaps) [x0, x1, y0, y1] = [bx0, bx1, by0, by1];
      else {
        [x0, x1, y0, y1] = [have[0].x, have[0].x, have[0].y, have[0].y];
        standIn = true;
      }
    }
    const nx = x1 - x0 + 1, ny = y1 - y0 + 1;
    // the tile size: from the first tile that decodes
    const name = (t: TileRef) => `${t.input} tile ${t.z}/${t.x}/${t.y}`;
    let encoding = kind === 'elevation' ? o.encoding ?? lists.map(declaredEncoding).find(Boolean) : undefined;
    let size = 0;
    const decoded = new Map<string, Decoded>();
    const bad = (reason: string, detail: string) => summary.warn(`tiles:${reason}`, detail);
    const failed = new Set<string>();
    const decodeAt = async (x: number, y: number): Promise<Decoded | null> => {
      const hit = byKey.get(`${x}/${y}`);
      if (!hit || failed.has(`${x}/${y}`)) return null;
      try {
        return decodeTile(await storedTileBytes(hit, name(hit), o.maxTileBytes, 'an image'), name(hit));
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        failed.add(`${x}/${y}`);
        bad('unreadable', e.what);
        logger.warn(`${e.what}; left as nodata`);
        return null;
      }
    };
    let pixelsSay: DemEncoding | undefined;
    let implausible = 0;
    for (let y = y0; y <= y1 && !size; y++)
      for (let x = x0; x <= x1 && !size; x++) {
        const d = await decodeAt(x, y);
        if (d) {
          size = d.size;
          decoded.set(`${x}/${y}`, d);
          if (kind === 'elevation') pixelsSay = guessEncoding(d.rgba);
          if (kind === 'elevation' && !encoding) {
            encoding = pixelsSay;
            const fmt = lists.map((l) => l.metadata?.format).find(Boolean);
            if (!encoding)
              throw new InputError(
                'ingest',
                `${name(byKey.get(`${x}/${y}`)!)}: these tiles do not look like elevation (Terrarium or Terrain-RGB${fmt ? `; the archive says ${fmt}` : ''}): a map or an orthophoto goes to --imagery; elevation packed the other way: say it with --dem-encoding ${DEM_ENCODINGS.join('|')}`,
              );
            logger.info(`${inputs.join(', ')}: elevation encoding ${encoding} (told by the pixels; --dem-encoding to say otherwise)`);
          }
        }
      }
    // (the tiles over the area, not every tile the pyramid holds at that zoom)
    const over = have.filter((t) => t.x >= x0 && t.x <= x1 && t.y >= y0 && t.y <= y1).length;
    if (!size) throw new InputError('ingest', `${inputs.join(', ')}: none of the ${counted(over, 'raster tile')} at zoom ${zoom} over the area could be decoded`);
    const W = nx * size, H = ny * size;
    if (W * H > o.maxPixels)
      throw new InputError('ingest', `${inputs.join(', ')}: the ${nx} × ${ny} tiles at zoom ${zoom} over the area make ${((W * H) / 1e6).toFixed(0)} million pixels, more than the limit of ${(o.maxPixels / 1e6).toFixed(0)} million; choose a coarser zoom (--dem-zoom / --imagery-zoom)`);
    sweepStaleMosaics();
    const file = path.join(os.tmpdir(), `cityforge-${process.pid}-${counter++}-${kind}-z${zoom}.tif`);
    trackTemp(file, 'file');
    const [gx0, , gx1, gy1] = tileBounds(zoom, x0, y0);
    const px = (gx1 - gx0) / size;
    let ds: gdal.Dataset | undefined;
    let tiles = 0, missing = 0, paletted = false, coveredArea = 0;
    const boxArea = o.box ? (o.box[2] - o.box[0]) * (o.box[3] - o.box[1]) : 0;
    const elevationLike: [string, DemEncoding][] = [];
    try {
      ds = gdal.open(file, 'w', 'GTiff', W, H, kind === 'elevation' ? 1 : 4, kind === 'elevation' ? gdal.GDT_Float32 : gdal.GDT_Byte, ['TILED=YES']);
      ds.srs = gdal.SpatialReference.fromEPSG(3857);
      ds.geoTransform = [gx0, px, 0, gy1, 0, -px];
      if (kind === 'elevation') ds.bands.get(1).noDataValue = NODATA;
      else ds.bands.get(4).colorInterpretation = gdal.GCI_AlphaBand;
      const heights = new Float32Array(size * size);
      const plane = new Uint8Array(size * size);
      for (let y = y0; y <= y1; y++)
        for (let x = x0; x <= x1; x++) {
          const key = `${x}/${y}`;
          const d = decoded.get(key) ?? (await decodeAt(x, y));
          decoded.delete(key);
          const hit = byKey.get(key);
          if (!d) {
            missing++;
            if (!hit) summary.warn('tiles:missing', `${inputs.join(', ')}: no tile ${zoom}/${x}/${y}`);
            continue;
          }
          if (d.size !== size) {
            missing++;
            bad('wrong-size', `${name(hit!)}: ${d.size} px where the other tiles are ${size} px`);
            logger.warn(`${name(hit!)}: ${d.size} px where the other tiles are ${size} px; left as nodata`);
            continue;
          }
          const ox = (x - x0) * size, oy = (y - y0) * size;
          paletted ||= d.paletted;
          if (kind === 'elevation') {
            decodeElevation(d.rgba, encoding!, heights);
            const m = medianOf(heights);
            if (Number.isFinite(m) && (m < -12000 || m > 9000)) {
              missing++;
              implausible++;
              bad('implausible-heights', `${name(hit!)}: decodes to ${m.toFixed(0)} m as ${encoding} (another encoding? mixed encodings)`);
              logger.warn(`${name(hit!)}: decodes to ${m.toFixed(0)} m as ${encoding} (mixed encodings?); left as nodata`);
              continue;
            }
            for (let k = 0; k < heights.length; k++) if (!Number.isFinite(heights[k])) heights[k] = NODATA;
            ds.bands.get(1).pixels.write(ox, oy, size, size, heights);
          } else {
            const looks = elevationLookingTile(d.rgba, size);
            if (looks) elevationLike.push([name(hit!), looks]);
            for (let b = 0; b < 4; b++) {
              for (let k = 0; k < plane.length; k++) plane[k] = d.rgba[4 * k + b];
              ds.bands.get(b + 1).pixels.write(ox, oy, size, size, plane);
            }
          }
          tiles++;
          if (o.box) {
            // (how much of the area this tile holds: a tile may hold a strip of it)
            const [tx0, ty0, tx1, ty1] = tileBounds(zoom, x, y);
            coveredArea += Math.max(0, Math.min(tx1, o.box[2]) - Math.max(tx0, o.box[0])) * Math.max(0, Math.min(ty1, o.box[3]) - Math.max(ty0, o.box[1]));
          }
        }
      ds.close();
      ds = undefined;
      // (imagery-was-elevation: most tiles decode to smooth heights: elevation given as imagery)
      if (kind === 'imagery' && elevationLike.length && elevationLike.length >= tiles / 2)
        throw new InputError(
          'ingest',
          `${inputs.join(', ')}: these tiles look like elevation, not imagery (${elevationLike.length} of ${tiles} decode to smooth heights as ${elevationLike[0][1]}, e.g. ${elevationLike[0][0]}): elevation tiles go to --terrain`,
        );
      if (kind === 'elevation' && tiles === 0 && implausible > 0)
        throw new InputError(
          'ingest',
          `${inputs.join(', ')}: no tile decodes to plausible heights as ${encoding}${pixelsSay && pixelsSay !== encoding ? `; the pixels look like ${pixelsSay}: use --dem-encoding ${pixelsSay}, or leave it out` : ' (are these elevation tiles? a map or an orthophoto goes to --imagery)'}`,
        );
    } catch (e) {
      ds?.close();
      fs.rmSync(file, { force: true });
      untrackTemp(file);
      throw e instanceof InputError ? e : inputErrorOf('ingest', `${inputs.join(', ')}: cannot mosaic the tiles`, e);
    }
    const covered = standIn ? 0 : o.box && boxArea > 0 ? Math.min(1, coveredArea / boxArea) : 1;
    if (missing) logger.info(`${inputs.join(', ')}: ${missing} of ${nx * ny} ${nx * ny === 1 ? 'tile' : 'tiles'} over the area missing or unreadable (nodata)${o.box ? `; the others cover ${(100 * covered).toFixed(0)} % of it` : ''}`);
    // (imagery-log-contradicted-itself: a stand-in tile is not the area's; the caller says it does not cover it)
    if (standIn) logger.info(`${inputs.join(', ')}: none of its ${byKey.size} ${kind} tiles at zoom ${zoom} lies over the area`);
    else logger.info(`${inputs.join(', ')}: ${tiles} ${kind} ${tiles === 1 ? 'tile' : 'tiles'} at zoom ${zoom} (${size} px) mosaicked, ${W} × ${H} pixels of ${px.toFixed(2)} m (EPSG:3857)`);
    const attribution = [...new Set(lists.map((l) => l.attribution).filter((a): a is string => !!a))].join('; ') || undefined;
    // (software-credited-as-the-data: a PMTiles made with QGIS says "Created by QGIS algorithm: Generate XYZ tiles")
    // (software-credited-in-the-viewer: the warned text still went out as the credit; left out now)
    const software = !!attribution && SOFTWARE_CREDIT.test(attribution);
    if (software)
      logger.warn(`${inputs.join(', ')}: the archive credits "${attribution}", which names the software that made it, not the data's source: left out; give the credit with --attribution`);
    return {
      file, zoom, tileSize: size, tiles, missing, covered, encoding, attribution: software ? undefined : attribution, paletted,
      release: () => {
        fs.rmSync(file, { force: true });
        fs.rmSync(`${file}.aux.xml`, { force: true });
        untrackTemp(file);
      },
    };
  } finally {
    for (const l of lists) l.close();
  }
}

/** A box of the local frame as an EPSG:3857 box (its corners and edge midpoints transformed). */
export function frameBoxIn3857(frame: FrameInfo, e: Extent): [number, number, number, number] {
  const ct = new gdal.CoordinateTransformation(gdal.SpatialReference.fromProj4(frame.proj), gdal.SpatialReference.fromEPSG(3857));
  const out = emptyExtent();
  const mx = (e.minX + e.maxX) / 2, my = (e.minY + e.maxY) / 2;
  for (const [x, y] of [[e.minX, e.minY], [e.maxX, e.minY], [e.maxX, e.maxY], [e.minX, e.maxY], [mx, e.minY], [e.maxX, my], [mx, e.maxY], [e.minX, my]]) {
    const p = ct.transformPoint(x, y);
    growByPoint(out, p.x, p.y);
  }
  return [out.minX, out.minY, out.maxX, out.maxY];
}
