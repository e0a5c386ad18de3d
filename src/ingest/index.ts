import path from 'node:path';
import gdal, { areasOfUse, inAreaOfUse, linearUnit, transformPairs } from './gdal.js';
import { BatchBuilder, flatPolygons } from '../core/batch.js';
import { InputError, UsageError, inputErrorOf } from '../core/errors.js';
import { emptyExtent, growByExtent, type Extent } from '../core/extent.js';
import { NULL_LOGGER, type Logger } from '../core/logger.js';
import { makeFrame } from '../core/frame.js';
import { geoidHeight } from './geoid.js';
import type { Summary } from '../core/summary.js';
import type { BuildingParams, FeatureBatch, FrameInfo, KeptSurfaces } from '../core/types.js';
import { featureLabel, type RawFeature, type RawModel, type ReadContext } from './raw.js';
import { EarthCheck } from './earth.js';
import { cleanPolygons, HOLE_GAP } from './repair.js';
import { counted } from '../core/words.js';
import { openSources } from './formats.js';
import type { SourceFeature } from './source.js';
import { parseBuilding, selectAttributes, unmatchedAttributes, type TagValue } from './tags.js';
import { INGEST_DEFAULTS, type IngestOptions } from './options.js';
import { parsePolygonalWKB, writePolygonalWKB, type FlatPolygons } from './wkb.js';
import { featureFlatPolygons, outlineDrawnAsParts, outlineRest, resolveParts } from './parts.js';
import { CITYJSON_FORMAT, readHeightJoin, type HeightJoin } from './cityjson.js';

export { SOURCE_FORMATS, openSources, formatOf } from './formats.js';
export { geoidHeight } from './geoid.js';
export type { Source, SourceFormat, SourceBox, SourceOptions, SelectOptions } from './source.js';
export { INGEST_DEFAULTS, TAG_DEFAULTS, REPAIR_DEFAULTS, OSM_ATTRIBUTES, type AttributeSelection, type IngestOptions, type TagOptions, type RepairOptions } from './options.js';
export { parseLength, parseLevels, parseColour, parseDirection, parseBuilding, selectAttributes } from './tags.js';
export type { TagValue } from './tags.js';


const WGS84 = gdal.SpatialReference.fromEPSG(4326);

export type { SourceFeature } from './source.js';

/**
 * Read every input in order, one raw feature at a time, through the source formats
 * ({@link SOURCE_FORMATS}). Throws an {@link InputError} naming the input for a broken one (missing,
 * unreadable, no CRS, empty, damaged); broken features go to `ctx.skip`.
 */
export async function* readSources(inputs: string[], opts: IngestOptions, ctx: ReadContext, logger: Logger, summary?: Summary): AsyncGenerator<SourceFeature> {
  const earth = new EarthCheck();
  for (const source of openSources(inputs, { ...opts, logger })) {
    summary?.inputs.push(...source.inputs);
    let read = 0;
    let kept = 0;
    // why features were skipped (for the message when none is left), with a first example
    const reasons = new Map<string, number>();
    let example = '';
    const skip = (reason: string, detail: string) => {
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      example ||= detail;
      ctx.skip(reason, detail);
    };
    const counting: ReadContext = { ...ctx, skip, tick: () => { read++; ctx.tick(); } };
    try {
      for await (const f of source.read(counting)) {
        // (a reader that made the WKB from flat coordinates gives their box: not parsed again)
        const box = f.box ? (earth.checkBox(f.srs, f.crs, f.box) ?? f.box) : earth.check(f.srs, f.crs, f.feature.wkb);
        if (typeof box === 'string') {
          skip('geometry:out-of-range', `${featureLabel(f.feature)}: ${box}`);
          continue;
        }
        yield { ...f, box };
        kept++;
      }
    } catch (e) {
      throw inputErrorOf('ingest', source.label, e);
    }
    for (const a of source.attributions()) summary?.attributions.add(a);
    if (kept === 0) {
      const why = [...reasons].map(([r, n]) => `${r} ${n}`).join(', ');
      throw new InputError('ingest', `${source.label}: all ${read} features are invalid${why ? ` (${why}); e.g. ${example}` : ''}`);
    }
  }
}

/** The read context that counts into a summary and logs at debug level. */
export function summaryContext(summary: Summary, logger: Logger, onProgress?: (featuresRead: number) => void): ReadContext {
  return {
    skip: (reason, detail) => summary.skip(reason, detail),
    warn: (kind, detail) => summary.warn(kind, detail),
    tick: () => {
      summary.featuresRead++;
      if (onProgress && summary.featuresRead % 1000 === 0) onProgress(summary.featuresRead);
    },
  };
}

/** Bounding boxes in source coordinates, per CRS; their centre in lon/lat is the default frame origin. */
export class SourceExtent {
  private readonly groups = new Map<string, { srs: gdal.SpatialReference; extent: Extent }>();

  private of(srs: gdal.SpatialReference, crs: string): Extent {
    let g = this.groups.get(crs);
    if (!g) this.groups.set(crs, (g = { srs, extent: emptyExtent() }));
    return g.extent;
  }

  /** Grow the box of CRS `crs` by the rectangle [x0, x1] × [y0, y1]. */
  add(srs: gdal.SpatialReference, crs: string, x0: number, y0: number, x1: number, y1: number): void {
    growByExtent(this.of(srs, crs), { minX: x0, minY: y0, maxX: x1, maxY: y1 });
  }

  /** Grow by a box. */
  addBox(srs: gdal.SpatialReference, crs: string, e: Extent): void {
    growByExtent(this.of(srs, crs), e);
  }

  /** Whether any box was added. */
  get empty(): boolean {
    return this.groups.size === 0;
  }

  /** How far (km) the boxes' corners reach from their centre (lon/lat). */
  reachKm(): number {
    const [minLon, minLat, maxLon, maxLat] = this.lonLatBox();
    const origin: [number, number] = [(minLon + maxLon) / 2, (minLat + maxLat) / 2];
    return Math.max(...[[minLon, minLat], [maxLon, minLat], [maxLon, maxLat], [minLon, maxLat]].map((c) => kmBetween(origin, c as [number, number])));
  }

  /**
   * Where the data lie and the frame's origin, for the log (where-the-city-landed-unsaid: misnamed tiles, an
   * MBTiles' rows upside down or a wrong CRS put a city on another continent with only its size said).
   */
  placeNote(origin: readonly [number, number], chosen: string | null, of: 'features' | 'extents' = 'features'): string {
    if (this.empty) return `the frame's origin: lon ${origin[0].toFixed(5)}, lat ${origin[1].toFixed(5)}${chosen ? ` (${chosen})` : ''}`;
    const [minLon, minLat, maxLon, maxLat] = this.lonLatBox();
    return `${of === 'features' ? 'the data lie' : "the inputs' extents lie"} at lon ${minLon.toFixed(4)}…${maxLon.toFixed(4)}, lat ${minLat.toFixed(4)}…${maxLat.toFixed(4)}; the frame's origin: lon ${origin[0].toFixed(5)}, lat ${origin[1].toFixed(5)} (${chosen ?? 'their centre'})`;
  }

  /** The centre of the boxes' corners in lon/lat; throws when it is not a place on Earth. */
  origin(logger: Logger = NULL_LOGGER): [number, number] {
    const [minLon, minLat, maxLon, maxLat] = this.lonLatBox();
    const origin: [number, number] = [(minLon + maxLon) / 2, (minLat + maxLat) / 2];
    if (!(Math.abs(origin[1]) <= 90 && Math.abs(origin[0]) <= 360)) throw new InputError('ingest', `the data's centre (${origin}) is not a place on Earth; is the CRS right? (--s-srs)`);
    // data-spread-over-countries: the frame is a tangent plane at the centre; buildings hundreds of km
    // out stand tilted and kilometres above the ground of a globe
    const km = this.reachKm();
    // data-continents-apart-built-exit-0: SF and Delft in one run made a tileset centred in the Atlantic,
    // its buildings hundreds of km above the ground, and exit 0: beyond MAX_SPREAD_KM the run stops
    if (km > MAX_SPREAD_KM)
      throw new InputError('ingest', `the data reaches ${Math.round(km).toLocaleString('en-US')} km from its centre (lon ${minLon.toFixed(3)}…${maxLon.toFixed(3)}, lat ${minLat.toFixed(3)}…${maxLat.toFixed(3)}): the frame is local (a plane touching the Earth at the centre), and beyond ${MAX_SPREAD_KM.toLocaleString('en-US')} km the buildings would stand ${Math.round((km * km) / (2 * 6371)).toLocaleString('en-US')} km above the ground. Build each region on its own (its inputs apart, or --where)`);
    if (km > MAX_ORIGIN_KM)
      logger.warn(`the data reaches ${Math.round(km).toLocaleString('en-US')} km from its centre (lon ${minLon.toFixed(3)}…${maxLon.toFixed(3)}, lat ${minLat.toFixed(3)}…${maxLat.toFixed(3)}); the frame is local (a plane touching the Earth at the centre): beyond about ${MAX_ORIGIN_KM} km buildings stand tilted and above the ground. Build each region on its own`);
    return origin;
  }

  /**
   * `given` (an `--origin`) when it is near the data; a {@link UsageError} saying how far it is otherwise.
   * The frame is a local one: far from its origin the footprints bent, lost rings or could not be
   * transformed at all (far-origin-crashed: a stack trace from PROJ at 15,000 km).
   */
  checkOrigin(given: [number, number], of?: string): [number, number] {
    if (this.empty) return given;
    const [minLon, minLat, maxLon, maxLat] = this.lonLatBox();
    const km = kmBetween(given, [Math.min(maxLon, Math.max(minLon, given[0])), Math.min(maxLat, Math.max(minLat, given[1]))]);
    if (km <= MAX_ORIGIN_KM) return given;
    const far = `${Math.round(km).toLocaleString('en-US')} km from the data (lon ${minLon.toFixed(3)}…${maxLon.toFixed(3)}, lat ${minLat.toFixed(3)}…${maxLat.toFixed(3)})`;
    // (an origin taken from a raster's centre: the raster is far from the footprints, an input's fault)
    if (of) throw new InputError('ingest', `${of}: its centre (${given[0].toFixed(4)}, ${given[1].toFixed(4)}) is ${far}; does it cover the footprints?`);
    throw new UsageError('ingest', `--origin ${given[0]},${given[1]} is ${far}; the frame is local: give an origin within ${MAX_ORIGIN_KM} km of the data, or none (the data's centre)`);
  }

  /**
   * crs-outside-its-area-unsaid: UTM coordinates under a .prj of California's State Plane were built 1,650 km out
   * in the Pacific, exit 0, not a word. Data whose centre lies over a degree outside the area its (EPSG) CRS is
   * used for are warned of, naming the CRS, the area and where the data fell. (World-wide CRSs are not looked up.)
   */
  warnOutsideAreas(logger: Logger, summary?: Summary): void {
    for (const [name, { srs, extent: g }] of this.groups) {
      const m = /^EPSG:(\d+)$/.exec(name);
      if (!m || WORLD_CRS.has(name)) continue;
      const areas = areasOfUse('EPSG', m[1]);
      if (!areas.length) continue;
      let p: { x: number; y: number };
      try {
        p = new gdal.CoordinateTransformation(srs, WGS84).transformPoint((g.minX + g.maxX) / 2, (g.minY + g.maxY) / 2);
      } catch {
        continue; // (said when the box is transformed)
      }
      if (areas.some((a) => inAreaOfUse(a, p.x, p.y, 1))) continue;
      const a = areas[0];
      const deg = (v: number) => `${Math.round(v * 100) / 100}°`;
      const detail = `${name} (${srs.getAttrValue('PROJCS') ?? srs.getAttrValue('GEOGCS') ?? 'its CRS'}) is used for ${a.name} (lon ${deg(a.west)} to ${deg(a.east)}, lat ${deg(a.south)} to ${deg(a.north)}); the data in it lie at lon ${deg(p.x)}, lat ${deg(p.y)}: is it their CRS (a wrong .prj)? --s-srs names the right one`;
      logger.warn(detail);
      summary?.warn('crs:outside-its-area', detail);
    }
  }

  /** The boxes' corners in lon/lat: [minLon, minLat, maxLon, maxLat]. */
  private lonLatBox(): [number, number, number, number] {
    let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
    for (const [name, { srs, extent: g }] of this.groups) {
      const ct = new gdal.CoordinateTransformation(srs, WGS84);
      const corners = [[g.minX, g.minY], [g.maxX, g.minY], [g.maxX, g.maxY], [g.minX, g.maxY]];
      for (const [x, y] of corners) {
        let p: { x: number; y: number };
        try {
          p = ct.transformPoint(x, y);
        } catch {
          throw new InputError('ingest', `CRS ${name}: coordinates (${x}, ${y}) cannot be transformed to WGS84; is the CRS right? (--s-srs)`);
        }
        minLon = Math.min(minLon, p.x);
        maxLon = Math.max(maxLon, p.x);
        minLat = Math.min(minLat, p.y);
        maxLat = Math.max(maxLat, p.y);
      }
    }
    return [minLon, minLat, maxLon, maxLat];
  }
}

/** A feature that lies far from all the others (see {@link strayFeatures}): its label and where it lies. */
export interface StrayFeature {
  label: string;
  lon: number;
  lat: number;
  /** Distance from the median of the features' centres (km). */
  km: number;
}

/**
 * stray-feature-stopped-the-run: one footprint of 300 with a sign error in its y (4,180 km south) stopped the run
 * ("the data reaches 4,200 km from its centre"), naming none. The features whose box centres lie over half of
 * {@link MAX_SPREAD_KM} from the median of all the centres (lon/lat), when they are few (at most 1 % of them, or
 * one): those, to be skipped and named; null when there are none or too many (data spread over continents stop
 * the run, as before).
 */
export function strayFeatures(items: readonly { srs: gdal.SpatialReference; crs: string; box: Extent; label: string; where: string }[]): StrayFeature[] | null {
  const transforms = new Map<string, gdal.CoordinateTransformation>();
  const lon = new Float64Array(items.length), lat = new Float64Array(items.length);
  items.forEach(({ srs, crs, box }, k) => {
    let ct = transforms.get(crs);
    if (!ct) transforms.set(crs, (ct = new gdal.CoordinateTransformation(srs, WGS84)));
    try {
      const p = ct.transformPoint((box.minX + box.maxX) / 2, (box.minY + box.maxY) / 2);
      [lon[k], lat[k]] = [p.x, p.y];
    } catch {
      [lon[k], lat[k]] = [NaN, NaN];
    }
  });
  const median = (v: Float64Array) => {
    const s = Float64Array.from(v.filter(Number.isFinite)).sort();
    return s.length ? s[s.length >> 1] : NaN;
  };
  const centre: [number, number] = [median(lon), median(lat)];
  if (!Number.isFinite(centre[0] + centre[1])) return null;
  const stray: StrayFeature[] = [];
  items.forEach(({ label }, k) => {
    const km = Number.isFinite(lon[k] + lat[k]) ? kmBetween(centre, [lon[k], lat[k]]) : Infinity;
    if (km > MAX_SPREAD_KM / 2) stray.push({ label, lon: lon[k], lat: lat[k], km });
  });
  if (!stray.length || stray.length > Math.max(1, Math.floor(items.length / 100))) return null;
  // (a whole input or layer far from the others is no stray: SF and Delft given together stop the run)
  const all = new Map<string, number>(), far = new Map<string, number>();
  const strayAt = new Set(stray.map((f) => f.label));
  for (const { where, label } of items) {
    all.set(where, (all.get(where) ?? 0) + 1);
    if (strayAt.has(label)) far.set(where, (far.get(where) ?? 0) + 1);
  }
  return [...far].some(([where, n]) => n === all.get(where)) ? null : stray;
}

/** Skip and name the stray features (see {@link strayFeatures}), counted as `geometry:far-from-the-rest`. */
export function skipStrays(stray: readonly StrayFeature[], summary: Summary, logger: Logger): void {
  for (const s of stray) summary.skip('geometry:far-from-the-rest', `${s.label}: at lon ${s.lon.toFixed(3)}, lat ${s.lat.toFixed(3)}, ${Math.round(s.km).toLocaleString('en-US')} km from the rest of the data (a wrong coordinate?)`);
  logger.warn(`${counted(stray.length, 'feature')} ${stray.length === 1 ? 'lies' : 'lie'} over ${(MAX_SPREAD_KM / 2).toLocaleString('en-US')} km from all the others, skipped: ${stray.slice(0, 3).map((s) => `${s.label} (${Math.round(s.km).toLocaleString('en-US')} km)`).join(', ')}${stray.length > 3 ? ', …' : ''}`);
}

/** CRSs used the world over: their areas of use are not looked up. */
const WORLD_CRS = new Set(['EPSG:4326', 'EPSG:3857', 'EPSG:4979', 'EPSG:4978', 'EPSG:900913']);

/** How far an `--origin` may be from the data (km). */
export const MAX_ORIGIN_KM = 100;

/** Data reaching farther than this from its centre (km) stops the run; past {@link MAX_ORIGIN_KM} it warns. */
export const MAX_SPREAD_KM = 1000;

/** Great-circle distance (km, spherical Earth) between two lon/lat points. */
/** How the frame's origin was chosen, for {@link SourceExtent.placeNote}: `--origin`, a raster's centre (infer's DSM), or null: the data's centre. */
export function originChoice(opts: Pick<IngestOptions, 'origin' | 'originOf'>): string | null {
  if (!opts.origin) return null;
  return opts.originOf ? `the centre of ${path.basename(opts.originOf)}` : '--origin';
}

function kmBetween([lon0, lat0]: [number, number], [lon1, lat1]: [number, number]): number {
  const r = Math.PI / 180;
  const a = Math.sin(((lat1 - lat0) * r) / 2) ** 2 + Math.cos(lat0 * r) * Math.cos(lat1 * r) * Math.sin(((lon1 - lon0) * r) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * Read every input, join tile pieces, parse tags, reproject into one local east-north-up frame
 * centred on the data, and clean the footprints — all in memory (`cityforge build`; `tiles` streams
 * through {@link ingestToStore} instead).
 *
 * Throws an `InputError` (`cityforge ingest: <file> layer <l>: …`) for a broken input (missing,
 * unreadable, damaged, no CRS, empty); a broken feature is skipped and counted in `summary`.
 *
 * @example
 * ```ts
 * const summary = new Summary(logger);
 * const batch = await ingest(['data/sf-mvt', 'extra.gpkg'], { attributes: ['ref'] }, logger, summary);
 * batch.params.length; // buildings, in input order
 * ```
 */
export async function ingest(inputs: string[], options: Partial<IngestOptions>, logger: Logger, summary: Summary): Promise<FeatureBatch> {
  const opts: IngestOptions = { ...INGEST_DEFAULTS, ...options };
  const features: SourceFeature[] = [];
  const t0 = performance.now();
  const ctx = summaryContext(summary, logger, opts.onProgress);
  const join = await heightJoinOf(opts, logger);
  for await (const f of readSources(inputs, opts, ctx, logger, summary)) features.push(f);
  summary.time('read', (performance.now() - t0) / 1000);

  // Frame origin: the centre of the data in lon/lat (or the one given).
  const t1 = performance.now();
  // (the boxes the read computed when it checked every feature is a place on Earth)
  const extentOf = (fs: readonly SourceFeature[]) => {
    const e = new SourceExtent();
    for (const { srs, crs, box } of fs) if (box) e.addBox(srs, crs, box);
    return e;
  };
  let extent = extentOf(features);
  if (!opts.origin && !extent.empty && extent.reachKm() > MAX_SPREAD_KM) {
    const stray = strayFeatures(features.filter((f) => f.box).map((f) => ({ srs: f.srs, crs: f.crs, box: f.box!, label: featureLabel(f.feature), where: f.feature.where })));
    if (stray) {
      skipStrays(stray, summary, logger);
      const gone = new Set(stray.map((s) => s.label));
      const kept = features.filter((f) => !gone.has(featureLabel(f.feature)));
      features.length = 0;
      features.push(...kept);
      extent = extentOf(features);
    }
  }
  const origin = opts.origin ? extent.checkOrigin(opts.origin, opts.originOf) : extent.origin(logger);
  extent.warnOutsideAreas(logger, summary);
  logger.info(extent.placeNote(origin, originChoice(opts)));
  const frame = makeFrame(origin[0], origin[1], opts.ellipsoidalHeights ? geoidHeight(origin[0], origin[1]) : 0, [...new Set(features.map((f) => f.crs))]);
  const batch = toFeatureBatch(frame, features, opts, summary, logger, join);
  // lod-ignored-silently: --lod and --types choose within city models; with none among the inputs they do nothing
  if ((opts.lod !== undefined || opts.cityObjectTypes) && !opts.heightsFrom && !inputs.some((i) => CITYJSON_FORMAT.test(i)))
    logger.warn(`${opts.lod !== undefined ? '--lod' : '--types'} chooses within CityJSON city models; none of the inputs is one, so it changes nothing`);
  if (Array.isArray(opts.attributes) && batch.params.length) {
    // (each feature's own attributes, as read: the list's names checked against every input's keys)
    const keys = new Set<string>();
    for (const { feature: f } of features) for (const k of Object.keys(f.attributes ?? f.tags)) keys.add(k);
    const missing = unmatchedAttributes(opts.attributes, keys);
    if (missing.length) logger.warn(`--attributes ${missing.join(',')}: no input has ${missing.length === 1 ? 'such an attribute' : 'these attributes'} (they have: ${[...keys].sort().slice(0, 30).join(', ')}${keys.size > 30 ? ', …' : ''})`);
  }
  if (join) logHeightJoin(join, summary, logger);
  // (a city model's building drawn as its parts is what the model says: no warning)
  // (parts-cover-9-percent: an outline its parts cover in part stays drawn, as the rest of it; see outlineRest)
  const rests = new Map<number, FlatPolygons>();
  const said: [outline: number, parts: number, cover: number, drawn: boolean][] = [];
  resolveParts(batch, undefined, (o, parts) => {
    if (batch.params[o].base !== undefined) return false;
    const { cover, rest } = outlineRest(featureFlatPolygons(batch, o), parts.map((f) => featureFlatPolygons(batch, f)));
    const drawn = !!rest && opts.outlineRests !== false;
    if (drawn) rests.set(o, rest);
    said.push([o, parts.length, cover, drawn]);
    return drawn;
  });
  for (const [o, parts, cover, drawn] of said) summary.warn(...outlineDrawnAsParts(batch.params[o], parts, cover, drawn));
  summary.time('reproject', (performance.now() - t1) / 1000);
  return rests.size ? withPolygons(batch, rests) : batch;
}

/** A batch with the polygons of some features replaced (`polygons`: feature → its new polygons). */
function withPolygons(b: FeatureBatch, polygons: ReadonlyMap<number, FlatPolygons>): FeatureBatch {
  const out = new BatchBuilder();
  b.params.forEach((p, f) => out.add(polygons.get(f) ?? featureFlatPolygons(b, f), p, b.surfaces?.[f] ?? null));
  return out.toBatch(b.frame);
}

/** The heights to join to the footprints (`heightsFrom` by `joinOn`), read once; none without `heightsFrom`. */
export async function heightJoinOf(opts: IngestOptions, logger: Logger): Promise<HeightJoin | undefined> {
  if (!opts.heightsFrom) {
    if (opts.joinOn) throw new UsageError('ingest', '--join-on is for --heights-from <model>: the model whose buildings give the footprints their heights');
    return undefined;
  }
  if (!opts.joinOn) throw new UsageError('ingest', '--heights-from needs --join-on <attribute>: the footprints\' attribute that names their building in the model');
  const join = await readHeightJoin(opts.heightsFrom, opts.joinOn, { ...opts, logger });
  logger.info(`${opts.heightsFrom}: heights of ${join.heights.size} keys to join on ${opts.joinOn}`);
  return join;
}

/** Log how many footprints took a height from the model. */
export function logHeightJoin(join: HeightJoin, summary: Summary, logger: Logger): void {
  const missed = summary.warnings.get('heights-from:no-match') ?? 0;
  if (missed > 0 && missed === summary.featuresRead)
    throw new InputError('ingest', `--join-on ${join.key}: none of the ${missed} footprints names a building of ${join.file} (its keys look like ${join.sampleKeys.join(', ')}); the footprints' attributes are: ${[...join.footprintKeys].sort().join(', ') || 'none'}`);
  logger.info(`heights from ${join.file}: ${summary.featuresRead - missed} of ${summary.featuresRead} footprints matched on ${join.key}`);
}

/** One feature ready for a batch: cleaned polygons in the frame and its parsed parameters. */
export interface NormalizedFeature {
  polygons: FlatPolygons;
  params: BuildingParams;
  /** Its own surfaces in the frame (a city model's), kept as they are; null: built from the footprint. */
  surfaces: KeptSurfaces | null;
}

/** A model's surfaces moved into the frame: x, y through `ct`, z as they are. */
function modelInFrame(m: RawModel, srs: gdal.SpatialReference, ct: gdal.CoordinateTransformation): KeptSurfaces {
  const n = m.coords.length / 3;
  const xy = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) (xy[2 * i] = m.coords[3 * i]), (xy[2 * i + 1] = m.coords[3 * i + 1]);
  const out = transformPairs(xy, srs, ct);
  const coords = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    coords[3 * i] = out[2 * i];
    coords[3 * i + 1] = out[2 * i + 1];
    coords[3 * i + 2] = m.coords[3 * i + 2];
  }
  return { coords, ringOffsets: m.ringOffsets, surfaceOffsets: m.surfaceOffsets, types: m.types, ...(m.surfaceAttributes ? { surfaceAttributes: m.surfaceAttributes } : {}), sourceXY: xy };
}

/**
 * Parse a raw feature's tags, reproject it with `ct` (source → frame) and clean its rings. Returns
 * null for a feature that is skipped (counted in `summary` with file, layer, id and reason).
 */
export function normalizeFeature(f: RawFeature, srs: gdal.SpatialReference, ct: gdal.CoordinateTransformation, opts: IngestOptions, summary: Summary, join?: HeightJoin, projected?: FlatPolygons): NormalizedFeature | null {
  const detail = featureLabel(f);
  let tags = f.tags;
  if (join) {
    // a height from the city model, by the join attribute (it replaces the footprint's own)
    const key = f.tags[join.key] ?? f.attributes?.[join.key];
    const h = key === undefined || key === null || key === '' ? undefined : join.heights.get(String(key));
    if (h === undefined) {
      summary.warn('heights-from:no-match', `${detail}: ${join.key}=${key ?? '(none)'} is not in ${join.file}`);
      if (join.footprintKeys.size < 50) for (const k of Object.keys(f.attributes ?? f.tags)) join.footprintKeys.add(k);
    }
    else tags = { ...f.tags, height: h, 'building:levels': undefined };
  }
  const parsed = parseBuilding(tags, f.id, f.source, opts, (kind, value, said) => summary.warn(kind, `${detail}${value === undefined || value === null ? '' : `: ${JSON.stringify(value)}`}${said ? `${value === undefined || value === null ? ':' : ','} ${said}` : ''}`));
  if ('skip' in parsed) {
    summary.skip(parsed.skip, parsed.why ? `${detail}: ${parsed.why}` : detail);
    return null;
  }
  // feet-heights-read-as-metres: a plain number is metres (S3DB), whatever the CRS; in a CRS in feet (a US
  // State Plane) it may well be feet, 3.28 times too tall: said, per feature (the summary counts them)
  const rawHeight = f.model || f.osm || parsed.params.heightFrom !== 'data' ? undefined : heightTag(tags);
  if (rawHeight !== undefined) {
    const unit = unitOf(srs);
    if (!unit.isMetre) summary.warn('height:metres-in-a-feet-crs', `${detail}: height ${String(rawHeight)} read as metres, though its CRS is in ${unit.name} (heights in feet: write them with a unit, "40 ft", or convert them)`);
  }
  let flat = projected;
  if (!flat) try {
    // (the coordinates alone, as one array through PROJ: no OGR geometry made and written back)
    const src = parsePolygonalWKB(f.wkb);
    flat = { ...src, coords: transformPairs(src.coords, srs, ct) };
  } catch (e) {
    summary.skip('reproject:failed', `${detail}: ${(e as Error).message}`);
    return null;
  }
  // (a city model's footprint only places its surfaces: a thin part keeps even a tiny one, and so does
  // the outline of a building drawn as its parts, which is their footprints: part-lost-its-building)
  let { polygons, report } = cleanPolygons(flat, f.model ? { ...opts, minArea: 0 } : opts);
  const cleaned = `under ${opts.minArea} m² once repeated, spike and collinear vertices within ${opts.tolerance * 100} cm were removed`;
  if (report.holesDropped) summary.warn('ring:degenerate-hole-dropped', `${detail}: ${counted(report.holesDropped, 'hole')} dropped, ${cleaned}`);
  if (report.holesSeparated) summary.warn('ring:touching-hole-separated', `${detail}: ${report.holesSeparated} hole vertices on another ring moved ${HOLE_GAP * 100} cm into their hole`);
  if (report.polygonsDropped && polygons.polygonOffsets.length > 1) summary.warn('ring:degenerate-polygon-dropped', `${detail}: ${counted(report.polygonsDropped, 'polygon')} dropped, ${cleaned}`);
  if (report.areaBefore && polygons.polygonOffsets.length > 1)
    summary.warn('ring:spikes-removed', `${detail}: its footprint went from ${report.areaBefore.toFixed(1)} to ${report.areaAfter.toFixed(1)} m² (needle-thin spikes, and vertices within ${opts.tolerance * 100} cm of a line, removed)`);
  if (polygons.polygonOffsets.length === 1 && f.model && f.model.types.length) {
    // a city model's own surfaces with a sliver for a ground: it stands on the box around them
    const c = f.model.coords;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let i = 0; i < c.length; i += 3) (x0 = Math.min(x0, c[i])), (x1 = Math.max(x1, c[i])), (y0 = Math.min(y0, c[i + 1])), (y1 = Math.max(y1, c[i + 1]));
    const box = flatPolygons([[[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]]]);
    try {
      const g = gdal.Geometry.fromWKB(Buffer.from(writePolygonalWKB(box)), srs);
      g.transform(ct);
      polygons = cleanPolygons(parsePolygonalWKB(g.toWKB('LSB')), { ...opts, minArea: 0 }).polygons;
      if (polygons.polygonOffsets.length > 1) summary.warn('cityjson:footprint-from-extent', `${detail}: its ground surfaces have no area; its footprint is the box around its surfaces`);
    } catch {
      // no box either: skipped below
    }
  }
  if (polygons.polygonOffsets.length === 1) {
    summary.skip('geometry:degenerate', `${detail}: no polygon left after removing repeated, spike and collinear vertices`);
    return null;
  }
  parsed.params.pieces = f.pieces;
  if (f.entrances?.length) {
    try {
      // (to the millimetre: the frame's positions are float32 a few km out)
      parsed.params.entrances = Array.from(transformPairs(f.entrances, srs, ct), (v) => Math.round(v * 1000) / 1000);
    } catch {
      summary.warn('entrance:reproject-failed', `${detail}: its entrance nodes are left out`);
    }
  }
  parsed.params.attributes = selectAttributes(f.attributes ?? f.tags, opts.attributes, f.osm);
  let surfaces: KeptSurfaces | null = null;
  if (f.model) {
    try {
      surfaces = modelInFrame(f.model, srs, ct);
    } catch (e) {
      summary.skip('reproject:failed', `${detail}: ${(e as Error).message}`);
      return null;
    }
    // its own heights: it stands where the model puts it
    const kind = f.attributes?.['building'];
    // it stands on its ground surfaces (walls may reach below them); its height is from there to its top
    const ground = Math.min(f.model.ground, f.model.zMax);
    // (a part raised above its building's ground starts at its floor: its min_height)
    Object.assign(parsed.params, { base: ground, minHeight: Math.max(0, f.model.zMin - ground), height: f.model.zMax - ground, minLevel: null, kind: typeof kind === 'string' ? kind : null, lod: f.model.lod });
    // columns-doubled-on-the-round-trip: its `building` and `name` are the building's own columns
    // (and the CityJSON writer's), not source attributes beside them (`source_building`)
    if (parsed.params.attributes) {
      const a = { ...parsed.params.attributes };
      if (typeof a['building'] === 'string') delete a['building'];
      // (where a footprint's height came from: the model's surfaces are its data now)
      delete a['height_from'];
      if (a['name'] === parsed.params.name) delete a['name'];
      parsed.params.attributes = a;
    }
  }
  return { polygons, params: parsed.params, surfaces };
}

/** A CRS's linear unit, once per CRS object. */
const units = new WeakMap<gdal.SpatialReference, ReturnType<typeof linearUnit>>();
function unitOf(srs: gdal.SpatialReference): ReturnType<typeof linearUnit> {
  let u = units.get(srs);
  if (!u) units.set(srs, (u = srs.isGeographic() ? { name: 'degree', metres: NaN, isMetre: true } : linearUnit(srs)));
  return u;
}

/** A feature's height tag (`height` in any case) when it is a bare number, with no unit: a number, or text of one. */
function heightTag(tags: Record<string, TagValue>): TagValue | undefined {
  const v = tags['height'] ?? tags[Object.keys(tags).find((k) => k.toLowerCase() === 'height') ?? 'height'];
  return typeof v === 'number' || (typeof v === 'string' && /^\s*[-+]?\d+(\.\d+)?\s*$/.test(v)) ? v : undefined;
}

/** How many footprints {@link projectFootprints} sends through PROJ in one call, at most. */
export const PROJECT_CHUNK = 2048;

/**
 * The footprints of features in one CRS, moved into the frame through `ct` together: one PROJ call
 * for all their coordinates (a call per feature costs more than the transform). A footprint that
 * cannot be read, or a call that fails, gives `undefined`: {@link normalizeFeature} then moves that
 * feature alone, and names it if it fails.
 */
export function projectFootprints(features: readonly RawFeature[], srs: gdal.SpatialReference, ct: gdal.CoordinateTransformation): (FlatPolygons | undefined)[] {
  const parsed: (FlatPolygons | undefined)[] = features.map((f) => {
    try {
      return f.polygons ?? parsePolygonalWKB(f.wkb);
    } catch {
      return undefined;
    }
  });
  let n = 0;
  for (const p of parsed) if (p) n += p.coords.length;
  const all = new Float64Array(n);
  n = 0;
  for (const p of parsed) if (p) all.set(p.coords, n), (n += p.coords.length);
  let moved: Float64Array;
  try {
    moved = transformPairs(all, srs, ct);
  } catch {
    return features.map(() => undefined);
  }
  n = 0;
  return parsed.map((p) => {
    if (!p) return undefined;
    const coords = moved.slice(n, n + p.coords.length);
    n += p.coords.length;
    return { ...p, coords };
  });
}

/** Reproject, parse tags and clean every feature, in input order, into one columnar batch. */
function toFeatureBatch(frame: FrameInfo, features: SourceFeature[], opts: IngestOptions, summary: Summary, logger: Logger, join?: HeightJoin): FeatureBatch {
  const frameSrs = gdal.SpatialReference.fromProj4(frame.proj);
  const transforms = new Map<string, gdal.CoordinateTransformation>();
  const out = new BatchBuilder();
  const ids = new Map<string, number>();
  let projected: (FlatPolygons | undefined)[] = [];
  let from = 0;
  for (let i = 0; i < features.length; i++) {
    // (build-silent-for-long: a million features took half a minute here with nothing said)
    if (opts.onReproject && (i & 4095) === 0) opts.onReproject(i, features.length);
    const { srs, crs, feature: f } = features[i];
    let ct = transforms.get(crs);
    if (!ct) transforms.set(crs, (ct = new gdal.CoordinateTransformation(srs, frameSrs)));
    if (i - from >= projected.length) {
      // the next run of features in this CRS, projected together
      let to = i + 1;
      while (to < features.length && to - i < PROJECT_CHUNK && features[to].crs === crs) to++;
      projected = projectFootprints(features.slice(i, to).map((s) => s.feature), srs, ct);
      from = i;
    }
    const n = normalizeFeature(f, srs, ct, opts, summary, join, projected[i - from]);
    if (!n) continue;
    const { polygons, params: p, surfaces } = n;
    const seen = ids.get(p.id);
    if (seen !== undefined) {
      ids.set(p.id, seen + 1);
      summary.warn('id:duplicate', featureLabel(f));
      p.id = `${p.id}~${seen + 1}`;
    } else {
      ids.set(p.id, 1);
    }
    out.add(polygons, p, surfaces);
  }
  opts.onReproject?.(features.length, features.length);
  logger.debug(`frame origin ${frame.lon.toFixed(7)}, ${frame.lat.toFixed(7)}; ${out.params.length} buildings`);
  return out.toBatch(frame);
}
