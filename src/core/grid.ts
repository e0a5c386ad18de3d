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
