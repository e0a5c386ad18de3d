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
  return out;
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
