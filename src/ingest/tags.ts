import { CSS_COLOURS } from '../core/css-colours.js';
import type { AttributeValue, BuildingParams, RoofParams } from '../core/types.js';
import { OSM_ATTRIBUTES, type AttributeSelection, type TagOptions } from './options.js';

export { TAG_DEFAULTS, type TagOptions } from './options.js';

/** A raw attribute value as read from a source. */
export type TagValue = string | number | boolean | null | undefined;

/** Keys readers add that are not the source's attributes. */
const NOT_ATTRIBUTES = new Set(['other_tags', 'osm_id', 'osm_way_id', 'mvt_id']);

/**
 * OSM keys whose values are counts or measures: a plain decimal among them (`2`, `3.5`) is kept as a number
 * (osm-numbers-typed-as-text: Monaco's building:levels were a STRING column). Others (`2;3`, `12 m`) stay text.
 */
const OSM_NUMERIC = new Set(['building:levels', 'building:levels:underground', 'building:min_level', 'roof:levels', 'levels', 'min_level', 'max_level', 'height', 'min_height', 'roof:height', 'roof:angle', 'ele', 'building:flats', 'capacity']);
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A matcher for attribute names (`*` matches any run of characters). A field is also matched by the S3DB key
 * it is read as (attributes-missed-the-cut-names: `--attributes building:levels` keeps a Shapefile's
 * `building_l`, `height` an ArcGIS `HEIGHT`).
 */
function nameMatcher(patterns: readonly string[]): (key: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const escape = (s: string) => s.replace(/[.+?^$(){}|[\]\\]/g, '\\$&');
  const globs = patterns.filter((p) => p.includes('*')).map((p) => new RegExp('^' + p.split('*').map(escape).join('.*') + '$'));
  const test = (k: string) => exact.has(k) || globs.some((g) => g.test(k));
  return (k) => {
    if (test(k)) return true;
    const lower = k.toLowerCase();
    const key = S3DB_ALIASES.get(lower) ?? (FOLDED_KEYS.has(lower) ? lower : k);
    return key !== k && test(key);
  };
}

const matchers = new Map<readonly string[], (key: string) => boolean>();

/**
 * attributes-matched-nothing: the names (or `*` patterns) of an `--attributes` list that no attribute
 * in `keys` matches.
 */
export function unmatchedAttributes(patterns: readonly string[], keys: Iterable<string>): string[] {
  const all = [...keys];
  return patterns.filter((p) => !all.some(nameMatcher([p])));
}

/**
 * The source attributes a building carries to the output, by `selection` (default: all; OSM tags:
 * {@link OSM_ATTRIBUTES}): raw values (but an OSM count or measure, `building:levels=2`, as a number), absent
 * ones (null, '') left out.
 *
 * @example
 * ```ts
 * selectAttributes({ ref: 'A1', 'addr:street': 'Main St', source: null }, 'all'); // { ref: 'A1', 'addr:street': 'Main St' }
 * ```
 */
export function selectAttributes(tags: Record<string, TagValue>, selection: AttributeSelection | undefined, osm: boolean): Record<string, AttributeValue> {
  const sel = selection ?? (osm ? OSM_ATTRIBUTES : 'all');
  const out: Record<string, AttributeValue> = {};
  if (sel === 'none') return out;
  let keep: ((k: string) => boolean) | null = null;
  if (sel !== 'all') {
    keep = matchers.get(sel) ?? nameMatcher(sel);
    matchers.set(sel, keep);
  }
  for (const k of Object.keys(tags).sort()) {
    const v = tags[k];
    if (v === null || v === undefined || v === '' || NOT_ATTRIBUTES.has(k) || (keep && !keep(k))) continue;
    if (typeof v === 'number' && !Number.isFinite(v)) continue;
    out[k] = osm && typeof v === 'string' && OSM_NUMERIC.has(k) && PLAIN_DECIMAL.test(v) ? Number(v) : v;
  }
  return out;
}

/** Result of {@link parseBuilding}: params, or the reason the feature is not a building to draw. */
export type ParseResult = { params: BuildingParams } | { skip: string; why?: string };

const FEET = 0.3048;
const INCH = 0.0254;

/**
 * Parse an OSM-style length: `12`, `12.5`, `12 m`, `12m`, `1,5 m`, `40'`, `40 ft`, `12'6"`, `350 cm`, `0.1 km`.
 * @returns metres, or NaN when the value is not a length
 */
export function parseLength(value: TagValue): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (typeof value !== 'string') return NaN;
  const s = value.trim().toLowerCase().replace(/(\d),(\d)/, '$1.$2');
  if (s === '') return NaN;
  let m = /^([-+]?\d+(?:\.\d+)?|[-+]?\.\d+)\s*(m|meters?|metres?|cm|km|ft|feet|foot|'|in|inch|inches|")?$/.exec(s);
  if (m) {
    const v = parseFloat(m[1]);
    switch (m[2]) {
      case 'cm': return v / 100;
      case 'km': return v * 1000;
      case 'ft': case 'feet': case 'foot': case "'": return v * FEET;
      case 'in': case 'inch': case 'inches': case '"': return v * INCH;
      default: return v;
    }
  }
  m = /^(\d+(?:\.\d+)?)\s*(?:'|ft)\s*(\d+(?:\.\d+)?)\s*(?:"|''|in)?$/.exec(s);
  if (m) return parseFloat(m[1]) * FEET + parseFloat(m[2]) * INCH;
  return NaN;
}

/** Parse a storey count (`3`, `3.5`, ` 4 `); NaN when not a non-negative number. */
export function parseLevels(value: TagValue): number {
  if (typeof value === 'number') return value >= 0 ? value : NaN;
  if (typeof value !== 'string' || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return NaN;
  return parseFloat(value);
}

/**
 * Parse a colour: CSS named colours (`red`, `lightgrey`), `#rgb`, `#rrggbb`, also without `#`.
 * @returns `#rrggbb` in lower case, or null when not a colour
 */
export function parseColour(value: TagValue): string | null {
  if (typeof value !== 'string') return null;
  const s = value.trim().toLowerCase().replace(/[\s_-]/g, '');
  if (s === '') return null;
  const named = Object.hasOwn(CSS_COLOURS, s) ? CSS_COLOURS[s] : undefined;
  if (named !== undefined) return '#' + named.toString(16).padStart(6, '0');
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/.exec(s);
  if (!m) return null;
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return '#' + h;
}

const CARDINALS = ['N', 'NNE', 'NE', 'ENE', 'E', 'ESE', 'SE', 'SSE', 'S', 'SSW', 'SW', 'WSW', 'W', 'WNW', 'NW', 'NNW'];

/** Parse `roof:direction`: degrees (0 = north, clockwise) or a cardinal letter (N, NNE, …); null when absent or bad. */
export function parseDirection(value: TagValue): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? ((value % 360) + 360) % 360 : null;
  if (typeof value !== 'string') return null;
  const s = value.trim().toUpperCase();
  const i = CARDINALS.indexOf(s);
  if (i >= 0) return i * 22.5;
  if (!/^[-+]?\d+(\.\d+)?$/.test(s)) return null;
  return ((parseFloat(s) % 360) + 360) % 360;
}

const TRUE = new Set(['true', 'yes', '1']);
const isTrue = (v: TagValue) => v === true || (typeof v === 'string' && TRUE.has(v.trim().toLowerCase()));
const isFalse = (v: TagValue) => v === false || (typeof v === 'string' && ['false', 'no', '0'].includes(v.trim().toLowerCase()));
const str = (v: TagValue): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const first = (tags: Record<string, TagValue>, keys: string[]): TagValue => {
  for (const k of keys) if (tags[k] !== undefined && tags[k] !== null && tags[k] !== '') return tags[k];
  return undefined;
};

/**
 * How a bad or replaced tag is reported: its kind (`height:unparsed`, …), where one tag's value is at
 * fault that value (unparsed-value-unsaid: `-v` named the feature but not what it held), and what was
 * built instead (`said`; default-height-unsaid: a height of −5 became a 10 m box, and no line said so).
 */
export type TagWarn = (kind: string, value?: TagValue, said?: string) => void;

/** Thickness (m) of a flat roof with nothing under it (building=roof, wall=no): the slab drawn at its top. */
export const ROOF_SLAB = 0.3;

/** A length in metres as a warning says it: centimetres at most. */
const metres = (m: number) => `${Math.round(m * 100) / 100} m`;

/** Roof heights as tagged: `roof:height` (or `roof:levels` × level height), `roof:angle`, `roof:levels`; NaN where absent or unusable. */
function taggedRoof(tags: Record<string, TagValue>, lh: number, warn: TagWarn): { roofHeight: number; roofAngle: number; roofLevels: number } {
  const roofLevels = parseLevels(tags['roof:levels']);
  let roofHeight = parseLength(tags['roof:height']);
  if (tags['roof:height'] !== undefined && !(roofHeight >= 0)) {
    warn('roof:height:unparsed', tags['roof:height']);
    roofHeight = NaN;
  }
  if (Number.isNaN(roofHeight) && !Number.isNaN(roofLevels)) roofHeight = roofLevels * lh;
  let roofAngle = tags['roof:angle'] === undefined ? NaN : parseFloat(String(tags['roof:angle']));
  if (tags['roof:angle'] !== undefined && !(roofAngle > 0 && roofAngle < 90)) {
    // (angle-95-said-unparsed: a number out of range is said to be one)
    if (Number.isFinite(roofAngle)) warn('roof:angle:out-of-range', tags['roof:angle'], 'a roof\'s angle lies between 0° and 90°: left out');
    else warn('roof:angle:unparsed', tags['roof:angle']);
    roofAngle = NaN;
  }
  return { roofHeight, roofAngle, roofLevels };
}

/**
 * The building's heights: bottom (`min_height`, else `building:min_level` × level height, else 0) and
 * apex (`height`; else `building:levels` × level height + the tagged roof height, with the roof's
 * derived height on top when none is tagged; else the bottom + the default height). Every value
 * replaced is counted through `warn`.
 */
function heightsOf(tags: Record<string, TagValue>, options: TagOptions, roofHeight: number, warn: TagWarn): { height: number; minHeight: number; levels: number; minLevel: number; fromLevels: boolean; heightFrom: 'data' | 'levels' | 'parts' | 'default' } {
  const lh = options.levelHeight;
  const rawLevels = first(tags, ['building:levels', 'levels']);
  const levels = parseLevels(rawLevels);
  const minLevel = parseLevels(tags['building:min_level']);
  if (rawLevels !== undefined && Number.isNaN(levels)) warn('levels:unparsed', rawLevels);
  const rawMin = first(tags, ['min_height', 'render_min_height', 'building:min_height']);
  let minHeight = parseLength(rawMin);
  if (rawMin !== undefined && (Number.isNaN(minHeight) || minHeight < 0)) {
    warn('min_height:unparsed', rawMin);
    minHeight = NaN;
  }
  if (Number.isNaN(minHeight)) minHeight = minLevel >= 0 ? minLevel * lh : 0;
  const rawHeight = first(tags, ['height', 'render_height', 'building:height']);
  let height = parseLength(rawHeight);
  // a height that cannot be used: said once what replaced it is known
  let unusable: string | null = null;
  if (rawHeight !== undefined) {
    if (Number.isNaN(height)) {
      unusable = 'height:unparsed';
    } else if (height <= 0 || height > options.maxHeight) {
      unusable = height <= 0 ? 'height:non-positive' : 'height:absurd';
      height = NaN;
    }
  }
  let fromLevels = false;
  let heightFrom: 'data' | 'levels' | 'parts' | 'default' = 'data';
  if (Number.isNaN(height) && levels > 0) {
    heightFrom = 'levels';
    // building:levels counts the storeys above ground, below the roof (a part's: from the ground up to its top)
    height = levels * lh + (Number.isNaN(roofHeight) ? 0 : roofHeight);
    fromLevels = Number.isNaN(roofHeight);
  }
  if (Number.isNaN(height) || height > options.maxHeight) {
    if (rawHeight === undefined && Number.isNaN(levels)) {
      if (options.heightsWanted !== false) warn('height:missing', undefined, `no height or building:levels: built the default height (${metres(options.defaultHeight)})`);
    }
    // (levels-fell-back-unsaid: 0 storeys, or so many that the building passes the height limit, gave the
    // default height without a word)
    else if (Number.isNaN(height) && levels === 0) warn('levels:zero', rawLevels, `built the default height instead (${metres(options.defaultHeight)})`);
    else if (heightFrom === 'levels') warn('levels:absurd', rawLevels, `built the default height instead (${metres(options.defaultHeight)})`);
    // a part that starts high up (min_height) and says nothing of its top: the default above its bottom
    height = minHeight + options.defaultHeight;
    fromLevels = false;
    heightFrom = 'default';
  }
  if (unusable) warn(unusable, rawHeight, heightFrom === 'levels' ? `built ${metres(height)} tall from building:levels instead` : `built the default height instead (${metres(height - minHeight)})`);
  if (minHeight >= height) {
    // (min-height-dropped-unsaid: the warning named neither value nor what was built)
    warn('min_height:not-below-height', rawMin ?? minLevel, `not below the building's top (${metres(height)}): built from the ground instead`);
    minHeight = 0;
  }
  // (height-from-lost-in-a-round-trip: a model cityforge wrote says which of its heights were the default or
  // from building:levels; read back, they stay so rather than pass for measurements)
  const said = tags['height_from'];
  if (heightFrom === 'data' && (said === 'default' || said === 'levels' || said === 'parts')) heightFrom = said;
  return { height, minHeight, levels, minLevel, fromLevels, heightFrom };
}

/** The roof's shape, direction, orientation, colour and material as tagged. */
function roofOf(tags: Record<string, TagValue>, roof: { roofHeight: number; roofAngle: number; roofLevels: number }, onTop: boolean, warn: TagWarn): RoofParams {
  const direction = parseDirection(tags['roof:direction']);
  if (tags['roof:direction'] !== undefined && direction === null) warn('roof:direction:unparsed', tags['roof:direction'], 'left out: the roof faces the way its shape does untagged (a ridge along the longest side)');
  const orientationTag = str(tags['roof:orientation']);
  const orientation = orientationTag === 'along' || orientationTag === 'across' ? orientationTag : null;
  const colour = parseColour(tags['roof:colour']);
  if (tags['roof:colour'] !== undefined && colour === null) warn('colour:unparsed', tags['roof:colour']);
  return {
    shape: (str(tags['roof:shape']) ?? 'flat').toLowerCase(),
    ...(str(tags['roof:shape']) === null ? { untagged: true as const } : {}),
    height: Number.isNaN(roof.roofHeight) ? null : roof.roofHeight,
    angle: Number.isNaN(roof.roofAngle) ? null : roof.roofAngle,
    levels: Number.isNaN(roof.roofLevels) ? null : roof.roofLevels,
    direction,
    orientation,
    colour,
    material: str(tags['roof:material']),
    onTop,
  };
}

/** The S3DB keys a building's tags give, besides its height. */
const S3DB_KEYS = ['building:levels', 'building:min_level', 'building:part', 'building:colour', 'building:material', 'roof:shape', 'roof:height', 'roof:levels', 'roof:direction', 'roof:orientation', 'roof:angle', 'roof:colour', 'roof:material'];

/**
 * Field names GIS data gives the S3DB keys, each read as its key where the key itself is absent: `:`
 * written as `_` (`building_levels`, `roof_shape`: SQL-friendly names, GDAL's laundering), and a
 * Shapefile's ten-character cuts of those (`building_l`, `roof_heigh`; `building_m`, which could be
 * `building:min_level` or `building:material`, is told by its value in {@link parseBuilding}).
 */
export const S3DB_ALIASES: ReadonlyMap<string, string> = new Map(
  S3DB_KEYS.flatMap((key) => {
    const underscored = key.replace(':', '_');
    const cut = underscored.slice(0, 10);
    return cut !== underscored && cut !== 'building_m' ? [[underscored, key], [cut, key]] : [[underscored, key]];
  }),
);

/** The keys read in any case where the key itself is absent (`HEIGHT`, `Height`, `ROOF_SHAPE`, KML's `Name`). */
const FOLDED_KEYS = new Set(['height', 'min_height', 'name', 'building', 'levels', ...S3DB_KEYS]);

/**
 * Turn raw tags (OSM S3DB keys, Mapbox Streets / OpenMapTiles MVT keys) into {@link BuildingParams}.
 * Bad values fall back to defaults and are reported through `warn(kind)`; features that are not
 * to be drawn (`extrude=false`, underground) come back as `{ skip: reason }`.
 *
 * @example
 * ```ts
 * const r = parseBuilding({ height: '12 m', 'roof:shape': 'gabled' }, 'w1', 'city.osm', TAG_DEFAULTS, console.warn);
 * if ('params' in r) r.params.height; // 12
 * ```
 */
export function parseBuilding(rawTags: Record<string, TagValue>, id: string, source: string, options: TagOptions, warn: TagWarn): ParseResult {
  // absent values come as null or '' from some drivers: treat them as not tagged
  const tags: Record<string, TagValue> = {};
  for (const k in rawTags) {
    const v = rawTags[k];
    if (v !== null && v !== undefined && v !== '') tags[k] = v;
  }
  // (levels-under-a-gis-name-ignored: `building_levels`, a Shapefile's `building_l`; heights-in-capitals-ignored:
  // an ArcGIS `HEIGHT`, `ROOF_SHAPE`, a GeoJSON's `Height`)
  for (const k in tags) {
    const lower = k.toLowerCase();
    const key = S3DB_ALIASES.get(lower) ?? (lower !== k && FOLDED_KEYS.has(lower) ? lower : undefined);
    if (key !== undefined && tags[key] === undefined) tags[key] = tags[k];
    // (building-m-ignored: a Shapefile's `building_m` is the cut of building:min_level and of building:material
    // alike: a number is a level, a word a material)
    if (lower === 'building_m') {
      const v = tags[k];
      const cut = typeof v === 'number' || (typeof v === 'string' && PLAIN_DECIMAL.test(v.trim())) ? 'building:min_level' : 'building:material';
      if (tags[cut] === undefined) tags[cut] = v;
    }
  }
  if (isFalse(tags['extrude'])) return { skip: 'extrude=false' };
  if (isTrue(tags['underground']) || tags['location'] === 'underground') return { skip: 'underground' };
  // (unfitted-rows-built-as-boxes: a row `infer` could not fit has no height; it was drawn as a default
  // 10 m box, inventing a building the DSM did not show. infer itself reads it again, to fit it anew)
  const status = tags['fit:status'];
  if (options.heightsWanted !== false && typeof status === 'string' && status !== 'fitted' && status !== 'parts' && tags['height'] === undefined)
    return { skip: 'not-fitted-by-infer', why: `infer could not fit it (fit:status=${status}), so it has no height to build` };
  const tagged = taggedRoof(tags, options.levelHeight, warn);
  const { height, minHeight: bottom, levels, minLevel, fromLevels, heightFrom } = heightsOf(tags, options, tagged.roofHeight, warn);
  let minHeight = bottom;
  if (!Number.isNaN(tagged.roofHeight) && tagged.roofHeight > height - minHeight) {
    warn('roof:height:taller-than-building', tags['roof:height'] ?? tags['roof:levels'], `more than the building's ${metres(height - minHeight)} from its bottom to its top: the roof made as tall as the building, with no walls under it`);
    tagged.roofHeight = height - minHeight;
  }
  const roof = roofOf(tags, tagged, fromLevels, warn);
  const rawColour = first(tags, ['building:colour', 'colour']);
  const colour = parseColour(rawColour);
  if (rawColour !== undefined && colour === null) warn('colour:unparsed', rawColour);
  const buildingTag = str(first(tags, ['building', 'building:part', 'type', 'class']));
  // (roof-only-built-as-a-box: building=roof or building:part=roof — a canopy, a carport, a station's roof on
  // posts — and wall=no were solid boxes from the ground up; S3DB draws the roof alone: its slab, or its
  // tagged roof, stands at the top, and nothing under it)
  if (buildingTag?.toLowerCase() === 'roof' || str(tags['wall'])?.toLowerCase() === 'no') {
    const roofOnly = roof.shape === 'flat' ? ROOF_SLAB : roof.height;
    if (roofOnly !== null && roofOnly > 0 && height - roofOnly > minHeight) minHeight = height - roofOnly;
  }
  return {
    params: {
      id,
      source,
      height,
      minHeight,
      heightFrom,
      levels: Number.isNaN(levels) ? null : levels,
      minLevel: Number.isNaN(minLevel) ? null : minLevel,
      roof,
      colour,
      material: str(tags['building:material']),
      kind: buildingTag,
      name: str(tags['name']),
      role: tags['building:part'] !== undefined && tags['building:part'] !== 'no' ? 'part' : 'building',
      partOf: null,
      drawAs: 0,
      pieces: 1,
      attributes: {},
    },
  };
}
