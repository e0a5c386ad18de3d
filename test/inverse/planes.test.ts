import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { joinedPlanes, modelPlanes, planesExplain, planeSamples, roofTopology, sampleFootprint, segmentPlanes } from '../../src/inverse/index.js';
import { unitRoof } from '../../src/procedural/index.js';
import { SHARED } from '../helpers/fixtures.js';
import { editCells, rect, synthDsm } from '../helpers/inverse.js';

const angDiff = (a: number, b: number) => {
  const d = (((a - b) % 360) + 360) % 360;
  return Math.min(d, 360 - d);
};

/** A gabled house (16 × 10 m, ridge along x, 4 m roof) with a flat annex (8 × 10 m, 4 m) east of it; the footprint is their union. */
function houseWithAnnex(o: { noise?: number; dropout?: number } = {}) {
  const { dsm } = synthDsm(
    [
      { rings: rect(16, 10, 0, 0, 0), height: 12, roof: { shape: 'gabled', height: 4 } },
      { rings: rect(8, 10, 0, 12, 0), height: 4, roof: { shape: 'flat' } },
    ],
    o,
  );
  const { footprints } = synthDsm([{ rings: rect(24, 10, 0, 4, 0), height: 1, roof: {} }]);
  return sampleFootprint(footprints[0], dsm, 0);
}

describe('segmentPlanes: a roof split into its planes', () => {
  it('a gabled house with a flat annex: two slopes facing north and south, one flat plane', () => {
    const s = houseWithAnnex();
    const { labels, planes } = segmentPlanes(s);
    const big = planes.filter((p) => p.area >= 10);
    expect(big).toHaveLength(3);
    const flat = big.filter((p) => p.slope < 1);
    const sloped = big.filter((p) => p.slope >= 5).sort((a, b) => a.aspect - b.aspect);
    expect(flat).toHaveLength(1);
    expect(Math.abs(flat[0].zmax - 4)).toBeLessThan(0.05);
    expect(sloped).toHaveLength(2);
    // 4 m over a 5 m run: 38.66°; facing north (0°) and south (180°)
    for (const p of sloped) expect(Math.abs(p.slope - (Math.atan(4 / 5) * 180) / Math.PI)).toBeLessThan(0.5);
    expect(angDiff(sloped[0].aspect, 0)).toBeLessThan(1);
    expect(angDiff(sloped[1].aspect, 180)).toBeLessThan(1);
    // the planes explain the whole surface
    expect(planesExplain(s, labels, planes, 0.25)).toBeGreaterThan(0.95);
    // the two slopes meet at the ridge without a step; the annex stands 4 m below the eaves: a wall
    const idx = (p: (typeof planes)[number]) => planes.indexOf(p);
    const pairs = joinedPlanes(s, labels, planes, 0.3).map(([a, b]) => `${a}-${b}`);
    const [n, so] = [idx(sloped[0]), idx(sloped[1])].sort((a, b) => a - b);
    expect(pairs).toContain(`${n}-${so}`);
    for (const p of sloped) expect(pairs).not.toContain([idx(p), idx(flat[0])].sort((a, b) => a - b).join('-'));
    // a plane's own samples are those near it
    const own = planeSamples(s, labels, planes, (l) => l === idx(flat[0]), 0.3);
    expect(own.z.length).toBeGreaterThan(0.9 * (flat[0].area / (s.cell * s.cell)));
    for (const z of own.z) expect(Math.abs(z - 4)).toBeLessThan(0.3);
  });

  it('noise (σ 0.1 m) and 10 % dropout: still the same three planes', () => {
    const { planes } = segmentPlanes(houseWithAnnex({ noise: 0.1, dropout: 0.1 }));
    const big = planes.filter((p) => p.area >= 10);
    expect(big.filter((p) => p.slope < 5)).toHaveLength(1);
    expect(big.filter((p) => p.slope >= 5)).toHaveLength(2);
  });

  it('a hipped roof with its four faces: four sloped planes, facing the four ways', () => {
    const { dsm, footprints } = synthDsm([{ rings: rect(16, 10, 0), height: 12, roof: { shape: 'hipped', height: 4 } }]);
    const { planes } = segmentPlanes(sampleFootprint(footprints[0], dsm, 0));
    const faces = planes.filter((p) => p.area >= 5 && p.slope >= 5).map((p) => p.aspect).sort((a, b) => a - b);
    expect(faces).toHaveLength(4);
    [0, 90, 180, 270].forEach((a, k) => expect(angDiff(faces[k], a)).toBeLessThan(1));
  });

  it('hip-end-taken-by-its-neighbours: a narrow hip end the region growing cannot seed is found among the cells its neighbours leave unexplained', () => {
    // a 12 × 6 m roof at 45°, hipped at its east end, on a surface model smoothed as a resampled one is
    // (1-2-1 kernel): few 3×3 neighbourhoods of the hip's triangle lie on one plane
    const { dsm, footprints } = synthDsm([{ rings: rect(12, 6, 0), height: 12, roof: { shape: 'side_hipped', angle: 45, direction: 90 } }], { noise: 0.05, seed: 3 });
    const v = dsm.values, smooth = v.slice();
    for (let j = 1; j + 1 < dsm.ny; j++)
      for (let i = 1; i + 1 < dsm.nx; i++) {
        let sum = 0;
        for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) sum += v[(j + dj) * dsm.nx + i + di] * (2 - Math.abs(di)) * (2 - Math.abs(dj));
        smooth[j * dsm.nx + i] = sum / 16;
      }
    const { planes } = segmentPlanes(sampleFootprint(footprints[0], { ...dsm, values: smooth }, 0));
    const sloped = planes.filter((p) => p.slope >= 5);
    expect(sloped.map((p) => Math.round(p.aspect / 90) % 4).sort()).toEqual([0, 1, 2]);
    const hip = sloped.find((p) => angDiff(p.aspect, 90) < 10)!;
    expect(Math.abs(hip.slope - 45)).toBeLessThan(5);
    expect(hip.area).toBeGreaterThan(3);
  });

  it('step-cells-given-the-other-level: each cell lies on its plane beside steps between levels, the steps across the grid', () => {
    // three flat levels (12, 15, 9 m) and a 30° skillion along a 20 × 12 m footprint turned 0–45°: the cells
    // beside a step, whose 3×3 neighbourhoods straddle it, went to whichever level's plane reached them first
    const level = (u: number) => (u < -4 ? 12 : u < 2 ? 15 : u < 6 ? 9 : 9 + (u - 6) * Math.tan(Math.PI / 6));
    for (const rot of [0, 20, 32, 45]) {
      const { dsm, footprints } = synthDsm([{ rings: rect(20, 12, rot), height: 1, roof: {} }]);
      editCells(dsm, rot, (u, v) => (Math.abs(v) > 6 || Math.abs(u) > 10 ? 0 : level(u)));
      const s = sampleFootprint(footprints[0], dsm, 0);
      const { labels, planes } = segmentPlanes(s);
      const r0 = (rot * Math.PI) / 180;
      let cells = 0, off = 0;
      for (let j = 0; j < s.h; j++)
        for (let i = 0; i < s.w; i++) {
          const c = j * s.w + i;
          if (s.index[c] < 0 || labels[c] < 0) continue;
          const x = s.x0 + (i + 0.5) * s.cell, y = s.y0 + (j + 0.5) * s.cell;
          const p = planes[labels[c]];
          cells++;
          if (Math.abs(p.a + p.b * (i + 0.5) * s.cell + p.c * (j + 0.5) * s.cell - level(x * Math.cos(r0) + y * Math.sin(r0))) > 0.5) off++;
        }
      expect(cells).toBeGreaterThan(900);
      expect(off, `turned ${rot}°`).toBe(0);
    }
  });

  it('is deterministic: the same labels and planes on the same samples', () => {
    const s = houseWithAnnex({ noise: 0.1, dropout: 0.1 });
    const a = segmentPlanes(s), b = segmentPlanes(s);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.planes).toEqual(b.planes);
  });
});

describe('roofTopology: the truth data\'s own class rule', () => {
  it('flat, single-slope, two-plane and multi-plane, with the 10 % and 5 % lines', () => {
    expect(roofTopology([{ area: 100, slope: 0, aspect: NaN }, { area: 9, slope: 30, aspect: 90 }], 'surface')).toBe('flat');
    expect(roofTopology([{ area: 100, slope: 20, aspect: 90 }], 'surface')).toBe('single-slope');
    expect(roofTopology([{ area: 50, slope: 40, aspect: 0 }, { area: 50, slope: 40, aspect: 180 }, { area: 4, slope: 40, aspect: 90 }], 'surface')).toBe('two-plane');
    expect(roofTopology([{ area: 50, slope: 40, aspect: 0 }, { area: 50, slope: 40, aspect: 180 }, { area: 6, slope: 40, aspect: 90 }], 'surface')).toBe('multi-plane');
    expect(roofTopology([{ area: 50, slope: 40, aspect: 0 }, { area: 50, slope: 40, aspect: 90 }], 'surface')).toBe('multi-plane');
  });

  it('truth-planes-are-sloped-areas: planes measured in plan are weighed by their sloped area, as the truth\'s are', () => {
    // a 60° plane of 9.5 m² in plan is 19 m² of roof: 16 % of the roof, over the 10 % line
    const planes = [{ area: 100, slope: 0, aspect: NaN }, { area: 9.5, slope: 60, aspect: 90 }];
    expect(roofTopology(planes, 'surface')).toBe('flat');
    expect(roofTopology(planes)).toBe('single-slope');
  });

  it.skipIf(!fs.existsSync(path.join(SHARED, 'inverse-vienna', 'truth.json')))('reproduces every class of the shared LoD2 truth from its planes (Delft, Vienna)', () => {
    for (const c of ['inverse-delft-3dbag', 'inverse-vienna']) {
      const truth = JSON.parse(fs.readFileSync(path.join(SHARED, c, 'truth.json'), 'utf8')) as { buildings: Record<string, { class: string; planes: { area: number; slope: number; aspect: number }[] }> };
      for (const [ref, b] of Object.entries(truth.buildings)) expect(roofTopology(b.planes, 'surface'), `${c} ${ref}`).toBe(b.class);
    }
  });

  it('modelPlanes: a gabled unit roof on a rectangle has two planes, merged from its strips, at the pitch asked for', () => {
    const { dsm, footprints } = synthDsm([{ rings: rect(16, 10, 0), height: 12, roof: { shape: 'gabled', height: 4 } }]);
    void dsm;
    const u = unitRoof(footprints[0], 'gabled', {});
    const planes = modelPlanes(u!.model, 4);
    expect(planes).toHaveLength(2);
    for (const p of planes) expect(Math.abs(p.slope - (Math.atan(4 / 5) * 180) / Math.PI)).toBeLessThan(1e-6);
    expect(planes[0].area + planes[1].area).toBeCloseTo(160, 6);
    expect(roofTopology(planes)).toBe('two-plane');
  });
});
