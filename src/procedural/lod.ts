import { makeParams } from '../core/params.js';
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

/** What blocks need of each building (the index a streamed run keeps): anchor, footprint box, heights. */
export interface BuildingBoxes {
  /** x, y per building. */
  anchors: ArrayLike<number>;
  /** x0, y0, x1, y1 per building. */
  bbox: ArrayLike<number>;
  /** height, min height per building. */
  heights: ArrayLike<number>;
}

/**
 * The coarsest level of detail: buildings `members` merged into blocks, one per cell of a
 * `cell`-metre grid (by the building's anchor): each block is the bounding rectangle of its buildings'
 * footprints, as tall as their footprint-weighted mean height, standing on their lowest ground
 * (`ground`, per building). A block is one feature (`kind` "block", `pieces` = its buildings), so
 * every building is in exactly one block. Needs only the buildings' boxes, not their geometry.
 */
export function blockBatch(frame: FeatureBatch['frame'], members: ArrayLike<number>, s: BuildingBoxes, cell: number, ground?: (f: number) => number): { batch: FeatureBatch; ground?: Float64Array } {
  const cells = new Map<string, number[]>();
  for (let i = 0; i < members.length; i++) {
    const f = members[i];
    const k = `${Math.floor(s.anchors[2 * f] / cell)},${Math.floor(s.anchors[2 * f + 1] / cell)}`;
    const list = cells.get(k);
    if (list) list.push(f);
    else cells.set(k, [f]);
  }
  const keys = [...cells.keys()].sort((p, q) => {
    const [px, py] = p.split(',').map(Number), [qx, qy] = q.split(',').map(Number);
    return py - qy || px - qx;
  });
  const n = keys.length;
  const positions = new Float64Array(8 * n);
  const ringOffsets = new Uint32Array(n + 1);
  const polygonOffsets = new Uint32Array(n + 1);
  const featureOffsets = new Uint32Array(n + 1);
  const params = [];
  const g = ground ? new Float64Array(n) : undefined;
  const B = s.bbox;
  for (const [i, key] of keys.entries()) {
    const list = cells.get(key)!;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, wh = 0, w = 0, low = Infinity, minH = Infinity;
    for (const f of list) {
      const fx0 = B[4 * f], fy0 = B[4 * f + 1], fx1 = B[4 * f + 2], fy1 = B[4 * f + 3];
      x0 = Math.min(x0, fx0); x1 = Math.max(x1, fx1); y0 = Math.min(y0, fy0); y1 = Math.max(y1, fy1);
      const area = Math.max(1, (fx1 - fx0) * (fy1 - fy0));
      wh += area * s.heights[2 * f];
      w += area;
      minH = Math.min(minH, s.heights[2 * f + 1]);
      if (ground) low = Math.min(low, ground(f));
    }
    positions.set([x0, y0, x1, y0, x1, y1, x0, y1], 8 * i);
    ringOffsets[i + 1] = 4 * (i + 1);
    polygonOffsets[i + 1] = i + 1;
    featureOffsets[i + 1] = i + 1;
    const height = Math.max(wh / w, minH + 0.5);
    params.push(makeParams({ id: `block ${key}`, source: 'cityforge: merged buildings', height, minHeight: Math.min(minH, height - 0.5), kind: 'block', name: `${list.length} buildings`, drawAs: i, pieces: list.length }));
    if (g) g[i] = low;
  }
  return { batch: { frame, positions, ringOffsets, polygonOffsets, featureOffsets, params }, ground: g };
}
