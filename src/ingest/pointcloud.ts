import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import gdal from './gdal.js';
import { InputError, inputErrorOf } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { trackTemp, untrackTemp } from '../core/temp.js';
import { sweepStaleMosaics } from './raster-tiles.js';

/** What a LAS/LAZ file's header says (LAS 1.0–1.4). */
export interface LasHeader {
  version: string;
  /** Point data record format (0–10), without LAZ's compression bits. */
  format: number;
  recordLength: number;
  count: number;
  offsetToPoints: number;
  compressed: boolean;
  scale: [number, number, number];
  offset: [number, number, number];
  /** [minX, minY, minZ, maxX, maxY, maxZ] */
  bounds: [number, number, number, number, number, number];
  /** The CRS: OGC WKT from the header's records, `EPSG:n` from its GeoTIFF keys, or null. */
  crs: string | null;
}

/** Whether a path names a LAS/LAZ point cloud (by extension). */
export function isPointCloud(file: string): boolean {
  return /\.la[sz]$/i.test(file);
}

const ascii = (b: Uint8Array, at: number, n: number) => {
  let s = '';
  for (let k = at; k < at + n && b[k]; k++) s += String.fromCharCode(b[k]);
  return s;
};

/**
 * Parse a LAS/LAZ header and its CRS records (variable-length records and, in LAS 1.4, extended ones).
 * `read(offset, length)` returns the file's bytes there.
 *
 * @example
 * ```ts
 * const h = readLasHeader((at, n) => bytes.subarray(at, at + n), 'cloud.laz');
 * h.count; h.crs; // 'EPSG:28992'
 * ```
 */
export function readLasHeader(read: (offset: number, length: number) => Uint8Array, file: string): LasHeader {
  const b = read(0, 375);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 227 || ascii(b, 0, 4) !== 'LASF') throw new InputError('ingest', `${file}: not a LAS/LAZ point cloud (no LASF signature)`);
  const major = b[24], minor = b[25];
  const headerSize = v.getUint16(94, true);
  const offsetToPoints = v.getUint32(96, true);
  const vlrs = v.getUint32(100, true);
  const formatByte = b[104];
  const format = formatByte & 0x3f;
  const compressed = (formatByte & 0x80) !== 0;
  const recordLength = v.getUint16(105, true);
  let count = v.getUint32(107, true);
  if (minor >= 4 && b.length >= 255) {
    const big = Number(v.getBigUint64(247, true));
    if (big > 0) count = big;
  }
  if (format > 10 || recordLength < 20) throw new InputError('ingest', `${file}: point format ${format} with ${recordLength}-byte records is not LAS`);
  const f64 = (at: number) => v.getFloat64(at, true);
  const scale: [number, number, number] = [f64(131), f64(139), f64(147)];
  const offset: [number, number, number] = [f64(155), f64(163), f64(171)];
  const bounds: LasHeader['bounds'] = [f64(187), f64(203), f64(219), f64(179), f64(195), f64(211)];
  // CRS: WKT (record 2112) wins over GeoTIFF keys (34735)
  let wkt: string | null = null, epsg: number | null = null;
  const record = (user: string, id: number, body: () => Uint8Array) => {
    if (user !== 'LASF_Projection') return;
    if (id === 2112) wkt = ascii(body(), 0, 1 << 30).trim() || null;
    if (id === 34735) {
      const k = body();
      const kv = new DataView(k.buffer, k.byteOffset, k.byteLength);
      const n = kv.getUint16(6, true);
      for (let i = 0; i < n && 8 + 8 * i + 8 <= k.length; i++) {
        const key = kv.getUint16(8 + 8 * i, true), loc = kv.getUint16(8 + 8 * i + 2, true), val = kv.getUint16(8 + 8 * i + 6, true);
        if (loc === 0 && (key === 3072 || (key === 2048 && epsg === null)) && val > 0 && val < 32767) epsg = val;
      }
    }
  };
  let at = headerSize;
  for (let r = 0; r < vlrs; r++) {
    const h = read(at, 54);
    if (h.length < 54) break;
    const len = new DataView(h.buffer, h.byteOffset, 54).getUint16(20, true);
    const start = at + 54;
    record(ascii(h, 2, 16), new DataView(h.buffer, h.byteOffset, 54).getUint16(18, true), () => read(start, len));
    at = start + len;
  }
  if (minor >= 4 && b.length >= 247) {
    let e = Number(v.getBigUint64(235, true));
    const n = v.getUint32(243, true);
    for (let r = 0; r < n && e > 0; r++) {
      const h = read(e, 60);
      if (h.length < 60) break;
      const hv = new DataView(h.buffer, h.byteOffset, 60);
      const len = Number(hv.getBigUint64(20, true));
      const start = e + 60;
      record(ascii(h, 2, 16), hv.getUint16(18, true), () => read(start, len));
      e = start + len;
    }
  }
  return { version: `${major}.${minor}`, format, recordLength, count, offsetToPoints, compressed, scale, offset, bounds, crs: wkt ?? (epsg !== null ? `EPSG:${epsg}` : null) };
}

/** One point's fields that matter here: its coordinates and ASPRS class. */
export type PointVisitor = (x: number, y: number, z: number, classification: number) => void;

/** The classification of a raw point record: byte 15 (bits 0–4) in formats 0–5, byte 16 in 6–10. */
const classOf = (rec: Uint8Array, at: number, format: number) => (format >= 6 ? rec[at + 16] : rec[at + 15] & 0x1f);

interface LazModule {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  LASZip: new () => { open(p: number, n: number): void; getPoint(p: number): void; getCount(): number; delete(): void };
}

let lazModule: Promise<LazModule> | undefined;
/** A file opened for reading at offsets (bytes past the end come back short); an input error naming it when it cannot be opened. */
function openForReading(file: string): { read(offset: number, length: number): Uint8Array; size: number; close(): void } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw inputErrorOf('ingest', `${file}: cannot open`, e);
  }
  const size = fs.fstatSync(fd).size;
  return {
    size,
    read: (offset, length) => {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = new Uint8Array(n);
      if (n) fs.readSync(fd, buf, 0, n, offset);
      return buf;
    },
    close: () => fs.closeSync(fd),
  };
}

/** laz-perf (LASzip compiled to WebAssembly), loaded once. */
function lazPerf(): Promise<LazModule> {
  const require = createRequire(import.meta.url);
  return (lazModule ??= (require('laz-perf') as { createLazPerf: () => Promise<LazModule> }).createLazPerf());
}

/**
 * Visit every point of a LAS file (read in blocks: bounded memory) or a LAZ file (decompressed by
 * laz-perf; the compressed file is held in memory while it is read).
 */
export async function forEachPoint(file: string, visit: PointVisitor): Promise<LasHeader> {
  const { read, size, close } = openForReading(file);
  try {
    const h = readLasHeader(read, file);
    const [sx, sy, sz] = h.scale, [ox, oy, oz] = h.offset;
    const emit = (rec: Uint8Array, at: number) => {
      const dv = new DataView(rec.buffer, rec.byteOffset + at, 12);
      visit(dv.getInt32(0, true) * sx + ox, dv.getInt32(4, true) * sy + oy, dv.getInt32(8, true) * sz + oz, classOf(rec, at, h.format));
    };
    if (!h.compressed) {
      if (h.offsetToPoints + h.count * h.recordLength > size) throw new InputError('ingest', `${file}: truncated (the header promises ${h.count} points of ${h.recordLength} bytes)`);
      const block = Math.max(1, Math.floor((4 << 20) / h.recordLength));
      for (let i = 0; i < h.count; i += block) {
        const n = Math.min(block, h.count - i);
        const rec = read(h.offsetToPoints + i * h.recordLength, n * h.recordLength);
        for (let k = 0; k < n; k++) emit(rec, k * h.recordLength);
      }
      return h;
    }
    const laz = await lazPerf();
    const bytes = read(0, size);
    const p = laz._malloc(size), pt = laz._malloc(h.recordLength);
    const z = new laz.LASZip();
    try {
      laz.HEAPU8.set(bytes, p);
      z.open(p, size);
      const n = z.getCount();
      for (let i = 0; i < n; i++) {
        z.getPoint(pt);
        emit(laz.HEAPU8, pt);
      }
    } catch (e) {
      throw e instanceof InputError ? e : inputErrorOf('ingest', `${file}: cannot decompress the LAZ points`, e);
    } finally {
      z.delete();
      laz._free(pt);
      laz._free(p);
    }
    return h;
  } finally {
    close();
  }
}

/** Options for {@link gridPoints}. */
export interface PointGridOptions {
  /** What the grid holds: the highest point per cell of every non-noise point (a DSM), or the lowest of the ground points (class 2: a DTM, holes under buildings filled by interpolation). */
  role: 'surface' | 'ground';
  /** Cell size, metres (in the cloud's CRS units: feet, or degrees of latitude, converted); 0: from the point density (about two points a cell, 0.25–2 m). */
  cell: number;
  /** The CRS when the file says none (`--s-srs`-like). */
  crs?: string;
  /** Largest grid, cells. */
  maxCells: number;
}

/** ASPRS classes that are noise (low and high noise): never part of a surface. */
const NOISE = new Set([7, 18]);
const GROUND = 2;
const NODATA = -32768;

/**
 * Rasterise a LAS/LAZ point cloud into a temporary GeoTIFF in its own CRS — the highest point of each
 * cell (surface) or the lowest ground point with gaps filled (ground) — for the raster path
 * (warped into the frame like any DSM/DTM). Removed by `release()`, on Ctrl-C, and by the next run after
 * a kill -9. A cloud without CRS (and no `crs` option), without points, or without ground points for
 * `ground` stops the run (InputError naming the file).
 */
export async function gridPoints(file: string, options: PointGridOptions, logger: Logger): Promise<{ file: string; release(): void; points: number; used: number }> {
  // first pass: the header (bounds, CRS) without reading the points
  const f = openForReading(file);
  let h: LasHeader;
  try {
    h = readLasHeader(f.read, file);
  } finally {
    f.close();
  }
  const crs = h.crs ?? options.crs;
  if (!crs) throw new InputError('ingest', `${file}: the point cloud says no CRS (no WKT or GeoTIFF keys in its header); give it with --s-srs`);
  let srs: gdal.SpatialReference;
  try {
    srs = gdal.SpatialReference.fromUserInput(crs);
  } catch (e) {
    throw inputErrorOf('ingest', `${file}: its CRS is not understood (${crs.slice(0, 60)})`, e);
  }
  if (h.count === 0) throw new InputError('ingest', `${file}: the point cloud holds no points`);
  const unit = srs.isGeographic() ? 111_320 : srs.getLinearUnits().value || 1;
  const [minX, minY, , maxX, maxY] = h.bounds;
  const area = (maxX - minX) * (maxY - minY) * unit * unit;
  const cellMetres = options.cell > 0 ? options.cell : Math.min(2, Math.max(0.25, Math.round(20 * Math.sqrt((2 * area) / h.count)) / 20));
  const c = cellMetres / unit;
  const x0 = Math.floor(minX / c) * c, y1 = Math.ceil(maxY / c) * c;
  const w = Math.floor((maxX - x0) / c) + 1, ht = Math.floor((y1 - minY) / c) + 1;
  if (w * ht > options.maxCells)
    throw new InputError('ingest', `${file}: its extent at ${cellMetres} m cells makes ${((w * ht) / 1e6).toFixed(0)} million cells, more than the limit of ${(options.maxCells / 1e6).toFixed(0)} million; clip the cloud or choose a coarser --cell`);
  const grid = new Float32Array(w * ht).fill(NaN);
  const ground = options.role === 'ground';
  let used = 0;
  await forEachPoint(file, (x, y, z, cls) => {
    if (ground ? cls !== GROUND : NOISE.has(cls)) return;
    const i = Math.floor((x - x0) / c), j = Math.floor((y1 - y) / c);
    if (i < 0 || j < 0 || i >= w || j >= ht || !Number.isFinite(z)) return;
    const k = j * w + i;
    const v = grid[k];
    if (Number.isNaN(v) || (ground ? z < v : z > v)) grid[k] = z;
    used++;
  });
  if (used === 0) throw new InputError('ingest', ground ? `${file}: no ground points (ASPRS class 2) to make a terrain model of; classify the cloud, or give a DTM raster` : `${file}: no points inside its header's bounds`);
  for (let k = 0; k < grid.length; k++) if (Number.isNaN(grid[k])) grid[k] = NODATA;
  sweepStaleMosaics();
  const out = path.join(os.tmpdir(), `cityforge-${process.pid}-${counter++}-points-${options.role}.tif`);
  trackTemp(out, 'file');
  try {
    const ds = gdal.open(out, 'w', 'GTiff', w, ht, 1, gdal.GDT_Float32, ['TILED=YES']);
    ds.srs = srs;
    ds.geoTransform = [x0, c, 0, y1, 0, -c];
    const band = ds.bands.get(1);
    band.noDataValue = NODATA;
    band.pixels.write(0, 0, w, ht, grid);
    // ground points miss whatever stands on the ground: interpolate under the buildings
    if (ground) gdal.fillNodata({ src: band, searchDist: Math.max(50, Math.ceil(200 / c)), smoothingIterations: 0 });
    ds.close();
  } catch (e) {
    fs.rmSync(out, { force: true });
    untrackTemp(out);
    throw inputErrorOf('ingest', `${file}: cannot grid the points`, e);
  }
  logger.info(`${file}: ${used} of ${h.count} points (LAS ${h.version}, format ${h.format}${h.compressed ? ', LAZ' : ''}) gridded at ${cellMetres} m as the ${ground ? 'ground (class 2, gaps interpolated)' : 'surface (highest point per cell)'}, ${w} × ${ht} cells`);
  return {
    file: out, points: h.count, used,
    release: () => {
      fs.rmSync(out, { force: true });
      fs.rmSync(`${out}.aux.xml`, { force: true });
      untrackTemp(out);
    },
  };
}

let counter = 0;
