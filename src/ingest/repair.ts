import type { FlatPolygons } from './wkb.js';
import { insideRing } from './simple-polygons.js';

import type { RepairOptions } from './options.js';
import { REPAIR_DEFAULTS } from './options.js';

export { REPAIR_DEFAULTS, type RepairOptions } from './options.js';

/** Signed area of ring `coords[2a..2b)` (open ring), positive when counter-clockwise. */
export function ringArea(coords: ArrayLike<number>, a: number, b: number): number {
  let s = 0;
  for (let i = a, j = b - 1; i < b; j = i++) s += (coords[2 * j] - coords[2 * i]) * (coords[2 * j + 1] + coords[2 * i + 1]);
  return s / 2;
}

/**
 * Clean one ring in place in `xy` (x, y pairs, `n` vertices, open or closed): drop the closing
 * duplicate, repeated vertices, spikes and collinear vertices. Returns the new vertex count.
 */
export function cleanRing(xy: Float64Array, n: number, tol: number): number {
  const tol2 = tol * tol;
  // repeated vertices (including the closing one)
  let m = 0;
  for (let i = 0; i < n; i++) {
    const x = xy[2 * i];
    const y = xy[2 * i + 1];
    if (m > 0) {
      const dx = x - xy[2 * m - 2];
      const dy = y - xy[2 * m - 1];
      if (dx * dx + dy * dy <= tol2) continue;
    }
    xy[2 * m] = x;
    xy[2 * m + 1] = y;
    m++;
  }
  while (m > 1) {
    const dx = xy[0] - xy[2 * m - 2];
    const dy = xy[1] - xy[2 * m - 1];
    if (dx * dx + dy * dy > tol2) break;
    m--;
  }
  // spikes and collinear vertices: repeat until nothing changes. A vertex is collinear when it, and every
  // vertex dropped as collinear since the last one kept, lie within tol of the line from that kept vertex to
  // the next (dense-curve-cut-short: checked against its own neighbours alone, a circle of vertices 1.3 cm apart
  // lost chords of 30 m, 1,257 → 716 m²: each next vertex is always close to the line ending at its neighbour)
  const run: number[] = [];
  let changed = true;
  while (changed && m >= 3) {
    changed = false;
    let w = 0;
    run.length = 0;
    for (let i = 0; i < m; i++) {
      const p = w > 0 ? w - 1 : m - 1; // previous kept vertex (wraps to the ring's last on the first vertex)
      const px = xy[2 * p], py = xy[2 * p + 1];
      const nx = xy[2 * ((i + 1) % m)], ny = xy[2 * ((i + 1) % m) + 1];
      const x = xy[2 * i], y = xy[2 * i + 1];
      const ax = x - px, ay = y - py, bx = nx - x, by = ny - y;
      const cross = ax * by - ay * bx;
      const lx = nx - px, ly = ny - py;
      const l2 = lx * lx + ly * ly;
      const la = Math.hypot(ax, ay), lb = Math.hypot(bx, by);
      const returns = l2 <= tol2; // returns to where it came from
      const spike = ax * bx + ay * by < 0 && Math.abs(cross) <= 1e-3 * la * lb; // needle-thin
      // (a run is checked whole, up to RUN_MOST vertices: a long edge of a million collinear vertices is then thinned
      // over a few passes, not in time squared)
      let collinear = !returns && !spike && run.length < RUN_MOST && cross * cross <= tol2 * l2; // within tol of the line through its neighbours
      for (let r = 0; collinear && r < run.length; r++) {
        const j = run[r];
        const c = lx * (xy[2 * j + 1] - py) - ly * (xy[2 * j] - px);
        collinear = c * c <= tol2 * l2;
      }
      if ((returns || spike || collinear) && m - (i - w) > 3) {
        // (a dropped vertex's slot is not written over before the next kept one: w ≤ its index)
        if (collinear) run.push(i);
        changed = true;
        continue;
      }
      run.length = 0;
      xy[2 * w] = x;
      xy[2 * w + 1] = y;
      w++;
    }
    m = w;
  }
  return m;
}

/** Most collinear vertices {@link cleanRing} drops in one run between two it keeps, in one pass. */
const RUN_MOST = 256;

/** Counts of what {@link cleanPolygons} changed. */
export interface RepairReport {
  /** Hole rings dropped (fewer than 3 distinct vertices or too small). */
  holesDropped: number;
  /** Polygons dropped because their outer ring degenerated. */
  polygonsDropped: number;
  /** Rings whose winding was reversed. */
  rewound: number;
  /** Hole vertices moved off the outer ring or another hole they touched ({@link HOLE_GAP}). */
  holesSeparated: number;
  /**
   * Footprint area (m²) before and after, where cleaning took over 1 % and 1 m² of it (needle-thin
   * spikes gone, a ring of vertices within the tolerance of a line: spikes-went-unsaid); else 0, 0.
   */
  areaBefore: number;
  areaAfter: number;
}

/**
 * How far (m) a hole's vertex that touches its polygon's outer ring or another hole is moved into the
 * hole: valid as OGC has it, but a ring touching another at a point leaves no room between them, and
 * the roof builders' triangulations and skeletons failed there (hole-touched-the-outline: SF's
 * 15/5237/12666#763 fell back from every roof shape).
 */
export const HOLE_GAP = 0.02;

/** Distance under which a hole's vertex counts as on another ring (m). */
const TOUCH = 1e-3;

/** Squared distance from (x, y) to the segment (ax, ay)–(bx, by). */
export function segmentDistance2(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const ex = bx - ax, ey = by - ay;
  const l2 = ex * ex + ey * ey;
  const t = l2 > 0 ? Math.max(0, Math.min(1, ((x - ax) * ex + (y - ay) * ey) / l2)) : 0;
  const dx = ax + t * ex - x, dy = ay + t * ey - y;
  return dx * dx + dy * dy;
}

/**
 * Move every hole vertex of one polygon (rings `r0` (outer) … `r1 - 1` of `xy`, holes clockwise) that
 * lies on another of its rings {@link HOLE_GAP} into its hole, along the hole's inner bisector there.
 * Returns how many moved.
 */
function separateHoles(xy: number[], ringOffsets: readonly number[], r0: number, r1: number): number {
  let moved = 0;
  for (let h = r0 + 1; h < r1; h++) {
    const a = ringOffsets[h], n = ringOffsets[h + 1] - a;
    for (let k = 0; k < n; k++) {
      const i = a + k;
      const x = xy[2 * i], y = xy[2 * i + 1];
      let touches = false;
      for (let r = r0; r < r1 && !touches; r++) {
        if (r === h) continue;
        const b = ringOffsets[r], m = ringOffsets[r + 1] - b;
        for (let e = 0; e < m && !touches; e++) {
          const p = b + e, q = b + ((e + 1) % m);
          touches = segmentDistance2(x, y, xy[2 * p], xy[2 * p + 1], xy[2 * q], xy[2 * q + 1]) <= TOUCH * TOUCH;
        }
      }
      if (!touches) continue;
      // a clockwise hole's inside is right of its edges: the right normals of the edges in and out
      const pr = a + ((k + n - 1) % n), nx = a + ((k + 1) % n);
      const dx0 = x - xy[2 * pr], dy0 = y - xy[2 * pr + 1], dx1 = xy[2 * nx] - x, dy1 = xy[2 * nx + 1] - y;
      const l0 = Math.hypot(dx0, dy0) || 1, l1 = Math.hypot(dx1, dy1) || 1;
      let bx = dy0 / l0 + dy1 / l1, by = -dx0 / l0 - dx1 / l1;
      const lb = Math.hypot(bx, by);
      if (lb < 1e-9) continue;
      bx /= lb;
      by /= lb;
      xy[2 * i] = x + HOLE_GAP * bx;
      xy[2 * i + 1] = y + HOLE_GAP * by;
      moved++;
    }
  }
  return moved;
}

/** How many rings {@link dropUnusableRings} dropped, by kind. */
export interface RingsDropped {
  /** Holes of fewer than three distinct points. */
  holes: number;
  /** Polygons whose outer ring has fewer than three distinct points (their holes with them). */
  outers: number;
  /** Holes with no point inside their outline. */
  outside: number;
}

/** The points of ring `coords[2a..2b)` that differ from the one before (the closing point not counted), up to 3. */
function distinctPoints(coords: ArrayLike<number>, a: number, b: number): number {
  let n = 0;
  for (let i = a; i < b && n < 3; i++) {
    const j = i === a ? b - 1 : i - 1;
    if (coords[2 * i] !== coords[2 * j] || coords[2 * i + 1] !== coords[2 * j + 1]) n++;
  }
  return n;
}

/**
 * The polygons without their rings of fewer than three distinct points (a hole drawn as two points, an
 * outline that is a segment: GEOS can neither check nor repair them, and the whole feature was lost;
 * degenerate-ring-lost-the-building), nor holes with no vertex inside their outline (MakeValid turns such
 * a hole into a building of its own); a polygon whose outer ring goes loses its holes. Returns `src`
 * itself when no ring goes.
 *
 * @example
 * ```ts
 * const { polygons, holes } = dropUnusableRings(p); // a square and a 2-point hole → the square
 * ```
 */
export function dropUnusableRings(src: FlatPolygons): RingsDropped & { polygons: FlatPolygons } {
  let holes = 0, outers = 0, outside = 0;
  const keep: boolean[] = [];
  const at = src.ringOffsets;
  for (let k = 0; k + 1 < src.polygonOffsets.length; k++)
    for (let r = src.polygonOffsets[k], outer = true, outerKept = true; r < src.polygonOffsets[k + 1]; r++, outer = false) {
      let ok = distinctPoints(src.coords, at[r], at[r + 1]) >= 3;
      if (outer) {
        outerKept = ok;
        if (!ok) outers++;
      } else if (outerKept && !ok) holes++;
      else if (outerKept && !someVertexInside(src.coords, at[r], at[r + 1], at[src.polygonOffsets[k]], at[src.polygonOffsets[k] + 1])) {
        // (hole-outside-made-a-block: MakeValid made such a hole a second building beside the first)
        ok = false;
        outside++;
      }
      keep[r] = ok && outerKept;
    }
  if (!holes && !outers && !outside) return { polygons: src, holes, outers, outside };
  const coords: number[] = [];
  const ringOffsets = [0];
  const polygonOffsets = [0];
  for (let k = 0; k + 1 < src.polygonOffsets.length; k++) {
    for (let r = src.polygonOffsets[k]; r < src.polygonOffsets[k + 1]; r++) {
      if (!keep[r]) continue;
      for (let i = 2 * src.ringOffsets[r]; i < 2 * src.ringOffsets[r + 1]; i++) coords.push(src.coords[i]);
      ringOffsets.push(coords.length / 2);
    }
    if (ringOffsets.length - 1 > polygonOffsets[polygonOffsets.length - 1]) polygonOffsets.push(ringOffsets.length - 1);
  }
  return { polygons: { coords: Float64Array.from(coords), ringOffsets, polygonOffsets }, holes, outers, outside };
}

/**
 * Whether any vertex of ring `[a, b)`, or the middle of any of its edges, lies inside ring `[c, d)` (even–odd
 * rule; the middles count for a hole whose corners all lie on the outline).
 */
function someVertexInside(xy: ArrayLike<number>, a: number, b: number, c: number, d: number): boolean {
  for (let i = a; i < b; i++) {
    const j = i + 1 < b ? i + 1 : a;
    if (insideRing(xy, c, d, xy[2 * i], xy[2 * i + 1]) || insideRing(xy, c, d, (xy[2 * i] + xy[2 * j]) / 2, (xy[2 * i + 1] + xy[2 * j + 1]) / 2)) return true;
  }
  return false;
}

/**
 * Clean polygons in the local frame: rings open, de-duplicated, without spikes or collinear vertices,
 * outer rings counter-clockwise and holes clockwise; degenerate rings dropped.
 * @returns the cleaned polygons (possibly with no polygon left) and what was changed
 */
export function cleanPolygons(src: FlatPolygons, options: RepairOptions = REPAIR_DEFAULTS): { polygons: FlatPolygons; report: RepairReport } {
  const report: RepairReport = { holesDropped: 0, polygonsDropped: 0, rewound: 0, holesSeparated: 0, areaBefore: 0, areaAfter: 0 };
  let before = 0, after = 0;
  const out: number[] = [];
  const ringOffsets = [0];
  const polygonOffsets = [0];
  const scratch = new Float64Array(src.coords.length);
  for (let k = 0; k + 1 < src.polygonOffsets.length; k++) {
    const ringsBefore = ringOffsets.length;
    for (let r = src.polygonOffsets[k]; r < src.polygonOffsets[k + 1]; r++) {
      const a = src.ringOffsets[r];
      const n = src.ringOffsets[r + 1] - a;
      scratch.set(src.coords.subarray(2 * a, 2 * (a + n)));
      const outer = r === src.polygonOffsets[k];
      const own = Math.abs(ringArea(src.coords, a, a + n));
      before += outer ? own : -own;
      const m = cleanRing(scratch, n, options.tolerance);
      const area = m >= 3 ? ringArea(scratch, 0, m) : 0;
      if (Math.abs(area) < options.minArea) {
        if (outer) {
          report.polygonsDropped++;
          break;
        }
        report.holesDropped++;
        continue;
      }
      const reverse = outer ? area < 0 : area > 0;
      if (reverse) report.rewound++;
      after += outer ? Math.abs(area) : -Math.abs(area);
      for (let i = 0; i < m; i++) {
        const j = reverse ? m - 1 - i : i;
        out.push(scratch[2 * j], scratch[2 * j + 1]);
      }
      ringOffsets.push(out.length / 2);
    }
    if (ringOffsets.length > ringsBefore) {
      if (ringOffsets.length - ringsBefore > 1) report.holesSeparated += separateHoles(out, ringOffsets, ringsBefore - 1, ringOffsets.length - 1);
      polygonOffsets.push(ringOffsets.length - 1);
    }
  }
  if (Math.abs(before - after) > Math.max(1, 0.01 * before)) [report.areaBefore, report.areaAfter] = [before, after];
  return { polygons: { coords: Float64Array.from(out), ringOffsets, polygonOffsets }, report };
}
