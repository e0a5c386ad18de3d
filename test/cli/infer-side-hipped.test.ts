import path from 'node:path';
import gdal from 'gdal-async';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { freshDir } from '../helpers/fixtures.js';
import { writeRdFootprints } from '../helpers/vector.js';

/**
 * side-hipped-had-no-inverse: an end-of-terrace house is hipped at its free end and gabled at the
 * party wall. `infer` fitted no such shape: it wrote a gabled or hipped roof (or a skillion per plane)
 * and the hip end was lost. Now `side_hipped` is fitted, `roof:direction` naming the hipped end as
 * `build` reads it, and `build` of the output reproduces the surface model.
 */
const X = 85000, Y = 447000;
const ring = (pts: number[][]) => [...pts.map(([x, y]) => [X + x, Y + y]), [X + pts[0][0], Y + pts[0][1]]];
// two houses in a row, 14 × 9 m each: the west one hipped at its west end, the east one gabled
const WEST = ring([[0, 0], [14, 0], [14, 9], [0, 9]]);
const EAST = ring([[14, 0], [28, 0], [28, 9], [14, 9]]);


interface Row { ref: string; 'building:part': string | null; 'roof:shape': string | null; height: number | null; 'roof:height': number | null; 'roof:direction': number | null; 'fit:status': string }

describe('cityforge infer: an end-of-terrace house hipped at its free end', () => {
  const dir = freshDir('infer-side-hipped');
  let rows: Row[] = [];
  let rebuilt: Row[] = [];
  beforeAll(() => {
    const tags = [
      { building: 'house', height: 11, 'roof:shape': 'side_hipped', 'roof:height': 4, 'roof:direction': 270 },
      { building: 'house', height: 11, 'roof:shape': 'gabled', 'roof:height': 4 },
    ];
    const model = writeRdFootprints(path.join(dir, 'model.geojson'), [{ ring: WEST, tags: tags[0] }, { ring: EAST, tags: tags[1] }], 'h');
    const dsm = path.join(dir, 'dsm.tif');
    const r = cli(['rasterize', model, '-o', dsm, '--cell', '0.5', '--noise', '0.05', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const footprints = writeRdFootprints(path.join(dir, 'footprints.geojson'), [{ ring: WEST, tags: { building: 'house' } }, { ring: EAST, tags: { building: 'house' } }], 'h');
    const params = path.join(dir, 'params.geojson');
    const i = cli(['infer', footprints, '--dsm', dsm, '-o', params, '-q']);
    expect(i.code, i.stderr).toBe(0);
    const read = (file: string) => {
      const ds = gdal.open(file);
      // the outlines (a building written as parts has part rows too)
      const out = [...ds.layers.get(0).features].map((f) => f.fields.toObject() as unknown as Row).filter((r) => !r['building:part']);
      ds.close();
      return out;
    };
    rows = read(params).sort((a, b) => a.ref.localeCompare(b.ref));
    // the round trip: build the inferred parameters, rasterise them again, infer again
    const dsm2 = path.join(dir, 'dsm2.tif');
    const b = cli(['rasterize', params, '-o', dsm2, '--cell', '0.5', '-q']);
    expect(b.code, b.stderr).toBe(0);
    const params2 = path.join(dir, 'params2.geojson');
    expect(cli(['infer', footprints, '--dsm', dsm2, '-o', params2, '-q']).code).toBe(0);
    rebuilt = read(params2).sort((a, b) => a.ref.localeCompare(b.ref));
  });

  it('the west house: side_hipped, hipped to the west, its heights within 0.15 m', () => {
    expect(rows[0]['fit:status']).toBe('fitted');
    expect(rows[0]['roof:shape']).toBe('side_hipped');
    expect(Math.abs(rows[0]['roof:direction']! - 270)).toBeLessThan(2);
    expect(Math.abs(rows[0].height! - 11)).toBeLessThan(0.15);
    expect(Math.abs(rows[0]['roof:height']! - 4)).toBeLessThan(0.15);
  });

  it('the east house stays gabled', () => {
    expect(rows[1]['roof:shape']).toBe('gabled');
  });

  it('build reads what infer writes: the rebuilt surface gives the same roofs', () => {
    expect(rebuilt.map((r) => r['roof:shape'])).toEqual(rows.map((r) => r['roof:shape']));
    expect(Math.abs(rebuilt[0]['roof:direction']! - rows[0]['roof:direction']!)).toBeLessThan(1);
    for (let k = 0; k < 2; k++) expect(Math.abs(rebuilt[k].height! - rows[k].height!)).toBeLessThan(0.05);
  });
});
