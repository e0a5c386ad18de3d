import type { FeatureBatch } from '../core/types.js';

/** Options for {@link partition}. */
export interface PartitionOptions {
  /** A tile with more buildings than this is split (quadtree). */
  maxBuildings: number;
  /** Deepest level. */
  maxLevel: number;
}

/** Defaults for {@link PartitionOptions}. */
export const PARTITION_DEFAULTS: PartitionOptions = { maxBuildings: 2000, maxLevel: 12 };

/** One tile of the quadtree: address, the square it covers (frame metres) and its buildings. */
export interface TileNode {
  level: number;
  x: number;
  y: number;
  /** `level/x/y`: the unit id, also the content path. */
  id: string;
  minX: number;
  minY: number;
  size: number;
  /** Buildings (indices into the batch) in this tile's subtree, ascending. */
  buildings: number[];
  children: TileNode[];
}

/** Anchor point of each building: the centre of its first polygon's bounding box (parts use their outline's). */
export function anchors(b: FeatureBatch): Float64Array {
  const n = b.params.length;
  const out = new Float64Array(2 * n);
  for (let f = 0; f < n; f++) {
    const r = b.polygonOffsets[b.featureOffsets[f]];
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let v = b.ringOffsets[r]; v < b.ringOffsets[r + 1]; v++) {
      x0 = Math.min(x0, b.positions[2 * v]); x1 = Math.max(x1, b.positions[2 * v]);
      y0 = Math.min(y0, b.positions[2 * v + 1]); y1 = Math.max(y1, b.positions[2 * v + 1]);
    }
    out[2 * f] = (x0 + x1) / 2;
    out[2 * f + 1] = (y0 + y1) / 2;
  }
  for (let f = 0; f < n; f++) {
    const o = b.params[f].drawAs;
    if (o >= 0 && o !== f) {
      out[2 * f] = out[2 * o];
      out[2 * f + 1] = out[2 * o + 1];
    }
  }
  return out;
}

/**
 * A quadtree over the buildings' anchor points: the root square covers them all; a tile splits into
 * its non-empty quadrants while it holds more than `maxBuildings`. Deterministic: the same batch
 * gives the same tree.
 */
export function partition(b: FeatureBatch, options: Partial<PartitionOptions> = {}): TileNode {
  const opts = { ...PARTITION_DEFAULTS, ...options };
  const a = anchors(b);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let f = 0; f < b.params.length; f++) {
    x0 = Math.min(x0, a[2 * f]); x1 = Math.max(x1, a[2 * f]);
    y0 = Math.min(y0, a[2 * f + 1]); y1 = Math.max(y1, a[2 * f + 1]);
  }
  const size = Math.max(x1 - x0, y1 - y0, 1) * 1.0001;
  const all = Array.from({ length: b.params.length }, (_, i) => i);
  const build = (level: number, x: number, y: number, minX: number, minY: number, s: number, buildings: number[]): TileNode => {
    const node: TileNode = { level, x, y, id: `${level}/${x}/${y}`, minX, minY, size: s, buildings, children: [] };
    if (buildings.length > opts.maxBuildings && level < opts.maxLevel) {
      const h = s / 2;
      const quads: number[][] = [[], [], [], []];
      for (const f of buildings) {
        const qx = a[2 * f] >= minX + h ? 1 : 0;
        const qy = a[2 * f + 1] >= minY + h ? 1 : 0;
        quads[qy * 2 + qx].push(f);
      }
      quads.forEach((q, k) => {
        const qx = k % 2, qy = k >> 1;
        if (q.length) node.children.push(build(level + 1, 2 * x + qx, 2 * y + qy, minX + qx * h, minY + qy * h, h, q));
      });
    }
    return node;
  };
  return build(0, 0, 0, x0, y0, size, all);
}

/** Every tile, parents before children, in a fixed order. */
export function allTiles(root: TileNode): TileNode[] {
  const out: TileNode[] = [];
  const walk = (n: TileNode) => {
    out.push(n);
    n.children.forEach(walk);
  };
  walk(root);
  return out;
}
