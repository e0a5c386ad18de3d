import { describe, expect, it } from 'vitest';
import { terracedShare, type RoofSamples } from '../../src/inverse/index.js';

/** A w × h window of samples (0.5 m cells, south row first) with heights z(i, j). */
function grid(w: number, h: number, z: (i: number, j: number) => number): RoofSamples {
  const cell = 0.5;
  const index = new Int32Array(w * h);
  const xs: number[] = [], ys: number[] = [], zs: number[] = [];
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) {
      index[j * w + i] = xs.length;
      xs.push((i + 0.5) * cell);
      ys.push((j + 0.5) * cell);
      zs.push(z(i, j));
    }
  return { x0: 0, y0: 0, cell, w, h, index, x: Float64Array.from(xs), y: Float64Array.from(ys), z: Float64Array.from(zs), cells: w * h, inside: new Uint8Array(w * h).fill(1) };
}

describe('terracedShare', () => {
  const tan = (deg: number) => Math.tan((deg * Math.PI) / 180);

  it('terraces-fitted-as-a-steep-skillion: landings three cells deep, 2.6 m apart, hold still between their steps', () => {
    // falling to the south (rows run south to north: higher j, higher roof)
    const stairs = grid(12, 9, (_, j) => 2.6 * Math.floor(j / 3));
    const share = terracedShare(stairs, 180, 68);
    expect(share).toBeCloseTo(6 / 8, 6);
  });

  it('a plane at its own pitch drops every cell, whichever way it faces (the grid axis nearest its bearing)', () => {
    for (const [bearing, deg] of [[180, 68], [90, 50], [300, 60], [45, 55]] as const) {
      const [e, n] = [Math.sin((bearing * Math.PI) / 180), Math.cos((bearing * Math.PI) / 180)];
      // downhill along (e, n): the height falls as the position moves that way
      const plane = grid(14, 14, (i, j) => -tan(deg) * 0.5 * (i * e + j * n) + 0.03 * Math.sin(7 * i + 3 * j));
      expect(terracedShare(plane, bearing, deg), `${bearing}° at ${deg}°`).toBeLessThan(0.05);
    }
  });

  it('too few pairs: NaN', () => {
    expect(terracedShare(grid(2, 2, () => 0), 180, 60)).toBeNaN();
  });
});
