import type { FeatureBatch } from '../core/types.js';

/**
 * A coarse level of detail: every footprint replaced by its oriented bounding box (aligned with its
 * longest outer edge), flat-roofed. One box per polygon; ids, heights and colours kept, so picking
 * and metadata work the same at every level.
 */
export function boxedBatch(b: FeatureBatch): FeatureBatch {
  const polys = b.featureOffsets[b.params.length];
  const positions = new Float64Array(8 * polys);
  const ringOffsets = new Uint32Array(polys + 1);
  const polygonOffsets = new Uint32Array(polys + 1);
  const P = b.positions;
  for (let p = 0; p < polys; p++) {
    const a = b.ringOffsets[b.polygonOffsets[p]], e = b.ringOffsets[b.polygonOffsets[p] + 1];
    // direction of the longest edge
    let ux = 1, uy = 0, best = -1;
    for (let i = a; i < e; i++) {
      const j = i + 1 < e ? i + 1 : a;
      const dx = P[2 * j] - P[2 * i], dy = P[2 * j + 1] - P[2 * i + 1];
      const l = Math.hypot(dx, dy);
      if (l > best) [best, ux, uy] = [l, dx / l, dy / l];
    }
    let s0 = Infinity, s1 = -Infinity, t0 = Infinity, t1 = -Infinity;
    for (let i = a; i < e; i++) {
      const s = P[2 * i] * ux + P[2 * i + 1] * uy;
      const t = -P[2 * i] * uy + P[2 * i + 1] * ux;
      s0 = Math.min(s0, s); s1 = Math.max(s1, s); t0 = Math.min(t0, t); t1 = Math.max(t1, t);
    }
    // corners counter-clockwise in (s, t), back to (x, y)
    const corners = [[s0, t0], [s1, t0], [s1, t1], [s0, t1]];
    corners.forEach(([s, t], k) => {
      positions[8 * p + 2 * k] = s * ux - t * uy;
      positions[8 * p + 2 * k + 1] = s * uy + t * ux;
    });
    ringOffsets[p + 1] = 4 * (p + 1);
    polygonOffsets[p + 1] = p + 1;
  }
  const params = b.params.map((q) => ({ ...q, roof: { ...q.roof, shape: 'flat' } }));
  return { frame: b.frame, positions, ringOffsets, polygonOffsets, featureOffsets: b.featureOffsets.slice(), params };
}
