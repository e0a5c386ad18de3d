import { describe, expect, it } from 'vitest';
import { sharedSide } from '../../src/tiles/build.js';

describe('sharedSide: which terrain skirts of a tile take the imagery', () => {
  const root = { minX: 0, minY: 0, size: 400 };
  const leaf = { minX: 100, minY: 0, size: 100 };
  it('terrain-sides-streaked: a side another tile shares takes it; a side on the root square and the data\'s own edge do not', () => {
    // the leaf's west and east sides are shared, its south side is the tileset's edge
    expect(sharedSide(leaf, root, 100, 10, 100, 20)).toBe(true);
    expect(sharedSide(leaf, root, 200, 50, 200, 40)).toBe(true);
    expect(sharedSide(leaf, root, 110, 100, 120, 100)).toBe(true);
    expect(sharedSide(leaf, root, 110, 0, 120, 0)).toBe(false);
    // an edge inside the square (the data ends there) is no tile's side
    expect(sharedSide(leaf, root, 150, 30, 160, 40)).toBe(false);
    // the root tile has no shared side
    for (const [ax, ay, bx, by] of [[0, 10, 0, 20], [400, 10, 400, 20], [10, 0, 20, 0], [10, 400, 20, 400]]) expect(sharedSide(root, root, ax, ay, bx, by)).toBe(false);
  });
  it('float32 positions far from the frame\'s origin still lie on their side', () => {
    const far = { minX: 150_000, minY: 150_000, size: 500 };
    const x = Math.fround(150_500.0);
    expect(sharedSide(far, root, x, Math.fround(150_100), x, Math.fround(150_200))).toBe(true);
  });
});
