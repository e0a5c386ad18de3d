import { describe, expect, it } from 'vitest';
import { inferRoof, sampleFootprint, type InferredRoof } from '../../src/inverse/index.js';
import { editCells, ngon, rect, synthDsm, type SynthBuilding } from '../helpers/inverse.js';

// the synthetic model is exact: no accuracy floor beyond the fit's own unless a test asks for one
function infer(b: SynthBuilding, o: { noise?: number; dropout?: number } = {}, accuracy = 0.001): InferredRoof {
  const { dsm, footprints } = synthDsm([b], o);
  const r = inferRoof(footprints[0], sampleFootprint(footprints[0], dsm, 0), { accuracy });
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
  ['side_hipped (hipped at its north-east end)', { rings: L, height: 12, roof: { shape: 'side_hipped', height: 4, direction: 67 } }],
  ['side_hipped on a pentagon (ridge along the direction)', { rings: [[[0, 0], [16, 0], [16, 9], [6, 12], [0, 9], [0, 0]]], height: 11, roof: { shape: 'side_hipped', height: 3.5, direction: 262 } }],
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
    // σ: the noise over the cells, and a slope's spread across one cell (a DSM cell holds a patch of
    // roof, not its centre's height): honest, not millimetres
    const error = Math.abs(r.height - b.height);
    expect(r.sigma.height).toBeGreaterThan(0.001);
    expect(r.sigma.height).toBeLessThan(0.25);
    expect(error).toBeLessThan(3 * r.sigma.height);
  });
});

describe('inferRoof is robust to what real surface models hold', () => {
  const gable: SynthBuilding = { rings: rect(20, 11, 23), height: 12, roof: { shape: 'gabled', height: 4 } };
  /** The synthetic nDSM of `b` with `edit(x, y, z)` applied to every cell. */
  function edited(b: SynthBuilding, edit: (x: number, y: number, z: number) => number, o: { noise?: number; dropout?: number } = {}) {
    const { dsm, footprints } = synthDsm([b], o);
    for (let j = 0; j < dsm.ny; j++)
      for (let i = 0; i < dsm.nx; i++) {
        const k = j * dsm.nx + i;
        if (Number.isFinite(dsm.values[k])) dsm.values[k] = edit(dsm.x0 + (i + 0.5) * dsm.cell, dsm.y0 + (j + 0.5) * dsm.cell, dsm.values[k]);
      }
    const r = inferRoof(footprints[0], sampleFootprint(footprints[0], dsm, 0));
    if (!('shape' in r)) throw new Error(r.detail);
    return r;
  }

  it('an overhanging tree (a 3 m crown 4 m above the roof over a corner)', () => {
    const c = [Math.cos((23 * Math.PI) / 180) * 8, Math.sin((23 * Math.PI) / 180) * 8];
    const r = edited(gable, (x, y, z) => (Math.hypot(x - c[0], y - c[1]) < 3 ? Math.max(z, 16 - 0.3 * Math.hypot(x - c[0], y - c[1])) : z), { noise: 0.05 });
    expect(r.shape).toBe('gabled');
    expect(Math.abs(r.height - 12)).toBeLessThan(0.1);
    expect(Math.abs(r.roofHeight - 4)).toBeLessThan(0.1);
  });

  it('20 % of the cells without data', () => {
    const r = edited(gable, (_x, _y, z) => z, { noise: 0.1, dropout: 0.2 });
    expect(r.shape).toBe('gabled');
    expect(Math.abs(r.height - 12)).toBeLessThan(0.15);
    expect(r.coverage).toBeLessThan(0.85);
  });

  it("a neighbour's eave 1.5 m into the footprint along a long side", () => {
    // the long side at local y = −5.5 (rotated 23°): cells within 1.5 m of it show the neighbour's 14 m eave
    const r0 = (23 * Math.PI) / 180;
    const r = edited(gable, (x, y, z) => {
      const v = -x * Math.sin(r0) + y * Math.cos(r0);
      return v < -5.5 + 1.5 && v > -5.5 ? 14 : z;
    }, { noise: 0.05 });
    expect(r.shape).toBe('gabled');
    expect(Math.abs(r.height - 12)).toBeLessThan(0.15);
  });

  it('a chimney and a dormer do not change the shape', () => {
    const r = edited(gable, (x, y, z) => (Math.hypot(x - 2, y) < 0.8 ? z + 1.5 : Math.hypot(x + 4, y + 2) < 1.2 ? z + 1 : z), { noise: 0.05 });
    expect(r.shape).toBe('gabled');
    expect(Math.abs(r.height - 12)).toBeLessThan(0.1);
  });
});

describe('sigma-claimed-millimetres: uncertainty that covers the error on correlated data', () => {
  // a real roof departs from its idealised shape in patches (sagging, tiles, a DSM's smoothing), not
  // cell by cell: fitted over 600 cells the covariance alone claimed millimetres and certainty 1
  const house: SynthBuilding = { rings: rect(20, 11, 23), height: 12, roof: { shape: 'gabled', height: 4 } };
  function patchy(amplitude: number): InferredRoof {
    const { dsm, footprints } = synthDsm([house]);
    // a smooth departure of ~8 m wavelength, mostly upward: correlated over many cells, and it biases
    // the fit
    for (let j = 0; j < dsm.ny; j++)
      for (let i = 0; i < dsm.nx; i++) {
        const x = dsm.x0 + (i + 0.5) * dsm.cell, y = dsm.y0 + (j + 0.5) * dsm.cell;
        if (dsm.values[j * dsm.nx + i] > 1) dsm.values[j * dsm.nx + i] += amplitude * (0.6 + Math.sin(x * 0.9) * Math.cos(y * 0.7));
      }
    const r = inferRoof(footprints[0], sampleFootprint(footprints[0], dsm, 0), { accuracy: 0.001 });
    if (!('shape' in r)) throw new Error(`skipped: ${r.reason}`);
    return r;
  }
  it('a patchy roof: the height error within 1.5σ, where the covariance claimed a third of it', () => {
    const r = patchy(0.5);
    expect(r.shape).toBe('gabled');
    const error = Math.abs(r.height - house.height);
    expect(error).toBeGreaterThan(0.2);
    expect(error).toBeLessThan(1.5 * r.sigma.height);
    expect(error).toBeLessThan(1.5 * r.sigma.eave);
  });
  it("the surface model's accuracy is a floor under every height's σ", () => {
    const r = infer(house, {}, 0.15);
    expect(r.sigma.height).toBeGreaterThanOrEqual(0.15);
    expect(r.sigma.eave).toBeGreaterThanOrEqual(0.15);
    expect(r.sigma.roofHeight!).toBeGreaterThanOrEqual(0.15 * Math.SQRT2 - 1e-9);
    // without it: the fit's own (the residuals are nil) and a cell's spread of the 4 m rise over 5.5 m
    expect(infer(house).sigma.height).toBeLessThan((0.5 * (4 / 5.5)) / Math.sqrt(12) + 0.01);
  });
});

describe('gable-without-rise: a pitched fit that does not rise is a flat roof', () => {
  it('a flat roof with a 3 cm crease down the middle comes out flat, not a gable of 0.03 m', () => {
    const b: SynthBuilding = { rings: rect(20, 11, 23), height: 9, roof: { shape: 'gabled', height: 0.03 } };
    const r = infer(b);
    expect(r.shape).toBe('flat');
    expect(Math.abs(r.height - 9)).toBeLessThan(0.05);
  });
});

describe('mansard-on-a-flat-roof: a rise within the surface model\'s accuracy is no roof shape', () => {
  it('a 5 × 4 m flat roof whose outer cells sag 0.3 m (a blurred edge) is flat at the default accuracy (0.15 m)', () => {
    const b: SynthBuilding = { rings: rect(5, 4, 30), height: 3, roof: { shape: 'flat' } };
    const { dsm, footprints } = synthDsm([b], { noise: 0.03 });
    editCells(dsm, 30, (u, v, z) => {
      const inset = Math.min(2.5 - Math.abs(u), 2 - Math.abs(v));
      return inset >= 0 && inset < 0.75 ? z - 0.3 * (1 - inset / 0.75) : z;
    });
    const s = sampleFootprint(footprints[0], dsm, 0);
    const exact = inferRoof(footprints[0], s, { accuracy: 0.001 });
    const r = inferRoof(footprints[0], s);
    if (!('shape' in r) || !('shape' in exact)) throw new Error('not fitted');
    // the data alone prefer a pitched shape of a few decimetres; the accuracy says it is not there
    expect(exact.shape).not.toBe('flat');
    expect(r.shape).toBe('flat');
    expect(Math.abs(r.height - 3)).toBeLessThan(0.2);
    // flat-confidence-pointed-at-the-runner-up: the pitched shapes too low to tell from flat are flat's
    // probability, not the runner-up's (it was flat 0.02, mansard 0.94 on Delft's 0503100000002041)
    expect(r.confidence).toBeGreaterThan(0.5);
    expect(r.runnerUpConfidence).toBeLessThan(r.confidence);
  });
});

describe('wall-for-a-lower-slope: a steep roof whose eave cells drop is not a mansard with a wall for its lower slope', () => {
  it('a 50° hipped roof whose cells within 0.6 m of its walls are 3 m low: hipped at 50°, not a mansard (lower slope 75°+)', () => {
    // rect 12 × 11 turned 23°: walls at local u = ±6, v = ±5.5; a 50° roof rises 5.5 × tan 50° = 6.55 m
    const rh = 5.5 * Math.tan((50 * Math.PI) / 180);
    const b: SynthBuilding = { rings: rect(12, 11, 23), height: 12 + rh, roof: { shape: 'hipped', height: rh } };
    const { dsm, footprints } = synthDsm([b], { noise: 0.05 });
    editCells(dsm, 23, (u, v, z) => (Math.abs(v) > 5.5 - 0.6 || Math.abs(u) > 6 - 0.6 ? z - 3 : z));
    const r = inferRoof(footprints[0], sampleFootprint(footprints[0], dsm, 0));
    if (!('shape' in r)) throw new Error(r.detail);
    expect(r.shape).toBe('hipped');
    expect(Math.abs(r.angle! - 50)).toBeLessThan(2);
  });
});
