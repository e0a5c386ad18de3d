/** A grid to rasterise into: cell (i, j) centred at x0 + (i + ½)·cell, y0 + (j + ½)·cell, row 0 south. */
export interface RasterWindow {
  x0: number;
  y0: number;
  cell: number;
  nx: number;
  ny: number;
}

/**
 * Rasterise triangles as a surface model sees them: each cell takes the highest triangle over its
 * centre (walls, vertical, cover no centre). `heights` must start at −Infinity (or a ground model);
 * `labels`, when given with per-vertex `ids`, receives the id of the triangle that won the cell.
 *
 * @param positions x, y, z per vertex (the local frame, or any x/y the window is in)
 * @param indices three vertex indices per triangle
 * @example
 * ```ts
 * const heights = new Float32Array(nx * ny).fill(-Infinity);
 * rasterizeTriangles(mesh.positions, mesh.indices, { x0, y0, cell: 0.5, nx, ny }, heights);
 * ```
 */
export function rasterizeTriangles(positions: ArrayLike<number>, indices: ArrayLike<number>, win: RasterWindow, heights: Float32Array, ids?: ArrayLike<number>, labels?: Int32Array): void {
  const { x0, y0, cell, nx, ny } = win;
  const P = positions;
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t], b = indices[t + 1], c = indices[t + 2];
    const ax = P[3 * a], ay = P[3 * a + 1], bx = P[3 * b], by = P[3 * b + 1], cx = P[3 * c], cy = P[3 * c + 1];
    const det = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (Math.abs(det) < 1e-9) continue;
    const za = P[3 * a + 2], zb = P[3 * b + 2], zc = P[3 * c + 2];
    const i0 = Math.max(0, Math.ceil((Math.min(ax, bx, cx) - x0) / cell - 0.5));
    const i1 = Math.min(nx - 1, Math.floor((Math.max(ax, bx, cx) - x0) / cell - 0.5));
    const j0 = Math.max(0, Math.ceil((Math.min(ay, by, cy) - y0) / cell - 0.5));
    const j1 = Math.min(ny - 1, Math.floor((Math.max(ay, by, cy) - y0) / cell - 0.5));
    const eps = 1e-7;
    for (let j = j0; j <= j1; j++) {
      const y = y0 + (j + 0.5) * cell;
      for (let i = i0; i <= i1; i++) {
        const x = x0 + (i + 0.5) * cell;
        const u = ((bx - x) * (cy - y) - (by - y) * (cx - x)) / det;
        const v = ((cx - x) * (ay - y) - (cy - y) * (ax - x)) / det;
        const w = 1 - u - v;
        if (u < -eps || v < -eps || w < -eps) continue;
        const z = u * za + v * zb + w * zc;
        const k = j * nx + i;
        if (z > heights[k]) {
          heights[k] = z;
          if (labels && ids) labels[k] = ids[a];
        }
      }
    }
  }
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same noise everywhere. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Degrade a surface model like real data: Gaussian noise of σ `noise` metres and a share `dropout`
 * of cells set to no data (NaN), from a seeded generator (deterministic).
 */
export function degrade(heights: Float32Array, noise: number, dropout: number, seed: number): void {
  const rnd = prng(seed);
  for (let k = 0; k < heights.length; k++) {
    const d = rnd();
    const u1 = rnd() || 1e-12, u2 = rnd();
    if (!Number.isFinite(heights[k])) continue;
    if (d < dropout) {
      heights[k] = NaN;
      continue;
    }
    if (noise > 0) heights[k] += noise * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
