import path from 'node:path';
import gdal from 'gdal-async';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { freshDir } from '../helpers/fixtures.js';
import { writeRdFootprints } from '../helpers/vector.js';

/**
 * A building whose wings carry gabled roofs of different pitch (a T of two ridges at right angles) is
 * explained by no single S3DB shape: it is written as parts, each wing's two sides meeting at a ridge one
 * gabled part with the wing's ridge height and direction (not a skillion per plane).
 */
const X = 85000, Y = 447000;
const ring = (pts: number[][]) => [...pts.map(([x, y]) => [X + x, Y + y]), [X + pts[0][0], Y + pts[0][1]]];
// the main wing 24 × 9 (ridge along x, 41.6°), a steeper wing 7 × 12 off its south side (ridge along y,
// 55°, 1 m higher): their slopes meet in valleys without a step, and no one gable has both pitches
const MAIN = ring([[0, 0], [24, 0], [24, 9], [0, 9]]);
const WING = ring([[8.5, -12], [15.5, -12], [15.5, 0], [8.5, 0]]);
const OUTLINE = ring([[0, 0], [8.5, 0], [8.5, -12], [15.5, -12], [15.5, 0], [24, 0], [24, 9], [0, 9]]);


interface Row { ref: string; 'building:part': string | null; 'roof:shape': string | null; height: number | null; 'roof:height': number | null; 'roof:direction': number | null; 'fit:status': string }

describe('cityforge infer: a building of gabled wings', () => {
  const dir = freshDir('infer-wings');
  const params = path.join(dir, 'params.geojson');
  let rows: Row[] = [];
  beforeAll(() => {
    const model = writeRdFootprints(path.join(dir, 'model.geojson'), [
      { ring: OUTLINE, tags: { building: 'yes', height: 13 } },
      { ring: MAIN, tags: { 'building:part': 'yes', height: 12, 'roof:shape': 'gabled', 'roof:height': 4, 'roof:orientation': 'along' } },
      { ring: WING, tags: { 'building:part': 'yes', height: 13, 'roof:shape': 'gabled', 'roof:height': 5, 'roof:orientation': 'along' } },
    ]);
    const dsm = path.join(dir, 'dsm.tif');
    const r = cli(['rasterize', model, '-o', dsm, '--cell', '0.25', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const footprints = writeRdFootprints(path.join(dir, 'footprints.geojson'), [{ ring: OUTLINE, tags: { building: 'yes' } }]);
    const i = cli(['infer', footprints, '--dsm', dsm, '-o', params, '-q']);
    expect(i.code, i.stderr).toBe(0);
    const ds = gdal.open(params);
    rows = [...ds.layers.get(0).features].map((f) => f.fields.toObject() as unknown as Row);
    ds.close();
  });

  it('each wing is one gabled part with its own ridge height and direction', () => {
    expect(rows[0]['fit:status']).toBe('parts');
    const gabled = rows.filter((r) => r['building:part'] === 'yes' && r['roof:shape'] === 'gabled');
    expect(gabled).toHaveLength(2);
    const byHeight = gabled.sort((a, b) => b.height! - a.height!);
    // the steeper wing (ridge 13 m, slopes facing east and west), then the main wing (12 m, north and south)
    expect(Math.abs(byHeight[0].height! - 13)).toBeLessThan(0.15);
    expect(Math.abs(byHeight[1].height! - 12)).toBeLessThan(0.15);
    const across = (d: number, to: number) => Math.min(((d - to) % 180 + 180) % 180, 180 - ((d - to) % 180 + 180) % 180);
    expect(across(byHeight[0]['roof:direction']!, 90)).toBeLessThan(2);
    expect(across(byHeight[1]['roof:direction']!, 0)).toBeLessThan(2);
    expect(rows.filter((r) => r['roof:shape'] === 'skillion')).toHaveLength(0);
  });

  it('outline-had-no-roof-shape: the outline carries the roof shape of most of its parts\' area', () => {
    expect(rows[0]['building:part']).toBeNull();
    expect(rows[0]['roof:shape']).toBe('gabled');
  });

  it('outline-had-no-fit-figures: the outline carries its parts\' fit figures (a viewer colours it by them): samples summed, RMSE over them, confidence weighted by area', () => {
    const o = rows[0] as unknown as Record<string, number | null>;
    const parts = rows.filter((r) => r['building:part'] === 'yes') as unknown as Record<string, number>[];
    expect(o['fit:samples']).toBe(parts.reduce((a, p) => a + p['fit:samples'], 0));
    expect(o['fit:rmse']).toBeGreaterThanOrEqual(Math.min(...parts.map((p) => p['fit:rmse'])) - 1e-3);
    expect(o['fit:rmse']).toBeLessThanOrEqual(Math.max(...parts.map((p) => p['fit:rmse'])) + 1e-3);
    expect(o['fit:confidence']).toBeGreaterThan(0);
    expect(o['fit:confidence']).toBeLessThanOrEqual(1);
    // outline-lacked-figures: its coverage, its eaves (the lowest part's) with their σ, its height's σ
    expect(o['fit:coverage']).toBeGreaterThan(0.9);
    expect(o['fit:coverage']).toBeLessThanOrEqual(1);
    expect(o['fit:eave']).toBeCloseTo(Math.min(...parts.map((p) => p['fit:eave'])), 3);
    expect(o['fit:sigma_eave']).toBeGreaterThan(0);
    expect(o['fit:sigma_height']).toBeGreaterThan(0);
  });
});

