import gdal from './gdal.js';
import { featureContains } from '../core/contains.js';
import { emptyExtent, growByPoint, type Extent } from '../core/extent.js';
import { makeFrame } from '../core/frame.js';
import { geoidHeight } from './geoid.js';
import { Growable } from '../core/growable.js';
import { NULL_LOGGER, type Logger } from '../core/logger.js';
import type { Source, SourceFeature } from './source.js';
import type { Summary } from '../core/summary.js';
import type { FeatureBatch, FlatPolygons, FrameInfo } from '../core/types.js';
import { anchorsOf, scanStore, StoreReader, StoreWriter, type RecordRef, type StoredFeatures } from '../store/index.js';
import { openSources } from './formats.js';
import { heightJoinOf, INGEST_DEFAULTS, logHeightJoin, MAX_SPREAD_KM, normalizeFeature, originChoice, projectFootprints, PROJECT_CHUNK, readSources, skipStrays, SourceExtent, strayFeatures, summaryContext, type IngestOptions } from './index.js';
import { insidePoint, matchParts, outlineDrawnAsParts, outlineRest } from './parts.js';
import { addPartHeight, featureName, type TallestPart } from '../core/params.js';
import { EarthCheck } from './earth.js';
import { inputErrorOf } from '../core/errors.js';
import { featureLabel, type ReadContext } from './raw.js';

/**
 * The default frame origin without reading the features: the centre of the inputs' extents — layer
 * extents for OGR sources (from the header where the format has one), tile bounds for vector tiles.
 * A source whose extent holds coordinates that are not places on Earth (a stray feature at lat 95)
 * is read once more for the boxes of its valid features only, so the origin comes from valid
 * features. Null when no input has an extent (empty).
 */
export async function inputsOrigin(inputs: string[], opts: IngestOptions, logger: Logger = NULL_LOGGER): Promise<[number, number] | null> {
  const extent = await inputsExtent(inputs, opts, logger);
  return extent.empty ? null : extent.origin(logger);
}

/** The inputs' extents, as {@link inputsOrigin} reads them. */
async function inputsExtent(inputs: string[], opts: IngestOptions, logger: Logger): Promise<SourceExtent> {
  const extent = new SourceExtent();
  const earth = new EarthCheck();
  for (const source of openSources(inputs, { ...opts, logger: NULL_LOGGER })) {
    try {
      const boxes = await source.extent();
      if (boxes.every((b) => earth.checkBox(b.srs, b.crs, b.extent) === null)) {
        for (const { srs, crs, extent: e } of boxes) extent.add(srs, crs, e.minX, e.minY, e.maxX, e.maxY);
        continue;
      }
      logger.info(`${source.label}: its extent holds coordinates that are not places on Earth; the frame's origin comes from its valid features`);
      for await (const b of boxesOf(source, earth)) extent.addBox(b.srs, b.crs, b.box);
    } catch (e) {
      throw inputErrorOf('ingest', source.label, e);
    }
  }
  // no extent at all (empty inputs): none; the read then says what is wrong with which input
  return extent;
}

/** A feature's box in its CRS, with its label and where it is. */
interface FeatureBox {
  srs: gdal.SpatialReference;
  crs: string;
  box: Extent;
  label: string;
  where: string;
}

/** The boxes of a source's features that are places on Earth (a read that keeps nothing else). */
async function* boxesOf(source: Source, earth: EarthCheck): AsyncGenerator<FeatureBox> {
  const quiet: ReadContext = { skip() {}, warn() {}, tick() {} };
  for await (const { srs, crs, feature } of source.read(quiet)) {
    const box = earth.check(srs, crs, feature.wkb);
    if (typeof box !== 'string') yield { srs, crs, box, label: featureLabel(feature), where: feature.where };
  }
}

/** Every feature's box of every input (see {@link boxesOf}). */
async function featureBoxes(inputs: string[], opts: IngestOptions): Promise<FeatureBox[]> {
  const earth = new EarthCheck();
  const out: FeatureBox[] = [];
  for (const source of openSources(inputs, { ...opts, logger: NULL_LOGGER }))
    try {
      for await (const b of boxesOf(source, earth)) out.push(b);
    } catch (e) {
      throw inputErrorOf('ingest', source.label, e);
    }
  return out;
}

/** Options for {@link ingestToStore}. */
export interface StreamIngestOptions extends IngestOptions {
  /** Folder for the spill file (created; the caller removes it). */
  workDir: string;
}

/** How many hashes are sorted in memory at a time when looking for duplicate ids. */
const HASHES_PER_PASS = 1 << 22;

/**
 * Stream the inputs into an on-disk {@link StoredFeatures}: one feature at a time is read, tag-parsed,
 * reprojected into the frame, cleaned and appended to the store; nothing per building stays in
 * memory. Ids are made unique and building parts matched to their outlines afterwards by scans of
 * the row file (memory grows with the parts and the duplicate ids, not the buildings). The result is
 * the same as {@link ingest} gives for the same origin (the default origin differs: here it comes from
 * the inputs' extents, without reading the features twice).
 *
 * @example
 * ```ts
 * const store = await ingestToStore(['city.osm.pbf'], { workDir: '/tmp/work' }, logger, summary);
 * ```
 */
export async function ingestToStore(inputs: string[], options: Partial<StreamIngestOptions> & { workDir: string }, logger: Logger, summary: Summary): Promise<StoredFeatures> {
  const opts: StreamIngestOptions = { ...INGEST_DEFAULTS, ...options };
  const t0 = performance.now();
  let extent = await inputsExtent(inputs, opts, logger);
  // (stray-feature-stopped-the-run: data reaching past the frame's limit are looked at feature by feature; a few
  // far from all the others are skipped, as `build` skips them)
  let strays: Set<string> | undefined;
  if (!opts.origin && !extent.empty && extent.reachKm() > MAX_SPREAD_KM) {
    const boxes = await featureBoxes(inputs, opts);
    const stray = strayFeatures(boxes);
    if (stray) {
      skipStrays(stray, summary, logger);
      strays = new Set(stray.map((f) => f.label));
      extent = new SourceExtent();
      for (const b of boxes) if (!strays.has(b.label)) extent.addBox(b.srs, b.crs, b.box);
    }
  }
  const origin: [number, number] = opts.origin ? extent.checkOrigin(opts.origin, opts.originOf) : extent.empty ? [0, 0] : extent.origin(logger);
  extent.warnOutsideAreas(logger, summary);
  if (!extent.empty || opts.origin) logger.info(extent.placeNote(origin, originChoice(opts), 'extents'));
  const { store, parts } = await spill(inputs, makeFrame(origin[0], origin[1], opts.ellipsoidalHeights ? geoidHeight(origin[0], origin[1]) : 0, []), opts, logger, summary, strays);
  summary.time('read', (performance.now() - t0) / 1000);
  const t1 = performance.now();
  const reader = new StoreReader(store);
  try {
    store.renames = uniqueIds(store, reader, summary);
    resolveStoredParts(store, reader, parts, summary);
  } finally {
    reader.close();
  }
  const a = emptyExtent();
  anchorsOf(store, (ax, ay) => growByPoint(a, ax, ay));
  store.anchorExtent = a;
  summary.time('index', (performance.now() - t1) / 1000);
  logger.debug(`frame origin ${frame6(store.frame.lon)}, ${frame6(store.frame.lat)}; ${store.count} buildings in ${store.file}`);
  return store;
}

const frame6 = (v: number) => v.toFixed(7);

/** The building parts met while spilling: their indices and a point inside each (x, y pairs). */
interface PartQueries {
  ids: number[];
  points: number[];
}

/** The one streaming pass: every feature normalized into the frame and written to a new store. */
async function spill(inputs: string[], frame: FrameInfo, opts: StreamIngestOptions, logger: Logger, summary: Summary, strays?: ReadonlySet<string>): Promise<{ store: StoredFeatures; parts: PartQueries }> {
  const frameSrs = gdal.SpatialReference.fromProj4(frame.proj);
  const transforms = new Map<string, gdal.CoordinateTransformation>();
  const join = await heightJoinOf(opts, logger);
  const writer = new StoreWriter(opts.workDir, frame);
  const parts: PartQueries = { ids: [], points: [] };
  const ctx = summaryContext(summary, logger, opts.onProgress);
  // features wait in a run of one CRS, to be projected together (one PROJ call per run)
  let run: SourceFeature[] = [];
  const flush = () => {
    if (!run.length) return;
    const { srs, crs } = run[0];
    let ct = transforms.get(crs);
    if (!ct) {
      transforms.set(crs, (ct = new gdal.CoordinateTransformation(srs, frameSrs)));
      frame.sourceCrs.push(crs);
    }
    const projected = projectFootprints(run.map((f) => f.feature), srs, ct);
    for (let i = 0; i < run.length; i++) {
      const n = normalizeFeature(run[i].feature, srs, ct, opts, summary, join, projected[i]);
      if (!n) continue;
      const row = writer.add(n.polygons, n.params, n.surfaces);
      if (n.params.role === 'part') {
        const pt = insidePoint(single(frame, n.polygons), 0);
        if (pt) {
          parts.ids.push(row.index);
          parts.points.push(pt[0], pt[1]);
        }
      }
    }
    run = [];
  };
  try {
    for await (const f of readSources(inputs, opts, ctx, logger, summary)) {
      // (skipped and counted when they were found)
      if (strays?.has(featureLabel(f.feature))) continue;
      if (run.length && (run.length >= PROJECT_CHUNK || run[0].crs !== f.crs)) flush();
      run.push(f);
    }
    flush();
  } catch (e) {
    writer.abort();
    throw e;
  }
  frame.sourceCrs.sort();
  if (join) logHeightJoin(join, summary, logger);
  return { store: writer.finish(), parts };
}

/** Parts → outlines: one scan of the outlines' rows against the parts' points; sets the store's parts and replaced outlines. */
function resolveStoredParts(store: StoredFeatures, reader: StoreReader, parts: PartQueries, summary: Summary): void {
  let current: RecordRef = { index: -1, offset: 0, length: 0 };
  let cached = -1;
  let cachedBatch: FeatureBatch | null = null;
  const outlines = (visit: (o: number, x0: number, y0: number, x1: number, y1: number) => void) =>
    scanStore(store, (row) => {
      if (!row.isOutline) return;
      current = { index: row.index, offset: row.offset, length: row.length };
      visit(row.index, row.minX, row.minY, row.maxX, row.maxY);
    });
  const match = matchParts(outlines, parts.points, (o, x, y) => {
    if (o !== cached) [cached, cachedBatch] = [o, single(store.frame, reader.raw(current).polygons)];
    return featureContains(cachedBatch!, 0, x, y);
  });
  const replaced = new Set<number>();
  const tallest = new Map<number, TallestPart>();
  parts.ids.forEach((f, k) => {
    const o = match[k];
    if (o < 0) return;
    const r = reader.row(o);
    store.parts.push([f, o, r.anchorX, r.anchorY]);
    replaced.add(o);
    addPartHeight(tallest, o, reader.feature(f).params);
  });
  // (parts-cover-9-percent: an outline its parts cover in part stays drawn, as the rest of it; see outlineRest)
  const partsOf = new Map<number, number[]>();
  for (const [f, o] of store.parts) partsOf.set(o, [...(partsOf.get(o) ?? []), f]);
  const rests: NonNullable<StoredFeatures['rests']> = [];
  for (const o of [...replaced].sort((a, b) => a - b)) {
    const { params, polygons } = reader.feature(o);
    if (params.base !== undefined) continue;
    const own = (partsOf.get(o) ?? []).sort((a, b) => a - b);
    const { cover, rest } = outlineRest(polygons, own.map((f) => reader.feature(f).polygons));
    if (rest) {
      replaced.delete(o);
      tallest.delete(o);
      rests.push([o, { coords: Array.from(rest.coords), ringOffsets: rest.ringOffsets, polygonOffsets: rest.polygonOffsets }]);
    }
    summary.warn(...outlineDrawnAsParts(params, own.length, cover, !!rest));
  }
  store.replaced = [...replaced].sort((a, b) => a - b);
  store.partHeights = [...tallest].map(([o, [h, measured]]): [number, number, number] => [o, h, measured ? 1 : 0]).sort((a, b) => a[0] - b[0]);
  if (rests.length) store.rests = rests;
}

/** One feature's polygons as a batch of one (for the point-in-feature helpers). */
function single(frame: FrameInfo, p: FlatPolygons): FeatureBatch {
  return { frame, positions: p.coords, ringOffsets: Uint32Array.from(p.ringOffsets), polygonOffsets: Uint32Array.from(p.polygonOffsets), featureOffsets: new Uint32Array([0, p.polygonOffsets.length - 1]), params: [] };
}

/**
 * Make ids unique as {@link ingest} does — the k-th building with an id (k ≥ 2, in input order)
 * becomes `id~k`, counted as an `id:duplicate` warning — from the ids' hashes in the row file, a
 * bounded slice of hashes at a time: only buildings whose hash is shared are read back to compare the
 * ids themselves.
 */
function uniqueIds(store: StoredFeatures, reader: StoreReader, summary: Summary): [number, string][] {
  const passes = Math.max(1, Math.ceil(store.count / HASHES_PER_PASS));
  const shared = new Set<number>();
  for (let pass = 0; pass < passes; pass++) {
    const slice = new Growable(Float64Array, 1 << 16);
    scanStore(store, (row) => {
      if (row.idHash % passes === pass) slice.push(row.idHash);
    });
    const sorted = slice.toArray().sort();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) shared.add(sorted[i]);
  }
  if (shared.size === 0) return [];
  const seen = new Map<string, number>();
  const renames: [number, string][] = [];
  scanStore(store, (row) => {
    if (!shared.has(row.idHash)) return;
    const { params } = reader.raw(row);
    const n = (seen.get(params.id) ?? 0) + 1;
    seen.set(params.id, n);
    if (n > 1) {
      renames.push([row.index, `${params.id}~${n}`]);
      summary.warn('id:duplicate', featureName(params));
    }
  });
  return renames;
}
