/**
 * A square elevation grid in the local frame: n × n samples (n = 2^k + 1), sample (i, j) at
 * x = x0 + i·cell, y = y0 + j·cell (row j = 0 is the south edge). Heights in metres, no gaps.
 */
export interface ElevationGrid {
  x0: number;
  y0: number;
  cell: number;
  n: number;
  heights: Float32Array;
  /**
   * 1 where the DEM has data (or a filled hole in it), 0 outside the data: the terrain is meshed only
   * where it is 1. Absent: data everywhere.
   */
  valid?: Uint8Array;
}

/** Bilinear height of a grid at (x, y), clamped to the grid's edge. */
export function sampleGrid(g: ElevationGrid, x: number, y: number): number {
  const fx = Math.min(g.n - 1, Math.max(0, (x - g.x0) / g.cell));
  const fy = Math.min(g.n - 1, Math.max(0, (y - g.y0) / g.cell));
  const i = Math.min(g.n - 2, Math.floor(fx));
  const j = Math.min(g.n - 2, Math.floor(fy));
  const u = fx - i;
  const v = fy - j;
  const h = g.heights;
  const a = h[j * g.n + i], b = h[j * g.n + i + 1], c = h[(j + 1) * g.n + i], d = h[(j + 1) * g.n + i + 1];
  return (a * (1 - u) + b * u) * (1 - v) + (c * (1 - u) + d * u) * v;
}

/** Whether the grid has data (or a filled hole) at all four samples around (x, y); true when the grid has no mask. */
export function sampleValid(g: ElevationGrid, x: number, y: number): boolean {
  if (!g.valid) return true;
  const fx = (x - g.x0) / g.cell;
  const fy = (y - g.y0) / g.cell;
  if (fx < -1e-9 || fy < -1e-9 || fx > g.n - 1 + 1e-9 || fy > g.n - 1 + 1e-9) return false;
  const i = Math.min(g.n - 2, Math.max(0, Math.floor(fx)));
  const j = Math.min(g.n - 2, Math.max(0, Math.floor(fy)));
  const v = g.valid;
  const n = g.n;
  const ix = fx - i < 1e-9 ? [i] : fx - i > 1 - 1e-9 ? [i + 1] : [i, i + 1];
  const jy = fy - j < 1e-9 ? [j] : fy - j > 1 - 1e-9 ? [j + 1] : [j, j + 1];
  for (const b of jy) for (const a of ix) if (!v[b * n + a]) return false;
  return true;
}

/** What {@link fillGaps} found and did. */
export interface GapReport {
  /** 1 where the grid has data or a filled hole; 0 outside the data. */
  valid: Uint8Array;
  /** No-data samples enclosed by data, filled from their surroundings. */
  holes: number;
  /** No-data samples connected to the grid's border: outside the data (not meshed; given the nearest height for sampling). */
  outside: number;
}

/**
 * Classify and fill the no-data samples (NaN) of an n × n grid in place. Those connected to the grid's
 * border through no-data are *outside* the data (the raster does not reach there): they are not part
 * of the terrain, only given the nearest height so that sampling near the data's edge stays smooth.
 * The others are *holes* in the data, filled from their surroundings (each sample the mean of its
 * known neighbours, from the hole's rim inwards). Deterministic, O(n²).
 *
 * @example
 * ```ts
 * const { valid, holes, outside } = fillGaps(heights, n);
 * ```
 */
export function fillGaps(h: Float32Array, n: number): GapReport {
  const N = n * n;
  const valid = new Uint8Array(N);
  const outsideMark = new Uint8Array(N);
  const queue = new Int32Array(N);
  // outside: flood from the border through no-data
  let head = 0, tail = 0;
  const seed = (k: number) => {
    if (Number.isNaN(h[k]) && !outsideMark[k]) {
      outsideMark[k] = 1;
      queue[tail++] = k;
    }
  };
  for (let i = 0; i < n; i++) {
    seed(i);
    seed((n - 1) * n + i);
    seed(i * n);
    seed(i * n + n - 1);
  }
  while (head < tail) {
    const k = queue[head++];
    const i = k % n, j = (k - i) / n;
    if (i > 0) seed(k - 1);
    if (i < n - 1) seed(k + 1);
    if (j > 0) seed(k - n);
    if (j < n - 1) seed(k + n);
  }
  const outside = tail;
  let holes = 0;
  for (let k = 0; k < N; k++) {
    if (!Number.isNaN(h[k])) valid[k] = 1;
    else if (!outsideMark[k]) {
      valid[k] = 1;
      holes++;
    }
  }
  // fill holes from data only, then the outside from everything: breadth-first from what is known
  const fillFrom = (fill: (k: number) => boolean) => {
    const known = new Uint8Array(N);
    for (let k = 0; k < N; k++) known[k] = Number.isNaN(h[k]) ? 0 : 1;
    let frontier: number[] = [];
    for (let k = 0; k < N; k++) if (!known[k] && fill(k) && hasKnownNeighbour(known, n, k)) frontier.push(k);
    const queued = new Uint8Array(N);
    for (const k of frontier) queued[k] = 1;
    while (frontier.length) {
      const values = frontier.map((k) => neighbourMean(h, known, n, k));
      frontier.forEach((k, i) => (h[k] = values[i]));
      for (const k of frontier) known[k] = 1;
      const next: number[] = [];
      for (const k of frontier)
        for (const m of neighbours(n, k))
          if (!known[m] && !queued[m] && fill(m)) {
            queued[m] = 1;
            next.push(m);
          }
      frontier = next.sort((a, b) => a - b);
    }
  };
  if (holes) fillFrom((k) => !outsideMark[k]);
  if (outside && outside < N) fillFrom(() => true);
  return { valid, holes, outside };
}

function neighbours(n: number, k: number): number[] {
  const i = k % n, j = (k - i) / n;
  const out: number[] = [];
  if (i > 0) out.push(k - 1);
  if (i < n - 1) out.push(k + 1);
  if (j > 0) out.push(k - n);
  if (j < n - 1) out.push(k + n);
  return out;
}

function hasKnownNeighbour(known: Uint8Array, n: number, k: number): boolean {
  return neighbours(n, k).some((m) => known[m] === 1);
}

function neighbourMean(h: Float32Array, known: Uint8Array, n: number, k: number): number {
  let s = 0, c = 0;
  for (const m of neighbours(n, k))
    if (known[m]) {
      s += h[m];
      c++;
    }
  return c ? s / c : NaN;
}

/**
 * A rectangular raster in the local frame, kept at its own resolution (a surface model to fit, not a
 * terrain to mesh): cell (i, j) covers x0 + i·cell … x0 + (i+1)·cell, y0 + j·cell … (row j = 0 is the
 * south edge); its value is at the cell's centre. NaN where there is no data.
 */
export interface RasterGrid {
  x0: number;
  y0: number;
  cell: number;
  nx: number;
  ny: number;
  values: Float32Array;
}

/** Value of the cell containing (x, y), NaN outside the grid or where it has no data. */
export function cellValue(g: RasterGrid, x: number, y: number): number {
  const i = Math.floor((x - g.x0) / g.cell);
  const j = Math.floor((y - g.y0) / g.cell);
  if (i < 0 || j < 0 || i >= g.nx || j >= g.ny) return NaN;
  return g.values[j * g.nx + i];
}

/** How elevation is packed into a raster tile's red, green and blue: Terrarium or Mapbox Terrain-RGB. */
export type DemEncoding = 'terrarium' | 'terrain-rgb';

/** The elevation tile encodings, for option parsers and messages. */
export const DEM_ENCODINGS: readonly DemEncoding[] = ['terrarium', 'terrain-rgb'];
