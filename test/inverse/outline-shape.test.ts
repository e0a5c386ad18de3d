import { describe, expect, it } from 'vitest';
import { dominantShape, type InferredPart } from '../../src/pipeline/infer.js';
import type { InferredRoof } from '../../src/inverse/index.js';

/** A rectangular part w × d at x with a roof of `shape` facing `direction` at `angle`. */
function part(x: number, w: number, d: number, shape: string, direction: number | null, angle: number | null, height = 10): InferredPart {
  const roof = { shape, direction, angle, height, eave: height - 3, roofHeight: 3 } as InferredRoof;
  return { footprint: { coords: Float64Array.from([x, 0, x + w, 0, x + w, d, x, d]), ringStarts: Uint32Array.from([0, 4]) }, roof, status: 'fitted' };
}

describe("dominantShape: the outline's roof:shape of a building written as parts", () => {
  it('gable-sides-counted-as-skillions: two skillions facing one another at a like pitch are a gable', () => {
    // a gable whose ridge is off the middle: a 6 m and a 4 m side (Vienna's "gabled" labels, written as skillion parts)
    expect(dominantShape([part(0, 6, 10, 'skillion', 270, 35), part(6, 4, 10, 'skillion', 90, 38), part(20, 7, 7, 'flat', null, null)])).toBe('gabled');
  });

  it('valley-read-as-gable: two skillions sloping towards one another meet in a valley, no ridge', () => {
    // Vienna 011979, 011474 (labelled skillion): lean-tos sloping down to a courtyard or a butterfly roof
    expect(dominantShape([part(0, 6, 10, 'skillion', 90, 35), part(6, 4, 10, 'skillion', 270, 38), part(20, 7, 7, 'flat', null, null)])).toBe('skillion');
    expect(dominantShape([part(0, 5, 10, 'skillion', 90, 8, 7), part(5, 5, 10, 'skillion', 270, 8, 7)])).toBe('skillion');
    // the same two turned round: a gable
    expect(dominantShape([part(0, 5, 10, 'skillion', 270, 8, 7), part(5, 5, 10, 'skillion', 90, 8, 7)])).toBe('gabled');
  });

  it('a lean-to stays a skillion: what faces it is small, or far steeper and not meeting it at a ridge', () => {
    expect(dominantShape([part(0, 10, 10, 'skillion', 180, 30), part(10, 2, 10, 'skillion', 0, 30)])).toBe('skillion');
    // a steep lean-to against the wall 2 m below the main roof's top
    expect(dominantShape([part(0, 10, 10, 'skillion', 180, 20), part(10, 8, 10, 'skillion', 0, 55, 8)])).toBe('skillion');
    // a far steeper roof facing it across a yard (their boxes 3 m apart)
    expect(dominantShape([part(0, 10, 10, 'skillion', 180, 20), part(13, 8, 10, 'skillion', 0, 55)])).toBe('skillion');
  });

  it('asymmetric-gable-read-as-skillion: two sides meeting at one ridge are a gable whatever their pitches', () => {
    // Vienna 011516 (labelled gabled): a 46° side and an 18° side, their tops 0.25 m apart, side by side
    expect(dominantShape([part(0, 4, 20, 'skillion', 270, 46, 15.78), part(3.5, 4, 16, 'skillion', 90, 18, 15.53)])).toBe('gabled');
  });

  it('otherwise the shape of most of the area', () => {
    expect(dominantShape([part(0, 10, 10, 'flat', null, null), part(10, 5, 10, 'hipped', 0, 30)])).toBe('flat');
    expect(dominantShape([])).toBeNull();
  });
});
