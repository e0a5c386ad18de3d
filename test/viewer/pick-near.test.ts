import { describe, expect, it } from 'vitest';
import { pickNear } from '../../src/viewer/stage.js';

describe('pickNear', () => {
  // a "scene" where only pixel (10, 10) holds a building
  const only = (id: number) => (x: number, y: number) => (x === 10 && y === 10 ? id : null);

  it('click-missed-small-buildings: a click 2 or 4 px beside a 1-px building picks it', () => {
    expect(pickNear(only(7), 10, 10)).toBe(7);
    expect(pickNear(only(7), 12, 10)).toBe(7);
    expect(pickNear(only(7), 10, 6)).toBe(7);
    expect(pickNear(only(7), 7, 7)).toBe(7); // the 4-px ring's diagonal (±2.8 px, rounded to 3)
  });

  it('picks nothing farther away, and building 0 is a hit', () => {
    expect(pickNear(only(7), 20, 10)).toBeNull();
    expect(pickNear(only(7), 10, 16)).toBeNull();
    expect(pickNear(only(0), 12, 10)).toBe(0);
  });

  it('the pixel itself first, then the nearer ring', () => {
    const scene = (x: number, y: number) => (x === 50 && y === 50 ? 'under' : x === 52 && y === 50 ? 'near' : x === 50 && y === 46 ? 'far' : null);
    expect(pickNear(scene, 50, 50)).toBe('under');
    expect(pickNear((x, y) => (x === 50 && y === 50 ? null : scene(x, y)), 50, 50)).toBe('near');
    expect(pickNear((x, y) => (x === 50 && y === 46 ? scene(x, y) : null), 50, 50)).toBe('far'); // only the 4-px ring holds one
  });
});
