import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import gdal from './gdal.js';
import { InputError, inputErrorOf } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Summary } from '../core/summary.js';
import { trackTemp, untrackTemp } from '../core/temp.js';
import { NULL_PROGRESS, type Progress } from '../core/progress.js';
import { sweepStaleMosaics } from './raster-tiles.js';
import { isTileInput, pyramid, type TileRef } from './tileset.js';
import { tileBytes } from './mvt.js';
import { tileBounds } from './webmercator.js';

/** Options for {@link groundMap}. */
export interface GroundMapOptions {
  /** Longest side of the map, pixels (the resolution follows; never finer than `finest`). */
  maxSide: number;
  /** Finest resolution, metres a pixel. */
  finest: number;
  /** Largest tile read, bytes. */
  maxTileBytes: number;
  /** Reports the tiles read, then the layers drawn (a large map takes seconds). */
  progress: Progress;
}

/** Defaults for {@link GroundMapOptions}. */
export const GROUND_MAP_DEFAULTS: GroundMapOptions = { maxSide: 4096, finest: 0.5, maxTileBytes: 64 << 20, progress: NULL_PROGRESS };

type Rgb = [number, number, number];

/** One style: what it fills (a layer and classes) with which colour; lines buffered to `width` metres. */
interface Style {
  layers: readonly string[];
  classes?: readonly string[];
  colour: Rgb;
  /** Line width, metres (lines only; polygons of the same classes are filled). */
  width?: number;
}

const hex = (h: string): Rgb => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

const LAND = hex('#f2efe9');
const ROADS = ['road', 'transportation'];
const MAJOR = ['motorway', 'motorway_link', 'trunk', 'trunk_link', 'primary', 'primary_link', 'secondary', 'secondary_link', 'tertiary', 'tertiary_link'];
const MINOR = ['street', 'street_limited', 'residential', 'minor', 'unclassified', 'living_street', 'link', 'turning_loop', 'turning_circle'];

/**
 * The ground map's styles, drawn in this order (later over earlier): OpenStreetMap Carto's colours for
 * Mapbox Streets (`landuse`, `landcover`, `water`, `road`) and OpenMapTiles (`park`, `transportation`)
 * schemas; road widths in metres, major roads on a darker casing.
 */
const STYLES: readonly Style[] = [
  { layers: ['landcover'], classes: ['wood', 'forest'], colour: hex('#add19e') },
  { layers: ['landcover'], classes: ['grass', 'scrub', 'crop', 'farmland', 'meadow', 'wetland'], colour: hex('#d8e8c8') },
  { layers: ['landcover'], classes: ['sand', 'beach'], colour: hex('#f5e9c6') },
  { layers: ['landuse'], classes: ['residential', 'suburb', 'neighbourhood'], colour: hex('#e0dfdf') },
  { layers: ['landuse'], classes: ['industrial', 'railway', 'commercial', 'retail'], colour: hex('#ebdbe8') },
  { layers: ['landuse'], classes: ['school', 'university', 'college', 'hospital'], colour: hex('#f0f0d8') },
  { layers: ['landuse'], classes: ['parking'], colour: hex('#eeeeee') },
  { layers: ['landuse', 'park'], classes: ['park', 'grass', 'pitch', 'garden', 'recreation_ground', 'playground', 'golf_course', 'national_park', 'nature_reserve'], colour: hex('#c8facc') },
  { layers: ['landuse'], classes: ['cemetery'], colour: hex('#aacbaf') },
  { layers: ['landuse', 'landcover'], classes: ['wood', 'scrub', 'forest'], colour: hex('#add19e') },
  { layers: ['landuse'], classes: ['sand', 'beach'], colour: hex('#f5e9c6') },
  { layers: ['water'], colour: hex('#aad3df') },
  { layers: ROADS, classes: ['major_rail', 'minor_rail', 'rail', 'transit'], colour: hex('#a8a8a8'), width: 2.5 },
  { layers: ROADS, classes: ['path', 'footway', 'pedestrian', 'track', 'cycleway', 'steps'], colour: hex('#e9d5c5'), width: 2 },
  { layers: ROADS, classes: ['service'], colour: hex('#ffffff'), width: 4 },
  { layers: ROADS, classes: MAJOR, colour: hex('#c7b9a6'), width: 13 },
  { layers: ROADS, classes: MINOR, colour: hex('#d6cfc4'), width: 8 },
  { layers: ROADS, classes: MINOR, colour: hex('#ffffff'), width: 6.5 },
  { layers: ROADS, classes: ['tertiary', 'tertiary_link'], colour: hex('#ffffff'), width: 10.5 },
  { layers: ROADS, classes: ['secondary', 'secondary_link'], colour: hex('#f7fabf'), width: 11 },
  { layers: ROADS, classes: ['primary', 'primary_link', 'trunk', 'trunk_link'], colour: hex('#fcd6a4'), width: 11.5 },
  { layers: ROADS, classes: ['motorway', 'motorway_link'], colour: hex('#e892a2'), width: 12 },
];

const CONTEXT_LAYERS = new Set(STYLES.flatMap((s) => s.layers));

/** The style indices a feature takes (a road gets its casing and its fill). */
function stylesOf(layer: string, cls: string, line: boolean): number[] {
  const out: number[] = [];
  STYLES.forEach((s, k) => {
    if (!s.layers.includes(layer) || (s.classes && !s.classes.includes(cls))) return;
    if (s.width !== undefined ? true : !line) out.push(k);
  });
  return out;
}

let counter = 0;

/**
 * A ground map drawn from vector tiles' context layers — land use and cover, water, roads and railways
 * (Mapbox Streets or OpenMapTiles schema) — over `box` (EPSG:3857),  as a temporary GeoTIFF in
 * EPSG:3857 (paletted) that takes the imagery path (warped into the frame, draped on the terrain or a ground
 * plane). Offline, from the very tiles the buildings come from. Returns null (with a warning) when the
 * tiles hold none of those layers over the box.
 *
 * @example
 * ```ts
 * const map = await groundMap(['data/sf-mvt'], box3857, {}, logger, summary);
 * try { readImagery(map.file, frame, extent, {}, logger, summary); } finally { map?.release(); }
 * ```
 */
export async function groundMap(inputs: readonly string[], box: [number, number, number, number], options: Partial<GroundMapOptions>, logger: Logger, summary: Summary): Promise<{ file: string; release(): void; features: number } | null> {
  const o = { ...GROUND_MAP_DEFAULTS, ...options };
  const tileInputs = inputs.filter((i) => isTileInput(i, 'vector'));
  if (!tileInputs.length) throw new InputError('ingest', `--ground-map draws the context layers of vector tiles; none of ${inputs.join(', ')} is a vector tile input`);
  const [bx0, by0, bx1, by1] = box;
  // metres on the ground per EPSG:3857 unit at the box's latitude
  const lat = Math.atan(Math.sinh(((by0 + by1) / 2) / 6378137));
  const k = Math.cos(lat);
  const px = Math.max(o.finest / k, Math.max(bx1 - bx0, by1 - by0) / o.maxSide);
  const w = Math.max(1, Math.ceil((bx1 - bx0) / px)), h = Math.max(1, Math.ceil((by1 - by0) / px));
  // the context features, as polygons (lines buffered to their width), one layer
  const mem = gdal.open('ground-map', 'w', 'Memory');
  const srs = gdal.SpatialReference.fromEPSG(3857);
  const layer = mem.layers.create('context', srs, gdal.wkbUnknown);
  layer.fields.add(new gdal.FieldDefn('style', gdal.OFTInteger));
  const list = await pyramid(tileInputs);
  let features = 0, tiles = 0;
  try {
    const over = list.tiles.filter((t) => {
      const [tx0, ty0, tx1, ty1] = tileBounds(t.z, t.x, t.y);
      return !(tx1 < bx0 || tx0 > bx1 || ty1 < by0 || ty0 > by1);
    });
    for (const t of over) {
      features += await addTile(t, layer, o.maxTileBytes, k, logger);
      o.progress.update('ground map: reading tiles', ++tiles, over.length);
    }
  } finally {
    list.close();
    o.progress.done();
  }
  if (!features) {
    mem.close();
    logger.warn(`--ground-map: the tiles of ${tileInputs.join(', ')} hold no land use, water or road layers over the buildings; no ground map`);
    summary.warn('ground-map:no-context-layers', tileInputs.join(', '));
    return null;
  }
  for (const a of list.attributions) summary.attributions.add(a);
  sweepStaleMosaics();
  const file = path.join(os.tmpdir(), `cityforge-${process.pid}-${counter++}-imagery-z0.tif`);
  trackTemp(file, 'file');
  try {
    // paletted (a drawn map: the imagery path keeps it PNG, crisp): index 0 the land, k + 1 style k
    const ds = gdal.open(file, 'w', 'GTiff', w, h, 1, gdal.GDT_Byte, ['TILED=YES', 'COMPRESS=DEFLATE']);
    ds.srs = srs;
    ds.geoTransform = [bx0, px, 0, by1, 0, -px];
    const band = ds.bands.get(1);
    const ct = new gdal.ColorTable(gdal.GPI_RGB);
    [LAND, ...STYLES.map((st) => st.colour)].forEach(([r, g, b], i) => ct.set(i, { c1: r, c2: g, c3: b, c4: 255 }));
    band.colorTable = ct;
    band.fill(0);
    for (let s = 0; s < STYLES.length; s++) {
      o.progress.update(`ground map: drawing ${w} × ${h} pixels`, s, STYLES.length);
      gdal.rasterize(ds, mem, ['-l', 'context', '-where', `style = ${s}`, '-b', '1', '-burn', String(s + 1)]);
    }
    o.progress.update(`ground map: drawing ${w} × ${h} pixels`, STYLES.length, STYLES.length);
    o.progress.done();
    ds.close();
  } catch (e) {
    mem.close();
    fs.rmSync(file, { force: true });
    untrackTemp(file);
    throw inputErrorOf('ingest', `--ground-map: cannot draw the map of ${tileInputs.join(', ')}`, e);
  }
  mem.close();
  logger.info(`ground map: ${features} land use, water and road features from ${tiles} tiles, ${w} × ${h} pixels of ${(px * k).toFixed(2)} m`);
  return {
    file, features,
    release: () => {
      fs.rmSync(file, { force: true });
      fs.rmSync(`${file}.aux.xml`, { force: true });
      untrackTemp(file);
    },
  };
}

/** One tile's context features into `out` (lines buffered, points left out); the count added. */
async function addTile(t: TileRef, out: gdal.Layer, maxBytes: number, k: number, logger: Logger): Promise<number> {
  const label = `${t.input} tile ${t.z}/${t.x}/${t.y}`;
  let bytes: Uint8Array;
  try {
    bytes = await tileBytes(t, label, maxBytes);
  } catch (e) {
    // the buildings' read names a broken tile; the map does without it
    logger.debug(`${label}: no ground map from it (${(e as Error).message})`);
    return 0;
  }
  const vsi = `/vsimem/cityforge-map-${process.pid}-${counter++}/${t.z}/${t.x}/${t.y}.pbf`;
  gdal.vsimem.set(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), vsi);
  let n = 0;
  try {
    let ds: gdal.Dataset;
    try {
      ds = gdal.open(vsi, 'r', ['MVT']);
    } catch {
      return 0;
    }
    try {
      ds.layers.forEach((l) => {
        if (!CONTEXT_LAYERS.has(l.name)) return;
        const hasClass = l.fields.getNames().includes('class');
        for (let f = l.features.next(); f; f = l.features.next()) {
          const g = f.getGeometry();
          if (!g) continue;
          const type = g.wkbType & 0xff;
          const line = type === gdal.wkbLineString || type === gdal.wkbMultiLineString;
          const area = type === gdal.wkbPolygon || type === gdal.wkbMultiPolygon;
          if (!line && !area) continue;
          const cls = hasClass ? String(f.fields.get('class') ?? '') : '';
          for (const s of stylesOf(l.name, cls, line)) {
            const width = STYLES[s].width;
            let geom: gdal.Geometry;
            try {
              geom = line ? g.buffer((width ?? 2) / 2 / k, 4) : g;
            } catch {
              continue;
            }
            const feat = new gdal.Feature(out);
            feat.fields.set('style', s);
            feat.setGeometry(geom);
            out.features.add(feat);
            n++;
          }
        }
      });
    } finally {
      ds.close();
    }
  } finally {
    gdal.vsimem.release(vsi);
  }
  return n;
}
