/**
 * Imagery for the ground: raster tiles (a z/x/y folder, MBTiles, PMTiles) or any GDAL raster (a
 * GeoTIFF orthophoto, a COG) warped into the build's frame over a box and encoded as one texture.
 */
import gdal from './gdal.js';
import { InputError, inputErrorOf } from '../core/errors.js';
import type { Extent } from '../core/extent.js';
import type { Logger } from '../core/logger.js';
import type { Summary } from '../core/summary.js';
import type { FrameInfo, GroundTexture } from '../core/types.js';
import { rasterExtentInFrame } from './raster.js';
import { frameBoxIn3857, isRasterTileInput, mosaicTiles } from './raster-tiles.js';

/** Options of {@link readImagery}. */
export interface ImageryOptions {
  /** Raster tiles: the zoom read (default the finest available). */
  zoom?: number;
  /** Largest texture side (pixels); a larger area is resampled coarser. */
  maxTextureSize: number;
  /** What shows where the imagery has no data (#rrggbb). */
  background: string;
  /** JPEG quality (1–100) of photographic imagery. */
  jpegQuality: number;
  /** The most pixels of a tile mosaic. */
  maxPixels: number;
}

/** Defaults for {@link ImageryOptions}. */
export const IMAGERY_DEFAULTS: ImageryOptions = { maxTextureSize: 4096, background: '#a7ae96', jpegQuality: 85, maxPixels: 1 << 28 };

let counter = 0;

/**
 * The imagery over `box` (frame metres) as one texture: tiles are mosaicked first (only those over the
 * box), then GDAL warps the imagery into the frame at about its own resolution (at most
 * `maxTextureSize` a side), composites it over `background` where it has no data, and encodes it —
 * PNG for paletted sources (drawn maps stay crisp), JPEG otherwise. The source's attribution is
 * credited. Throws an {@link InputError} when the input is unreadable or does not cover the box.
 *
 * @example
 * ```ts
 * const tex = await readImagery('sf-osm-raster-z12', frame, { minX: -500, minY: -500, maxX: 500, maxY: 500 }, {}, logger, summary);
 * tex.mimeType; // 'image/png'
 * ```
 */
export async function readImagery(input: string, frame: FrameInfo, box: Extent, options: Partial<ImageryOptions>, logger: Logger, summary: Summary): Promise<GroundTexture> {
  const o = { ...IMAGERY_DEFAULTS, ...options };
  const tiled = isRasterTileInput(input);
  const mosaic = tiled ? await mosaicTiles([input], 'imagery', { zoom: o.zoom, box: frameBoxIn3857(frame, box), maxPixels: o.maxPixels }, logger, summary) : null;
  const file = mosaic?.file ?? input;
  const rename = (e: unknown) => (mosaic && e instanceof InputError ? new InputError('ingest', e.message.slice(`cityforge ${e.stage}: `.length).split(file).join(input)) : e);
  try {
    if (mosaic?.attribution) summary.attributions.add(mosaic.attribution);
    let info: ReturnType<typeof rasterExtentInFrame>;
    try {
      info = rasterExtentInFrame(file, frame);
    } catch (e) {
      throw rename(e);
    }
    const hit = info.extent;
    if (!(hit.maxX > box.minX && hit.minX < box.maxX && hit.maxY > box.minY && hit.minY < box.maxY)) throw new InputError('ingest', `${input}: the imagery does not cover the area (${(box.maxX - box.minX).toFixed(0)} × ${(box.maxY - box.minY).toFixed(0)} m around the buildings)`);
    const w = box.maxX - box.minX, h = box.maxY - box.minY;
    // about the source's resolution, within the texture limit
    const res = Math.max(info.resolution, w / o.maxTextureSize, h / o.maxTextureSize);
    const W = Math.max(2, Math.min(o.maxTextureSize, Math.round(w / res))), H = Math.max(2, Math.min(o.maxTextureSize, Math.round(h / res)));
    const src = openImage(file, input);
    const id = `${process.pid}-${counter++}`;
    const warped = `/vsimem/cityforge-imagery-${id}.tif`;
    const encoded = `/vsimem/cityforge-imagery-${id}.img`;
    try {
      const bands = src.bands.count();
      const paletted = mosaic?.paletted ?? (bands === 1 && !!src.bands.get(1).colorTable);
      // RGBA: paletted rasters expanded, an alpha band added where there is none (nodata → transparent)
      let input4: gdal.Dataset = src;
      const vrt = `/vsimem/cityforge-imagery-${id}.vrt`;
      if (bands === 1 && src.bands.get(1).colorTable) input4 = gdal.translate(vrt, src, ['-of', 'VRT', '-expand', 'rgba']);
      const out = gdal.warp(warped, null, [input4], ['-t_srs', frame.proj, '-te', String(box.minX), String(box.minY), String(box.maxX), String(box.maxY), '-ts', String(W), String(H), '-r', 'bilinear', '-ot', 'Byte', ...(input4.bands.count() === 4 || input4.bands.count() === 2 ? [] : ['-dstalpha']), '-of', 'GTiff']);
      if (input4 !== src) {
        input4.close();
        gdal.vsimem.release(vrt);
      }
      // composite over the background where there is no data
      const nb = out.bands.count();
      const rgb = [1, 2, 3].map((b) => out.bands.get(Math.min(b, Math.max(1, nb - 1))).pixels.read(0, 0, W, H) as Uint8Array);
      const alpha = nb === 2 || nb === 4 ? (out.bands.get(nb).pixels.read(0, 0, W, H) as Uint8Array) : null;
      const bg = [1, 3, 5].map((k) => parseInt(o.background.slice(k, k + 2), 16));
      let covered = 0;
      for (let k = 0; k < W * H; k++) {
        const a = alpha ? alpha[k] / 255 : 1;
        if (a > 0) covered++;
        for (let c = 0; c < 3; c++) rgb[c][k] = Math.round(rgb[c][k] * a + bg[c] * (1 - a));
      }
      out.close();
      const mem = gdal.open(encoded + '.tif', 'w', 'GTiff', W, H, 3, gdal.GDT_Byte);
      for (let c = 0; c < 3; c++) mem.bands.get(c + 1).pixels.write(0, 0, W, H, rgb[c]);
      const png = paletted;
      gdal.translate(encoded, mem, png ? ['-of', 'PNG'] : ['-of', 'JPEG', '-co', `QUALITY=${o.jpegQuality}`]).close();
      mem.close();
      gdal.vsimem.release(encoded + '.tif');
      const image = new Uint8Array(gdal.vsimem.release(encoded));
      logger.info(`${input}: imagery ${W} × ${H} px (${res.toFixed(2)} m a pixel, ${((100 * covered) / (W * H)).toFixed(0)} % covered) as ${png ? 'PNG' : 'JPEG'}, ${(image.byteLength / 1024).toFixed(0)} KB`);
      return { image, mimeType: png ? 'image/png' : 'image/jpeg', minX: box.minX, minY: box.minY, maxX: box.maxX, maxY: box.maxY };
    } catch (e) {
      throw e instanceof InputError ? e : inputErrorOf('ingest', `${input}: cannot resample the imagery`, e);
    } finally {
      src.close();
      for (const f of [warped, encoded, encoded + '.tif'])
        try {
          gdal.vsimem.release(f);
        } catch {
          // already released
        }
    }
  } finally {
    mosaic?.release();
  }
}

function openImage(file: string, label: string): gdal.Dataset {
  try {
    const ds = gdal.open(file);
    const n = ds.bands.count();
    const type = n ? ds.bands.get(1).dataType : 'nothing';
    if (n === 0 || type !== gdal.GDT_Byte) {
      ds.close();
      throw new InputError('ingest', `${label}: not imagery (a raster of ${n} band(s) of ${type}; expected 8-bit RGB(A), grey or paletted: a DEM goes to --terrain)`);
    }
    return ds;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError('ingest', `${label}: cannot open as imagery (${(e as Error).message.trim()})`);
  }
}
