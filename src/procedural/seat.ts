import { sampleGrid, sampleValid, type ElevationGrid } from '../core/grid.js';
import { featureName } from '../core/params.js';
import type { FeatureBatch } from '../core/types.js';
import type { Summary } from '../core/summary.js';
import { featureContains } from '../core/contains.js';
import { extentOf } from '../core/extent.js';
import { featurePolygons } from './footprint.js';
import { centroid } from './roofs/common.js';

/** How a building's base elevation is taken from the terrain under it. */
export type BaseMode = 'min' | 'mean' | 'centroid';

/**
 * The ground elevation of every building: the terrain sampled along its footprint's edges (every
 * half grid cell), at its vertices and at the grid samples inside it, reduced by `mode` (`min`: the
 * lowest, so no wall floats above the ground; `mean`; `centroid`: the height under the outer ring's
 * centroid). Parts take their building's ground, so they line up. With `rise`, each building's highest
 * terrain sample above its ground is written there (how far the terrain climbs its walls).
 */
export function groundElevations(batch: FeatureBatch, grid: ElevationGrid, mode: BaseMode = 'min', rise?: Float64Array): Float64Array {
  const n = batch.params.length;
  const ground = new Float64Array(n);
  const P = batch.positions;
  const step = grid.cell / 2;
  for (let f = 0; f < n; f++) {
    let lo = Infinity, hi = -Infinity, sum = 0, count = 0;
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    const take = (x: number, y: number) => {
      const z = sampleGrid(grid, x, y);
      if (z < lo) lo = z;
      if (z > hi) hi = z;
      sum += z;
      count++;
    };
    const p0 = batch.featureOffsets[f], p1 = batch.featureOffsets[f + 1];
    for (let r = batch.polygonOffsets[p0]; r < batch.polygonOffsets[p1]; r++) {
      const a = batch.ringOffsets[r], b = batch.ringOffsets[r + 1];
      for (let i = a; i < b; i++) {
        const j = i + 1 < b ? i + 1 : a;
        const x0 = P[2 * i], y0 = P[2 * i + 1], x1 = P[2 * j], y1 = P[2 * j + 1];
        minX = Math.min(minX, x0); maxX = Math.max(maxX, x0); minY = Math.min(minY, y0); maxY = Math.max(maxY, y0);
        const k = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / step));
        for (let s = 0; s < k; s++) take(x0 + ((x1 - x0) * s) / k, y0 + ((y1 - y0) * s) / k);
      }
    }
    // grid samples inside (even-odd over all rings)
    const i0 = Math.ceil((minX - grid.x0) / grid.cell), i1 = Math.floor((maxX - grid.x0) / grid.cell);
    const j0 = Math.ceil((minY - grid.y0) / grid.cell), j1 = Math.floor((maxY - grid.y0) / grid.cell);
    for (let j = Math.max(0, j0); j <= Math.min(grid.n - 1, j1); j++)
      for (let i = Math.max(0, i0); i <= Math.min(grid.n - 1, i1); i++) {
        const x = grid.x0 + i * grid.cell, y = grid.y0 + j * grid.cell;
        if (featureContains(batch, f, x, y)) take(x, y);
      }
    if (mode === 'min') ground[f] = lo;
    else if (mode === 'mean') ground[f] = sum / count;
    else {
      const [cx, cy] = centroid(featurePolygons(batch, f)[0]);
      ground[f] = sampleGrid(grid, cx, cy);
    }
    if (rise) rise[f] = hi - ground[f];
  }
  for (let f = 0; f < n; f++) {
    const o = batch.params[f].drawAs;
    if (o >= 0 && o !== f) ground[f] = ground[o];
  }
  return ground;
}

/**
 * Count (and name) the buildings the terrain climbs over: the ground under the footprint rises more than
 * the building stands (a long building on a steep slope, seated on its lowest ground by `--base min`),
 * so its uphill side is under the terrain (buried-on-a-slope-unsaid). `rise`: from {@link groundElevations}.
 */
export function countClimbedOver(batch: FeatureBatch, rise: Float64Array, base: string, summary: Summary): void {
  for (let f = 0; f < batch.params.length; f++) {
    const p = batch.params[f];
    if (p.drawAs !== f) continue;
    if (rise[f] > p.height)
      summary.warn('terrain:building-under-the-slope', `${featureName(p)}: the ground rises ${rise[f].toFixed(1)} m across its footprint, over its ${p.height.toFixed(1)} m height; its uphill side is under the terrain${base === 'min' ? ' (--base mean or centroid seats it higher)' : ''}`);
  }
}

/**
 * Count (and name) the buildings that stand outside the DEM's data (`file`: the DEM as the log names it):
 * seated on the nearest data, with no terrain under them. Returns how many buildings (parts not counted
 * apart) were drawn, how many of those stand off the data, and which features do (1 in `outside`, by batch index).
 */
export function countOffData(batch: FeatureBatch, grid: ElevationGrid, file: string, summary: Summary): { drawn: number; off: number; outside: Uint8Array } {
  let drawn = 0, off = 0;
  const outside = new Uint8Array(batch.params.length);
  if (!grid.valid) return { drawn, off, outside };
  for (let f = 0; f < batch.params.length; f++) {
    const own = batch.params[f].drawAs === f;
    if (own) drawn++;
    // (its anchor, the centre of its outer ring's box: the point the run's check reads from the store's rows)
    const r = batch.polygonOffsets[batch.featureOffsets[f]];
    const box = extentOf(batch.positions, 2, batch.ringOffsets[r], batch.ringOffsets[r + 1]);
    if (sampleValid(grid, (box.minX + box.maxX) / 2, (box.minY + box.maxY) / 2)) continue;
    if (own) off++;
    outside[f] = 1;
    summary.warn('terrain:building-outside-dem', `${featureName(batch.params[f])}: outside the data of ${file}; seated on the nearest`);
  }
  return { drawn, off, outside };
}
