import { describe, expect, it } from 'vitest';
import { residualInflation } from '../../src/inverse/fit.js';

/** A w × h window where every cell is a sample, residuals from `f(i, j)`. */
function grid(w: number, h: number, f: (i: number, j: number) => number) {
  const index = new Int32Array(w * h).map((_, k) => k);
  const r = new Float64Array(w * h);
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) r[j * w + i] = f(i, j);
  return { index, r, weights: new Float64Array(w * h).fill(1) };
}

// a deterministic pseudo-random sequence (no seed flakiness)
const noise = (k: number) => {
  const x = Math.sin(k * 12.9898 + 78.233) * 43758.5453;
  return x - Math.floor(x) - 0.5;
};

describe('residualInflation', () => {
  it('independent residuals: no inflation', () => {
    const { index, r, weights } = grid(30, 30, (i, j) => noise(j * 30 + i));
    expect(residualInflation(index, 30, r, weights, 2)).toBeLessThan(1.3);
  });
  it('residuals constant over 4 × 4 blocks: each block counts about once', () => {
    const { index, r, weights } = grid(32, 32, (i, j) => noise(((j >> 2) << 3) + (i >> 2)));
    const k = residualInflation(index, 32, r, weights, 2);
    // ρ = 3/4 between neighbours → ((1 + ρ) / (1 − ρ))² = 49
    expect(k).toBeGreaterThan(30);
    expect(k).toBeLessThan(60);
  });
  it('never leaves fewer than p + 1 effective samples', () => {
    const { index, r, weights } = grid(4, 3, () => 1);
    expect(residualInflation(index, 4, r, weights, 2)).toBeLessThanOrEqual(12 / 3);
  });
  it('outliers (weight 0) and cells without samples are left out', () => {
    const { index, r, weights } = grid(30, 30, (i, j) => noise(j * 30 + i));
    for (let k = 0; k < 900; k += 7) {
      weights[k] = 0;
      r[k] = 50;
    }
    for (let k = 3; k < 900; k += 11) index[k] = -1;
    expect(residualInflation(index, 30, r, weights, 2)).toBeLessThan(1.3);
  });
});
