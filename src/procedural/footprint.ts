import earcut from 'earcut';
import type { FeatureBatch } from '../core/types.js';

/** One polygon of a footprint: flat x, y coordinates and hole starts (vertex indices), earcut-style. */
export interface Footprint {
  /** x, y pairs (outer ring counter-clockwise first, then the holes, clockwise). */
  coords: Float64Array;
  /** Vertex index where each ring starts; `ringStarts[0] === 0`; a final entry holds the vertex count. */
  ringStarts: Uint32Array;
}

/** The polygons of feature `f` of a batch, as views (no copy of the coordinates). */
export function featurePolygons(batch: FeatureBatch, f: number): Footprint[] {
  const out: Footprint[] = [];
  for (let p = batch.featureOffsets[f]; p < batch.featureOffsets[f + 1]; p++) {
    const r0 = batch.polygonOffsets[p];
    const r1 = batch.polygonOffsets[p + 1];
    const v0 = batch.ringOffsets[r0];
    const v1 = batch.ringOffsets[r1];
    const ringStarts = new Uint32Array(r1 - r0 + 1);
    for (let r = r0; r <= r1; r++) ringStarts[r - r0] = batch.ringOffsets[r] - v0;
    out.push({ coords: batch.positions.subarray(2 * v0, 2 * v1), ringStarts });
  }
  return out;
}

/** How many vertices a footprint's rings have together. */
export const pointCount = (fp: Footprint): number => fp.ringStarts[fp.ringStarts.length - 1] - fp.ringStarts[0];

/**
 * Triangulate a footprint with earcut; every triangle comes back counter-clockwise (seen from above).
 * @returns vertex indices into the footprint, three per triangle
 */
export function triangulate(fp: Footprint): Uint32Array {
  const holes: number[] = [];
  for (let r = 1; r + 1 < fp.ringStarts.length; r++) holes.push(fp.ringStarts[r]);
  const tris = earcut(fp.coords as unknown as number[], holes, 2);
  const out = Uint32Array.from(tris);
  const c = fp.coords;
  for (let t = 0; t < out.length; t += 3) {
    const a = out[t], b = out[t + 1], d = out[t + 2];
    const cross = (c[2 * b] - c[2 * a]) * (c[2 * d + 1] - c[2 * a + 1]) - (c[2 * b + 1] - c[2 * a + 1]) * (c[2 * d] - c[2 * a]);
    if (cross < 0) {
      out[t + 1] = d;
      out[t + 2] = b;
    }
  }
  flipSlivers(c, out);
  return out;
}

/**
 * A triangle narrower than this (metres: its height over its longest edge) is a sliver: its vertices
 * rounded to an output's grid (a GLB's quantized positions, CityJSON's 1 mm) can turn it over.
 */
const SLIVER = 0.02;

/**
 * Remove earcut's slivers where a flip can (sliver-turned-over: SF's 15/5237/12665#9 had a roof triangle
 * 4 mm wide along a 12.5 m edge, three nearly collinear corners far apart; rounded to the GLB's grid it faced
 * down, its floor twin up, and a CityJSON solid folded): each sliver's longest edge is flipped with the
 * triangle beside it when the two make a convex quadrilateral and the flip widens the narrower of them.
 * Counter-clockwise triangles in and out; the same area covered. Cheap when there is no sliver.
 */
function flipSlivers(c: ArrayLike<number>, t: Uint32Array): void {
  const n = t.length / 3;
  const len2 = (a: number, b: number) => (c[2 * b] - c[2 * a]) ** 2 + (c[2 * b + 1] - c[2 * a + 1]) ** 2;
  // the triangle's (signed) height over its longest edge; no allocation: the common case has no sliver
  const height = (a: number, b: number, d: number): number => {
    const l = Math.max(len2(a, b), len2(b, d), len2(d, a));
    return l > 0 ? ((c[2 * b] - c[2 * a]) * (c[2 * d + 1] - c[2 * a + 1]) - (c[2 * b + 1] - c[2 * a + 1]) * (c[2 * d] - c[2 * a])) / Math.sqrt(l) : 0;
  };
  // which edge is the longest (0: a→b, 1: b→d, 2: d→a)
  const longest = (a: number, b: number, d: number): number => {
    const l0 = len2(a, b), l1 = len2(b, d), l2 = len2(d, a);
    return l0 >= l1 && l0 >= l2 ? 0 : l1 >= l2 ? 1 : 2;
  };
  let any = false;
  for (let i = 0; i < n && !any; i++) any = height(t[3 * i], t[3 * i + 1], t[3 * i + 2]) < SLIVER;
  if (!any) return;
  const vertices = c.length / 2;
  for (let pass = 0; pass < 3; pass++) {
    // each directed edge (a → b: a · vertices + b) → its triangle
    const owner = new Map<number, number>();
    for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) owner.set(t[3 * i + k] * vertices + t[3 * i + ((k + 1) % 3)], i);
    const touched = new Uint8Array(n);
    let flipped = false;
    for (let i = 0; i < n; i++) {
      if (touched[i]) continue;
      const h = height(t[3 * i], t[3 * i + 1], t[3 * i + 2]);
      if (h >= SLIVER) continue;
      const e = longest(t[3 * i], t[3 * i + 1], t[3 * i + 2]);
      const u = t[3 * i + e], v = t[3 * i + ((e + 1) % 3)], w = t[3 * i + ((e + 2) % 3)];
      const j = owner.get(v * vertices + u);
      if (j === undefined || touched[j]) continue;
      let x = -1;
      for (let k = 0; k < 3; k++) if (t[3 * j + k] !== u && t[3 * j + k] !== v) x = t[3 * j + k];
      const before = Math.min(h, height(t[3 * j], t[3 * j + 1], t[3 * j + 2]));
      // the new diagonal w–x: triangles (u, x, w) and (x, v, w), both counter-clockwise and wider
      if (!(Math.min(height(u, x, w), height(x, v, w)) > before)) continue;
      t.set([u, x, w], 3 * i);
      t.set([x, v, w], 3 * j);
      touched[i] = touched[j] = 1;
      flipped = true;
    }
    if (!flipped) return;
  }
}

/**
 * The least and greatest projection of the footprint's outer ring on `dir` (a unit vector): how far
 * the footprint runs along it (a skillion's slope runs from `lo` to `hi`).
 */
export function projectionRange(fp: Footprint, dir: readonly [number, number]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < fp.ringStarts[1]; k++) {
    const d = fp.coords[2 * k] * dir[0] + fp.coords[2 * k + 1] * dir[1];
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
  }
  return [lo, hi];
}
