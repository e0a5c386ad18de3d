/**
 * Imagery for the ground: raster tiles (a z/x/y folder, MBTiles, PMTiles) or any GDAL raster (a
 * GeoTIFF orthophoto, a COG) warped into the build's frame over a box and encoded as one texture.
 */
import gdal, { vrtOf } from './gdal.js';
import { InputError, inputErrorOf, namingSource } from '../core/errors.js';
import { extentsOverlap, type Extent } from '../core/extent.js';
import type { Logger } from '../core/logger.js';
import type { Summary } from '../core/summary.js';
import type { FrameInfo, GroundTexture } from '../core/types.js';
import { rasterCentre, rasterExtentInFrame, whereFrom } from './raster.js';
import { frameBoxIn3857, mosaicTiles, tileInputs } from './raster-tiles.js';

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
  /** What messages call the imagery (default: the input's name). */
  label?: string;
}

/** Defaults for {@link ImageryOptions}. */
export const IMAGERY_DEFAULTS: ImageryOptions = { maxTextureSize: 4096, background: '#a7ae96', jpegQuality: 85, maxPixels: 1 << 28 };

let counter = 0;

/** Imagery opened over an area: textures of any box in it, then let go. */
export interface ImagerySource {
  /** The input as given. */
  input: string;
  /** Source pixel size in the frame (metres). */
  resolution: number;
  /**
   * The imagery over `box` (frame metres) as one texture of at most `maxSide` pixels a side (default
   * the source's resolution within `maxTextureSize`), composited over the background where it has no
   * data, PNG for paletted sources, JPEG otherwise.
   */
  textureOver(box: Extent, maxSide?: number): GroundTexture;
  /** Close the raster and remove a temporary mosaic. */
  release(): void;
}

/** A ground texture's side at least (pixels), where the box allows it: see `textureOver`. */
export const MIN_TEXTURE_SIDE = 256;

/** Imagery whose readable tiles cover less of the area than this stops the run; less than the second warns. */
export const IMAGERY_MIN_COVER = 0.05;
export const IMAGERY_WARN_COVER = 0.9;

/**
 * Open imagery over `area` (frame metres): raster tiles are mosaicked first (only those over the
 * area, at `zoom` or the finest), any other input is opened as a GDAL raster. The source's
 * attribution is credited. Throws an {@link InputError} when the input is unreadable, is not 8-bit
 * imagery, or does not cover the area (its readable tiles less than {@link IMAGERY_MIN_COVER} of it).
 *
 * @example
 * ```ts
 * const img = await openImagery('sf-osm-raster-z12', frame, area, {}, logger, summary);
 * try { const tex = img.textureOver(area); } finally { img.release(); }
 * ```
 */
export async function openImagery(input: string, frame: FrameInfo, area: Extent, options: Partial<ImageryOptions>, logger: Logger, summary: Summary): Promise<ImagerySource> {
  const o = { ...IMAGERY_DEFAULTS, ...options };
  const tiled = tileInputs(input);
  const mosaic = tiled ? await mosaicTiles(tiled, 'imagery', { zoom: o.zoom, box: frameBoxIn3857(frame, area), maxPixels: o.maxPixels }, logger, summary) : null;
  const file = mosaic?.file ?? input;
  const name = o.label ?? input;
  const rename = (e: unknown) => (mosaic ? namingSource(e, file, name) : e);
  let src: gdal.Dataset | undefined;
  try {
    if (mosaic?.attribution) summary.attributions.add(mosaic.attribution);
    else summary.uncredited.add(name);
    let info: ReturnType<typeof rasterExtentInFrame>;
    try {
      info = rasterExtentInFrame(file, frame);
    } catch (e) {
      throw rename(e);
    }
    // (imagery-elsewhere-said-not-where: the DEM's message says where it lies; so does this one)
    if (!extentsOverlap(info.extent, area)) throw new InputError('ingest', `${name}: the imagery does not cover the area (${(area.maxX - area.minX).toFixed(0)} × ${(area.maxY - area.minY).toFixed(0)} m around the buildings; ${whereFrom(rasterCentre(file), [frame.lon, frame.lat])})`);
    // imagery-lost-said-exit-0: the one tile under the city unreadable left a blank ground, and exit 0
    if (mosaic && mosaic.covered < IMAGERY_MIN_COVER)
      throw new InputError('ingest', `${name}: its readable tiles cover ${(100 * mosaic.covered).toFixed(1)} % of the area around the buildings (${mosaic.missing} of its tiles there missing or unreadable; -v names each): no imagery to drape`);
    if (mosaic && mosaic.covered < IMAGERY_WARN_COVER) {
      summary.warn('imagery:partial-cover', `${name}: ${(100 * mosaic.covered).toFixed(0)} %`);
      logger.warn(`${name}: its readable tiles cover ${(100 * mosaic.covered).toFixed(0)} % of the area around the buildings; the rest is plain ground colour`);
    }
    src = openImage(file, name);
    const paletted = mosaic?.paletted ?? (src.bands.count() === 1 && !!src.bands.get(1).colorTable);
    const id = `${process.pid}-${counter++}`;
    // RGBA: a paletted raster expanded once
    const vrt = `/vsimem/cityforge-imagery-${id}.vrt`;
    const rgba = src.bands.count() === 1 && src.bands.get(1).colorTable ? vrtOf(vrt, src, ['-expand', 'rgba']) : src;
    const opened = src;
    const resolution = info.resolution;
    // (coarse-imagery-unsaid: z12 map tiles, 30 m a pixel, blurred into blobs close up, and the log gave the
    // figure alone)
    if (resolution > COARSE_IMAGERY)
      logger.info(`${name}: ${resolution.toFixed(1)} m a source pixel, coarser than most buildings: close up the ground is a blur; finer tiles (zoom 17 and up: about 1 m a pixel) or, with vector tiles, --ground-map instead (their land use, water and roads, drawn sharp) look better`);
    const bg = [1, 3, 5].map((k) => parseInt(o.background.slice(k, k + 2), 16));
    let n = 0;
    return {
      input,
      resolution,
      textureOver(box: Extent, maxSide = o.maxTextureSize): GroundTexture {
        const w = box.maxX - box.minX, h = box.maxY - box.minY;
        const side = Math.min(maxSide, o.maxTextureSize);
        // tile-seams-in-the-imagery: imagery coarser than the box's share of texels (z12 map tiles, 30 m a
        // pixel, over a 700 m leaf: 23 px) is resampled up to MIN_TEXTURE_SIDE (or `side`) px, bilinear from the
        // source, so that neighbouring tiles' textures meet: a texture's edge texels are clamped, and at 30 m
        // each the map stepped at every tile border
        const minSide = Math.min(side, MIN_TEXTURE_SIDE);
        const res = Math.max(Math.min(resolution, w / minSide, h / minSide), w / side, h / side);
        const W = Math.max(2, Math.min(side, Math.round(w / res))), H = Math.max(2, Math.min(side, Math.round(h / res)));
        const warped = `/vsimem/cityforge-imagery-${id}-${n}.tif`;
        const encoded = `/vsimem/cityforge-imagery-${id}-${n++}.img`;
        try {
          // averaging where the texture is much coarser than the source (no aliasing), bilinear otherwise
          const out = gdal.warp(warped, null, [rgba], ['-t_srs', frame.proj, '-te', String(box.minX), String(box.minY), String(box.maxX), String(box.maxY), '-ts', String(W), String(H), '-r', res > 2 * resolution ? 'average' : 'bilinear', '-ot', 'Byte', ...(rgba.bands.count() === 4 || rgba.bands.count() === 2 ? [] : ['-dstalpha']), '-of', 'GTiff']);
          const nb = out.bands.count();
          const rgb = [1, 2, 3].map((b) => out.bands.get(Math.min(b, Math.max(1, nb - 1))).pixels.read(0, 0, W, H) as Uint8Array);
          const alpha = nb === 2 || nb === 4 ? (out.bands.get(nb).pixels.read(0, 0, W, H) as Uint8Array) : null;
          // composite over the background where there is no data
          for (let k = 0; k < W * H; k++) {
            const a = alpha ? alpha[k] / 255 : 1;
            for (let c = 0; c < 3; c++) rgb[c][k] = Math.round(rgb[c][k] * a + bg[c] * (1 - a));
          }
          out.close();
          const mem = gdal.open(encoded + '.tif', 'w', 'GTiff', W, H, 3, gdal.GDT_Byte);
          for (let c = 0; c < 3; c++) mem.bands.get(c + 1).pixels.write(0, 0, W, H, rgb[c]);
          gdal.translate(encoded, mem, paletted ? ['-of', 'PNG'] : ['-of', 'JPEG', '-co', `QUALITY=${o.jpegQuality}`]).close();
          mem.close();
          const image = new Uint8Array(gdal.vsimem.release(encoded));
          return { image, mimeType: paletted ? 'image/png' : 'image/jpeg', minX: box.minX, minY: box.minY, maxX: box.maxX, maxY: box.maxY };
        } catch (e) {
          throw inputErrorOf('ingest', `${name}: cannot resample the imagery`, e);
        } finally {
          for (const f of [warped, encoded, encoded + '.tif'])
            try {
              gdal.vsimem.release(f);
            } catch {
              // not there
            }
        }
      },
      release() {
        if (rgba !== opened) {
          rgba.close();
          gdal.vsimem.release(vrt);
        }
        opened.close();
        mosaic?.release();
      },
    };
  } catch (e) {
    src?.close();
    mosaic?.release();
    throw e;
  }
}

/** A source pixel (m) over which the imagery is said to be coarser than the buildings it lies under. */
const COARSE_IMAGERY = 5;

/**
 * The imagery over `box` (frame metres) as one texture: {@link openImagery}, one texture at about the
 * source's resolution (at most `maxTextureSize` a side), released.
 *
 * @example
 * ```ts
 * const tex = await readImagery('sf-osm-raster-z12', frame, { minX: -500, minY: -500, maxX: 500, maxY: 500 }, {}, logger, summary);
 * tex.mimeType; // 'image/png'
 * ```
 */
export async function readImagery(input: string, frame: FrameInfo, box: Extent, options: Partial<ImageryOptions>, logger: Logger, summary: Summary): Promise<GroundTexture> {
  const img = await openImagery(input, frame, box, options, logger, summary);
  try {
    const t = img.textureOver(box);
    logger.info(`${options.label ?? input}: imagery ${(t.maxX - t.minX).toFixed(0)} × ${(t.maxY - t.minY).toFixed(0)} m at ${img.resolution.toFixed(2)} m a source pixel → ${t.mimeType === 'image/png' ? 'PNG' : 'JPEG'}, ${(t.image.byteLength / 1024).toFixed(0)} KB`);
    return t;
  } finally {
    img.release();
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
