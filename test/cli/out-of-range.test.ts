import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NULL_LOGGER } from '../../src/core/logger.js';
import { Summary } from '../../src/core/summary.js';
import { ingest } from '../../src/ingest/index.js';
import { cli } from '../helpers/cli.js';
import { freshDir } from '../helpers/fixtures.js';

const square = (x: number, y: number, d: number) => [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]];
const feature = (id: string, coordinates: unknown) => ({ type: 'Feature', properties: { id, height: 12 }, geometry: { type: 'Polygon', coordinates } });

/** Two good buildings in Monaco and two whose coordinates are not places on Earth. */
function hostile(dir: string, crs: 'EPSG:4326' | 'EPSG:3857'): string {
  const file = path.join(dir, `hostile-${crs.replace(':', '')}.geojson`);
  const good = crs === 'EPSG:4326' ? [square(7.42, 43.735, 0.0003), square(7.421, 43.736, 0.0003)] : [square(826000, 5423000, 30), square(826100, 5423100, 30)];
  const features = [
    feature('ok1', good[0]),
    feature('lat95', crs === 'EPSG:4326' ? square(7.42, 95, 0.0002) : square(826000, 9e15, 30)),
    feature('huge', [[[1e308, 43.7], [1e308, 43.7001], [7.5, 43.7001], [1e308, 43.7]]]),
    feature('ok2', good[1]),
  ];
  const crsMember = crs === 'EPSG:3857' ? { crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3857' } } } : {};
  fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', ...crsMember, features }));
  return file;
}

describe('coordinates that are not places on Earth are feature errors, never the origin', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshDir('out-of-range');
  });

  it.each(['EPSG:4326', 'EPSG:3857'] as const)('feature-at-lat-95-or-1e308-moved-the-origin (%s): skipped, counted, named; origin from the valid features', async (crs) => {
    const file = hostile(dir, crs);
    const summary = new Summary();
    const batch = await ingest([file], {}, NULL_LOGGER, summary);
    expect(batch.params.map((p) => p.id)).toEqual(['ok1', 'ok2']);
    expect(summary.skipped.get('geometry:out-of-range')).toBe(2);
    // the centre of the two good squares
    const [lat, lon] = crs === 'EPSG:4326' ? [43.7356, 7.4206] : [(Math.atan(Math.sinh(5423065 / 6378137)) * 180) / Math.PI, (826065 / 6378137) * (180 / Math.PI)];
    expect(batch.frame.lat).toBeCloseTo(lat, 3);
    expect(batch.frame.lon).toBeCloseTo(lon, 3);
  });

  it('build -v names each skipped feature; tiles (origin from extents) falls back to the valid features', () => {
    const file = hostile(dir, 'EPSG:4326');
    const b = cli(['build', file, '-o', path.join(dir, 'b.glb'), '-v', '--json']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/skipped .*hostile-EPSG4326\.geojson layer .* feature lat95: coordinates .* are not a place on Earth in EPSG:4326/);
    expect(b.stderr).toMatch(/feature huge: coordinates/);
    expect(JSON.parse(b.stdout).skipped['geometry:out-of-range']).toBe(2);
    const t = cli(['tiles', file, '-o', path.join(dir, 't'), '--json']);
    expect(t.code, t.stderr).toBe(0);
    const frame = JSON.parse(fs.readFileSync(path.join(dir, 't', 'tileset.json'), 'utf8')).asset.extras.cityforge.frame;
    expect(frame.lat).toBeCloseTo(43.7356, 2);
    expect(JSON.parse(t.stdout).skipped['geometry:out-of-range']).toBe(2);
  });

  it('a file whose every feature is off the globe stops the run (exit 3) naming it', () => {
    const file = path.join(dir, 'all-bad.geojson');
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [feature('x', square(7.42, 95, 0.0002))] }));
    const r = cli(['build', file, '-o', path.join(dir, 'x.glb')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/all-bad\.geojson.*all 1 features are invalid/);
  });
});
