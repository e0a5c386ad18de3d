import { describe, expect, it } from 'vitest';
import { inferRoof, sampleFootprint, type InferredRoof } from '../../src/inverse/index.js';
import { ngon, rect, synthDsm, type SynthBuilding } from '../helpers/inverse.js';

function infer(b: SynthBuilding, o: { noise?: number; dropout?: number } = {}): InferredRoof {
  const { dsm, footprints } = synthDsm([b], o);
  const r = inferRoof(footprints[0], sampleFootprint(footprints[0], dsm, 0));
  if (!('shape' in r)) throw new Error(`skipped: ${r.reason} ${r.detail}`);
  return r;
}

/** Smallest angle between two bearings modulo `period`. */
const angleDiff = (a: number, b: number, period = 360) => {
  const d = (((a - b) % period) + period) % period;
  return Math.min(d, period - d);
};

const L = rect(20, 11, 23);
const CASES: [string, SynthBuilding][] = [
  ['flat', { rings: L, height: 9, roof: { shape: 'flat' } }],
  ['skillion', { rings: L, height: 9, roof: { shape: 'skillion', height: 2.5, direction: 117 } }],
  ['gabled', { rings: L, height: 12, roof: { shape: 'gabled', height: 4 } }],
  ['gabled across', { rings: L, height: 12, roof: { shape: 'gabled', height: 4, orientation: 'across' } }],
  ['half-hipped', { rings: L, height: 12, roof: { shape: 'half-hipped', height: 4.5 } }],
  ['gambrel', { rings: L, height: 13, roof: { shape: 'gambrel', height: 5 } }],
  ['hipped', { rings: L, height: 12, roof: { shape: 'hipped', height: 4 } }],
  ['pyramidal', { rings: rect(14, 12, 10), height: 12, roof: { shape: 'pyramidal', height: 5 } }],
  ['mansard', { rings: L, height: 14, roof: { shape: 'mansard', height: 5 } }],
  ['dome', { rings: ngon(24, 8), height: 16, roof: { shape: 'dome', height: 8 } }],
  ['cone', { rings: ngon(24, 6), height: 16, roof: { shape: 'cone', height: 7 } }],
  ['onion', { rings: ngon(24, 6), height: 20, roof: { shape: 'onion', height: 9 } }],
];

describe('inferRoof on exact synthetic surface models (build → rasterise → infer)', () => {
  it.each(CASES)('%s: shape, heights within 1 cm, direction within 0.1°', (_, b) => {
    const r = infer(b);
    expect(r.shape).toBe(b.roof.shape);
    expect(Math.abs(r.height - b.height)).toBeLessThan(0.01);
    expect(Math.abs(r.roofHeight - (b.roof.height ?? 0))).toBeLessThan(0.01);
    if (b.roof.direction != null) expect(angleDiff(r.direction!, b.roof.direction)).toBeLessThan(0.1);
    if (b.roof.orientation) expect(r.orientation).toBe(b.roof.orientation);
    expect(r.confidence).toBeGreaterThan(0.9);
    expect(r.rmse).toBeLessThan(0.01);
  });
});

describe('inferRoof on noisy data (σ 0.1 m, 5 % dropout)', () => {
  it.each(CASES)('%s: the right shape', (_, b) => {
    const r = infer(b, { noise: 0.1, dropout: 0.05 });
    expect(r.shape).toBe(b.roof.shape);
    expect(Math.abs(r.height - b.height)).toBeLessThan(0.15);
    expect(r.sigma.height).toBeGreaterThan(0);
    expect(r.sigma.height).toBeLessThan(0.1);
  });
});
