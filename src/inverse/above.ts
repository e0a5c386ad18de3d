import { selectSamples, type RoofSamples } from './samples.js';

/** Options of {@link risingRegions}. */
export interface RisingOptions {
  /** Least rise (m) of a sample over the model there to count as standing above it. */
  rise: number;
  /** Least cells of a region. */
  minCells: number;
  /** Least cells of a region whose four neighbours are in it too (slivers along part edges have none). */
  minInterior: number;
}

/** Defaults of {@link risingRegions}: 1.5 m above the roof, 6 cells, 2 of them interior. */
export const RISING_DEFAULTS: RisingOptions = { rise: 1.5, minCells: 6, minInterior: 2 };

/**
 * The regions of a surface standing clearly above a fitted roof: towers, spires, a storey the roof's
 * parts left out. 8-connected components of samples at least `rise` above `model` (the fitted roof's
 * height at each sample; 0 where nothing was built), kept when they have `minCells` cells, `minInterior`
 * of them with all four neighbours in the region.
 *
 * @param s the footprint's samples
 * @param model the built height at each sample (same order as `s.z`)
 * @returns a label per window cell (−1: none) and the number of regions, largest first
 *
 * @example
 * ```ts
 * const { labels, count } = risingRegions(samples, heights);
 * // labels[j * samples.w + i] === 0: the largest region above the roof
 * ```
 */
export function risingRegions(s: RoofSamples, model: ArrayLike<number>, options: Partial<RisingOptions> = {}): { labels: Int32Array; count: number } {
  const o = { ...RISING_DEFAULTS, ...options };
  return regionsWhere(s, (k) => s.z[k] - model[k] >= o.rise, o);
}

/**
 * The regions of a surface lying clearly below a fitted roof: a lower wing, an annex's or a porch's
 * roof, a light well the one roof was drawn over. The same rule as {@link risingRegions} the other way
 * up: samples at least `rise` below `model`, in regions of `minCells` cells with `minInterior` interior
 * ones (so the strip along a pitched roof's eaves, where a cell holds the wall's drop, is none).
 *
 * @example
 * ```ts
 * const { labels, count } = sunkenRegions(samples, heights, { minCells: 16, minInterior: 4 });
 * ```
 */
export function sunkenRegions(s: RoofSamples, model: ArrayLike<number>, options: Partial<RisingOptions> = {}): { labels: Int32Array; count: number } {
  const o = { ...RISING_DEFAULTS, ...options };
  return regionsWhere(s, (k) => model[k] - s.z[k] >= o.rise, o);
}

/** The 8-connected regions of the samples `inside` holds for, kept and labelled as {@link risingRegions} says. */
function regionsWhere(s: RoofSamples, inside: (k: number) => boolean, o: RisingOptions): { labels: Int32Array; count: number } {
  const { w, h } = s;
  const up = new Uint8Array(w * h);
  for (let c = 0; c < w * h; c++) {
    const k = s.index[c];
    if (k >= 0 && inside(k)) up[c] = 1;
  }
  const comp = new Int32Array(w * h).fill(-1);
  const regions: { cells: number[]; interior: number }[] = [];
  const stack: number[] = [];
  for (let c0 = 0; c0 < w * h; c0++) {
    if (!up[c0] || comp[c0] >= 0) continue;
    const id = regions.length;
    const cells: number[] = [];
    comp[c0] = id;
    stack.push(c0);
    while (stack.length) {
      const c = stack.pop()!;
      cells.push(c);
      const i = c % w, j = (c - i) / w;
      for (let dj = -1; dj <= 1; dj++)
        for (let di = -1; di <= 1; di++) {
          const ii = i + di, jj = j + dj;
          if (ii < 0 || jj < 0 || ii >= w || jj >= h) continue;
          const n = jj * w + ii;
          if (up[n] && comp[n] < 0) {
            comp[n] = id;
            stack.push(n);
          }
        }
    }
    let interior = 0;
    for (const c of cells) {
      const i = c % w, j = (c - i) / w;
      if (i > 0 && j > 0 && i < w - 1 && j < h - 1 && up[c - 1] && up[c + 1] && up[c - w] && up[c + w]) interior++;
    }
    regions.push({ cells, interior });
  }
  const kept = regions
    .map((r, id) => ({ ...r, id }))
    .filter((r) => r.cells.length >= o.minCells && r.interior >= o.minInterior)
    .sort((a, b) => b.cells.length - a.cells.length || a.cells[0] - b.cells[0]);
  const labels = new Int32Array(w * h).fill(-1);
  kept.forEach((r, k) => {
    for (const c of r.cells) labels[c] = k;
  });
  return { labels, count: kept.length };
}

/** The samples of the cells labelled `region` (see {@link risingRegions}), in the same window. */
export function regionSamples(s: RoofSamples, labels: Int32Array, region: number): RoofSamples {
  return selectSamples(s, (c) => labels[c] === region);
}
