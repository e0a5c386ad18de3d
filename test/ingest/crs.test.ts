import { UsageError } from '../../src/core/errors.js';
import gdal from 'gdal-async';
import fs from 'node:fs';
import path from 'node:path';
import { Ellipsoid } from '@math.gl/geospatial';
import { Matrix4 } from '@math.gl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeFrame } from '../../src/core/frame.js';
import { NULL_LOGGER } from '../../src/core/logger.js';
import { Summary } from '../../src/core/summary.js';
import { ingest } from '../../src/ingest/index.js';
import { freshDir } from '../helpers/fixtures.js';

gdal.config.set('OSR_DEFAULT_AXIS_MAPPING_STRATEGY', 'TRADITIONAL_GIS_ORDER');

describe('the local frame', () => {
  const frame = makeFrame(-122.4481, 37.7664, 0, ['EPSG:4326']);
  const frameSrs = gdal.SpatialReference.fromProj4(frame.proj);
  const wgs84 = gdal.SpatialReference.fromEPSG(4326);
  const toFrame = new gdal.CoordinateTransformation(wgs84, frameSrs);
  const inverse = new Matrix4(frame.enuToEcef).invert();

  it('GDAL frame x/y equal independent ECEF→ENU east/north within 1 cm over a 10 km extent', () => {
    let maxErr = 0;
    for (let i = -5; i <= 5; i++) {
      for (let j = -5; j <= 5; j++) {
        const lon = frame.lon + (i * 1000) / (111320 * Math.cos((frame.lat * Math.PI) / 180));
        const lat = frame.lat + (j * 1000) / 110540;
        const p = toFrame.transformPoint(lon, lat, 0);
        const ecef = Ellipsoid.WGS84.cartographicToCartesian([lon, lat, 0], [0, 0, 0]);
        const enu = inverse.transformAsPoint(ecef as number[]);
        maxErr = Math.max(maxErr, Math.abs(p.x - enu[0]), Math.abs(p.y - enu[1]));
      }
    }
    expect(maxErr).toBeLessThan(0.01);
  });

  it('source → frame → source round trip through GDAL (EPSG:3857, UTM 10N, EPSG:2227) within 1 mm', () => {
    for (const epsg of [3857, 32610, 2227]) {
      const src = gdal.SpatialReference.fromEPSG(epsg);
      const fwd = new gdal.CoordinateTransformation(src, frameSrs);
      const back = new gdal.CoordinateTransformation(frameSrs, src);
      const c = new gdal.CoordinateTransformation(wgs84, src).transformPoint(frame.lon + 0.03, frame.lat - 0.02);
      const p = back.transformPoint(fwd.transformPoint(c.x, c.y, 0));
      const unit = epsg === 2227 ? 0.3048006096 : 1;
      expect(Math.hypot(p.x - c.x, p.y - c.y) * unit).toBeLessThan(0.001);
    }
  });

  it('the ENU→ECEF matrix maps the origin to the ellipsoid point of (lon, lat)', () => {
    const o = new Matrix4(frame.enuToEcef).transformAsPoint([0, 0, 0]);
    const c = Ellipsoid.WGS84.cartesianToCartographic(o, [0, 0, 0]);
    expect(c[0]).toBeCloseTo(frame.lon, 9);
    expect(c[1]).toBeCloseTo(frame.lat, 9);
    expect(Math.abs(c[2])).toBeLessThan(1e-6);
  });
});

describe('source CRS handling', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshDir('crs');
  });
  const square = (x: number, y: number, d: number) => `POLYGON((${x} ${y},${x + d} ${y},${x + d} ${y + d},${x} ${y + d},${x} ${y}))`;
  const writeShp = (name: string, srs: gdal.SpatialReference | null, wkt: string) => {
    const file = path.join(dir, name);
    const ds = gdal.open(file, 'w', 'ESRI Shapefile');
    const layer = ds.layers.create(name.replace('.shp', ''), srs, gdal.wkbPolygon);
    layer.fields.add(new gdal.FieldDefn('height', gdal.OFTReal));
    const f = new gdal.Feature(layer);
    f.fields.set('height', 20);
    f.setGeometry(gdal.Geometry.fromWKT(wkt));
    layer.features.add(f);
    ds.close();
    return file;
  };

  it('a source with no CRS is refused with a clear error naming file and layer', async () => {
    const file = writeShp('nocrs.shp', null, square(550000, 4180000, 20));
    expect(fs.existsSync(file.replace('.shp', '.prj'))).toBe(false);
    await expect(ingest([file], {}, NULL_LOGGER, new Summary())).rejects.toThrow(/cityforge ingest: .*nocrs\.shp layer nocrs: the source has no CRS; name one with --s-srs/);
  });

  it('no-crs-hint-said-lon-lat: the hint follows the coordinates: metres are not told to try EPSG:4326', async () => {
    const metres = writeShp('nocrs-m.shp', null, square(550000, 4180000, 20));
    // (before: "(e.g. --s-srs EPSG:4326)", which then failed as out of range)
    await expect(ingest([metres], {}, NULL_LOGGER, new Summary())).rejects.toThrow(/no CRS; name one with --s-srs \(its coordinates \(x 550,000 to 550,020, y 4,180,000 to 4,180,020\) are not longitude and latitude but a projected CRS's/);
    const degrees = writeShp('nocrs-d.shp', null, square(7.42, 43.73, 0.0002));
    await expect(ingest([degrees], {}, NULL_LOGGER, new Summary())).rejects.toThrow(/no CRS; name one with --s-srs \(its coordinates could be longitude and latitude: --s-srs EPSG:4326 if so\)/);
  });

  it('--s-srs gives it one, and the result equals a file carrying that CRS', async () => {
    const utm = gdal.SpatialReference.fromEPSG(32610);
    const a = writeShp('nocrs2.shp', null, square(550000, 4180000, 20));
    const b = writeShp('utm.shp', utm, square(550000, 4180000, 20));
    const ra = await ingest([a], { sSrs: 'EPSG:32610' }, NULL_LOGGER, new Summary());
    const rb = await ingest([b], {}, NULL_LOGGER, new Summary());
    expect(ra.frame.lon).toBeCloseTo(rb.frame.lon, 9);
    expect(Array.from(ra.positions)).toEqual(Array.from(rb.positions));
    // a 20 m UTM edge is 20 m on the ground, up to the UTM scale factor here (0.99963): within 1 cm
    const P = rb.positions;
    expect(Math.hypot(P[2] - P[0], P[3] - P[1]) * 0.99963).toBeCloseTo(20, 2);
    expect(rb.frame.sourceCrs).toEqual(['EPSG:32610']);
  });

  it('an unknown --s-srs is refused, as a usage error (s-srs-unknown-was-an-input-error: exit 3, as if the data were bad)', async () => {
    const a = writeShp('nocrs3.shp', null, square(550000, 4180000, 20));
    const err = await ingest([a], { sSrs: 'EPSG:999999' }, NULL_LOGGER, new Summary()).then(() => null, (e: unknown) => e);
    expect(String(err)).toMatch(/--s-srs 'EPSG:999999' is not a CRS GDAL knows/);
    expect(err).toBeInstanceOf(UsageError);
  });

  it('crs-outside-its-area-unsaid: UTM 10N coordinates under a .prj of California\'s State Plane zone 3 (built in the Pacific) are warned of, naming the CRS and its area; the right .prj says nothing', async () => {
    const wrong = writeShp('wrong-prj.shp', gdal.SpatialReference.fromEPSG(2227), square(550000, 4180000, 20));
    const warned: string[] = [];
    const logger = { ...NULL_LOGGER, warn: (m: string) => warned.push(m) };
    const summary = new Summary();
    await ingest([wrong], {}, logger, summary);
    expect(warned.join('\n')).toMatch(/EPSG:2227 \(NAD83 \/ California zone 3 \(ftUS\)\) is used for USA - California - SPCS - 3 \(lon -123\.02° to -117\.83°, lat 36\.73° to 38\.71°\); the data in it lie at lon -142\.\d+°, lat 41\.\d+°: is it their CRS \(a wrong \.prj\)\? --s-srs names the right one/);
    expect(summary.toJSON().warnings['crs:outside-its-area']).toBe(1);
    const right = writeShp('right-prj.shp', gdal.SpatialReference.fromEPSG(32610), square(550000, 4180000, 20));
    const quiet: string[] = [];
    await ingest([right], {}, { ...NULL_LOGGER, warn: (m: string) => quiet.push(m) }, new Summary());
    expect(quiet.filter((m) => /is used for/.test(m))).toEqual([]);
  });

  it('a wrong CRS (metres read as degrees) is refused rather than built off the globe', async () => {
    const a = writeShp('nocrs4.shp', null, square(550000, 4180000, 20));
    await expect(ingest([a], { sSrs: 'EPSG:4326' }, NULL_LOGGER, new Summary())).rejects.toThrow(/cityforge ingest/);
  });
});

describe('areas of use (PROJ database)', () => {
  it('t-srs-outside-its-area: a CRS\'s area of use is read from PROJ\'s database; an area across the antimeridian holds both sides of it', async () => {
    const { areasOfUse, inAreaOfUse } = await import('../../src/ingest/gdal.js');
    const rd = areasOfUse('EPSG', '28992');
    expect(rd.map((a) => a.name)).toEqual(['Netherlands - onshore']);
    expect(inAreaOfUse(rd[0], 4.37, 52.01)).toBe(true); // Delft
    expect(inAreaOfUse(rd[0], 7.42, 43.74, 1)).toBe(false); // Monaco
    expect(inAreaOfUse(rd[0], 7.9, 52.0)).toBe(false);
    expect(inAreaOfUse(rd[0], 7.9, 52.0, 1)).toBe(true); // just over the border: within the margin
    // Fiji's grid: west 176.81°, east -178.15°
    const fiji = areasOfUse('EPSG', '3460')[0];
    expect(fiji.west).toBeGreaterThan(fiji.east);
    expect([178.4, -179.0].map((lon) => inAreaOfUse(fiji, lon, -17.8))).toEqual([true, true]);
    expect(inAreaOfUse(fiji, 170, -17.8)).toBe(false);
    // no EPSG code: nothing known, nothing refused
    expect(areasOfUse('ESRI', '102100')).toEqual([]);
  });
});
