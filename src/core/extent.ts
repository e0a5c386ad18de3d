/**
 * One rectangle type and one bounding-box kernel for every stage (footprints, stores, rasters, tiles).
 *
 * @example
 * ```ts
 * const e = emptyExtent();
 * growByCoords(e, batch.positions);          // x, y pairs
 * growByPoint(e, 10, 20);
 * if (!isEmptyExtent(e)) console.log(e.maxX - e.minX);
 * ```
 */

/** An axis-aligned rectangle (in whatever plane coordinates its user says: frame metres, a source CRS). */
export interface Extent {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** The empty extent (grows to the first point added). */
export function emptyExtent(): Extent {
  return { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
}

/** Whether nothing was added to `e`. */
export function isEmptyExtent(e: Extent): boolean {
  return !(e.maxX >= e.minX && e.maxY >= e.minY);
}

/** Grow `e` by one point; returns `e`. */
export function growByPoint(e: Extent, x: number, y: number): Extent {
  if (x < e.minX) e.minX = x;
  if (x > e.maxX) e.maxX = x;
  if (y < e.minY) e.minY = y;
  if (y > e.maxY) e.maxY = y;
  return e;
}

/** Grow `e` by another extent; returns `e`. */
export function growByExtent(e: Extent, o: Extent): Extent {
  if (o.minX < e.minX) e.minX = o.minX;
  if (o.maxX > e.maxX) e.maxX = o.maxX;
  if (o.minY < e.minY) e.minY = o.minY;
  if (o.maxY > e.maxY) e.maxY = o.maxY;
  return e;
}

/**
 * Grow `e` by the points of a flat coordinate array (`stride` numbers a point, x and y first), from
 * point `from` to point `to` (exclusive); returns `e`. The hot-path kernel behind every box.
 */
export function growByCoords(e: Extent, coords: ArrayLike<number>, stride = 2, from = 0, to = coords.length / stride): Extent {
  let x0 = e.minX, y0 = e.minY, x1 = e.maxX, y1 = e.maxY;
  for (let i = from * stride, end = to * stride; i < end; i += stride) {
    const x = coords[i], y = coords[i + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  e.minX = x0;
  e.minY = y0;
  e.maxX = x1;
  e.maxY = y1;
  return e;
}

/** The extent of a flat coordinate array (see {@link growByCoords}). */
export function extentOf(coords: ArrayLike<number>, stride = 2, from = 0, to = coords.length / stride): Extent {
  return growByCoords(emptyExtent(), coords, stride, from, to);
}

/** Whether two extents overlap (touching counts). */
export function extentsOverlap(a: Extent, b: Extent): boolean {
  return a.minX <= b.maxX && b.minX <= a.maxX && a.minY <= b.maxY && b.minY <= a.maxY;
}

/** `e` grown by `margin` on every side (a new extent). */
export function bufferExtent(e: Extent, margin: number): Extent {
  return { minX: e.minX - margin, minY: e.minY - margin, maxX: e.maxX + margin, maxY: e.maxY + margin };
}

/** A 3D box: min x, y, z then max x, y, z. */
export type Box3 = [number, number, number, number, number, number];

/** The 3D box of flat x, y, z triples, grown into `b` (default: a new empty box). */
export function box3Of(coords: ArrayLike<number>, b: Box3 = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity]): Box3 {
  for (let i = 0; i + 2 < coords.length; i += 3)
    for (let k = 0; k < 3; k++) {
      const v = coords[i + k];
      if (v < b[k]) b[k] = v;
      if (v > b[k + 3]) b[k + 3] = v;
    }
  return b;
}
