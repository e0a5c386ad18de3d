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

/**
 * The coarsest level of detail, built one building at a time (so a tile over a whole country needs
 * memory for its grid only): buildings merged into blocks, one per cell of a `cell`-metre grid (by the
 * building's anchor). Each block is the bounding rectangle of its buildings' footprints, as tall as
 * their footprint-weighted mean height, standing on their lowest ground. A block is one feature
 * (`kind` "block", `pieces` = its buildings), so every building is in exactly one block.
 */
export class BlockGrid {
  private readonly cells = new Map<string, Float64Array>();

  constructor(readonly cell: number) {}

  /** Add one building: its anchor, footprint box, height, min height and ground (NaN: none). */
  add(ax: number, ay: number, x0: number, y0: number, x1: number, y1: number, height: number, minHeight: number, ground = NaN): void {
    const key = `${Math.floor(ax / this.cell)},${Math.floor(ay / this.cell)}`;
    let c = this.cells.get(key);
    // x0, y0, x1, y1, Σ area·height, Σ area, min height, lowest ground, count
    if (!c) this.cells.set(key, (c = Float64Array.of(Infinity, Infinity, -Infinity, -Infinity, 0, 0, Infinity, Infinity, 0)));
    c[0] = Math.min(c[0], x0);
    c[1] = Math.min(c[1], y0);
    c[2] = Math.max(c[2], x1);
    c[3] = Math.max(c[3], y1);
    const area = Math.max(1, (x1 - x0) * (y1 - y0));
    c[4] += area * height;
    c[5] += area;
    c[6] = Math.min(c[6], minHeight);
    if (!Number.isNaN(ground)) c[7] = Math.min(c[7], ground);
    c[8]++;
  }

  /** The blocks as a batch (rows ordered by cell, south to north, west to east), with their ground if any was given. */
  toBatch(frame: FeatureBatch['frame'], withGround: boolean): { batch: FeatureBatch; ground?: Float64Array } {
    // (each key parsed once, not in every comparison)
    const keys = [...this.cells.keys()]
      .map((k) => { const [x, y] = k.split(',').map(Number); return { k, x, y }; })
      .sort((p, q) => p.y - q.y || p.x - q.x)
      .map((e) => e.k);
    const n = keys.length;
    const positions = new Float64Array(8 * n);
    const ringOffsets = new Uint32Array(n + 1);
    const polygonOffsets = new Uint32Array(n + 1);
    const featureOffsets = new Uint32Array(n + 1);
    const params = [];
    const g = withGround ? new Float64Array(n) : undefined;
    for (const [i, key] of keys.entries()) {
      const c = this.cells.get(key)!;
      positions.set([c[0], c[1], c[2], c[1], c[2], c[3], c[0], c[3]], 8 * i);
      ringOffsets[i + 1] = 4 * (i + 1);
      polygonOffsets[i + 1] = i + 1;
      featureOffsets[i + 1] = i + 1;
      const height = Math.max(c[4] / c[5], c[6] + 0.5);
      // (block-height-said-data: a block's height is its buildings' mean by area, not one in the data: heightFrom 'merged')
      params.push(makeParams({ id: `block ${key}`, source: 'cityforge: merged buildings', height, minHeight: Math.min(c[6], height - 0.5), kind: 'block', name: c[8] === 1 ? '1 building' : `${c[8]} buildings`, drawAs: i, pieces: c[8], heightFrom: 'merged' }));
      // (no member seated on the ground: its heights are the frame's own)
      if (g) g[i] = Number.isFinite(c[7]) ? c[7] : 0;
    }
    return { batch: { frame, positions, ringOffsets, polygonOffsets, featureOffsets, params }, ground: g };
  }
}
