import fs from 'node:fs';
import type { BuildingParams, FeatureBatch, FrameInfo } from '../core/types.js';
import type { FlatPolygons } from './wkb.js';

/**
 * The on-disk feature store of a streamed run (`cityforge tiles`): every normalized feature (cleaned
 * polygons in the frame + its parameters) as one record in a spill file, plus a small index in
 * memory — a fixed 68 bytes per building (record offset, anchor, bounding box, heights, drawAs) in
 * shared typed arrays, so worker threads read it without a copy. Tiles read their buildings' records
 * back with {@link FeatureStoreReader.batch}.
 *
 * Record layout (little endian): u32 JSON bytes, u32 polygons, u32 rings, u32 vertices,
 * u32 polygon offsets (polygons + 1), u32 ring offsets (rings + 1), padding to 8, f64 x/y pairs, the
 * parameters as JSON.
 */
export interface StoredFeatures {
  /** The spill file. */
  file: string;
  frame: FrameInfo;
  /** Number of buildings. */
  count: number;
  /** Byte offset of every record, plus the end (count + 1). */
  offsets: Float64Array;
  /** Anchor per building (x, y): the centre of its first polygon's box; a part takes its outline's. */
  anchors: Float64Array;
  /** Box of every building's footprint (x0, y0, x1, y1). */
  bbox: Float64Array;
  /** Height and min height per building. */
  heights: Float64Array;
  /** The building whose id a building's geometry carries: itself, its outline (a part), or -1 (an outline drawn as its parts). */
  drawAs: Int32Array;
  /** Ids changed to keep them unique (`id~2`, …): [building, new id]. */
  renames: [number, string][];
  /** Box of all footprints. */
  extent: { minX: number; minY: number; maxX: number; maxY: number };
}

const HEADER = 16;

/** Appends records to a spill file through a large buffer. */
export class FeatureStoreWriter {
  /** Bytes written so far (the next record's offset). */
  offset = 0;
  private readonly fd: number;
  private buf = Buffer.alloc(8 << 20);
  private used = 0;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'w');
  }

  /** Append one feature; returns its offset. */
  append(polygons: FlatPolygons, params: BuildingParams): number {
    const json = Buffer.from(JSON.stringify(params));
    const np = polygons.polygonOffsets.length - 1, nr = polygons.ringOffsets.length - 1, nv = polygons.coords.length / 2;
    const ints = HEADER + 4 * (np + 1 + nr + 1);
    const pad = (8 - (ints % 8)) % 8;
    const size = ints + pad + 16 * nv + json.length;
    if (this.used + size > this.buf.length) this.flush();
    if (size > this.buf.length) this.buf = Buffer.alloc(size);
    const b = this.buf;
    let o = this.used;
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
    const at = this.offset;
    this.used += size;
    this.offset += size;
    return at;
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

/** Reads records of a store back: single features, or a set of them as a {@link FeatureBatch}. */
export class FeatureStoreReader {
  private readonly fd: number;
  private buf = Buffer.alloc(1 << 16);
  private readonly renames: Map<number, string>;

  constructor(readonly store: StoredFeatures) {
    this.fd = fs.openSync(store.file, 'r');
    this.renames = new Map(store.renames);
  }

  /** Record `i` as stored (its id not yet made unique). */
  raw(i: number): { polygons: FlatPolygons; params: BuildingParams } {
    const at = this.store.offsets[i], len = this.store.offsets[i + 1] - at;
    if (len > this.buf.length) this.buf = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const n = fs.readSync(this.fd, this.buf, got, len - got, at + got);
      if (n === 0) throw new Error(`cityforge: ${this.store.file}: record ${i} is cut short`);
      got += n;
    }
    return decodeRecord(this.buf.subarray(0, len));
  }

  /** The output id of building `i`. */
  id(i: number): string {
    return this.renames.get(i) ?? this.raw(i).params.id;
  }

  /**
   * Buildings `ids` as a batch of their own, in that order: `drawAs` mapped into the batch (a part
   * whose outline is not among them draws as itself), `partOf` set to the outline's output id.
   */
  batch(ids: ArrayLike<number>): FeatureBatch {
    const local = new Map<number, number>();
    for (let i = 0; i < ids.length; i++) local.set(ids[i], i);
    const records = Array.from({ length: ids.length }, (_, i) => this.raw(ids[i]));
    let nv = 0, nr = 0, np = 0;
    for (const { polygons: p } of records) {
      nv += p.coords.length / 2;
      nr += p.ringOffsets.length - 1;
      np += p.polygonOffsets.length - 1;
    }
    const positions = new Float64Array(2 * nv);
    const ringOffsets = new Uint32Array(nr + 1);
    const polygonOffsets = new Uint32Array(np + 1);
    const featureOffsets = new Uint32Array(ids.length + 1);
    let v = 0, r = 0, p = 0;
    const params: BuildingParams[] = [];
    records.forEach(({ polygons, params: q }, i) => {
      positions.set(polygons.coords, 2 * v);
      for (let k = 1; k < polygons.ringOffsets.length; k++) ringOffsets[r + k] = v + polygons.ringOffsets[k];
      for (let k = 1; k < polygons.polygonOffsets.length; k++) polygonOffsets[p + k] = r + polygons.polygonOffsets[k];
      v += polygons.coords.length / 2;
      r += polygons.ringOffsets.length - 1;
      p += polygons.polygonOffsets.length - 1;
      featureOffsets[i + 1] = p;
      const g = ids[i];
      q.id = this.renames.get(g) ?? q.id;
      const d = this.store.drawAs[g];
      q.drawAs = d < 0 ? -1 : (local.get(d) ?? i);
      params.push(q);
    });
    params.forEach((q, i) => {
      const d = this.store.drawAs[ids[i]];
      if (d >= 0 && d !== ids[i]) q.partOf = local.has(d) ? params[local.get(d)!].id : this.id(d);
    });
    return { frame: this.store.frame, positions, ringOffsets, polygonOffsets, featureOffsets, params };
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
