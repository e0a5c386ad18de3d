import { describe, expect, it } from 'vitest';
import { risingRegions, sunkenRegions, regionSamples, type RoofSamples } from '../../src/inverse/index.js';

/** A 20 × 20 window of samples (1 m cells) at height `z(i, j)`. */
function grid(z: (i: number, j: number) => number): RoofSamples {
  const w = 20, h = 20, n = w * h;
  const index = new Int32Array(n), x = new Float64Array(n), y = new Float64Array(n), zs = new Float64Array(n);
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) {
    const k = j * w + i;
    index[k] = k;
    x[k] = i + 0.5;
    y[k] = j + 0.5;
    zs[k] = z(i, j);
  }
  return { x0: 0, y0: 0, cell: 1, w, h, index, x, y, z: zs, cells: n, inside: new Uint8Array(n).fill(1) };
}

describe('risingRegions: what stands clearly above the fitted roof', () => {
  // a roof at 10 m; a 4 × 4 tower 6 m above it; a one-cell spike; a one-cell-wide ridge of 8 cells (a sliver)
  const s = grid((i, j) => 10 + (i >= 3 && i < 7 && j >= 3 && j < 7 ? 6 : 0) + (i === 15 && j === 15 ? 9 : 0) + (j === 12 && i >= 8 && i < 16 ? 3 : 0));
  const model = new Float64Array(s.z.length).fill(10);

  it('a tower is one region; a spike and a sliver are not', () => {
    const { labels, count } = risingRegions(s, model);
    expect(count).toBe(1);
    const cells = [...labels.keys()].filter((c) => labels[c] === 0);
    expect(cells).toHaveLength(16);
    for (const c of cells) expect(s.z[c]).toBe(16);
    expect(regionSamples(s, labels, 0).z.length).toBe(16);
  });

  it('nothing rises where the model already stands at the tower\'s height', () => {
    const built = Float64Array.from(s.z, (z) => Math.max(10, z - 1));
    expect(risingRegions(s, built).count).toBe(0);
  });

  it('regions come largest first, and the order does not depend on where they lie', () => {
    const t = grid((i, j) => 10 + (i >= 1 && i < 4 && j >= 1 && j < 5 ? 4 : 0) + (i >= 10 && i < 15 && j >= 10 && j < 15 ? 4 : 0));
    const { labels, count } = risingRegions(t, model);
    expect(count).toBe(2);
    expect([...labels].filter((l) => l === 0)).toHaveLength(25);
    expect([...labels].filter((l) => l === 1)).toHaveLength(12);
  });
});

describe('sunkenRegions: what lies clearly below the fitted roof', () => {
  // a roof at 10 m; a 5 × 6 annex roof at 3 m at its edge; a one-cell-wide strip along the other edge at
  // 7 m (the wall's drop in the eave cells): one region, the annex
  const s = grid((i, j) => (i >= 15 && j < 6 ? 3 : i === 0 ? 7 : 10));
  const model = new Float64Array(s.z.length).fill(10);

  it('a lower annex is one region; the eave strip is not', () => {
    const { labels, count } = sunkenRegions(s, model, { minCells: 16, minInterior: 4 });
    expect(count).toBe(1);
    const cells = [...labels.keys()].filter((c) => labels[c] === 0);
    expect(cells).toHaveLength(30);
    for (const c of cells) expect(s.z[c]).toBe(3);
  });

  it('nothing is sunken where the model follows the annex, nor above the roof', () => {
    expect(sunkenRegions(s, s.z).count).toBe(0);
    expect(sunkenRegions(s, model.map(() => 2)).count).toBe(0);
  });
});
