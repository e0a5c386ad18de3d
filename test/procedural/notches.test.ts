import { describe, expect, it } from 'vitest';
import { removeNotches } from '../../src/procedural/index.js';

const area = (r: number[][]) => {
  let a = 0;
  for (let i = 0; i < r.length; i++) a += r[i][0] * r[(i + 1) % r.length][1] - r[(i + 1) % r.length][0] * r[i][1];
  return a / 2;
};

describe('removeNotches: one-cell steps out of a raster region\'s outline', () => {
  it('part-edge-step-hipped-a-gable: a notch and a bump half a metre deep go; the line runs straight', () => {
    const notch = [[0, 0], [10, 0], [10, 4], [6, 4], [6, 3.5], [5, 3.5], [5, 4], [0, 4]];
    const bump = [[0, 0], [10, 0], [10, 4], [6, 4], [6, 4.5], [5, 4.5], [5, 4], [0, 4]];
    for (const r of [notch, bump]) {
      const out = removeNotches(r, 0.55);
      expect(out).toHaveLength(6);
      expect(area(out)).toBeCloseTo(40, 9);
      // what is left of the top edge lies on y = 4
      for (const [, y] of out) expect([0, 4]).toContain(y);
    }
  });

  it('keeps what is deeper than the depth, steps (no way back out), corners and small rings', () => {
    const deep = [[0, 0], [10, 0], [10, 4], [6, 4], [6, 3], [5, 3], [5, 4], [0, 4]];
    expect(removeNotches(deep, 0.55)).toEqual(deep);
    // one step down along the top edge: a change of line, not a notch
    const step = [[0, 0], [10, 0], [10, 4], [6, 4], [6, 3.5], [0, 3.5]];
    expect(removeNotches(step, 0.55)).toEqual(step);
    // a small rectangle is not one notch of itself
    const small = [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]];
    expect(removeNotches(small, 0.55)).toEqual(small);
    // a slanted jog (not at right angles to the line) stays
    const slanted = [[0, 0], [10, 0], [10, 4], [6, 4], [5.6, 3.7], [5.4, 3.7], [5, 4], [0, 4]];
    expect(removeNotches(slanted, 0.55)).toEqual(slanted);
  });

  it('removes every notch along a ring, whichever vertex the ring starts at', () => {
    const r = [[0, 0], [3, 0], [3, 0.5], [4, 0.5], [4, 0], [10, 0], [10, 4], [6, 4], [6, 3.5], [5, 3.5], [5, 4], [0, 4]];
    for (let s = 0; s < r.length; s++) {
      const out = removeNotches([...r.slice(s), ...r.slice(0, s)], 0.55);
      expect(out.length).toBeLessThanOrEqual(8);
      expect(Math.abs(area(out))).toBeCloseTo(40, 9);
    }
  });
});
