import fs from 'node:fs';
import type { BuildingParams, FeatureBatch, FrameInfo } from '../core/types.js';
import type { FlatPolygons } from './wkb.js';
import { BatchBuilder } from './batch.js';

/**
 * The on-disk feature store of a streamed run (`cityforge tiles`). Nothing in it is held in memory per
 * building:
 * - the **spill file**: every normalized feature (cleaned polygons in the frame + its parameters) as
 *   one record — u32 JSON bytes, u32 polygons, u32 rings, u32 vertices, u32 polygon offsets
 *   (polygons + 1), u32 ring offsets (rings + 1), padding to 8, f64 x/y pairs, the parameters as JSON;
 * - the **row file**: one fixed row of {@link ROW} float64s per building (see the `R_*` columns):
 *   where its record is, its anchor, footprint box, heights, id hash and role.
 * What is held is what grows with the building parts and the duplicate ids only.
 */
export interface StoredFeatures {
  /** The spill file. */
  file: string;
  /** The row file. */
  rowsFile: string;
  frame: FrameInfo;
  /** Number of buildings. */
  count: number;
  /** Box of all footprints. */
  extent: { minX: number; minY: number; maxX: number; maxY: number };
  /** Box of all anchors (parts take their outline's). */
  anchorExtent: { minX: number; minY: number; maxX: number; maxY: number };
  /** Building parts drawn under an outline: [part, outline, outline anchor x, outline anchor y]. */
  parts: [number, number, number, number][];
  /** Outlines drawn as their parts (not drawn themselves). */
  replaced: number[];
  /** Ids changed to keep them unique (`id~2`, …): [building, new id]. */
  renames: [number, string][];
}

/** Float64 columns of a row of the row file. */
export const ROW = 12;
export const R_OFFSET = 0, R_LENGTH = 1, R_AX = 2, R_AY = 3, R_X0 = 4, R_Y0 = 5, R_X1 = 6, R_Y1 = 7, R_HEIGHT = 8, R_MIN_HEIGHT = 9, R_HASH = 10, R_OUTLINE = 11;

const HEADER = 16;

/** Appends bytes to a file through a large buffer. */
export class BufferedWriter {
  /** Bytes written so far. */
  offset = 0;
  private readonly fd: number;
  private buf: Buffer;
  private used = 0;

  constructor(readonly file: string, size = 8 << 20) {
    this.fd = fs.openSync(file, 'w');
    this.buf = Buffer.alloc(size);
  }

  /** Room for `size` bytes at `this.buffer[at]` (flushing first when needed); advance past them. */
  reserve(size: number): { buffer: Buffer; at: number } {
    if (this.used + size > this.buf.length) this.flush();
    if (size > this.buf.length) this.buf = Buffer.alloc(size);
    const at = this.used;
    this.used += size;
    this.offset += size;
    return { buffer: this.buf, at };
  }

  private flush(): void {
    let done = 0;
    while (done < this.used) done += fs.writeSync(this.fd, this.buf, done, this.used - done);
    this.used = 0;
  }

  /** Write what is buffered and close the file. */
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** Encode one feature as a spill record into a writer; returns [offset, length]. */
export function appendRecord(w: BufferedWriter, polygons: FlatPolygons, params: BuildingParams): [number, number] {
  const json = Buffer.from(JSON.stringify(params));
  const np = polygons.polygonOffsets.length - 1, nr = polygons.ringOffsets.length - 1, nv = polygons.coords.length / 2;
  const ints = HEADER + 4 * (np + 1 + nr + 1);
  const pad = (8 - (ints % 8)) % 8;
  const size = ints + pad + 16 * nv + json.length;
  const start = w.offset;
  const { buffer: b, at } = w.reserve(size);
  let o = at;
  b.writeUInt32LE(json.length, o);
  b.writeUInt32LE(np, o + 4);
  b.writeUInt32LE(nr, o + 8);
  b.writeUInt32LE(nv, o + 12);
  o += HEADER;
  for (const v of polygons.polygonOffsets) (b.writeUInt32LE(v, o), (o += 4));
  for (const v of polygons.ringOffsets) (b.writeUInt32LE(v, o), (o += 4));
  o += pad;
  for (let i = 0; i < 2 * nv; i++) (b.writeDoubleLE(polygons.coords[i], o), (o += 8));
  json.copy(b, o);
  return [start, size];
}

/** Append one row of float64s. */
export function appendRow(w: BufferedWriter, row: ArrayLike<number>): void {
  const { buffer, at } = w.reserve(8 * row.length);
  for (let i = 0; i < row.length; i++) buffer.writeDoubleLE(row[i], at + 8 * i);
}

/** Decode one record. */
export function decodeRecord(b: Buffer): { polygons: FlatPolygons; params: BuildingParams } {
  const jl = b.readUInt32LE(0), np = b.readUInt32LE(4), nr = b.readUInt32LE(8), nv = b.readUInt32LE(12);
  let o = HEADER;
  const polygonOffsets: number[] = [];
  for (let i = 0; i <= np; i++, o += 4) polygonOffsets.push(b.readUInt32LE(o));
  const ringOffsets: number[] = [];
  for (let i = 0; i <= nr; i++, o += 4) ringOffsets.push(b.readUInt32LE(o));
  o += (8 - (o % 8)) % 8;
  const coords = new Float64Array(2 * nv);
  for (let i = 0; i < 2 * nv; i++, o += 8) coords[i] = b.readDoubleLE(o);
  const params = JSON.parse(b.toString('utf8', o, o + jl)) as BuildingParams;
  return { polygons: { coords, ringOffsets, polygonOffsets }, params };
}

function readFully(fd: number, buf: Buffer, len: number, at: number, what: string): void {
  let got = 0;
  while (got < len) {
    const n = fs.readSync(fd, buf, got, len - got, at + got);
    if (n === 0) throw new Error(`cityforge: ${what} is cut short`);
    got += n;
  }
}

/**
 * Visit the rows of a file of fixed rows of `width` float64s, in order, a large chunk at a time:
 * `visit(i, rows, k)` gets row i at `rows[k .. k + width)`.
 */
export function scanRows(file: string, width: number, visit: (i: number, rows: Float64Array, k: number) => void, chunkRows = 8192): void {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const n = Math.floor(size / (8 * width));
    const buf = Buffer.alloc(8 * width * chunkRows);
    const rows = new Float64Array(buf.buffer, buf.byteOffset, width * chunkRows);
    for (let i0 = 0; i0 < n; i0 += chunkRows) {
      const m = Math.min(chunkRows, n - i0);
      readFully(fd, buf, 8 * width * m, 8 * width * i0, file);
      for (let j = 0; j < m; j++) visit(i0 + j, rows, j * width);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Where a building's record is: its index and the record's offset and length in the spill file. */
export interface RecordRef {
  index: number;
  offset: number;
  length: number;
}

/** Reads records of a store back: single features, or a set of them as a {@link FeatureBatch}. */
export class FeatureStoreReader {
  private readonly fd: number;
  private readonly rowsFd: number;
  private buf = Buffer.alloc(1 << 16);
  private readonly renames: Map<number, string>;
  private readonly outlineOf: Map<number, number>;
  private readonly replaced: Set<number>;

  constructor(readonly store: StoredFeatures) {
    this.fd = fs.openSync(store.file, 'r');
    this.rowsFd = fs.openSync(store.rowsFile, 'r');
    this.renames = new Map(store.renames);
    this.outlineOf = new Map(store.parts.map(([p, o]) => [p, o]));
    this.replaced = new Set(store.replaced);
  }

  /** Row `i` of the row file. */
  row(i: number): Float64Array {
    const b = Buffer.alloc(8 * ROW);
    readFully(this.rowsFd, b, 8 * ROW, 8 * ROW * i, this.store.rowsFile);
    return new Float64Array(b.buffer, b.byteOffset, ROW);
  }

  /** The record at `offset` (its id not yet made unique). */
  raw(offset: number, length: number): { polygons: FlatPolygons; params: BuildingParams } {
    if (length > this.buf.length) this.buf = Buffer.alloc(length);
    readFully(this.fd, this.buf, length, offset, this.store.file);
    return decodeRecord(this.buf.subarray(0, length));
  }

  /** Building `i` (its id not yet made unique). */
  feature(i: number): { polygons: FlatPolygons; params: BuildingParams } {
    const r = this.row(i);
    return this.raw(r[R_OFFSET], r[R_LENGTH]);
  }

  /** The output id of building `i`. */
  id(i: number): string {
    return this.renames.get(i) ?? this.feature(i).params.id;
  }

  /** What building `i`'s geometry is drawn as: itself, its outline (a part), or -1 (an outline drawn as its parts). */
  drawAs(i: number): number {
    return this.replaced.has(i) ? -1 : (this.outlineOf.get(i) ?? i);
  }

  /**
   * Buildings `refs` as a batch of their own, in that order: `drawAs` mapped into the batch (a part
   * whose outline is not among them draws as itself), `partOf` set to the outline's output id.
   */
  batch(refs: readonly RecordRef[]): FeatureBatch {
    const local = new Map<number, number>();
    refs.forEach((r, i) => local.set(r.index, i));
    const out = new BatchBuilder();
    refs.forEach((ref, i) => {
      const { polygons, params: q } = this.raw(ref.offset, ref.length);
      q.id = this.renames.get(ref.index) ?? q.id;
      const d = this.drawAs(ref.index);
      q.drawAs = d < 0 ? -1 : (local.get(d) ?? i);
      out.add(polygons, q);
    });
    const params = out.params;
    params.forEach((q, i) => {
      const g = refs[i].index;
      const d = this.drawAs(g);
      if (d >= 0 && d !== g) q.partOf = local.has(d) ? params[local.get(d)!].id : this.id(d);
    });
    return out.toBatch(this.store.frame);
  }

  close(): void {
    fs.closeSync(this.fd);
    fs.closeSync(this.rowsFd);
  }
}

/** Every building's anchor (a part: its outline's), in building order, from the row file; with the row (at `rows[k]`). */
export function anchorsOf(store: StoredFeatures, visit: (x: number, y: number, i: number, rows: Float64Array, k: number) => void): void {
  const moved = new Map(store.parts.map(([p, , ax, ay]) => [p, [ax, ay]]));
  scanRows(store.rowsFile, ROW, (i, r, k) => {
    const m = moved.get(i);
    if (m) visit(m[0], m[1], i, r, k);
    else visit(r[k + R_AX], r[k + R_AY], i, r, k);
  });
}
