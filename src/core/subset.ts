import type { FeatureBatch } from './types.js';

/**
 * The features `indices` of a batch as a batch of their own (coordinates copied), with `drawAs`
 * remapped to the new indices (a part whose outline is not in the subset draws as itself).
 */
export function subsetBatch(b: FeatureBatch, indices: readonly number[]): FeatureBatch {
  const map = new Map<number, number>();
  indices.forEach((f, i) => map.set(f, i));
  let nv = 0, nr = 0, np = 0;
  for (const f of indices) {
    const p0 = b.featureOffsets[f], p1 = b.featureOffsets[f + 1];
    np += p1 - p0;
    nr += b.polygonOffsets[p1] - b.polygonOffsets[p0];
    nv += b.ringOffsets[b.polygonOffsets[p1]] - b.ringOffsets[b.polygonOffsets[p0]];
  }
  const positions = new Float64Array(2 * nv);
  const ringOffsets = new Uint32Array(nr + 1);
  const polygonOffsets = new Uint32Array(np + 1);
  const featureOffsets = new Uint32Array(indices.length + 1);
  let v = 0, r = 0, p = 0;
  indices.forEach((f, i) => {
    for (let q = b.featureOffsets[f]; q < b.featureOffsets[f + 1]; q++) {
      for (let s = b.polygonOffsets[q]; s < b.polygonOffsets[q + 1]; s++) {
        const a = b.ringOffsets[s], e = b.ringOffsets[s + 1];
        positions.set(b.positions.subarray(2 * a, 2 * e), 2 * v);
        v += e - a;
        ringOffsets[++r] = v;
      }
      polygonOffsets[++p] = r;
    }
    featureOffsets[i + 1] = p;
  });
  const params = indices.map((f, i) => {
    const src = b.params[f];
    const drawAs = src.drawAs < 0 ? -1 : (map.get(src.drawAs) ?? i);
    return { ...src, drawAs };
  });
  return { frame: b.frame, positions, ringOffsets, polygonOffsets, featureOffsets, params };
}
