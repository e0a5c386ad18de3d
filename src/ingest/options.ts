import type { SelectOptions } from './source.js';

/**
 * The options of ingest, in a module of their own (no GDAL): the CLI's main thread reads the
 * defaults from here without loading the readers.
 */

/** Options for turning raw tags into building parameters. */
export interface TagOptions {
  /** Metres per storey for `building:levels`, `roof:levels`, `building:min_level`. */
  levelHeight: number;
  /** Height used when a feature has none (or an unusable one). */
  defaultHeight: number;
  /** Heights above this are treated as absurd and replaced by the default. */
  maxHeight: number;
  /** Whether a feature without a height is worth a `height:missing` warning (not for `infer`, which finds heights). Default true. */
  heightsWanted?: boolean;
}

/** Defaults for {@link TagOptions}. */
export const TAG_DEFAULTS: TagOptions = { levelHeight: 3, defaultHeight: 10, maxHeight: 1000 };

/** How OpenStreetMap data is credited (ODbL). */
export const OSM_ATTRIBUTION = '© OpenStreetMap contributors';

/** Options for cleaning footprint rings. */
export interface RepairOptions {
  /** Vertices closer than this (metres) are merged; vertices within it of the line through their neighbours are dropped. */
  tolerance: number;
  /** Rings with a smaller area (m²) are dropped. */
  minArea: number;
}

/** Defaults for {@link RepairOptions}. */
export const REPAIR_DEFAULTS: RepairOptions = { tolerance: 0.01, minArea: 0.5 };

/**
 * Which source attributes reach the output: `all`, `none`, or a list of names (`*` matches any run
 * of characters: `addr:*`). Default: all of them, except for OSM data (an OSM file, a layer of every
 * OSM tag), where {@link OSM_ATTRIBUTES}.
 */
export type AttributeSelection = 'all' | 'none' | string[];

/**
 * The OSM tags kept by default: names in other languages, addresses, the building's own tags and what
 * it is used for (`shops`: the shop nodes inside it, see {@link ShopPoints}) (`name`, `building`, `height`, `min_height`, `roof:shape` are columns of their own already),
 * and the fit figures `cityforge infer` writes beside the tags (`fit:*`: its output has building columns
 * too, so it reads as a layer of OSM tags).
 */
export const OSM_ATTRIBUTES: readonly string[] = [
  'name:*', 'addr:*', 'building:*', 'roof:height', 'roof:levels', 'roof:angle', 'roof:direction', 'roof:orientation', 'roof:colour',
  'roof:material', 'amenity', 'shop', 'shops', 'office',
  'tourism', 'historic', 'heritage', 'religion', 'denomination', 'start_date', 'architect', 'operator', 'ref', 'description',
  'website', 'wikidata', 'wikipedia', 'fit:*',
];

/** Options for `ingest` and `ingestToStore`. */
export interface IngestOptions extends TagOptions, RepairOptions, SelectOptions {
  /**
   * Whether an outline its building:parts cover under 90 % of is drawn as the rest of it (default: yes); `infer`,
   * which fits whole outlines, keeps them whole.
   */
  outlineRests?: boolean;
  /** Source attributes carried to the output (default: all; OSM data: {@link OSM_ATTRIBUTES}). */
  attributes?: AttributeSelection;
  /** Frame origin `[lon, lat]`; default: the centre of the data. */
  origin?: [number, number];
  /**
   * Stand the frame's origin on the EGM96 geoid instead of the WGS84 ellipsoid: heights above sea level
   * (a DEM's, a city model's) become heights above the ellipsoid, as CesiumJS World Terrain and Google's
   * photorealistic 3D Tiles have them. One shift for the whole frame (the geoid's height at the origin).
   */
  ellipsoidalHeights?: boolean;
  /** The raster whose centre `origin` is (infer anchors its frame on the DSM), not the user's `--origin`: named when far from the data. */
  originOf?: string;
  /** A city model (CityJSON) whose buildings' heights are joined to the footprints (`--heights-from`), by {@link IngestOptions.joinOn}. */
  heightsFrom?: string;
  /** The footprints' attribute matched against the model's object ids (or its attribute of the same name), e.g. `lokaalid`. */
  joinOn?: string;
  /** Called every so often with the number of features read so far. */
  onProgress?: (featuresRead: number) => void;
  /** Called every so often as the features read are moved into the frame and cleaned: done of total. */
  onReproject?: (done: number, total: number) => void;
}

/** Defaults for {@link IngestOptions}. */
export const INGEST_DEFAULTS: IngestOptions = { ...TAG_DEFAULTS, ...REPAIR_DEFAULTS };
