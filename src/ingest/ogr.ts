import gdal from './gdal.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import type { RawFeature, ReadContext } from './raw.js';
import { OTHER_TAGS_CUT, osmIdOf, rawFeatureOf, unpackOtherTags } from './raw.js';
import { surelyValid } from './simple-polygons.js';
import { parsePolygonalWKB, writePolygonalWKB, type FlatPolygons } from './wkb.js';
import { dropUnusableRings, type RingsDropped } from './repair.js';
import { extentOf } from '../core/extent.js';
import type { TagValue } from './tags.js';
import type { SelectOptions, Source, SourceBox, SourceFeature, SourceFormat, SourceOptions } from './source.js';
import { InputError, UsageError } from '../core/errors.js';
import { OSM_ATTRIBUTION } from './options.js';
import { hasBuildingKeys, hasOsmKeys, isBuildingFeature, referencedFields, whereProblem } from './where.js';
import { brokenGeoJsonSeqLines, checkLayerComplete, checkOsmPbf, checkShapefile, checkShapefileCompanions, lastErrorKey, newFailure } from './integrity.js';
import { ENTRANCE_TOLERANCE, readOsmNodes } from './osm-nodes.js';
import { counted } from '../core/words.js';
import { trackTemp, untrackTemp } from '../core/temp.js';
import { sweepStaleMosaics } from './raster-tiles.js';

/** Whether a file holds OSM PBF (by its first block's type), not OSM XML. */
function isPbf(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(32);
    fs.readSync(fd, b, 0, 32, 0);
    return b.includes('OSMHeader');
  } finally {
    fs.closeSync(fd);
  }
}

export type { SelectOptions } from './source.js';


/** A layer opened for reading, with its CRS. */
export interface OpenLayer {
  file: string;
  layerName: string;
  layer: gdal.Layer;
  srs: gdal.SpatialReference;
  /** `AUTHORITY:CODE` or the PROJ string. */
  crsName: string;
  /** A layer of every OSM tag with no --where: only its buildings and building parts are read. */
  buildingsOnly: boolean;
  /** Its fields are OSM tags (it has `building` / `building:part`). */
  osmTags: boolean;
  /** Read by GDAL's OSM driver. */
  osm: boolean;
  /** OSM data: read by GDAL's OSM driver, or fields only OSM data has ({@link hasOsmKeys}): OSM's attribute defaults and credit. */
  osmData: boolean;
  /** An attribute filter is set (the user's --where, or the OSM default). */
  filtered: boolean;
}

/**
 * A geometry type without its Z and M: `wkbPolygon25D` (0x80000003), ISO `Polygon Z` / `M` / `ZM` (1003, 2003,
 * 3003) are all 3 (m-polygons-were-no-polygons: ArcGIS's "3D Measured Polygon" Shapefiles and GeoPackage
 * layers with M were read as no polygons at all, `& 0xff` leaving 0xbb of 3003).
 */
export const flatType = (t: number): number => (t & 0x7fffffff) % 1000;

/**
 * The layer geometry types that can hold footprints: polygons and multipolygons, curved ones too
 * (CurvePolygon, MultiSurface: made straight as they are read), collections and "any".
 */
const POLYGONAL = new Set([gdal.wkbPolygon, gdal.wkbMultiPolygon, gdal.wkbUnknown, gdal.wkbGeometryCollection, 10, 12]);

/** Name a CRS as `EPSG:code` where it has one. */
export function crsName(srs: gdal.SpatialReference): string {
  const auth = srs.getAuthorityName(null);
  const code = srs.getAuthorityCode(null);
  if (auth && code) return `${auth}:${code}`;
  try {
    return srs.toProj4();
  } catch {
    // (a CRS PROJ strings cannot say: its name)
    return srs.getAttrValue(srs.isLocal() ? 'LOCAL_CS' : srs.isProjected() ? 'PROJCS' : 'GEOGCS') ?? 'a CRS without a name';
  }
}

/**
 * The CRS an `--s-srs` names; a {@link UsageError} (exit 2: the option is wrong, whatever the data) when GDAL
 * knows none by that name (s-srs-unknown-was-an-input-error).
 */
export function overrideSrs(sSrs: string): gdal.SpatialReference {
  try {
    return gdal.SpatialReference.fromUserInput(sSrs);
  } catch {
    throw new UsageError('ingest', `--s-srs '${sSrs}' is not a CRS GDAL knows (e.g. EPSG:4326, EPSG:28992, or a PROJ or WKT definition)`);
  }
}

/**
 * What to suggest for a layer without a CRS, from its coordinates where known (no-crs-hint-said-lon-lat: data in
 * metres was told to try EPSG:4326, which then failed as out of range).
 */
function noCrsHint(extent?: () => gdal.Envelope | null): string {
  let e: gdal.Envelope | null = null;
  try {
    e = extent?.() ?? null;
  } catch {
    // (no extent from the driver)
  }
  if (!e || !Number.isFinite(e.minX)) return 'e.g. --s-srs EPSG:4326 for longitude and latitude, or the projected CRS the data was made in';
  const round = (v: number) => Math.round(v).toLocaleString('en-US');
  if (e.minX >= -180 && e.maxX <= 180 && e.minY >= -90 && e.maxY <= 90) return 'its coordinates could be longitude and latitude: --s-srs EPSG:4326 if so';
  return `its coordinates (x ${round(e.minX)} to ${round(e.maxX)}, y ${round(e.minY)} to ${round(e.maxY)}) are not longitude and latitude but a projected CRS's: the one the data was made in, e.g. a UTM zone (EPSG:326xx) or a national grid`;
}

/** Resolve the CRS of a layer, honouring an override; throws a one-line error when there is none. */
export function layerSrs(file: string, layerName: string, own: gdal.SpatialReference | null, sSrs?: string, extent?: () => gdal.Envelope | null): gdal.SpatialReference {
  if (sSrs) return overrideSrs(sSrs);
  if (!own) throw new InputError('ingest', `${file} layer ${layerName}: the source has no CRS; name one with --s-srs (${noCrsHint(extent)})`);
  // (local-crs-said-unreadable: a site grid's LOCAL_CS ties the coordinates to no place on Earth)
  if (own.isLocal()) throw new InputError('ingest', `${file} layer ${layerName}: its CRS is a local one (LOCAL_CS "${own.getAttrValue('LOCAL_CS') ?? ''}"), tied to no place on Earth; name the CRS its coordinates are in with --s-srs (e.g. --s-srs EPSG:32632)`);
  return own;
}

/** S3DB keys the OSM driver exposes as fields of the multipolygons layer (the rest stay in other_tags). */
const OSM_FIELDS = [
  'name', 'type', 'building', 'building:part', 'height', 'min_height', 'building:levels', 'building:min_level',
  'roof:shape', 'roof:height', 'roof:levels', 'roof:direction', 'roof:orientation', 'roof:angle',
  'roof:colour', 'roof:material', 'building:colour', 'building:material', 'location',
];

/**
 * GDAL's OSM driver configuration for cityforge: closed ways tagged `building` or `building:part`
 * are polygons (the stock configuration leaves `building:part` ways as lines), and the S3DB keys
 * are fields. Written once into GDAL's memory (/vsimem) and named by OSM_CONFIG_FILE.
 */
function osmConfigFile(): string {
  if (osmConfig) return osmConfig;
  const text = [
    // GDAL's stock list plus building:part (kept in its order: GDAL's lookup is sensitive to it)
    'closed_ways_are_polygons=aeroway,amenity,boundary,building,building:part,craft,geological,historic,landuse,leisure,military,natural,office,place,shop,sport,tourism,highway=platform,public_transport=platform',
    'attribute_name_laundering=no',
    ...['points', 'lines', 'multilinestrings', 'other_relations'].flatMap((l) => [`[${l}]`, 'osm_id=yes', 'attributes=name']),
    '[multipolygons]',
    'osm_id=yes',
    `attributes=${OSM_FIELDS.join(',')}`,
    'ignore=area,created_by,converted_by,source,time,note,todo,fixme,FIXME',
    '',
  ].join('\n');
  // (in GDAL's memory, one per thread: osmconf-left-in-tmp, a file per user stayed in /tmp, which another
  // user could have made first)
  const file = `/vsimem/cityforge-osmconf-${threadId}.ini`;
  gdal.vsimem.set(Buffer.from(text), file);
  return (osmConfig = file);
}

/** The CRS a GeoJSON document names in its `crs` member (from its first 64 KB); null when it names none. */
function declaredCrs(file: string): string | null {
  let head = '';
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const b = Buffer.alloc(65536);
      head = b.toString('utf8', 0, fs.readSync(fd, b, 0, b.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  const m = /"crs"\s*:\s*\{[^}]*?"name"\s*:\s*"([^"]{1,200})"/.exec(head);
  return m ? m[1] : null;
}

/** The configuration file, once written (or checked) by this process. */
let osmConfig: string | null = null;

/** Whether an opened dataset is OSM data (GDAL's OSM driver, whatever the file is called). */
const isOsmDataset = (ds: gdal.Dataset) => ds.driver.description === 'OSM';

/** Open an OGR vector source and choose its layers (defaults: OSM → multipolygons; else every polygonal layer). */
export function openOgr(file: string, options: SelectOptions): { ds: gdal.Dataset; layers: OpenLayer[]; latin1: boolean } {
  let ds: gdal.Dataset;
  // (read by GDAL's OSM driver only: set for every file, since it recognises OSM data by content)
  gdal.config.set('OSM_CONFIG_FILE', osmConfigFile());
  // (shapefile-without-dbf-read-in-silence: every building at the default height, the .dbf never named; in a
  // folder of Shapefiles too, where GDAL leaves out a .shp without its .shx: folder-of-shapefiles-no-layers)
  checkShapefileCompanions(file);
  if (isFolder(file) && !file.startsWith('/vsi') && !/\.gdb\/?$/i.test(file))
    for (const f of fs.readdirSync(file).filter((f) => /\.shp$/i.test(f)).sort()) checkShapefileCompanions(path.join(file, f));
  const latin1 = !gdal.config.get('SHAPE_ENCODING') && shapefileNotUtf8(file);
  if (latin1) gdal.config.set('SHAPE_ENCODING', 'ISO-8859-1');
  try {
    try {
      ds = gdal.open(file);
    } catch (e) {
      // zip-refused: a plain `.zip` (a municipality's buildings.zip holding a Shapefile or a GeoPackage) is
      // read through GDAL's /vsizip/, as `.shp.zip` is by the Shapefile driver itself
      if (!/\.zip$/i.test(file) || file.startsWith('/vsi')) throw e;
      try {
        ds = gdal.open(`/vsizip/${path.resolve(file)}`);
      } catch {
        throw e;
      }
    }
  } catch (e) {
    // folder-said-not-a-file-format: GDAL's "`dir' not recognized as a supported file format" for a folder
    if (isFolder(file)) throw new InputError('ingest', `${file}: a folder holding nothing cityforge reads (${folderContents(file)}); it reads a folder of vector tiles (z/x/y or z-x-y .mvt/.pbf), of Shapefiles, or a FileGDB (.gdb); give the files themselves otherwise`);
    throw new InputError('ingest', `${file}: cannot open as a vector source (${(e as Error).message.trim()})`);
  } finally {
    if (latin1) gdal.config.set('SHAPE_ENCODING', null);
  }
  // (unknown-crs-read-as-wgs84: GDAL's GeoJSON reader takes a `crs` member PROJ does not know for
  // longitude and latitude, and says nothing through the bindings)
  if (!options.sSrs && /^GeoJSON/.test(ds.driver.description)) {
    const declared = declaredCrs(file);
    if (declared !== null) {
      try {
        gdal.SpatialReference.fromUserInput(declared);
      } catch (e) {
        throw new InputError('ingest', `${file}: the CRS it declares ("${declared}") is not one PROJ knows (${(e as Error).message.trim()}); name the data's CRS with --s-srs`);
      }
    }
  }
  if (ds.layers.count() === 0) throw new InputError('ingest', `${file}: not a vector source (no layers; format ${ds.driver.description})`);
  let names: string[];
  if (options.layers?.length) {
    names = options.layers;
  } else if (isOsmDataset(ds)) {
    names = ['multipolygons'];
  } else {
    names = [];
    ds.layers.forEach((l) => {
      if (POLYGONAL.has(flatType(l.geomType))) names.push(l.name);
    });
    if (names.length === 0) throw new InputError('ingest', `${file}: no polygon layer (layers: ${ds.layers.map((l) => l.name).join(', ')})`);
  }
  const layers: OpenLayer[] = names.map((name) => {
    let layer: gdal.Layer;
    try {
      layer = ds.layers.get(name);
    } catch {
      throw new InputError('ingest', `${file} layer ${name}: no such layer (layers: ${ds.layers.map((l) => l.name).join(', ')})`);
    }
    const srs = layerSrs(file, name, layer.srs, options.sSrs, () => layer.getExtent(true));
    let where = options.where;
    if (!where && isOsmDataset(ds) && name === 'multipolygons') where = `building IS NOT NULL OR "building:part" IS NOT NULL`;
    if (where) {
      try {
        layer.setAttributeFilter(where);
      } catch (e) {
        // (where-exit-code-by-format: GDAL's OSM and SQLite drivers refuse a clause naming no field as they set it, exit 3,
        // where GeoPackage took it and found nothing, exit 2: a bad clause is a wrong option, exit 2, in every format)
        throw new UsageError('ingest', `${file} layer ${name}: bad --where '${where}' (${whereProblem(e, layer.fields.getNames())})`);
      }
    }
    const osmTags = hasBuildingKeys(layer.fields.getNames());
    const osmData = isOsmDataset(ds) || hasOsmKeys(layer.fields.getNames());
    return { file, layerName: name, layer, srs, crsName: crsName(srs), buildingsOnly: !where && osmTags, osmTags, osm: isOsmDataset(ds), osmData, filtered: !!where };
  });
  return { ds, layers, latin1 };
}

/**
 * A Shapefile whose attributes GDAL would hand over as they are, not as UTF-8: no `.cpg` naming their
 * encoding, no code page in the DBF header, and its text (the first 16 MB) not valid UTF-8. Such files
 * are mostly Latin-1 (written by older desktop GIS); read so, the names keep their letters
 * (latin1-names-garbled: "H�tel M�ller" in the table, without a word).
 */
function shapefileNotUtf8(file: string): boolean {
  if (!/\.shp$/i.test(file)) return false;
  const base = file.slice(0, -4);
  const sidecar = (ext: string) => [ext, ext.toUpperCase()].map((e) => `${base}.${e}`).find((f) => fs.existsSync(f));
  const dbf = sidecar('dbf');
  if (!dbf || sidecar('cpg')) return false;
  let fd: number | undefined;
  try {
    fd = fs.openSync(dbf, 'r');
    const head = Buffer.alloc(32);
    if (fs.readSync(fd, head, 0, 32, 0) < 32 || head[29] !== 0) return false;
    const text = Buffer.alloc(Math.min(16 << 20, fs.fstatSync(fd).size));
    const n = fs.readSync(fd, text, 0, text.length, 0);
    try {
      // (a cut at the sample's end is not an error: only what lies before the last 4 bytes counts)
      new TextDecoder('utf-8', { fatal: true }).decode(text.subarray(head.readUInt16LE(8), Math.max(head.readUInt16LE(8), n - 4)));
      return false;
    } catch {
      return true;
    }
  } catch {
    // (unreadable: GDAL says so when it opens it)
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Stable source id of an OGR feature: OSM way/relation ids, else an `id` attribute, else the FID. */
function featureId(tags: Record<string, TagValue>, fid: number, osm: boolean): string {
  const own = osm ? osmIdOf(tags) : null;
  if (own) return own;
  const id = tags['id'] ?? tags['@id'];
  if (id !== undefined && id !== null && id !== '') return String(id);
  return String(fid);
}

/** Why a geometry was not taken (`reason`), and what was done to one that was. */
export interface GeometryVerdict {
  reason: string;
  /** MakeValid repaired it. */
  repaired: boolean;
  /** Rings dropped before GEOS ({@link dropUnusableRings}). */
  dropped?: RingsDropped;
  /** Rings that did not end where they start, closed. */
  closed?: boolean;
  /** The WKB's polygons, where it was kept as it is (parsed for the check that vouched for it). */
  polygons?: FlatPolygons;
}

/**
 * Make one OGR geometry valid and polygonal, as WKB. Returns null (with the reason in `why`) when
 * nothing polygonal is left.
 */
export function validPolygonalWKB(geom: gdal.Geometry | null, why: GeometryVerdict): Uint8Array | null {
  if (!geom || geom.isEmpty()) {
    why.reason = 'geometry:empty';
    return null;
  }
  const type = flatType(geom.wkbType);
  if (type !== gdal.wkbPolygon && type !== gdal.wkbMultiPolygon && type !== gdal.wkbGeometryCollection) {
    why.reason = 'geometry:not-polygonal';
    return null;
  }
  // a collection keeps its polygons only (a collection of lines has none)
  let g: gdal.Geometry | null = type === gdal.wkbGeometryCollection ? polygonsOf(geom) : geom;
  if (!g) {
    why.reason = 'geometry:not-polygonal';
    return null;
  }
  // (mvt-asked-geos-of-every-piece: a polygon surely valid by cityforge's own check, as the GeoJSON and
  // FlatGeobuf readers take it, needs no GEOS isValid: 211 ms of SF's 13,438 tile pieces; GEOS decides the rest)
  if (g === geom) {
    const wkb = g.toWKB('LSB');
    const p = parsePolygonalWKB(wkb);
    if (surelyValid(p)) {
      // (wkb-parsed-twice: the reprojection takes these, not the WKB parsed again)
      why.polygons = p;
      return wkb;
    }
  }
  if (!g.isValid()) {
    // ring-left-open: a ring that does not end where it starts (GDAL's GeoJSON reader hands it on as it is) is
    // closed, as cityforge's own GeoJSON reader closes it; MakeValid could not, and the building went
    const size = g.toWKB('LSB').length;
    g.closeRings();
    if (g.toWKB('LSB').length !== size) why.closed = true;
  }
  if (!g.isValid()) {
    // rings of one or two points first: GEOS cannot repair them, and the whole feature went
    // (degenerate-ring-lost-the-building)
    const polygons = parsePolygonalWKB(g.toWKB('LSB'));
    const short = dropUnusableRings(polygons);
    if (short.polygons !== polygons) {
      why.dropped = short;
      if (short.polygons.polygonOffsets.length === 1) {
        why.reason = 'geometry:degenerate';
        return null;
      }
      const raw = writePolygonalWKB(short.polygons);
      g = gdal.Geometry.fromWKB(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), g.srs ?? undefined);
    }
  }
  if (!g.isValid()) {
    try {
      // MakeValid can turn a degenerate ring into a line or a point: keep what is polygonal
      g = polygonsOf(g.makeValid());
    } catch {
      g = null;
    }
    why.repaired = true;
    if (!g || g.isEmpty() || !(polygonalArea(g) > 0)) {
      why.reason = 'geometry:invalid';
      return null;
    }
  }
  return g.toWKB('LSB');
}

/**
 * A feature whose geometry a reader decoded itself (GeoJSON, FlatGeobuf): kept as it is where
 * `surelyValid` vouches for it (its WKB written only if asked, its box handed on); otherwise GEOS
 * decides and repairs, as for every other source. Null: skipped and counted (see {@link checkedWKB}).
 */
export function decodedFeature(base: Omit<RawFeature, 'wkb' | 'polygons'>, p: FlatPolygons, srs: gdal.SpatialReference, crs: string, ctx: ReadContext, detail: string): SourceFeature | null {
  if (surelyValid(p)) return { srs, crs, feature: rawFeatureOf(base, p), box: extentOf(p.coords) };
  const short = dropUnusableRings(p);
  if (short.polygons !== p) {
    if (short.polygons.polygonOffsets.length === 1) {
      ctx.skip('geometry:degenerate', `${detail}: ${GEOMETRY_REASONS['geometry:degenerate']}`);
      return null;
    }
    warnUnusableRings(short, ctx, detail);
    p = short.polygons;
    if (surelyValid(p)) return { srs, crs, feature: rawFeatureOf(base, p), box: extentOf(p.coords) };
  }
  const raw = writePolygonalWKB(p);
  const wkb = checkedWKB(() => gdal.Geometry.fromWKB(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), srs), ctx, detail);
  return wkb ? { srs, crs, feature: { ...base, wkb } } : null;
}

/**
 * A feature's geometry made valid and polygonal by GEOS ({@link validPolygonalWKB}), as WKB; null when
 * nothing polygonal is left or it cannot be read (skipped into `ctx`, named by `detail`). A repair is
 * counted as a warning.
 */
export function checkedWKB(geometry: () => gdal.Geometry | null, ctx: ReadContext, detail: string): Uint8Array | null {
  return checkedGeometry(geometry, ctx, detail)?.wkb ?? null;
}

/**
 * {@link checkedWKB}, with the WKB's polygons where they were parsed on the way (a geometry kept as it
 * is): a {@link RawFeature} that carries them is not parsed again.
 */
export function checkedGeometry(geometry: () => gdal.Geometry | null, ctx: ReadContext, detail: string): { wkb: Uint8Array; polygons?: FlatPolygons } | null {
  const why: GeometryVerdict = { reason: '', repaired: false };
  let wkb: Uint8Array | null;
  let error = '';
  try {
    wkb = validPolygonalWKB(geometry(), why);
  } catch (e) {
    why.reason = 'geometry:unreadable';
    error = ` (${(e as Error).message})`;
    wkb = null;
  }
  if (!wkb) {
    ctx.skip(why.reason, `${detail}: ${GEOMETRY_REASONS[why.reason] ?? why.reason}${error}`);
    return null;
  }
  if (why.closed) ctx.warn('ring:not-closed', `${detail}: a ring did not end where it starts; closed`);
  if (why.dropped) warnUnusableRings(why.dropped, ctx, detail);
  if (why.repaired) ctx.warn('geometry:repaired', `${detail}: invalid geometry repaired with MakeValid`);
  return why.polygons ? { wkb, polygons: why.polygons } : { wkb };
}

/** Count the rings a feature lost before GEOS ({@link dropUnusableRings}). */
function warnUnusableRings(short: RingsDropped, ctx: ReadContext, detail: string): void {
  if (short.outside) ctx.warn('ring:hole-outside-dropped', `${detail}: ${counted(short.outside, 'hole')} lying outside the outline dropped`);
  if (short.holes) ctx.warn('ring:degenerate-hole-dropped', `${detail}: ${counted(short.holes, 'hole')} of fewer than three distinct points dropped`);
  if (short.outers) ctx.warn('ring:degenerate-polygon-dropped', `${detail}: ${counted(short.outers, 'polygon')} of fewer than three distinct points dropped`);
}

/** What a {@link validPolygonalWKB} reason means, in words. */
export const GEOMETRY_REASONS: Readonly<Record<string, string>> = {
  'geometry:empty': 'empty geometry',
  'geometry:not-polygonal': 'not a polygon (nor a collection holding one)',
  'geometry:invalid': 'invalid geometry, and MakeValid left no polygon',
  'geometry:degenerate': 'no ring of three distinct points or more',
  'geometry:unreadable': 'the geometry cannot be read',
};

/** The polygonal part of a geometry (a polygon or multipolygon as it is; a collection's polygons), or null when there is none. */
function polygonsOf(g: gdal.Geometry): gdal.Geometry | null {
  const t = flatType(g.wkbType);
  if (t === gdal.wkbPolygon || t === gdal.wkbMultiPolygon) return g;
  if (t !== gdal.wkbGeometryCollection) return null;
  const parts = new gdal.MultiPolygon();
  for (const child of (g as gdal.GeometryCollection).children) {
    const c = polygonsOf(child);
    if (!c) continue;
    if (flatType(c.wkbType) === gdal.wkbPolygon) parts.children.add(c);
    else for (const p of (c as gdal.MultiPolygon).children) parts.children.add(p);
  }
  return parts.children.count() ? parts : null;
}

/** The area of a polygon or multipolygon. */
const polygonalArea = (g: gdal.Geometry) => (flatType(g.wkbType) === gdal.wkbPolygon ? (g as gdal.Polygon).getArea() : (g as gdal.MultiPolygon).getArea());

/**
 * A feature's fields as tag values: dates and times as ISO 8601 text (GDAL gives them as objects:
 * `{ year, month, day, hour, minute, second, timezone }`, which went out as "[object Object]"), lists
 * joined by `;` as OSM joins several values.
 */
export function fieldValues(f: gdal.Feature): Record<string, TagValue> {
  const raw = f.fields.toObject() as Record<string, unknown>;
  // (in place: the object is this call's own, and most features have no such field)
  for (const k in raw) {
    const v = raw[k];
    if (v !== null && typeof v === 'object') raw[k] = Array.isArray(v) ? v.map(String).join(';') : isoDate(v as GdalDate);
  }
  return raw as Record<string, TagValue>;
}

/** What GDAL gives for a Date, Time or DateTime field (`timezone`: 0 unknown, 1 local, 100 UTC, 100 ± n for n quarters of an hour). */
interface GdalDate { year?: number; month?: number; day?: number; hour?: number; minute?: number; second?: number; timezone?: number }

/** A GDAL date, time or date-time as ISO 8601: `2001-05-03`, `10:20:30`, `2001-05-03T10:20:30Z`, `…+02:00`. */
export function isoDate(d: GdalDate): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const date = d.year !== undefined ? `${String(d.year).padStart(4, '0')}-${two(d.month ?? 1)}-${two(d.day ?? 1)}` : '';
  if (d.hour === undefined) return date;
  const ms = Math.round((d.second ?? 0) * 1000);
  const sec = ms % 1000 === 0 ? two(ms / 1000) : `${two(Math.floor(ms / 1000))}.${String(ms % 1000).padStart(3, '0')}`;
  const tz = d.timezone ?? 0;
  const zone = tz === 100 ? 'Z' : tz > 1 ? `${tz > 100 ? '+' : '-'}${two(Math.floor(Math.abs(tz - 100) / 4))}:${two((Math.abs(tz - 100) % 4) * 15)}` : '';
  const time = `${two(d.hour)}:${two(d.minute ?? 0)}:${sec}${zone}`;
  return date ? `${date}T${time}` : time;
}

let copies = 0;
/** The warning a curved geometry read through a {@link LinearCopy} counts. */
export const CURVES_MADE_STRAIGHT = 'geometry:curves-made-straight';

/**
 * A layer's copy with every geometry straight (curves made of segments, surfaces of polygons: ogr2ogr
 * `-nlt MULTIPOLYGON`), its features under the same ids. gdal-async cannot hand over a curved geometry
 * (CurvePolygon, MultiSurface, CompoundCurve: "Tried to create unsupported geometry type") nor make
 * it straight, so a layer holding one is copied once, when the first is met, and the curved features'
 * geometries are read from the copy (curves-were-unreadable). Removed when the layer has been read.
 */
export class LinearCopy {
  readonly file = path.join(os.tmpdir(), `cityforge-${process.pid}-${copies++}-linear.gpkg`);
  private readonly ds: gdal.Dataset;
  private readonly layer: gdal.Layer;

  constructor(ol: { file: string; layerName: string }) {
    // (a killed run's copies go as the raster mosaics do)
    sweepStaleMosaics();
    trackTemp(this.file, 'file');
    try {
      // (from the file opened again: a copy read from the layer being read moved its cursor to the end)
      const source = gdal.open(ol.file);
      try {
        this.ds = gdal.vectorTranslate(this.file, source, ['-f', 'GPKG', '-nlt', 'MULTIPOLYGON', '-preserve_fid', '-nln', 'linear', ol.layerName]);
      } finally {
        source.close();
      }
      this.layer = this.ds.layers.get('linear');
    } catch (e) {
      this.close();
      throw new InputError('ingest', `${ol.file} layer ${ol.layerName}: its curved geometries could not be made straight (${(e as Error).message.trim()})`);
    }
  }

  /** The straight geometry of feature `fid`, or null. */
  geometry(fid: number): gdal.Geometry | null {
    return this.layer.features.get(fid)?.getGeometry() ?? null;
  }

  close(): void {
    try {
      this.ds?.close();
    } catch {
      // (closed already)
    }
    for (const tail of ['', '-journal', '-wal', '-shm']) fs.rmSync(this.file + tail, { force: true });
    untrackTemp(this.file);
  }
}

/** Read the features of one opened layer. */
export function* readOgrLayer(ol: OpenLayer, ctx: ReadContext): Generator<RawFeature> {
  const osm = ol.osm;
  const source = `${path.basename(ol.file)}#${ol.layerName}`;
  let linear: LinearCopy | null = null;
  // a feature's geometry; a curved one from the layer's straight copy
  const geometryOf = (f: gdal.Feature, detail: string): gdal.Geometry | null => {
    try {
      return f.getGeometry();
    } catch (e) {
      if (!/unsupported geometry type/i.test((e as Error).message)) throw e;
      linear ??= new LinearCopy(ol);
      ctx.warn(CURVES_MADE_STRAIGHT, `${detail}: a curved geometry, made of straight segments`);
      return linear.geometry(f.fid);
    }
  };
  try {
    yield* readFeatures(ol, ctx, osm, source, geometryOf);
  } finally {
    (linear as LinearCopy | null)?.close();
  }
}

function* readFeatures(ol: OpenLayer, ctx: ReadContext, osm: boolean, source: string, geometryOf: (f: gdal.Feature, detail: string) => gdal.Geometry | null): Generator<RawFeature> {
  for (let f = ol.layer.features.first(); f; f = ol.layer.features.next()) {
    ctx.tick();
    const tags = fieldValues(f);
    // (osm-export-lost-its-heights: a layer exported from OSM by ogr2ogr has them in other_tags too)
    const cut = (osm || ol.osmTags) && unpackOtherTags(tags);
    const id = featureId(tags, f.fid, osm || ol.osmTags);
    const detail = `${ol.file} layer ${ol.layerName} feature ${id}`;
    if (cut) ctx.warn(OTHER_TAGS_CUT[0], `${detail}: ${OTHER_TAGS_CUT[1]}`);
    if (ol.buildingsOnly && !isBuildingFeature(tags)) {
      ctx.skip('not-a-building', `${detail}: neither building nor building:part (a layer of every OSM tag; --where selects others)`);
      continue;
    }
    const g = checkedGeometry(() => geometryOf(f, detail), ctx, detail);
    if (!g) continue;
    yield { id, source, where: `${ol.file} layer ${ol.layerName}`, tags, ...g, pieces: 1, osm: ol.osmData };
  }
}

/** Let the event loop turn: gdal-async frees the native memory behind the buffers it returns (WKB) from there. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A dataset's `ATTRIBUTION` metadata item (a GeoPackage keeps it in gpkg_metadata), trimmed; null when it has none. */
function creditItem(ds: gdal.Dataset): string | null {
  const md = ds.getMetadata() as Record<string, unknown> | null;
  const v = md?.['ATTRIBUTION'];
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

/** Whether `file` is a folder. */
function isFolder(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** What a folder holds, in a few words: empty, or its first names. */
function folderContents(dir: string): string {
  const names = fs.readdirSync(dir).sort();
  if (!names.length) return 'it is empty';
  return `it holds ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;
}

/** An OGR vector source: one file (or anything GDAL opens as vectors), its chosen layers. */
class OgrSource implements Source {
  readonly inputs: string[];
  private osm = false;
  /** What the log line says of shop and entrance nodes (OSM). */
  private nodesNote = '';

  /** A GeoPackage's own credit (its `ATTRIBUTION` metadata item, as `cityforge infer` writes it). */
  private credit: string | null = null;

  attributions(): string[] {
    return [...(this.osm ? [OSM_ATTRIBUTION] : []), ...(this.credit ? [this.credit] : [])];
  }

  constructor(
    readonly label: string,
    private readonly options: SourceOptions,
  ) {
    this.inputs = [label];
  }

  async extent(): Promise<SourceBox[]> {
    const { ds, layers } = openOgr(this.label, this.options);
    const boxes: SourceBox[] = [];
    try {
      for (const ol of layers) {
        let e: gdal.Envelope | null = null;
        try {
          e = ol.layer.getExtent(true);
        } catch {
          // no extent from the driver: from the geometries
          for (let f = ol.layer.features.first(); f; f = ol.layer.features.next()) {
            const g = f.getGeometry();
            if (!g || g.isEmpty()) continue;
            const ge = g.getEnvelope();
            if (e) e.merge(ge);
            else e = ge;
          }
        }
        if (e && Number.isFinite(e.minX) && e.maxX >= e.minX) boxes.push({ srs: ol.srs, crs: ol.crsName, extent: { minX: e.minX, minY: e.minY, maxX: e.maxX, maxY: e.maxY } });
      }
    } finally {
      ds.close();
    }
    return boxes;
  }

  async *read(ctx: ReadContext): AsyncGenerator<SourceFeature> {
    const { ds, layers, latin1 } = openOgr(this.label, this.options);
    const { where } = this.options;
    if (latin1) ctx.warn('attributes:read-as-latin1', `${this.label}: no .cpg names the encoding of its attributes, and their text is not UTF-8: read as ISO-8859-1 (Latin-1); a .cpg beside it naming another (e.g. "1252") is followed`);
    const driver = ds.driver.description;
    // (the layers' fields, for a --where that selects nothing, read while the dataset is open)
    const layerFields = layers.map((l) => ({ layerName: l.layerName, fields: where ? l.layer.fields.getNames() : [] }));
    this.osm = driver === 'OSM' || layers.some((l) => l.osmData);
    // (infer-lost-the-credit: the parameters `infer` wrote of OSM footprints were built crediting no one)
    if (driver === 'GPKG') this.credit = creditItem(ds);
    let read = 0;
    let kept = 0;
    const counting: ReadContext = { ...ctx, tick: () => { read++; ctx.tick(); } };
    try {
      if (driver === 'OSM' && isPbf(this.label)) checkOsmPbf(this.label);
      // (pbf-damaged-said-no-features: the OSM driver meets a damaged block first while reading the nodes
      // below, and says nothing new at the same block afterwards: GDAL's failures are looked for from here)
      const before = lastErrorKey();
      // OSM maps most shops as nodes inside the building: each building (or part) gets theirs as `shops`;
      // entrances are nodes of its outline: their places go with it (doors, with --facades)
      const nodes = driver === 'OSM' && layers.some((l) => l.layerName === 'multipolygons') ? readOsmNodes(this.label) : null;
      const nodesFailure = nodes ? newFailure(before) : null;
      if (nodesFailure) throw new InputError('ingest', `${this.label} layer points: ${nodesFailure} (cut short, or damaged)`);
      const shops = nodes?.shops ?? null, entrances = nodes?.entrances ?? null;
      let withShops = 0, withEntrances = 0;
      if (driver === 'ESRI Shapefile' && /\.shp$/i.test(this.label)) checkShapefile(this.label);
      if (shops) this.nodesNote = `; ${shops.size} shop nodes`;
      if (entrances) this.nodesNote += `; ${entrances.size} entrance nodes`;
      for (const [k, ol] of layers.entries()) {
        const n0 = read;
        const errors = ol.osm ? before : lastErrorKey();
        for (const feature of readOgrLayer(ol, counting)) {
          if (shops && ol.layerName === 'multipolygons' && feature.tags['shop'] == null) {
            const inside = shops.inside(feature.wkb);
            if (inside) {
              feature.tags['shops'] = inside;
              withShops++;
            }
          }
          if (entrances && ol.layerName === 'multipolygons') {
            const on = entrances.onOutline(feature.wkb, ENTRANCE_TOLERANCE);
            if (on) {
              feature.entrances = on;
              withEntrances++;
            }
          }
          yield { srs: ol.srs, crs: ol.crsName, feature };
          // a loop that never yields to the event loop holds every geometry it ever read
          // (measured: ~650 bytes per feature, +660 MB per million)
          if (++kept % 1000 === 0) await turn();
        }
        // a reader that stopped at an unreadable byte: say so rather than "no features"
        const failure = ol.osm ? newFailure(errors) : null;
        if (failure) throw new InputError('ingest', `${this.label} layer ${ol.layerName}: ${failure} (cut short, or damaged)`);
        if (!ol.filtered) checkLayerComplete(this.label, ol.layerName, ol.layer, read - n0);
        // (gpkg-layer-where-typo-said-empty: a layer asked for by name and a clause naming no field of it)
        if (read === n0 && this.options.layers?.length && where) refuseBadWhere(this.label, [layerFields[k]], where, driver);
        if (read === n0 && this.options.layers?.length) throw new InputError('ingest', `${this.label} layer ${ol.layerName}: layer is empty${where ? ` (with --where '${where}')` : ''}`);
      }
      if (shops) this.nodesNote = this.nodesNote.replace(' shop nodes', ` shop nodes, ${withShops} buildings or parts hold shops (attribute shops)`);
      if (entrances) this.nodesNote = this.nodesNote.replace(' entrance nodes', ` entrance nodes, on ${withEntrances} outlines (doors with --facades)`);
    } finally {
      ds.close();
    }
    if (driver === 'GeoJSONSeq') brokenGeoJsonSeqLines(this.label, (line, what) => ctx.skip('feature:unreadable', `${this.label} line ${line}: ${what}`));
    const names = layers.map((l) => l.layerName);
    if (read === 0 && where) {
      refuseBadWhere(this.label, layerFields, where, driver);
      const sqlite = driver === 'GPKG' || driver === 'SQLite';
      throw new InputError('ingest', `${this.label} layer ${names.join(',')}: no features with --where '${where}' (${sqlite ? 'none matches' : `none matches, or the clause is not valid SQL for ${driver}`})`);
    }
    if (read === 0) throw new InputError('ingest', `${this.label} layer ${names.join(',')}: no features`);
    this.options.logger.info(`${this.label}: ${counted(read, 'feature')} from layer(s) ${names.join(', ')}${this.nodesNote}`);
  }
}

/**
 * A --where that selected nothing from `layers`: a {@link UsageError} (exit 2) when it names a field none of
 * them has, or SQLite (GeoPackage) finds it wrong; nothing when the clause reads and simply matches nothing.
 * SQL drivers such as GeoPackage's take an unknown field without a word and give no features.
 */
function refuseBadWhere(file: string, layers: readonly { layerName: string; fields: string[] }[], where: string, driver: string): void {
  const names = layers.map((l) => l.layerName);
  const fieldsOf = layers.map((l) => l.fields);
  const fieldNames = [...new Set(fieldsOf.flat())];
  // gpkg-where-typo-said-no-features: name a field the clause refers to that the layer does not have
  const known = new Set(fieldNames.map((f) => f.toLowerCase()));
  const unknown = referencedFields(where).filter((f) => !known.has(f.toLowerCase()));
  // where-colon-field-unquoted: `fit:confidence > 0.9` reads as fields fit and confidence; the name needs double quotes
  const quoted = fieldNames.filter((f) => /[^A-Za-z0-9_]/.test(f) && new RegExp(`(^|[^"\\w])${f.replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`)}(?![\\w"])`).test(where));
  const hint = quoted.length ? `; a field whose name holds other characters than letters, digits and _ is written in double quotes: --where '"${quoted[0]}" …'` : '';
  // (where-fields-run-together: with several layers, each layer's fields under its name)
  const same = fieldsOf.every((f) => f.join('\0') === fieldsOf[0].join('\0'));
  const listed = layers.length === 1 || same ? `the fields${layers.length > 1 ? ` (of each layer)` : ''} are: ${fieldNames.join(', ') || 'none'}` : `the fields are: ${layers.map((l, i) => `layer ${l.layerName}: ${fieldsOf[i].join(', ') || 'none'}`).join('; ')}`;
  // (where-unknown-field-was-an-input-error: a clause naming no field of the layer is a wrong option: exit 2)
  if (unknown.length) throw new UsageError('ingest', `${file} layer ${names.join(',')}: bad --where '${where}' (${unknown.map((f) => `"${f}"`).join(', ')} not a field of the ${layers.length === 1 ? 'layer' : 'layers'}; ${listed}${hint})`);
  // where-typo-said-no-match: SQLite (GeoPackage) reads the clause only as it reads the rows, and a syntax
  // error read as "no features"; asked again, SQLite says what is wrong (exit 2, as for a field not there)
  const syntax = driver === 'GPKG' || driver === 'SQLite' ? sqliteClauseError(file, names[0], where) : null;
  if (syntax) throw new UsageError('ingest', `${file} layer ${names.join(',')}: bad --where '${where}' (${syntax})`);
}

/** What SQLite says of a --where clause on a layer of a GeoPackage or SQLite file: its error, or null when it reads. */
function sqliteClauseError(file: string, layer: string, where: string): string | null {
  let ds: gdal.Dataset | undefined;
  try {
    ds = gdal.open(file);
    ds.executeSQL(`SELECT 1 FROM "${layer.replace(/"/g, '""')}" WHERE ${where} LIMIT 1`);
    return null;
  } catch (e) {
    return `SQLite: ${(e as Error).message.trim().split('\n').pop()!.trim()}`;
  } finally {
    ds?.close();
  }
}

/** Every vector source GDAL/OGR opens (GeoJSON(Seq), Shapefile, GeoPackage, FlatGeobuf, OSM, …): the catch-all format. */
export const OGR_FORMAT: SourceFormat = {
  name: 'ogr',
  grouped: false,
  test: () => true,
  open: (inputs, options) => new OgrSource(inputs[0], options),
};
