import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import { Matrix4 } from '@math.gl/core';
import { Ellipsoid } from '@math.gl/geospatial';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeFrame } from '../../src/core/frame.js';
import { NULL_LOGGER } from '../../src/core/logger.js';
import { Summary } from '../../src/core/summary.js';
import { ingest } from '../../src/ingest/index.js';
import { freshDir } from '../helpers/fixtures.js';

/**
 * Control points in CRSs on other datums than WGS84. The reference is computed outside cityforge:
 * `gdaltransform` (PROJ's own choice of datum transformation) to EPSG:4326, then an independent
 * ECEF → ENU with math.gl's WGS84 ellipsoid about the frame's origin. cityforge's frame must place
 * every point within 5 cm of it (before the fix: RD ~110 m off, CH1903+ ~170 m).
 */
const CASES: { epsg: number; what: string; x: number; y: number }[] = [
  { epsg: 28992, what: 'RD New (Amersfoort, Bessel): Delft', x: 85000, y: 447000 },
  { epsg: 2056, what: 'CH1903+ / LV95: Bern', x: 2600000, y: 1200000 },
  { epsg: 27700, what: 'OSGB36 / British National Grid: London', x: 530000, y: 180000 },
  { epsg: 31256, what: 'MGI / Austria GK East: Vienna', x: 1200, y: 340700 },
  { epsg: 23031, what: 'ED50 / UTM 31N: Barcelona', x: 431000, y: 4583000 },
  { epsg: 30169, what: 'Tokyo / Japan Plane Rectangular CS IX: Tokyo', x: -35000, y: -8000 },
  { epsg: 3857, what: 'Web Mercator: San Francisco', x: -13630000, y: 4546000 },
  { epsg: 32610, what: 'WGS 84 / UTM 10N: San Francisco', x: 551000, y: 4180000 },
  { epsg: 4326, what: 'WGS 84 geographic: Monaco', x: 7.42, y: 43.735 },
];

/** lon/lat of (x, y) in EPSG:epsg, by gdaltransform (a separate program). */
function gdaltransform(epsg: number, x: number, y: number): [number, number] {
  const r = spawnSync('gdaltransform', ['-s_srs', `EPSG:${epsg}`, '-t_srs', 'EPSG:4326', '-output_xy'], { input: `${x} ${y}\n`, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gdaltransform failed: ${r.stderr}`);
  const [lon, lat] = r.stdout.trim().split(/\s+/).map(Number);
  return [lon, lat];
}

describe('georeferencing: the frame applies the datum shift of every source CRS', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshDir('datum');
  });

  it.each(CASES)('datum-shift-missing: EPSG:$epsg ($what) lands within 5 cm of PROJ + independent ENU', async ({ epsg, x, y }) => {
    const d = epsg === 4326 ? 0.0005 : 40; // a building ~40 m wide
    const ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]];
    const file = path.join(dir, `b${epsg}.geojson`);
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: `urn:ogc:def:crs:EPSG::${epsg}` } }, features: [{ type: 'Feature', properties: { height: 10 }, geometry: { type: 'Polygon', coordinates: [ring] } }] }));
    const [lon0, lat0] = gdaltransform(epsg, x + d / 2, y + d / 2);
    const batch = await ingest([file], { origin: [lon0, lat0], sSrs: `EPSG:${epsg}` }, NULL_LOGGER, new Summary());
    expect(batch.params.length).toBe(1);
    const toEnu = new Matrix4(makeFrame(lon0, lat0, 0, []).enuToEcef).invert();
    let worst = 0;
    for (const [px, py] of ring.slice(0, 4)) {
      const [lon, lat] = gdaltransform(epsg, px, py);
      const enu = toEnu.transformAsPoint(Ellipsoid.WGS84.cartographicToCartesian([lon, lat, 0], [0, 0, 0]) as number[]);
      // the matching vertex of the cleaned ring (its order may have changed)
      let best = Infinity;
      for (let i = 0; i < batch.positions.length; i += 2) best = Math.min(best, Math.hypot(batch.positions[i] - enu[0], batch.positions[i + 1] - enu[1]));
      worst = Math.max(worst, best);
    }
    expect(worst).toBeLessThan(0.05);
  });

  it('datum-shift-missing: the same footprints given in RD and in EPSG:4326 land on each other in one build', async () => {
    const x = 85000, y = 447000, d = 30;
    const rd = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]];
    const ll = rd.map(([a, b]) => gdaltransform(28992, a, b));
    const a = path.join(dir, 'rd.geojson');
    const b = path.join(dir, 'wgs.geojson');
    fs.writeFileSync(a, JSON.stringify({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } }, features: [{ type: 'Feature', properties: { id: 'rd' }, geometry: { type: 'Polygon', coordinates: [rd] } }] }));
    fs.writeFileSync(b, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 'wgs' }, geometry: { type: 'Polygon', coordinates: [ll] } }] }));
    const batch = await ingest([a, b], {}, NULL_LOGGER, new Summary());
    expect(batch.params.map((p) => p.id)).toEqual(['rd', 'wgs']);
    const P = batch.positions;
    const n = batch.ringOffsets[1];
    let worst = 0;
    for (let i = 0; i < n; i++) {
      let best = Infinity;
      for (let j = n; j < batch.ringOffsets[2]; j++) best = Math.min(best, Math.hypot(P[2 * i] - P[2 * j], P[2 * i + 1] - P[2 * j + 1]));
      worst = Math.max(worst, best);
    }
    expect(worst).toBeLessThan(0.05);
  });

  it('the frame is defined on the WGS84 datum (not just its ellipsoid), so PROJ never skips the datum step', () => {
    const frame = makeFrame(4.36, 52.0, 0, []);
    expect(frame.proj).toMatch(/\+datum=WGS84|\+towgs84=0,0,0/);
    const srs = gdal.SpatialReference.fromProj4(frame.proj);
    expect(srs.toWKT()).toMatch(/WGS[_ ]?84/);
  });
});
