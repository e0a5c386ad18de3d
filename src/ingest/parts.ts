import earcut from 'earcut';
import type { FeatureBatch } from '../core/types.js';
import { featureContains } from '../core/contains.js';

/** A point inside feature f's first polygon (the centroid of its first earcut triangle), or null. */
function insidePoint(b: FeatureBatch, f: number): [number, number] | null {
  const p = b.featureOffsets[f];
  const r0 = b.polygonOffsets[p];
  const v0 = b.ringOffsets[r0];
  const v1 = b.ringOffsets[b.polygonOffsets[p + 1]];
  const holes: number[] = [];
  for (let r = r0 + 1; r < b.polygonOffsets[p + 1]; r++) holes.push(b.ringOffsets[r] - v0);
  const coords = b.positions.subarray(2 * v0, 2 * v1);
  const t = earcut(coords as unknown as number[], holes, 2);
  if (t.length < 3) return null;
  return [(coords[2 * t[0]] + coords[2 * t[1]] + coords[2 * t[2]]) / 3, (coords[2 * t[0] + 1] + coords[2 * t[1] + 1] + coords[2 * t[2] + 1]) / 3];
}

/**
 * S3DB building parts: a building outline with `building:part` features inside it is not drawn; its
 * parts are, under the outline's feature id (the outline keeps the building's metadata). Sets
 * `drawAs` and `partOf` on every feature; returns the number of outlines replaced by parts.
 */
export function resolveParts(b: FeatureBatch, cell = 50): number {
  const n = b.params.length;
  const bbox = new Float64Array(4 * n);
  for (let f = 0; f < n; f++) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    const v0 = b.ringOffsets[b.polygonOffsets[b.featureOffsets[f]]];
    const v1 = b.ringOffsets[b.polygonOffsets[b.featureOffsets[f + 1]]];
    for (let v = v0; v < v1; v++) {
      const x = b.positions[2 * v], y = b.positions[2 * v + 1];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    bbox.set([x0, y0, x1, y1], 4 * f);
    b.params[f].drawAs = f;
  }
  // grid of outlines by bbox
  const grid = new Map<string, number[]>();
  for (let f = 0; f < n; f++) {
    if (b.params[f].role !== 'building') continue;
    for (let gx = Math.floor(bbox[4 * f] / cell); gx <= Math.floor(bbox[4 * f + 2] / cell); gx++)
      for (let gy = Math.floor(bbox[4 * f + 1] / cell); gy <= Math.floor(bbox[4 * f + 3] / cell); gy++) {
        const k = `${gx},${gy}`;
        const list = grid.get(k);
        if (list) list.push(f);
        else grid.set(k, [f]);
      }
  }
  const replaced = new Set<number>();
  for (let f = 0; f < n; f++) {
    if (b.params[f].role !== 'part') continue;
    const pt = insidePoint(b, f);
    if (!pt) continue;
    const candidates = grid.get(`${Math.floor(pt[0] / cell)},${Math.floor(pt[1] / cell)}`) ?? [];
    // the smallest outline containing the part's point
    let best = -1, bestArea = Infinity;
    for (const o of candidates) {
      if (pt[0] < bbox[4 * o] || pt[0] > bbox[4 * o + 2] || pt[1] < bbox[4 * o + 1] || pt[1] > bbox[4 * o + 3]) continue;
      const area = (bbox[4 * o + 2] - bbox[4 * o]) * (bbox[4 * o + 3] - bbox[4 * o + 1]);
      if (area < bestArea && featureContains(b, o, pt[0], pt[1])) [best, bestArea] = [o, area];
    }
    if (best >= 0) {
      b.params[f].drawAs = best;
      b.params[f].partOf = b.params[best].id;
      replaced.add(best);
    }
  }
  for (const o of replaced) b.params[o].drawAs = -1;
  return replaced.size;
}
