import fs from 'node:fs';
import { BatchBuilder } from '../core/batch.js';
import { InputError, inputErrorOf } from '../core/errors.js';
import { tallestPart } from '../core/params.js';
import type { BuildingParams, FeatureBatch, FlatPolygons, KeptSurfaces } from '../core/types.js';
import { checkFileHeader, readFully, scanRowFile } from './format.js';
import { decodeRecord } from './records.js';
import { ROW_WIDTH, RowView } from './rows.js';
import type { RecordRef, StoredFeatures, StoreRow } from './types.js';

/**
 * Visit every building's row of a store in order, a large chunk at a time. The row is a view moved
 * from row to row: copy it ({@link RowView.copy}) to keep it.
 *
 * @example
 * ```ts
 * let tall = 0;
 * scanStore(store, (row) => { if (row.height > 50) tall++; });
 * ```
 */
export function scanStore(store: StoredFeatures, visit: (row: RowView) => void): void {
  const view = new RowView();
  scanRowFile(store.rowsFile, 'rows', ROW_WIDTH, (i, rows, k) => visit(view.at(i, rows, k)));
}

/** Every building's anchor (a part: its outline's), in building order, with its row. */
export function anchorsOf(store: StoredFeatures, visit: (x: number, y: number, row: RowView) => void): void {
  const moved = new Map(store.parts.map(([p, , ax, ay]) => [p, [ax, ay]]));
  scanStore(store, (row) => {
    const m = moved.get(row.index);
    if (m) visit(m[0], m[1], row);
    else visit(row.anchorX, row.anchorY, row);
  });
}

/** Records at most this many bytes apart are read together … */
const SPAN_GAP = 16384;
/** … in reads of at most this many bytes. */
const SPAN_MAX = 1 << 22;

/**
 * Reads a store's buildings back: single rows and records, or a set of them as a
 * {@link FeatureBatch} with unique ids and parts resolved.
 *
 * @example
 * ```ts
 * const reader = new StoreReader(store);
 * try {
 *   const batch = reader.batch([reader.row(0), reader.row(5)]);
 * } finally {
 *   reader.close();
 * }
 * ```
 */
export class StoreReader {
  private readonly fd: number;
  private readonly size: number;
  private readonly rowsFd: number;
  private readonly rowsStart: number;
  private buf = Buffer.alloc(1 << 16);
  private readonly renames: Map<number, string>;
  private readonly outlineOf: Map<number, number>;
  private readonly replaced: Set<number>;
  private readonly partHeights: Map<number, [number, boolean]>;
  private readonly rests: Map<number, FlatPolygons>;

  constructor(readonly store: StoredFeatures) {
    this.fd = fs.openSync(store.file, 'r');
    this.size = fs.fstatSync(this.fd).size;
    this.rowsFd = fs.openSync(store.rowsFile, 'r');
    try {
      checkFileHeader(store.file, this.fd, 'features');
      this.rowsStart = checkFileHeader(store.rowsFile, this.rowsFd, 'rows');
    } catch (e) {
      this.close();
      throw e;
    }
    this.renames = new Map(store.renames);
    this.outlineOf = new Map(store.parts.map(([p, o]) => [p, o]));
    this.replaced = new Set(store.replaced);
    this.partHeights = new Map((store.partHeights ?? []).map(([o, h, measured]) => [o, [h, measured !== 0]]));
    this.rests = new Map((store.rests ?? []).map(([o, p]) => [o, { coords: Float64Array.from(p.coords), ringOffsets: p.ringOffsets, polygonOffsets: p.polygonOffsets }]));
  }

  /** Row `i` (a copy). */
  row(i: number): StoreRow {
    const b = Buffer.alloc(8 * ROW_WIDTH);
    readFully(this.rowsFd, b, 8 * ROW_WIDTH, this.rowsStart + 8 * ROW_WIDTH * i, this.store.rowsFile);
    return new RowView().at(i, new Float64Array(b.buffer, b.byteOffset, ROW_WIDTH), 0).copy();
  }

  /** The record of a building (its id not yet made unique). */
  raw(ref: RecordRef): { polygons: FlatPolygons; params: BuildingParams; surfaces: KeptSurfaces | null } {
    return this.records([ref])[0];
  }

  /**
   * The records of `refs`, in that order, read in spans: records a little apart in the file (a tile's
   * buildings mostly came in together) share one read, not a system call each.
   */
  private records(refs: readonly RecordRef[]): ReturnType<StoreReader['raw']>[] {
    // (damaged-store-was-a-bug: a bucket's flipped bytes gave a record's place past the file, and Node's
    // range error came out with its stack, exit 1)
    for (const r of refs)
      if (!(Number.isSafeInteger(r.offset) && Number.isSafeInteger(r.length) && r.offset >= 0 && r.length > 0 && r.offset + r.length <= this.size))
        throw new InputError('store', `${this.store.file}: building ${r.index}'s record lies outside the file (${r.offset} + ${r.length} of ${this.size} bytes): the store is damaged; make it again`);
    const order = refs.map((_, i) => i).sort((a, b) => refs[a].offset - refs[b].offset || a - b);
    const out: ReturnType<StoreReader['raw']>[] = new Array(refs.length);
    for (let k = 0; k < order.length; ) {
      const start = refs[order[k]].offset;
      let end = start + refs[order[k]].length;
      let j = k + 1;
      while (j < order.length) {
        const r = refs[order[j]];
        const e = Math.max(end, r.offset + r.length);
        if (r.offset - end > SPAN_GAP || e - start > SPAN_MAX) break;
        end = e;
        j++;
      }
      if (end - start > this.buf.length) this.buf = Buffer.alloc(end - start);
      readFully(this.fd, this.buf, end - start, start, this.store.file);
      for (; k < j; k++) {
        const ref = refs[order[k]];
        try {
          out[order[k]] = decodeRecord(this.buf.subarray(ref.offset - start, ref.offset - start + ref.length));
          const tallest = this.partHeights.get(ref.index);
          if (tallest !== undefined) tallestPart(out[order[k]].params, tallest[0], tallest[1]);
        } catch (e) {
          throw inputErrorOf('store', `${this.store.file}: record of building ${ref.index} is damaged`, e);
        }
      }
    }
    return out;
  }

  /** Building `i` (its id not yet made unique). */
  feature(i: number): { polygons: FlatPolygons; params: BuildingParams; surfaces: KeptSurfaces | null } {
    return this.raw(this.row(i));
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
    const records = this.records(refs);
    refs.forEach((ref, i) => {
      const { polygons, params: q, surfaces } = records[i];
      q.id = this.renames.get(ref.index) ?? q.id;
      const d = this.drawAs(ref.index);
      q.drawAs = d < 0 ? -1 : (local.get(d) ?? i);
      // (an outline its parts cover in part: drawn as the rest of it)
      out.add(this.rests.get(ref.index) ?? polygons, q, surfaces);
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
    for (const fd of [this.fd, this.rowsFd])
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
  }
}
