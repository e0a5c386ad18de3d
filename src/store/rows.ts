import type { StoreRow } from './types.js';

/**
 * The row file's layout: {@link ROW_WIDTH} float64s per building. Private to the store: every other
 * room reads rows through {@link StoreRow}'s named fields.
 */
export const ROW_WIDTH = 12;
const OFFSET = 0, LENGTH = 1, AX = 2, AY = 3, X0 = 4, Y0 = 5, X1 = 6, Y1 = 7, HEIGHT = 8, MIN_HEIGHT = 9, HASH = 10, OUTLINE = 11;

/** Write a row's fields into `out` at `k`. */
export function encodeRow(r: StoreRow, out: Float64Array, k = 0): void {
  out[k + OFFSET] = r.offset;
  out[k + LENGTH] = r.length;
  out[k + AX] = r.anchorX;
  out[k + AY] = r.anchorY;
  out[k + X0] = r.minX;
  out[k + Y0] = r.minY;
  out[k + X1] = r.maxX;
  out[k + Y1] = r.maxY;
  out[k + HEIGHT] = r.height;
  out[k + MIN_HEIGHT] = r.minHeight;
  out[k + HASH] = r.idHash;
  // (flags: 1 outline, 2 stands at its own heights)
  out[k + OUTLINE] = (r.isOutline ? 1 : 0) | (r.stands ? 2 : 0);
}

/**
 * A {@link StoreRow} read in place from a chunk of rows (a flyweight: scans move it from row to row
 * without allocating; copy what must outlive the visit).
 */
export class RowView implements StoreRow {
  index = 0;
  private rows: Float64Array = new Float64Array(ROW_WIDTH);
  private k = 0;

  /** Point the view at row `index`, found at `rows[k]`. */
  at(index: number, rows: Float64Array, k: number): this {
    this.index = index;
    this.rows = rows;
    this.k = k;
    return this;
  }

  get offset(): number { return this.rows[this.k + OFFSET]; }
  get length(): number { return this.rows[this.k + LENGTH]; }
  get anchorX(): number { return this.rows[this.k + AX]; }
  get anchorY(): number { return this.rows[this.k + AY]; }
  get minX(): number { return this.rows[this.k + X0]; }
  get minY(): number { return this.rows[this.k + Y0]; }
  get maxX(): number { return this.rows[this.k + X1]; }
  get maxY(): number { return this.rows[this.k + Y1]; }
  get height(): number { return this.rows[this.k + HEIGHT]; }
  get minHeight(): number { return this.rows[this.k + MIN_HEIGHT]; }
  get idHash(): number { return this.rows[this.k + HASH]; }
  get isOutline(): boolean { return (this.rows[this.k + OUTLINE] & 1) === 1; }
  get stands(): boolean { return (this.rows[this.k + OUTLINE] & 2) === 2; }

  /** A copy that outlives the visit. */
  copy(): StoreRow {
    const { index, offset, length, anchorX, anchorY, minX, minY, maxX, maxY, height, minHeight, idHash, isOutline, stands } = this;
    return { index, offset, length, anchorX, anchorY, minX, minY, maxX, maxY, height, minHeight, idHash, isOutline, stands };
  }
}
