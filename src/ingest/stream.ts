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
import { isTileSource, listTiles, tileBounds } from './mvt.js';
import { crsName, openOgr } from './ogr.js';
import { insidePoint, matchParts } from './parts.js';
import { anchorsOf, appendRecord, appendRow, BufferedWriter as FeatureWriter, FeatureStoreReader, ROW, R_AX, R_AY, R_HASH, R_HEIGHT, R_LENGTH, R_MIN_HEIGHT, R_OFFSET, R_OUTLINE, R_X0, R_X1, R_Y0, R_Y1, scanRows, type StoredFeatures } from './store.js';
import type { FlatPolygons } from './wkb.js';

/**
 * The default frame origin without reading the features: the centre of the inputs' extents — layer
 * extents for OGR sources (from the header where the format has one), tile bounds for vector tiles;
 * null when no input has an extent (empty).
 */
export async function inputsOrigin(inputs: string[], opts: IngestOptions): Promise<[number, number] | null> {
  const extent = new SourceExtent();
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new Error(`cityforge ingest: ${input}: no such file or folder`);
    if (isTileSource(input)) {
      const srs = opts.sSrs ? gdal.SpatialReference.fromUserInput(opts.sSrs) : gdal.SpatialReference.fromEPSG(3857);
      const crs = crsName(srs);
      for (const t of await listTiles(input)) {
        const [x0, y0, x1, y1] = tileBounds(t.z, t.x, t.y);
        extent.add(srs, crs, x0, y0, x1, y1);
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
  // no extent at all (empty inputs): none; the read then says what is wrong with which input
  return extent.empty ? null : extent.origin();
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

/** How many hashes are sorted in memory at a time when looking for duplicate ids. */
const HASHES_PER_PASS = 1 << 22;

/**
 * Stream the inputs into an on-disk {@link StoredFeatures}: one feature at a time is read, tag-parsed,
 * reprojected into the frame, cleaned and appended to the spill file, with one fixed row in the row
 * file; nothing per building stays in memory. Ids are made unique and building parts matched to
 * their outlines afterwards by scans of the row file (memory grows with the parts and the duplicate
 * ids, not the buildings). The result is the same as {@link ingest} gives for the same origin (the
 * default origin differs: here it comes from the inputs' extents, without reading the features twice).
 */
export async function ingestToStore(inputs: string[], options: Partial<StreamIngestOptions> & { workDir: string }, logger: Logger, summary: Summary): Promise<StoredFeatures> {
  const opts: StreamIngestOptions = { ...INGEST_DEFAULTS, ...options };
  const t0 = performance.now();
  const origin = opts.origin ?? (await inputsOrigin(inputs, opts)) ?? [0, 0];
  const frame = makeFrame(origin[0], origin[1], 0, []);
  const frameSrs = gdal.SpatialReference.fromProj4(frame.proj);
  const transforms = new Map<string, gdal.CoordinateTransformation>();
  fs.mkdirSync(opts.workDir, { recursive: true });
  const file = path.join(opts.workDir, 'features.bin');
  const rowsFile = path.join(opts.workDir, 'rows.bin');
  const spill = new FeatureWriter(file);
  const rows = new FeatureWriter(rowsFile, 1 << 20);
  const row = new Float64Array(ROW);
  const partIds: number[] = [];
  const queries: number[] = [];
  const ext = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  const ctx = summaryContext(summary, logger, opts.onProgress);
  let count = 0;
  try {
    for await (const { srs, crs, feature } of readSources(inputs, opts, ctx, logger, summary)) {
      let ct = transforms.get(crs);
      if (!ct) {
        transforms.set(crs, (ct = new gdal.CoordinateTransformation(srs, frameSrs)));
        frame.sourceCrs.push(crs);
      }
      const n = normalizeFeature(feature, srs, ct, opts, summary);
      if (!n) continue;
      const f = count++;
      [row[R_OFFSET], row[R_LENGTH]] = appendRecord(spill, n.polygons, n.params);
      const c = n.polygons.coords;
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      const firstRingEnd = 2 * n.polygons.ringOffsets[1];
      for (let i = 0; i < c.length; i += 2) {
        if (i === firstRingEnd) [row[R_AX], row[R_AY]] = [(x0 + x1) / 2, (y0 + y1) / 2];
        if (c[i] < x0) x0 = c[i];
        if (c[i] > x1) x1 = c[i];
        if (c[i + 1] < y0) y0 = c[i + 1];
        if (c[i + 1] > y1) y1 = c[i + 1];
      }
      if (firstRingEnd === c.length) [row[R_AX], row[R_AY]] = [(x0 + x1) / 2, (y0 + y1) / 2];
      [row[R_X0], row[R_Y0], row[R_X1], row[R_Y1]] = [x0, y0, x1, y1];
      ext.minX = Math.min(ext.minX, x0);
      ext.minY = Math.min(ext.minY, y0);
      ext.maxX = Math.max(ext.maxX, x1);
      ext.maxY = Math.max(ext.maxY, y1);
      row[R_HEIGHT] = n.params.height;
      row[R_MIN_HEIGHT] = n.params.minHeight;
      row[R_HASH] = idHash(n.params.id);
      row[R_OUTLINE] = n.params.role === 'building' ? 1 : 0;
      appendRow(rows, row);
      if (n.params.role === 'part') {
        const pt = insidePoint(single(frame, n.polygons), 0);
        if (pt) {
          partIds.push(f);
          queries.push(pt[0], pt[1]);
        }
      }
    }
  } finally {
    spill.close();
    rows.close();
  }
  summary.time('read', (performance.now() - t0) / 1000);
  const store: StoredFeatures = { file, rowsFile, frame, count, extent: ext, anchorExtent: { ...ext }, parts: [], replaced: [], renames: [] };
  const t1 = performance.now();
  const reader = new FeatureStoreReader(store);
  try {
    store.renames = uniqueIds(store, reader, summary);
    // parts → outlines: one scan of the outlines' rows against the parts' points
    let current = { o: -1, offset: 0, length: 0 };
    let cached = -1;
    let cachedBatch: FeatureBatch | null = null;
    const outlines = (visit: (o: number, x0: number, y0: number, x1: number, y1: number) => void) =>
      scanRows(rowsFile, ROW, (i, r, k) => {
        if (r[k + R_OUTLINE] !== 1) return;
        current = { o: i, offset: r[k + R_OFFSET], length: r[k + R_LENGTH] };
        visit(i, r[k + R_X0], r[k + R_Y0], r[k + R_X1], r[k + R_Y1]);
      });
    const match = matchParts(outlines, queries, (o, x, y) => {
      if (o !== cached) [cached, cachedBatch] = [o, single(frame, reader.raw(current.offset, current.length).polygons)];
      return featureContains(cachedBatch!, 0, x, y);
    });
    const replaced = new Set<number>();
    partIds.forEach((f, k) => {
      const o = match[k];
      if (o < 0) return;
      const r = reader.row(o);
      store.parts.push([f, o, r[R_AX], r[R_AY]]);
      replaced.add(o);
    });
    store.replaced = [...replaced].sort((a, b) => a - b);
    for (let i = 0; i < replaced.size; i++) summary.warn('building:outline-drawn-as-parts');
    // the anchors' box (parts take their outline's anchor)
    const a = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    anchorsOf(store, (ax, ay) => {
      a.minX = Math.min(a.minX, ax);
      a.minY = Math.min(a.minY, ay);
      a.maxX = Math.max(a.maxX, ax);
      a.maxY = Math.max(a.maxY, ay);
    });
    store.anchorExtent = a;
  } finally {
    reader.close();
  }
  summary.time('index', (performance.now() - t1) / 1000);
  logger.debug(`frame origin ${frame.lon.toFixed(7)}, ${frame.lat.toFixed(7)}; ${count} buildings in ${file} (${(spill.offset / 1e6).toFixed(1)} MB)`);
  return store;
}

/** One feature's polygons as a batch of one (for the point-in-feature helpers). */
function single(frame: StoredFeatures['frame'], p: FlatPolygons): FeatureBatch {
  return { frame, positions: p.coords, ringOffsets: Uint32Array.from(p.ringOffsets), polygonOffsets: Uint32Array.from(p.polygonOffsets), featureOffsets: new Uint32Array([0, p.polygonOffsets.length - 1]), params: [] };
}

/**
 * Make ids unique as {@link ingest} does — the k-th building with an id (k ≥ 2, in input order)
 * becomes `id~k`, counted as an `id:duplicate` warning — from the ids' hashes in the row file, a
 * bounded slice of hashes at a time: only buildings whose hash is shared are read back to compare the
 * ids themselves.
 */
function uniqueIds(store: StoredFeatures, reader: FeatureStoreReader, summary: Summary): [number, string][] {
  const passes = Math.max(1, Math.ceil(store.count / HASHES_PER_PASS));
  const shared = new Set<number>();
  for (let pass = 0; pass < passes; pass++) {
    const slice = new Growable(Float64Array, 1 << 16);
    scanRows(store.rowsFile, ROW, (_, r, k) => {
      if (r[k + R_HASH] % passes === pass) slice.push(r[k + R_HASH]);
    });
    const sorted = slice.toArray().sort();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) shared.add(sorted[i]);
  }
  if (shared.size === 0) return [];
  const seen = new Map<string, number>();
  const renames: [number, string][] = [];
  scanRows(store.rowsFile, ROW, (f, r, k) => {
    if (!shared.has(r[k + R_HASH])) return;
    const { params } = reader.raw(r[k + R_OFFSET], r[k + R_LENGTH]);
    const n = (seen.get(params.id) ?? 0) + 1;
    seen.set(params.id, n);
    if (n > 1) {
      renames.push([f, `${params.id}~${n}`]);
      summary.warn('id:duplicate', `${params.source} feature ${params.id}`);
    }
  });
  return renames;
}
