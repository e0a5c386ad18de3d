import path from 'node:path';
import { emptyExtent, extentOf, growByExtent, type Extent } from '../core/extent.js';
import type { BuildingParams, FlatPolygons, FrameInfo, KeptSurfaces } from '../core/types.js';
import { BufferedWriter } from './format.js';
import { appendRecord } from './records.js';
import { encodeRow, ROW_WIDTH } from './rows.js';
import type { StoredFeatures, StoreRow } from './types.js';
import { makeDirs } from '../io/files.js';

/** FNV-1a over a string, 32 bits, from `seed`. */
function fnv(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** A 53-bit hash of an id (two FNV-1a streams). */
export const idHash = (s: string): number => fnv(s, 2166136261) * 2 ** 21 + (fnv(s, 84696351) & 0x1fffff);

/**
 * Writes a feature store into a folder, one building at a time: its record goes to the spill file and
 * its row to the row file; nothing per building is kept.
 *
 * @example
 * ```ts
 * const w = new StoreWriter(workDir, frame);
 * for (const { polygons, params } of features) w.add(polygons, params);
 * const store = w.finish(); // parts, replaced and renames empty: the caller resolves them
 * ```
 */
export class StoreWriter {
  /** Buildings written. */
  count = 0;
  /** Box of every footprint so far. */
  readonly extent: Extent = emptyExtent();
  private readonly spill: BufferedWriter;
  private readonly rows: BufferedWriter;
  private readonly row = new Float64Array(ROW_WIDTH);

  constructor(readonly dir: string, readonly frame: FrameInfo) {
    makeDirs(dir);
    this.spill = new BufferedWriter(path.join(dir, 'features.bin'), 'features');
    this.rows = new BufferedWriter(path.join(dir, 'rows.bin'), 'rows', 1 << 20);
  }

  /** Append one building; returns its row (index, record, anchor, box, …). */
  add(polygons: FlatPolygons, params: BuildingParams, surfaces: KeptSurfaces | null = null): StoreRow {
    const [offset, length] = appendRecord(this.spill, polygons, params, surfaces);
    const first = extentOf(polygons.coords, 2, 0, polygons.ringOffsets[1]);
    const box = extentOf(polygons.coords);
    growByExtent(this.extent, box);
    const r: StoreRow = {
      index: this.count++,
      offset,
      length,
      anchorX: (first.minX + first.maxX) / 2,
      anchorY: (first.minY + first.maxY) / 2,
      ...box,
      // (a city model's building: its z range in the frame, for coarse levels that read rows only)
      height: params.height + (params.base ?? 0),
      minHeight: params.minHeight + (params.base ?? 0),
      idHash: idHash(params.id),
      isOutline: params.role === 'building',
      stands: params.base !== undefined,
    };
    encodeRow(r, this.row);
    const { buffer, at } = this.rows.reserve(8 * ROW_WIDTH);
    for (let i = 0; i < ROW_WIDTH; i++) buffer.writeDoubleLE(this.row[i], at + 8 * i);
    return r;
  }

  /** Close the files; the store as written (no parts, replacements or renames yet). */
  finish(): StoredFeatures {
    this.spill.close();
    this.rows.close();
    return { file: this.spill.file, rowsFile: this.rows.file, frame: this.frame, count: this.count, extent: { ...this.extent }, anchorExtent: { ...this.extent }, parts: [], replaced: [], renames: [] };
  }

  /** Close the files after a failure (the caller removes the folder). */
  abort(): void {
    try {
      this.spill.close();
      this.rows.close();
    } catch {
      /* already closed */
    }
  }

  /** Bytes of the spill file so far. */
  get bytes(): number {
    return this.spill.offset;
  }
}
