/** Options for {@link partition}. */
export interface PartitionOptions {
  /** A tile with more buildings than this is split (quadtree). */
  maxBuildings: number;
  /** Deepest level (the count grid has 2^maxLevel cells a side). */
  maxLevel: number;
}

/** Defaults for {@link PartitionOptions}. */
export const PARTITION_DEFAULTS: PartitionOptions = { maxBuildings: 2000, maxLevel: 12 };

/** One tile of the quadtree: address, the square it covers (frame metres) and how many buildings are below it. */
export interface TileNode {
  level: number;
  x: number;
  y: number;
  /** `level/x/y`: the unit id, also the content path. */
  id: string;
  minX: number;
  minY: number;
  size: number;
  /** Buildings in this tile's subtree. */
  count: number;
  children: TileNode[];
}

/** The quadtree's root square and grid: which deepest-level cell a point falls in. */
export interface QuadGrid {
  x0: number;
  y0: number;
  size: number;
  /** Cells a side (2^maxLevel). */
  cells: number;
  maxLevel: number;
}

/** The cell (i, j) of a point on the grid. */
export function cellOf(g: QuadGrid, x: number, y: number): [number, number] {
  const i = Math.min(g.cells - 1, Math.max(0, Math.floor(((x - g.x0) / g.size) * g.cells)));
  const j = Math.min(g.cells - 1, Math.max(0, Math.floor(((y - g.y0) / g.size) * g.cells)));
  return [i, j];
}

/**
 * A quadtree over the buildings' anchor points, from one pass over them and a fixed-size count grid
 * (2^maxLevel cells a side, summed once): memory does not depend on the number of buildings. The root
 * square covers the anchors (`extent`); a tile splits into its non-empty quadrants while it holds more
 * than `maxBuildings`. `anchors(visit)` calls `visit(x, y)` once per building. Deterministic.
 */
export function partition(extent: { minX: number; minY: number; maxX: number; maxY: number }, anchors: (visit: (x: number, y: number) => void) => void, options: Partial<PartitionOptions> = {}): { root: TileNode; grid: QuadGrid } {
  const opts = { ...PARTITION_DEFAULTS, ...options };
  const cells = 2 ** opts.maxLevel;
  const grid: QuadGrid = { x0: extent.minX, y0: extent.minY, size: Math.max(extent.maxX - extent.minX, extent.maxY - extent.minY, 1) * 1.0001, cells, maxLevel: opts.maxLevel };
  // counts, then inclusive 2D prefix sums in place
  const S = new Uint32Array(cells * cells);
  anchors((x, y) => {
    const [i, j] = cellOf(grid, x, y);
    S[j * cells + i]++;
  });
  for (let j = 0; j < cells; j++) {
    let run = 0;
    for (let i = 0; i < cells; i++) {
      run += S[j * cells + i];
      S[j * cells + i] = run + (j > 0 ? S[(j - 1) * cells + i] : 0);
    }
  }
  const at = (i: number, j: number) => (i < 0 || j < 0 ? 0 : S[j * cells + i]);
  const sum = (i0: number, j0: number, i1: number, j1: number) => at(i1 - 1, j1 - 1) - at(i0 - 1, j1 - 1) - at(i1 - 1, j0 - 1) + at(i0 - 1, j0 - 1);
  const build = (level: number, x: number, y: number, count: number): TileNode => {
    const s = grid.size / 2 ** level;
    const node: TileNode = { level, x, y, id: `${level}/${x}/${y}`, minX: grid.x0 + x * s, minY: grid.y0 + y * s, size: s, count, children: [] };
    if (count > opts.maxBuildings && level < opts.maxLevel) {
      const span = cells >> (level + 1);
      for (let k = 0; k < 4; k++) {
        const cx = 2 * x + (k % 2), cy = 2 * y + (k >> 1);
        const n = sum(cx * span, cy * span, (cx + 1) * span, (cy + 1) * span);
        if (n) node.children.push(build(level + 1, cx, cy, n));
      }
    }
    return node;
  };
  return { root: build(0, 0, 0, sum(0, 0, cells, cells)), grid };
}

/** The leaf holding cell (i, j) of the grid. */
export function leafOf(root: TileNode, grid: QuadGrid, i: number, j: number): TileNode {
  let n = root;
  for (;;) {
    if (!n.children.length) return n;
    const shift = grid.maxLevel - n.level - 1;
    const cx = 2 * n.x + ((i >> shift) & 1), cy = 2 * n.y + ((j >> shift) & 1);
    const next = n.children.find((c) => c.x === cx && c.y === cy);
    if (!next) throw new Error(`cityforge: cell ${i},${j} has no tile below ${n.id} (the quadtree and the anchors disagree)`);
    n = next;
  }
}

/** A tile's id as a flat file name stem (`level-x-y`). */
export function tileStem(node: TileNode): string {
  return node.id.replaceAll('/', '-');
}

/** Every tile, parents before children, in a fixed order (of a tree, or of a plan's tree). */
export function allTiles<T extends { readonly children: readonly T[] }>(root: T): T[] {
  const out: T[] = [];
  const walk = (n: T) => {
    out.push(n);
    n.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** The leaves below a tile (itself for a leaf), in tree order. */
export function leavesOf(node: TileNode): TileNode[] {
  return allTiles(node).filter((n) => n.children.length === 0);
}
