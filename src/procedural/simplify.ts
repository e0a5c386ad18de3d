import { pointCount, type Footprint } from './footprint.js';

/** The most vertices a footprint's straight skeleton is computed on; one with more is simplified first (counted). */
export const SKELETON_MAX_VERTICES = 1000;

/**
 * A footprint with its least significant vertices removed (Visvalingam: repeatedly drop the vertex
 * whose triangle with its neighbours is smallest, while that area is under `maxArea` m² and under 2 %
 * of the ring's area, and the ring keeps at least 4 vertices). Gives the skeleton library a second chance on footprints it fails on
 * (near-collinear runs, tiny jogs). A footprint of over `maxVertices` vertices loses more, whatever their
 * area, down to that many (each ring its share): the straight skeleton's time grows faster than its
 * vertex count (a 4,000-point footprint took 34 s). Null when nothing could be removed.
 */
export function simplifyFootprint(fp: Footprint, maxArea = 4, maxVertices = SKELETON_MAX_VERTICES): Footprint | null {
  const total = pointCount(fp);
  const out: number[] = [];
  const starts = [0];
  let removed = 0;
  for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
    const ring: number[] = [];
    for (let i = fp.ringStarts[r]; i < fp.ringStarts[r + 1]; i++) ring.push(i);
    const c = fp.coords;
    const area = (k: number) => {
      const a = ring[(k + ring.length - 1) % ring.length], b = ring[k], d = ring[(k + 1) % ring.length];
      return Math.abs((c[2 * b] - c[2 * a]) * (c[2 * d + 1] - c[2 * a + 1]) - (c[2 * b + 1] - c[2 * a + 1]) * (c[2 * d] - c[2 * a])) / 2;
    };
    let ringArea = 0;
    for (let k = 0; k < ring.length; k++) {
      const a = ring[k], b = ring[(k + 1) % ring.length];
      ringArea += c[2 * a] * c[2 * b + 1] - c[2 * b] * c[2 * a + 1];
    }
    const limit = Math.min(maxArea, 0.02 * Math.abs(ringArea / 2));
    // (this ring's share of the vertices a footprint may keep)
    const keep = total > maxVertices ? Math.max(4, Math.floor((maxVertices * ring.length) / total)) : Infinity;
    while (ring.length > 4) {
      let best = -1, bestArea = ring.length > keep ? Infinity : limit;
      for (let k = 0; k < ring.length; k++) {
        const a = area(k);
        if (a < bestArea) [best, bestArea] = [k, a];
      }
      if (best < 0) break;
      ring.splice(best, 1);
      removed++;
    }
    for (const i of ring) out.push(c[2 * i], c[2 * i + 1]);
    starts.push(out.length / 2);
  }
  return removed ? { coords: Float64Array.from(out), ringStarts: Uint32Array.from(starts) } : null;
}

/**
 * A ring with its notches and bumps at most `depth` deep removed: wherever two short edges (≤ `depth`)
 * step in and back out on either side of a third, nearly at right angles, the two corners between them go
 * and the line runs straight. A raster region's outline keeps such one-cell steps where its label
 * wavers along a straight boundary; a roof built on them carries the step across its faces (the
 * straight skeleton propagates it). `ring`: open (no closing point) x, y pairs; returns a new ring.
 *
 * @example
 * ```ts
 * // a 10 × 4 rectangle with a 0.5 m notch in its top edge
 * removeNotches([[0, 0], [10, 0], [10, 4], [6, 4], [6, 3.5], [5, 3.5], [5, 4], [0, 4]], 0.6);
 * // → [[0, 0], [10, 0], [10, 4], [6, 4], [5, 4], [0, 4]]
 * ```
 */
export function removeNotches(ring: readonly (readonly number[])[], depth: number): number[][] {
  const p = ring.map((q) => [q[0], q[1]]);
  const edge = (i: number): [number, number, number] => {
    const a = p[i % p.length], b = p[(i + 1) % p.length];
    const dx = b[0] - a[0], dy = b[1] - a[1];
    return [dx, dy, Math.hypot(dx, dy)];
  };
  for (let changed = true; changed && p.length > 4; ) {
    changed = false;
    for (let i = 0; i < p.length && p.length > 4; i++) {
      // edges i (A→B), i+1 (B→C), i+2 (C→D): in, across, out
      const [ax, ay, al] = edge(i), [bx, by, bl] = edge(i + 1), [cx, cy, cl] = edge(i + 2);
      if (!(al > 0 && bl > 0 && cl > 0) || al > depth || cl > depth) continue;
      const back = (ax * cx + ay * cy) / (al * cl);
      const square = Math.max(Math.abs(ax * bx + ay * by) / (al * bl), Math.abs(bx * cx + by * cy) / (bl * cl));
      if (back > -0.9 || square > 0.3) continue;
      // remove B and C (indices i+1, i+2 modulo the length), the later one first
      const j = (i + 1) % p.length, k = (i + 2) % p.length;
      p.splice(Math.max(j, k), 1);
      p.splice(Math.min(j, k), 1);
      changed = true;
    }
  }
  return p;
}
