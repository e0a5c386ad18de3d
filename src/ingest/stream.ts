import gdal from 'gdal-async';
import fs from 'node:fs';
import path from 'node:path';
import { featureContains } from '../core/contains.js';
import { makeFrame } from '../core/frame.js';
import { Growable } from '../core/growable.js';
import type { Logger } from '../core/logger.js';
import type { Summary } from '../core/summary.js';
import type { FeatureBatch } from '../core/types.js';
import { INGEST_DEFAULTS, normalizeFeature, readSources, SourceExtent, summaryContext, type IngestOptions } from './index.js';
import { isTileSource, listTiles } from './mvt.js';
import { crsName, openOgr } from './ogr.js';
import { insidePoint, matchParts } from './parts.js';
import { FeatureStoreReader, FeatureStoreWriter, type StoredFeatures } from './store.js';
import type { FlatPolygons } from './wkb.js';

const WEB_MERCATOR_HALF = 20037508.342789244;

/**
 * The default frame origin without reading the features: the centre of the inputs' extents — layer
 * extents for OGR sources (from the header where the format has one), tile bounds for vector tiles.
 */
export async function inputsOrigin(inputs: string[], opts: IngestOptions): Promise<[number, number]> {
  const extent = new SourceExtent();
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new Error(`cityforge ingest: ${input}: no such file or folder`);
    if (isTileSource(input)) {
      const srs = opts.sSrs ? gdal.SpatialReference.fromUserInput(opts.sSrs) : gdal.SpatialReference.fromEPSG(3857);
      const crs = crsName(srs);
      for (const t of await listTiles(input)) {
        const size = (2 * WEB_MERCATOR_HALF) / 2 ** t.z;
        const x0 = -WEB_MERCATOR_HALF + t.x * size, y1 = WEB_MERCATOR_HALF - t.y * size;
        extent.add(srs, crs, x0, y1 - size, x0 + size, y1);
      }
      continue;
    }
    const { ds, layers } = openOgr(input, opts);
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
        if (e && Number.isFinite(e.minX) && e.maxX >= e.minX) extent.add(ol.srs, ol.crsName, e.minX, e.minY, e.maxX, e.maxY);
      }
    } finally {
      ds.close();
    }
  }
  return extent.origin();
}

/** Options for {@link ingestToStore}. */
export interface StreamIngestOptions extends IngestOptions {
  /** Folder for the spill file (created; the caller removes it). */
  workDir: string;
}

/** FNV-1a over a string, 32 bits, from `seed`. */
function fnv(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** A 53-bit hash of an id (two FNV-1a streams). */
const idHash = (s: string) => fnv(s, 2166136261) * 2 ** 21 + (fnv(s, 84696351) & 0x1fffff);

/**
 * Stream the inputs into an on-disk {@link StoredFeatures}: one feature at a time is read, tag-parsed,
 * reprojected into the frame, cleaned and appended to a spill file; only a fixed-size index per
 * building stays in memory. Ids are made unique and building parts matched to their outlines
 * afterwards, from the index and the spill (memory grows with the parts, not the buildings).
 * The result is the same as {@link ingest} gives for the same origin (the default origin differs:
 * here it comes from the inputs' extents, without reading the features twice).
 */
export async function ingestToStore(inputs: string[], options: Partial<StreamIngestOptions> & { workDir: string }, logger: Logger, summary: Summary): Promise<StoredFeatures> {
  const opts: StreamIngestOptions = { ...INGEST_DEFAULTS, ...options };
  const t0 = performance.now();
  const origin = opts.origin ?? (await inputsOrigin(inputs, opts));
  const frame = makeFrame(origin[0], origin[1], 0, []);
  const frameSrs = gdal.SpatialReference.fromProj4(frame.proj);
  const transforms = new Map<string, gdal.CoordinateTransformation>();
  fs.mkdirSync(opts.workDir, { recursive: true });
  const file = path.join(opts.workDir, 'features.bin');
  const writer = new FeatureStoreWriter(file);
  const offsets = new Growable(Float64Array, 1 << 16, true);
  const anchors = new Growable(Float64Array, 1 << 16, true);
  const bbox = new Growable(Float64Array, 1 << 16, true);
  const heights = new Growable(Float64Array, 1 << 16, true);
  const hashes = new Growable(Float64Array, 1 << 16);
  const outline = new Growable(Uint8Array, 1 << 16);
  const partIds: number[] = [];
  const queries: number[] = [];
  const ext = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  const ctx = summaryContext(summary, logger, opts.onProgress);
  try {
    for await (const { srs, crs, feature } of readSources(inputs, opts, ctx, logger, summary)) {
      let ct = transforms.get(crs);
      if (!ct) {
        transforms.set(crs, (ct = new gdal.CoordinateTransformation(srs, frameSrs)));
        frame.sourceCrs.push(crs);
      }
      const n = normalizeFeature(feature, srs, ct, opts, summary);
      if (!n) continue;
      const f = offsets.length;
      offsets.push(writer.append(n.polygons, n.params));
      const c = n.polygons.coords;
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      const firstRingEnd = 2 * n.polygons.ringOffsets[1];
      for (let i = 0; i < c.length; i += 2) {
        if (i === firstRingEnd) anchors.push2((x0 + x1) / 2, (y0 + y1) / 2);
        if (c[i] < x0) x0 = c[i];
        if (c[i] > x1) x1 = c[i];
        if (c[i + 1] < y0) y0 = c[i + 1];
        if (c[i + 1] > y1) y1 = c[i + 1];
      }
      if (firstRingEnd === c.length) anchors.push2((x0 + x1) / 2, (y0 + y1) / 2);
      bbox.push2(x0, y0);
      bbox.push2(x1, y1);
      ext.minX = Math.min(ext.minX, x0);
      ext.minY = Math.min(ext.minY, y0);
      ext.maxX = Math.max(ext.maxX, x1);
      ext.maxY = Math.max(ext.maxY, y1);
      heights.push2(n.params.height, n.params.minHeight);
      hashes.push(idHash(n.params.id));
      outline.push(n.params.role === 'building' ? 1 : 0);
      if (n.params.role === 'part') {
        const pt = insidePoint(single(frame, n.polygons), 0);
        if (pt) {
          partIds.push(f);
          queries.push(pt[0], pt[1]);
        }
      }
    }
  } finally {
    writer.close();
  }
  offsets.push(writer.offset);
  summary.time('read', (performance.now() - t0) / 1000);
  const count = offsets.length - 1;
  const store: StoredFeatures = {
    file,
    frame,
    count,
    offsets: offsets.toArray(),
    anchors: anchors.toArray(),
    bbox: bbox.toArray(),
    heights: heights.toArray(),
    drawAs: new Int32Array(new SharedArrayBuffer(4 * count)),
    renames: [],
    extent: ext,
  };
  for (let f = 0; f < count; f++) store.drawAs[f] = f;
  const t1 = performance.now();
  const reader = new FeatureStoreReader(store);
  try {
    store.renames = uniqueIds(hashes.toArray(), reader, summary);
    // parts → outlines
    let cached = -1;
    let cachedBatch: FeatureBatch | null = null;
    const match = matchParts(count, (f) => outline.array[f] === 1, store.bbox, queries, (o, x, y) => {
      if (o !== cached) [cached, cachedBatch] = [o, single(frame, reader.raw(o).polygons)];
      return featureContains(cachedBatch!, 0, x, y);
    });
    const replaced = new Set<number>();
    partIds.forEach((f, k) => {
      const o = match[k];
      if (o < 0) return;
      store.drawAs[f] = o;
      replaced.add(o);
    });
    for (const o of replaced) {
      store.drawAs[o] = -1;
      summary.warn('building:outline-drawn-as-parts');
    }
    partIds.forEach((f) => {
      const o = store.drawAs[f];
      if (o >= 0 && o !== f) store.anchors.set([store.anchors[2 * o], store.anchors[2 * o + 1]], 2 * f);
    });
  } finally {
    reader.close();
  }
  summary.time('index', (performance.now() - t1) / 1000);
  logger.debug(`frame origin ${frame.lon.toFixed(7)}, ${frame.lat.toFixed(7)}; ${count} buildings in ${file} (${(writer.offset / 1e6).toFixed(1)} MB)`);
  return store;
}

/** One feature's polygons as a batch of one (for the point-in-feature helpers). */
function single(frame: StoredFeatures['frame'], p: FlatPolygons): FeatureBatch {
  return { frame, positions: p.coords, ringOffsets: Uint32Array.from(p.ringOffsets), polygonOffsets: Uint32Array.from(p.polygonOffsets), featureOffsets: new Uint32Array([0, p.polygonOffsets.length - 1]), params: [] };
}

/**
 * Make ids unique as {@link ingest} does — the k-th building with an id (k ≥ 2, in input order)
 * becomes `id~k`, counted as an `id:duplicate` warning — from the ids' hashes: only buildings whose
 * hash is shared are read back to compare the ids themselves.
 */
function uniqueIds(hashes: Float64Array, reader: FeatureStoreReader, summary: Summary): [number, string][] {
  const sorted = Float64Array.from(hashes).sort();
  const shared = new Set<number>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) shared.add(sorted[i]);
  if (shared.size === 0) return [];
  const seen = new Map<string, number>();
  const renames: [number, string][] = [];
  for (let f = 0; f < hashes.length; f++) {
    if (!shared.has(hashes[f])) continue;
    const { params } = reader.raw(f);
    const k = (seen.get(params.id) ?? 0) + 1;
    seen.set(params.id, k);
    if (k > 1) {
      renames.push([f, `${params.id}~${k}`]);
      summary.warn('id:duplicate', `${params.source} feature ${params.id}`);
    }
  }
  return renames;
}
