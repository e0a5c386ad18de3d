import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NULL_LOGGER } from '../../src/core/logger.js';
import { Summary } from '../../src/core/summary.js';
import { ingest } from '../../src/ingest/index.js';
import { cleanPolygons, cleanRing, dropUnusableRings, HOLE_GAP, REPAIR_DEFAULTS, ringArea, segmentDistance2 } from '../../src/ingest/repair.js';
import { flatPolygons } from '../../src/core/batch.js';
import { freshDir, starRing } from '../helpers/fixtures.js';

const clean = (pts: number[][]) => {
  const xy = Float64Array.from(pts.flat());
  const n = cleanRing(xy, pts.length, 0.01);
  return Array.from({ length: n }, (_, i) => [xy[2 * i], xy[2 * i + 1]]);
};

describe('cleanRing cases', () => {
  it('closing duplicate removed', () => expect(clean([[0, 0], [1, 0], [1, 1], [0, 0]])).toEqual([[0, 0], [1, 0], [1, 1]]));
  it('repeated vertices merged', () => expect(clean([[0, 0], [0, 0], [1, 0], [1, 0.005], [1, 1]])).toHaveLength(3));
  it('collinear vertex dropped', () => expect(clean([[0, 0], [1, 0], [2, 0], [2, 2], [0, 2]])).toEqual([[0, 0], [2, 0], [2, 2], [0, 2]]));
  it('spike (out and back) dropped', () => expect(clean([[0, 0], [4, 0], [4, 2], [9, 2], [4, 2], [4, 4], [0, 4]])).toEqual([[0, 0], [4, 0], [4, 4], [0, 4]]));
  it('needle-thin spike dropped', () => expect(clean([[0, 0], [4, 0], [4, 2], [90, 2.001], [4, 2.002], [4, 4], [0, 4]])).toHaveLength(4));
  it('fewer than 3 distinct points stays degenerate', () => expect(clean([[0, 0], [0, 0], [1, 1], [0, 0]]).length).toBeLessThan(3));
  it('a triangle is never reduced below 3 vertices', () => expect(clean([[0, 0], [10, 0], [5, 0.001]])).toHaveLength(3));
  it.each([
    [20, 10_000],
    [20, 5_000],
    [50, 20_000],
    [3, 1_000],
    [20, 100_000],
  ])('dense-curve-cut-short: a circle of radius %s m drawn with %s vertices keeps its area, every vertex within 1 cm of the cleaned ring', (r, n) => {
    // (each vertex was checked against the line to its next one alone: a vertex next to the line's end always lies
    // close to it, so whole arcs went: a 20 m circle of 10,000 vertices lost 43 % of its area, exit 0)
    const pts = Array.from({ length: n }, (_, k) => [85_000 + r * Math.cos((2 * Math.PI * k) / n), 447_000 + r * Math.sin((2 * Math.PI * k) / n)]);
    const ring = clean(pts);
    expect(ring.length).toBeGreaterThan(8);
    // (an inscribed polygon whose edges stand at most h = 1 cm off the arc loses 4/3 × h / r of the area)
    expect(Math.abs(ringArea(Float64Array.from(ring.flat()), 0, ring.length)) / (Math.PI * r * r)).toBeGreaterThan(1 - (1.4 * 0.01) / r);
    // every original vertex within the tolerance of the cleaned ring (its nearest edge)
    let worst = 0;
    for (const [x, y] of pts) {
      let best = Infinity;
      for (let q = 0; q < ring.length; q++) best = Math.min(best, segmentDistance2(x, y, ring[q][0], ring[q][1], ring[(q + 1) % ring.length][0], ring[(q + 1) % ring.length][1]));
      worst = Math.max(worst, best);
    }
    expect(Math.sqrt(worst)).toBeLessThan(0.0101);
  });
});

describe('hole-touched-the-outline: a courtyard touching the outline at a point is moved off it', () => {
  // a 10 × 10 square with a triangular courtyard whose corner (5, 10) lies on the outline's top edge
  const rings = [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[3, 6], [5, 10], [7, 6], [3, 6]]];
  const { polygons, report } = cleanPolygons(flatPolygons([rings]), REPAIR_DEFAULTS);
  const hole = Array.from(polygons.coords.subarray(2 * polygons.ringOffsets[1], 2 * polygons.ringOffsets[2]));

  it('the touching vertex moves HOLE_GAP straight into the hole; the others stay', () => {
    expect(report.holesSeparated).toBe(1);
    const at = hole.findIndex((_, i) => i % 2 === 0 && Math.abs(hole[i] - 5) < 1e-9);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(hole[at + 1]).toBeCloseTo(10 - HOLE_GAP, 9);
    const others = hole.filter((_, i) => i % 2 === 1 && i !== at + 1);
    expect(others).toEqual([6, 6]);
  });

  it('holes clear of the outline are left as they are', () => {
    const clear = cleanPolygons(flatPolygons([[rings[0], [[3, 6], [5, 9], [7, 6], [3, 6]]]]), REPAIR_DEFAULTS);
    expect(clear.report.holesSeparated).toBe(0);
  });
});

describe('invalid geometry through ingest', () => {
  const dir = freshDir('repair');
  const write = (name: string, features: { id: string; coords: number[][][][]; height?: number }[]) => {
    const file = path.join(dir, `${name}.geojson`);
    fs.writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: features.map((f) => ({ type: 'Feature', properties: { id: f.id, height: f.height ?? 10 }, geometry: { type: 'MultiPolygon', coordinates: f.coords } })),
      }),
    );
    return file;
  };
  const d = 0.0001; // ~10 m in degrees
  const sq = (x: number, y: number): number[][][] => [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]];

  it('self-intersecting bowtie is repaired (GEOS MakeValid) into two triangles and counted', async () => {
    const bowtie = [[[0, 0], [d, d], [d, 0], [0, d], [0, 0]]];
    const file = write('bowtie', [{ id: 'bow', coords: [bowtie] }, { id: 'ok', coords: [sq(0.001, 0)] }]);
    const summary = new Summary();
    const batch = await ingest([file], {}, NULL_LOGGER, summary);
    expect(batch.params.map((p) => p.id)).toEqual(['bow', 'ok']);
    expect(summary.warnings.get('geometry:repaired')).toBe(1);
    const f = 0;
    expect(batch.featureOffsets[f + 1] - batch.featureOffsets[f]).toBe(2); // two triangles
  });

  it('zero-area and spike-only features are skipped and counted, the rest kept', async () => {
    const flat = [[[0, 0], [d, 0], [2 * d, 0], [0, 0]]];
    const file = write('degenerate', [{ id: 'flat', coords: [flat] }, { id: 'ok', coords: [sq(0.001, 0)] }]);
    const summary = new Summary();
    const batch = await ingest([file], {}, NULL_LOGGER, summary);
    expect(batch.params.map((p) => p.id)).toEqual(['ok']);
    expect(summary.skippedTotal).toBe(1);
    expect([...summary.examples.values()].flat().join('\n')).toMatch(/degenerate\.geojson.* feature flat/);
  });

  it('a file whose every feature is invalid stops the run with a clear error', async () => {
    const file = write('allbad', [{ id: 'a', coords: [[[[0, 0], [d, 0], [0, 0]]]] }]);
    await expect(ingest([file], {}, NULL_LOGGER, new Summary())).rejects.toThrow(/cityforge ingest: .*allbad\.geojson: all 1 features are invalid/);
  });
});

describe('dropUnusableRings', () => {
  const square = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]];
  it('degenerate-ring-lost-the-building: rings of fewer than three distinct points go (a polygon with its holes), the rest stays as it was', () => {
    const p = flatPolygons([[square, [[1, 1], [2, 1]], [[1, 1], [2, 1], [2, 2], [1, 1]]], [[[5, 5], [5, 5], [6, 5], [5, 5]], [[5.1, 5.1], [5.2, 5.1], [5.2, 5.2]]], [square.map(([x, y]) => [x + 10, y])]]);
    const r = dropUnusableRings(p);
    expect([r.holes, r.outers]).toEqual([1, 1]);
    // (the second polygon's hole went with its outline: not counted as a hole)
    expect(r.polygons.polygonOffsets).toEqual([0, 2, 3]);
    expect(Array.from(r.polygons.coords.subarray(0, 10))).toEqual(square.flat());
    expect(r.polygons.ringOffsets).toEqual([0, 5, 9, 14]);
    // nothing to drop: the same object
    const q = flatPolygons([[square]]);
    expect(dropUnusableRings(q).polygons).toBe(q);
  });
  it('hole-outside-made-a-block: a hole with no point inside its outline goes (MakeValid made it a building of its own); one whose corners all lie on the outline stays', () => {
    const away = [[6, 1], [7, 1], [7, 2], [6, 1]];
    const r = dropUnusableRings(flatPolygons([[square, away, [[1, 1], [2, 1], [2, 2], [1, 1]]]]));
    expect([r.outside, r.holes, r.outers]).toEqual([1, 0, 0]);
    expect(r.polygons.ringOffsets).toEqual([0, 5, 9]);
    // a triangle whose corners lie on three of the square's sides: inside all the same
    const onTheOutline = [[0, 2], [2, 0], [4, 2], [0, 2]];
    expect(dropUnusableRings(flatPolygons([[square, onTheOutline]])).outside).toBe(0);
  });
});

describe('cleanPolygons says what the footprint lost', () => {
  it('spikes-went-unsaid: a star of needle-thin spikes loses them, and the report gives the area before and after', () => {
    // 8000 points: spikes 30 m long, 2 × 7.9 mm wide at their base (40 m and 10 m radii, 2π/8000 apart)
    const ring = starRing(8000, 40, 10);
    const { report } = cleanPolygons(flatPolygons([[ring]]), REPAIR_DEFAULTS);
    expect(report.areaBefore).toBeGreaterThan(Math.PI * 40 * 10 * 0.99);
    expect(report.areaAfter).toBeLessThan(Math.PI * 10 * 10);
    // a plain footprint: nothing said
    const plain = cleanPolygons(flatPolygons([[[[0, 0], [20, 0], [20, 0.004], [20, 12], [0, 12], [0, 0]]]]), REPAIR_DEFAULTS).report;
    expect([plain.areaBefore, plain.areaAfter]).toEqual([0, 0]);
  });
});
