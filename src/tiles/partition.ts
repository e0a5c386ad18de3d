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
  /**
   * Buildings (indices into the batch) in this tile's subtree: a view of one permutation shared by
   * the whole tree (a tile's range is its children's ranges in quadrant order; ascending in a leaf).
   */
  buildings: Uint32Array;
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
  return partitionAnchors(anchors(b), b.params.length, options);
}

/**
 * {@link partition} over anchor points (x, y per building) alone — what a streamed run keeps in
 * memory. The tree's building lists are ranges of one `Uint32Array` (4 bytes per building), split
 * in place by a stable four-way partition; `shared` puts it in shared memory for worker threads.
 */
export function partitionAnchors(a: ArrayLike<number>, n: number, options: Partial<PartitionOptions> = {}, shared = false): TileNode {
  const opts = { ...PARTITION_DEFAULTS, ...options };
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let f = 0; f < n; f++) {
    x0 = Math.min(x0, a[2 * f]); x1 = Math.max(x1, a[2 * f]);
    y0 = Math.min(y0, a[2 * f + 1]); y1 = Math.max(y1, a[2 * f + 1]);
  }
  const size = Math.max(x1 - x0, y1 - y0, 1) * 1.0001;
  const perm = shared ? new Uint32Array(new SharedArrayBuffer(4 * n)) : new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const scratch = new Uint32Array(n);
  const build = (level: number, x: number, y: number, minX: number, minY: number, s: number, start: number, end: number): TileNode => {
    const node: TileNode = { level, x, y, id: `${level}/${x}/${y}`, minX, minY, size: s, buildings: perm.subarray(start, end), children: [] };
    if (end - start > opts.maxBuildings && level < opts.maxLevel) {
      const h = s / 2;
      const quadOf = (f: number) => (a[2 * f + 1] >= minY + h ? 2 : 0) + (a[2 * f] >= minX + h ? 1 : 0);
      const counts = [0, 0, 0, 0];
      for (let i = start; i < end; i++) counts[quadOf(perm[i])]++;
      const at = [start, start + counts[0], start + counts[0] + counts[1], start + counts[0] + counts[1] + counts[2]];
      const fill = at.slice();
      for (let i = start; i < end; i++) scratch[fill[quadOf(perm[i])]++] = perm[i];
      perm.set(scratch.subarray(start, end), start);
      for (let k = 0; k < 4; k++) {
        if (!counts[k]) continue;
        const qx = k % 2, qy = k >> 1;
        node.children.push(build(level + 1, 2 * x + qx, 2 * y + qy, minX + qx * h, minY + qy * h, h, at[k], at[k] + counts[k]));
      }
    }
    return node;
  };
  return build(0, 0, 0, x0, y0, size, 0, n);
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
