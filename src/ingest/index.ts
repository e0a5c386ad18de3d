import gdal from 'gdal-async';
import fs from 'node:fs';
import path from 'node:path';
import { Growable } from '../core/growable.js';
import type { Logger } from '../core/logger.js';
import { makeFrame } from '../core/frame.js';
import type { Summary } from '../core/summary.js';
import type { BuildingParams, FeatureBatch, FrameInfo } from '../core/types.js';
import { crsName, openOgr, readOgrLayer, type SelectOptions } from './ogr.js';
import { isTileSource, listTiles, readTilePieces, type TilePiece } from './mvt.js';
import type { RawFeature, ReadContext } from './raw.js';
import { cleanPolygons, REPAIR_DEFAULTS, type RepairOptions } from './repair.js';
import { rejoinTilePieces, REJOIN_DEFAULTS } from './rejoin.js';
import { parseBuilding, TAG_DEFAULTS, type TagOptions } from './tags.js';
import { parsePolygonalWKB } from './wkb.js';
import { resolveParts } from './parts.js';

export { parseLength, parseLevels, parseColour, parseDirection, parseBuilding, TAG_DEFAULTS } from './tags.js';
export type { TagOptions, TagValue } from './tags.js';

/** Options for {@link ingest}. */
export interface IngestOptions extends TagOptions, RepairOptions, SelectOptions {
  /** Frame origin `[lon, lat]`; default: the centre of the data. */
  origin?: [number, number];
  /** Called every so often with the number of features read so far. */
  onProgress?: (featuresRead: number) => void;
}

/** Defaults for {@link IngestOptions}. */
export const INGEST_DEFAULTS: IngestOptions = { ...TAG_DEFAULTS, ...REPAIR_DEFAULTS };

interface CrsGroup {
  srs: gdal.SpatialReference;
  name: string;
  features: RawFeature[];
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

const WGS84 = gdal.SpatialReference.fromEPSG(4326);

/**
 * Read every input, join tile pieces, parse tags, reproject into one local east-north-up frame
 * centred on the data, and clean the footprints.
 *
 * Throws a one-line `cityforge ingest: …` error for a broken input (missing, unreadable, no CRS,
 * empty); a broken feature is skipped and counted in `summary`.
 */
export async function ingest(inputs: string[], options: Partial<IngestOptions>, logger: Logger, summary: Summary): Promise<FeatureBatch> {
  const opts: IngestOptions = { ...INGEST_DEFAULTS, ...options };
  const groups = new Map<string, CrsGroup>();
  const t0 = performance.now();
  const ctx: ReadContext = {
    skip: (reason, detail) => {
      summary.skip(reason, detail);
      logger.debug(`skipped ${detail}`);
    },
    warn: (kind, detail) => {
      summary.warn(kind, detail);
      logger.debug(`warning ${kind}: ${detail}`);
    },
    tick: () => {
      summary.featuresRead++;
      if (opts.onProgress && summary.featuresRead % 1000 === 0) opts.onProgress(summary.featuresRead);
    },
  };
  const addFeature = (srs: gdal.SpatialReference, name: string, f: RawFeature) => {
    let g = groups.get(name);
    if (!g) {
      g = { srs, name, features: [], minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
      groups.set(name, g);
    }
    g.features.push(f);
  };

  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new Error(`cityforge ingest: ${input}: no such file or folder`);
    summary.inputs.push(input);
    const before = summary.featuresRead;
    let kept = 0;
    if (isTileSource(input)) {
      const layerName = opts.layers?.[0] ?? 'building';
      const tiles = await listTiles(input);
      const srs = opts.sSrs ? gdal.SpatialReference.fromUserInput(opts.sSrs) : gdal.SpatialReference.fromEPSG(3857);
      const pieces: TilePiece[] = [];
      for (const t of tiles) for (const p of await readTilePieces(input, t, layerName, opts.where, ctx)) pieces.push(p);
      if (summary.featuresRead === before) throw new Error(`cityforge ingest: ${input} layer ${layerName}: no features in ${tiles.length} tile(s)`);
      const { features, report } = rejoinTilePieces(path.basename(input), layerName, pieces, REJOIN_DEFAULTS);
      logger.info(`${input}: ${tiles.length} tiles, ${pieces.length} pieces (${report.piecesOnEdges} on tile edges) → ${features.length} features (${report.groupsJoined} buildings re-joined from ${report.piecesJoined} pieces)`);
      for (const f of features) addFeature(srs, crsName(srs), f);
      kept = features.length;
    } else {
      const { ds, layers } = openOgr(input, opts);
      for (const ol of layers) {
        const n0 = summary.featuresRead;
        for (const f of readOgrLayer(ol, ctx)) {
          addFeature(ol.srs, ol.crsName, f);
          kept++;
        }
        if (summary.featuresRead === n0 && opts.layers?.length) throw new Error(`cityforge ingest: ${input} layer ${ol.layerName}: layer is empty${opts.where ? ` (with --where '${opts.where}')` : ''}`);
      }
      ds.close();
      if (summary.featuresRead === before) throw new Error(`cityforge ingest: ${input} layer ${layers.map((l) => l.layerName).join(',')}: no features${opts.where ? ` (with --where '${opts.where}')` : ''}`);
      logger.info(`${input}: ${summary.featuresRead - before} features from layer(s) ${layers.map((l) => l.layerName).join(', ')}`);
    }
    if (kept === 0) throw new Error(`cityforge ingest: ${input}: all ${summary.featuresRead - before} features are invalid (see the skip counts)`);
  }
  summary.time('read', (performance.now() - t0) / 1000);

  // Frame origin: the centre of the data in lon/lat (or the one given).
  const t1 = performance.now();
  let origin = opts.origin;
  if (!origin) {
    let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
    for (const g of groups.values()) {
      for (const f of g.features) {
        const c = parsePolygonalWKB(f.wkb).coords;
        for (let i = 0; i < c.length; i += 2) {
          if (c[i] < g.minX) g.minX = c[i];
          if (c[i] > g.maxX) g.maxX = c[i];
          if (c[i + 1] < g.minY) g.minY = c[i + 1];
          if (c[i + 1] > g.maxY) g.maxY = c[i + 1];
        }
      }
      const ct = new gdal.CoordinateTransformation(g.srs, WGS84);
      const corners = [[g.minX, g.minY], [g.maxX, g.minY], [g.maxX, g.maxY], [g.minX, g.maxY]];
      for (const [x, y] of corners) {
        let p: { x: number; y: number };
        try {
          p = ct.transformPoint(x, y);
        } catch {
          throw new Error(`cityforge ingest: CRS ${g.name}: coordinates (${x}, ${y}) cannot be transformed to WGS84; is the CRS right? (--s-srs)`);
        }
        minLon = Math.min(minLon, p.x);
        maxLon = Math.max(maxLon, p.x);
        minLat = Math.min(minLat, p.y);
        maxLat = Math.max(maxLat, p.y);
      }
    }
    origin = [(minLon + maxLon) / 2, (minLat + maxLat) / 2];
    if (!(Math.abs(origin[1]) <= 90 && Math.abs(origin[0]) <= 360)) throw new Error(`cityforge ingest: the data's centre (${origin}) is not a place on Earth; is the CRS right? (--s-srs)`);
  }
  const frame = makeFrame(origin[0], origin[1], 0, [...groups.keys()]);
  const batch = toFeatureBatch(frame, [...groups.values()], opts, summary, logger);
  const replaced = resolveParts(batch);
  for (let i = 0; i < replaced; i++) summary.warn('building:outline-drawn-as-parts');
  summary.time('reproject', (performance.now() - t1) / 1000);
  return batch;
}

/** Reproject, parse tags and clean every feature, into one columnar batch. */
function toFeatureBatch(frame: FrameInfo, groups: CrsGroup[], opts: IngestOptions, summary: Summary, logger: Logger): FeatureBatch {
  const frameSrs = gdal.SpatialReference.fromProj4(frame.proj);
  const positions = new Growable(Float64Array, 1 << 16);
  const ringOffsets = new Growable(Uint32Array, 1 << 12);
  const polygonOffsets = new Growable(Uint32Array, 1 << 12);
  const featureOffsets = new Growable(Uint32Array, 1 << 12);
  ringOffsets.push(0);
  polygonOffsets.push(0);
  featureOffsets.push(0);
  const params: BuildingParams[] = [];
  const ids = new Map<string, number>();
  for (const g of groups.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const ct = new gdal.CoordinateTransformation(g.srs, frameSrs);
    for (const f of g.features) {
      const detail = `${f.source} feature ${f.id}`;
      const parsed = parseBuilding(f.tags, f.id, f.source, opts, (kind) => summary.warn(kind, detail));
      if ('skip' in parsed) {
        summary.skip(parsed.skip, detail);
        continue;
      }
      let flat;
      try {
        const geom = gdal.Geometry.fromWKB(Buffer.from(f.wkb.buffer, f.wkb.byteOffset, f.wkb.byteLength), g.srs);
        geom.transform(ct);
        flat = parsePolygonalWKB(geom.toWKB('LSB'));
      } catch (e) {
        summary.skip('reproject:failed', `${detail}: ${(e as Error).message}`);
        continue;
      }
      const { polygons, report } = cleanPolygons(flat, opts);
      if (report.holesDropped) summary.warn('ring:degenerate-hole-dropped', detail);
      if (report.polygonsDropped && polygons.polygonOffsets.length > 1) summary.warn('ring:degenerate-polygon-dropped', detail);
      if (polygons.polygonOffsets.length === 1) {
        summary.skip('geometry:degenerate', `${detail}: no polygon left after removing repeated, spike and collinear vertices`);
        continue;
      }
      const p = parsed.params;
      p.pieces = f.pieces;
      const seen = ids.get(p.id);
      if (seen !== undefined) {
        ids.set(p.id, seen + 1);
        summary.warn('id:duplicate', detail);
        p.id = `${p.id}~${seen + 1}`;
      } else {
        ids.set(p.id, 1);
      }
      const v0 = positions.length / 2;
      const ringBase = ringOffsets.length - 1;
      positions.reserve(polygons.coords.length);
      for (let i = 0; i < polygons.coords.length; i++) positions.push(polygons.coords[i]);
      for (let r = 1; r < polygons.ringOffsets.length; r++) ringOffsets.push(v0 + polygons.ringOffsets[r]);
      for (let k = 1; k < polygons.polygonOffsets.length; k++) polygonOffsets.push(ringBase + polygons.polygonOffsets[k]);
      featureOffsets.push(polygonOffsets.length - 1);
      params.push(p);
    }
  }
  logger.debug(`frame origin ${frame.lon.toFixed(7)}, ${frame.lat.toFixed(7)}; ${params.length} buildings`);
  return {
    frame,
    positions: positions.toArray(),
    ringOffsets: ringOffsets.toArray(),
    polygonOffsets: polygonOffsets.toArray(),
    featureOffsets: featureOffsets.toArray(),
    params,
  };
}
