import type { FlatPolygons } from '../core/types.js';
import { writePolygonalWKB } from './wkb.js';
import type { TagValue } from './tags.js';

/** One feature as read from a source, before tag parsing and reprojection. */
export interface RawFeature {
  /** Source id (unique within its source where the schema guarantees it). */
  id: string;
  /** `file#layer` (the file's name): what the property table records as its source. */
  source: string;
  /** Where it is, for messages: `<file as given> layer <layer>`. */
  where: string;
  /** Raw attributes. */
  tags: Record<string, TagValue>;
  /** Valid polygonal geometry, WKB in the source CRS. */
  wkb: Uint8Array;
  /** The same geometry as flat arrays, where the reader made them (see {@link rawFeatureOf}): it is not parsed again. */
  polygons?: FlatPolygons;
  /** Number of source pieces joined into this feature. */
  pieces: number;
  /** The source's own attributes, where they are not its tags (a CityJSON object's): carried to the output instead of `tags`. */
  attributes?: Record<string, TagValue>;
  /** The source's own 3D surfaces (a CityJSON model), in the source CRS: kept as they are instead of built from the footprint. */
  model?: RawModel;
  /** Entrances on its outline (OSM `entrance=*` nodes), x, y pairs in the source CRS, main ones first. */
  entrances?: Float64Array;
  /** Whether its attributes are OSM tags (an OSM file, a layer of every OSM tag): the default attributes are then {@link OSM_ATTRIBUTES}. */
  osm: boolean;
}

/**
 * A feature's own surfaces in its source CRS (x, y, z triples), laid out as {@link KeptSurfaces}, with
 * their lowest and highest z, the lowest z of its ground surfaces (else its lowest) and its level of detail.
 * An outline drawn as its parts has none of its own (their z range).
 */
export interface RawModel {
  coords: Float64Array;
  ringOffsets: Uint32Array;
  surfaceOffsets: Uint32Array;
  types: Uint8Array;
  /** Each surface's semantic object's own attributes, null where none; absent when no surface has any. */
  surfaceAttributes?: (Record<string, unknown> | null)[];
  zMin: number;
  zMax: number;
  ground: number;
  /** Whether `ground` is its ground surfaces' (else its lowest point, or its building's: it stands on nothing of its own). */
  grounded?: boolean;
  lod: string;
}

/** How messages name a feature: `<file> layer <layer> feature <id>`. */
export function featureLabel(f: Pick<RawFeature, 'where' | 'id'>): string {
  return `${f.where} feature ${f.id}`;
}

/** What a reader reports besides features. */
export interface ReadContext {
  /** Count a skipped feature (with file, layer, feature id and what is wrong). */
  skip(reason: string, detail: string): void;
  /** Count a warning. */
  warn(kind: string, detail: string): void;
  /** Called once per feature read, for progress. */
  tick(): void;
}

/** Parse OSM `other_tags` (hstore text: `"k"=>"v","k2"=>"v2"`) into an object. */
export function parseOtherTags(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  readOtherTags(s, out);
  return out;
}

/** Read `s`'s tags into `out`; whether the text holds nothing but whole tags and their separators (not cut inside one). */
function readOtherTags(s: string, out: Record<string, string>): boolean {
  const re = /"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"/g;
  let m: RegExpExecArray | null;
  let whole = true, end = 0;
  while ((m = re.exec(s))) {
    if (!/^\s*,?\s*$/.test(s.slice(end, m.index))) whole = false;
    end = re.lastIndex;
    out[m[1].replace(/\\(.)/g, '$1')] = m[2].replace(/\\(.)/g, '$1');
  }
  return whole && /^\s*$/.test(s.slice(end));
}

/**
 * An OSM-tagged layer's tags as OSM has them: the tags GDAL's OSM driver packs into `other_tags` (a
 * layer exported from OSM with ogr2ogr keeps that column: heights, levels and roofs are in it)
 * unpacked beside the others (a column of the same name wins), the column itself dropped. Changes
 * `tags` in place. Returns whether the packed text was cut short: it ends inside a tag, as a Shapefile's
 * 254-character text fields cut it (other-tags-cut-short).
 */
export function unpackOtherTags(tags: Record<string, TagValue>): boolean {
  const packed = tags['other_tags'];
  if (typeof packed !== 'string') return false;
  const read: Record<string, string> = {};
  const whole = readOtherTags(packed, read);
  for (const [k, v] of Object.entries(read)) if (tags[k] === undefined || tags[k] === null) tags[k] = v;
  delete tags['other_tags'];
  return !whole;
}

/** The warning of a feature whose other_tags was cut short ({@link unpackOtherTags}). */
export const OTHER_TAGS_CUT = ['tags:other-tags-cut-short', 'other_tags ends inside a tag (a Shapefile text field holds 254 characters): the tags past the cut are lost; export OSM data to GeoPackage or FlatGeobuf'] as const;

/** The OSM id of a feature of GDAL's OSM layers (or an export of one): `r<id>` for a relation (`osm_id`), `w<id>` for a way (`osm_way_id`); null without. */
export function osmIdOf(tags: Record<string, TagValue>): string | null {
  if (tags['osm_id']) return `r${tags['osm_id']}`;
  if (tags['osm_way_id']) return `w${tags['osm_way_id']}`;
  return null;
}

/**
 * A feature whose geometry a reader decoded into flat arrays (GeoJSON, FlatGeobuf), valid as it is:
 * `polygons` holds them, and `wkb` is written from them only when something asks for it. The batched
 * reprojection reads `polygons`, so most features never need their WKB (writing it was 5 % of reading
 * a million FlatGeobuf features).
 */
export function rawFeatureOf(f: Omit<RawFeature, 'wkb' | 'polygons'>, polygons: FlatPolygons): RawFeature {
  let wkb: Uint8Array | undefined;
  return Object.defineProperty({ ...f, polygons } as RawFeature, 'wkb', { get: () => (wkb ??= writePolygonalWKB(polygons)), enumerable: true });
}
