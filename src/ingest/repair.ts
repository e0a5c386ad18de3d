import type { FlatPolygons } from './wkb.js';

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
  // spikes and collinear vertices: repeat until nothing changes
  let changed = true;
  while (changed && m >= 3) {
    changed = false;
    let w = 0;
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
      const drop =
        l2 <= tol2 || // returns to where it came from
        cross * cross <= tol2 * l2 || // within tol of the line through its neighbours
        (ax * bx + ay * by < 0 && Math.abs(cross) <= 1e-3 * la * lb); // needle-thin spike
      if (drop && m - (i - w) > 3) {
        changed = true;
        continue;
      }
      xy[2 * w] = x;
      xy[2 * w + 1] = y;
      w++;
    }
    m = w;
  }
  return m;
}

/** Counts of what {@link cleanPolygons} changed. */
export interface RepairReport {
  /** Hole rings dropped (fewer than 3 distinct vertices or too small). */
  holesDropped: number;
  /** Polygons dropped because their outer ring degenerated. */
  polygonsDropped: number;
  /** Rings whose winding was reversed. */
  rewound: number;
}

/**
 * Clean polygons in the local frame: rings open, de-duplicated, without spikes or collinear vertices,
 * outer rings counter-clockwise and holes clockwise; degenerate rings dropped.
 * @returns the cleaned polygons (possibly with no polygon left) and what was changed
 */
export function cleanPolygons(src: FlatPolygons, options: RepairOptions = REPAIR_DEFAULTS): { polygons: FlatPolygons; report: RepairReport } {
  const report: RepairReport = { holesDropped: 0, polygonsDropped: 0, rewound: 0 };
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
      const m = cleanRing(scratch, n, options.tolerance);
      const outer = r === src.polygonOffsets[k];
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
      for (let i = 0; i < m; i++) {
        const j = reverse ? m - 1 - i : i;
        out.push(scratch[2 * j], scratch[2 * j + 1]);
      }
      ringOffsets.push(out.length / 2);
    }
    if (ringOffsets.length > ringsBefore) polygonOffsets.push(ringOffsets.length - 1);
  }
  return { polygons: { coords: Float64Array.from(out), ringOffsets, polygonOffsets }, report };
}
