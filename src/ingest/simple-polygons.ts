import type { FlatPolygons } from './wkb.js';

/**
 * Largest number of ring vertices in one polygon that {@link surelyValid} checks pair by pair; a
 * larger polygon is left to GEOS.
 */
export const SURELY_VALID_MAX_VERTICES = 512;

/**
 * Whether polygons are certainly valid in the OGC Simple Features sense, by a conservative test:
 * every ring closed, with at least three distinct points and finite coordinates; no two segments of a
 * polygon's rings crossing or touching (other than neighbours at their shared vertex); no spike; each
 * hole inside its shell and outside the other holes; the polygons' boxes apart.
 *
 * `false` means "not sure", not "invalid": a reader then asks GEOS (`isValid`, and `makeValid` where
 * needed). Anything touching, near-degenerate (within a relative 1e-12 of zero) or larger than
 * {@link SURELY_VALID_MAX_VERTICES} is "not sure", so what passes needs no repair, and what does not
 * is read exactly as before.
 *
 * @example
 * ```ts
 * surelyValid(flatPolygons([[[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]]])); // true
 * surelyValid(flatPolygons([[[[0, 0], [4, 4], [4, 0], [0, 4], [0, 0]]]])); // false: a bow tie
 * ```
 */
export function surelyValid(p: FlatPolygons): boolean {
  const { coords: c, ringOffsets: ro, polygonOffsets: po } = p;
  const polys = po.length - 1;
  if (polys < 1) return false;
  const boxes = new Float64Array(4 * polys);
  for (let k = 0; k < polys; k++) {
    const r0 = po[k], r1 = po[k + 1];
    if (r1 <= r0) return false;
    if (ro[r1] - ro[r0] > SURELY_VALID_MAX_VERTICES) return false;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let r = r0; r < r1; r++) {
      const a = ro[r], b = ro[r + 1];
      if (b - a < 4) return false;
      if (c[2 * a] !== c[2 * (b - 1)] || c[2 * a + 1] !== c[2 * (b - 1) + 1]) return false;
      for (let i = a; i < b; i++) {
        const x = c[2 * i], y = c[2 * i + 1];
        if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
    boxes[4 * k] = x0, boxes[4 * k + 1] = y0, boxes[4 * k + 2] = x1, boxes[4 * k + 3] = y1;
    if (!polygonSimple(c, ro, r0, r1, Math.max(x1 - x0, y1 - y0), Math.max(Math.abs(x0), Math.abs(x1), Math.abs(y0), Math.abs(y1)))) return false;
  }
  for (let k = 0; k < polys; k++)
    for (let m = k + 1; m < polys; m++)
      if (!(boxes[4 * k + 2] < boxes[4 * m] || boxes[4 * m + 2] < boxes[4 * k] || boxes[4 * k + 3] < boxes[4 * m + 1] || boxes[4 * m + 3] < boxes[4 * k + 1])) return false;
  return true;
}

/** One polygon (rings r0..r1 of `ro`): its segments apart, its holes inside the shell and outside each other. */
function polygonSimple(c: Float64Array, ro: ArrayLike<number>, r0: number, r1: number, size: number, magnitude: number): boolean {
  // the segments, repeated points dropped: start vertex index and ring of each
  const seg: number[] = [];
  const ringOf: number[] = [];
  const ringStart: number[] = [];
  for (let r = r0; r < r1; r++) {
    ringStart.push(seg.length);
    const a = ro[r], b = ro[r + 1];
    let prev = a;
    for (let i = a + 1; i < b; i++) {
      if (c[2 * i] === c[2 * prev] && c[2 * i + 1] === c[2 * prev + 1]) continue;
      seg.push(prev, i);
      ringOf.push(r - r0);
      prev = i;
    }
    if ((seg.length - ringStart[r - r0]) / 2 < 3) return false;
  }
  ringStart.push(seg.length);
  const n = seg.length / 2;
  // an orientation this close to zero is "too close to tell": relative to the polygon's size, with the
  // rounding of coordinates far from the origin on top
  const eps = 1e-12 * size * size + 1e-15 * magnitude * size;
  const orient = (ax: number, ay: number, bx: number, by: number, px: number, py: number) => (bx - ax) * (py - ay) - (by - ay) * (px - ax);
  for (let s = 0; s < n; s++) {
    const i = seg[2 * s], j = seg[2 * s + 1];
    const ax = c[2 * i], ay = c[2 * i + 1], bx = c[2 * j], by = c[2 * j + 1];
    const sx0 = Math.min(ax, bx), sx1 = Math.max(ax, bx), sy0 = Math.min(ay, by), sy1 = Math.max(ay, by);
    const rs = ringStart[ringOf[s]], re = ringStart[ringOf[s] + 1];
    const next = 2 * s + 2 === re ? rs / 2 : s + 1;
    for (let t = s + 1; t < n; t++) {
      const k = seg[2 * t], l = seg[2 * t + 1];
      const cx = c[2 * k], cy = c[2 * k + 1], dx = c[2 * l], dy = c[2 * l + 1];
      if (Math.max(cx, dx) < sx0 || Math.min(cx, dx) > sx1 || Math.max(cy, dy) < sy0 || Math.min(cy, dy) > sy1) continue;
      const o1 = orient(ax, ay, bx, by, cx, cy), o2 = orient(ax, ay, bx, by, dx, dy);
      const o3 = orient(cx, cy, dx, dy, ax, ay), o4 = orient(cx, cy, dx, dy, bx, by);
      const neighbour = t === next || (s === rs / 2 && ringOf[t] === ringOf[s] && 2 * t + 2 === re);
      if (neighbour) {
        // neighbours share one vertex: a spike or an overlap folds back along the other
        // (the far end of the other: d when it follows, c when it comes before; folded back when they point against each other)
        if (Math.abs(t === next ? o2 : o1) <= eps && (bx - ax) * (dx - cx) + (by - ay) * (dy - cy) <= 0) return false;
        continue;
      }
      if (Math.abs(o1) <= eps || Math.abs(o2) <= eps || Math.abs(o3) <= eps || Math.abs(o4) <= eps) return false; // touching, or too close to tell
      if (o1 > 0 !== o2 > 0 && o3 > 0 !== o4 > 0) return false; // crossing
    }
  }
  // holes: inside the shell, and not inside one another (no ring touches another, so one vertex tells)
  const rings = r1 - r0;
  for (let h = 1; h < rings; h++) {
    const v = ro[r0 + h];
    if (!insideRing(c, ro[r0], ro[r0 + 1], c[2 * v], c[2 * v + 1])) return false;
    for (let g = 1; g < rings; g++) if (g !== h && insideRing(c, ro[r0 + g], ro[r0 + g + 1], c[2 * v], c[2 * v + 1])) return false;
  }
  return true;
}

/** Whether (x, y) is inside the closed ring of vertices a..b−1 (even-odd). */
export function insideRing(c: ArrayLike<number>, a: number, b: number, x: number, y: number): boolean {
  let odd = false;
  for (let i = a, j = b - 1; i < b; j = i++) {
    const yi = c[2 * i + 1], yj = c[2 * j + 1];
    if (yi > y !== yj > y && x < ((c[2 * j] - c[2 * i]) * (y - yi)) / (yj - yi) + c[2 * i]) odd = !odd;
  }
  return odd;
}
