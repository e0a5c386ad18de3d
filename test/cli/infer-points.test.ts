import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachPoint, readLasHeader } from '../../src/ingest/pointcloud.js';
import { InputError } from '../../src/core/errors.js';
import { cli } from '../helpers/cli.js';
import { rowsBy } from '../helpers/vector.js';
import { freshDir } from '../helpers/fixtures.js';
import { writeLas, type LasPoint } from '../helpers/las.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'las');

/** A rectangle w × d around (cx, cy), rotated `rot` degrees, closed. */
function rect(cx: number, cy: number, w: number, d: number, rot: number): number[][] {
  const r = (rot * Math.PI) / 180;
  const pts = [[-w / 2, -d / 2], [w / 2, -d / 2], [w / 2, d / 2], [-w / 2, d / 2]].map(([x, y]) => [cx + x * Math.cos(r) - y * Math.sin(r), cy + x * Math.sin(r) + y * Math.cos(r)]);
  return [...pts, pts[0]];
}

/** Three buildings in RD New (EPSG:28992) with S3DB tags. */
const CITY = [
  { ring: rect(85000, 447000, 20, 11, 20), tags: { height: 12, 'roof:shape': 'gabled', 'roof:height': 4 } },
  { ring: rect(85040, 447000, 18, 12, 0), tags: { height: 9, 'roof:shape': 'flat' } },
  { ring: rect(85040, 447040, 22, 14, 10), tags: { height: 14, 'roof:shape': 'hipped', 'roof:height': 5 } },
];

/** A deterministic generator in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * A LiDAR-like cloud of the rasterized city: 4 points a m² (two per 0.5 m cell, jittered inside it) at the
 * DSM's height; those within 30 cm of the ground classified ground (2), the rest building (6).
 */
function cloudOf(dsm: string): LasPoint[] {
  const ds = gdal.open(dsm);
  const { x: w, y: h } = ds.rasterSize;
  const gt = ds.geoTransform!;
  const band = ds.bands.get(1);
  const v = band.pixels.read(0, 0, w, h) as Float32Array;
  const nd = band.noDataValue;
  ds.close();
  const r = rng(7);
  const out: LasPoint[] = [];
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) {
      const z = v[j * w + i];
      if (z === nd || !Number.isFinite(z)) continue;
      for (let k = 0; k < 2; k++) out.push({ x: gt[0] + (i + 0.1 + 0.8 * r()) * gt[1], y: gt[3] + (j + 0.1 + 0.8 * r()) * gt[5], z, cls: z < 0.3 ? 2 : 6 });
    }
  return out;
}

interface Row { ref: string; height: number | null; 'roof:shape': string | null; 'fit:status': string }
const rows = (file: string) => rowsBy<Row>(file);

describe('cityforge infer on LiDAR point clouds (LAS/LAZ as --dsm and --dtm)', () => {
  const dir = freshDir('infer-points');
  const city = path.join(dir, 'city.geojson');
  const dsm = path.join(dir, 'dsm.tif');
  let points: LasPoint[] = [];
  beforeAll(() => {
    fs.writeFileSync(city, JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } },
      features: CITY.map((b, i) => ({ type: 'Feature', properties: { ref: `b${i}`, ...b.tags }, geometry: { type: 'Polygon', coordinates: [b.ring] } })),
    }));
    const r = cli(['rasterize', city, '-o', dsm, '--cell', '0.5', '--noise', '0.05', '-q']);
    expect(r.code, r.stderr).toBe(0);
    points = cloudOf(dsm);
  });

  const check = (out: string) => {
    const got = rows(out);
    CITY.forEach((b, i) => {
      const row = got.get(`b${i}`)!;
      expect(row['fit:status'], `b${i}`).toBe('fitted');
      expect(row['roof:shape'], `b${i}`).toBe(b.tags['roof:shape']);
      expect(Math.abs(row.height! - b.tags.height), `b${i}`).toBeLessThan(0.2);
    });
  };

  it('LAS 1.2 with its CRS as GeoTIFF keys, as both DSM (every point) and DTM (ground points, gaps interpolated): every roof recovered', () => {
    const las = path.join(dir, 'cloud.las');
    writeLas(las, points, { version: '1.2', epsg: 28992 });
    const before = new Set(fs.readdirSync(os.tmpdir()));
    const out = path.join(dir, 'params.gpkg');
    const r = cli(['infer', city, '--dsm', las, '--dtm', las, '-o', out, '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/cloud\.las: \d+ of \d+ points \(LAS 1\.2, format 1\) gridded at 0\.5 m as the surface/);
    expect(r.stderr).toMatch(/cloud\.las: \d+ of \d+ points .* as the ground \(class 2, gaps interpolated\)/);
    check(out);
    // the gridded clouds were temporary
    expect([...new Set(fs.readdirSync(os.tmpdir()))].filter((f) => !before.has(f) && /points-(surface|ground)/.test(f))).toEqual([]);
  });

  it('LAS 1.4 (point format 6) with its CRS as OGC WKT: the same roofs', () => {
    const las = path.join(dir, 'cloud14.las');
    writeLas(las, points, { version: '1.4', wkt: gdal.SpatialReference.fromEPSG(28992).toWKT() });
    const out = path.join(dir, 'params14.gpkg');
    const r = cli(['infer', city, '--dsm', las, '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    check(out);
  });

  it('a cloud that says no CRS: exit 3, naming the file and what is missing', () => {
    const las = path.join(dir, 'nocrs.las');
    writeLas(las, points.slice(0, 1000), { version: '1.2' });
    const r = cli(['infer', city, '--dsm', las, '-o', path.join(dir, 'x.gpkg')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/nocrs\.las: the point cloud says no CRS/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(dir, 'x.gpkg'))).toBe(false);
  });

  it('a DTM cloud without ground points: exit 3, saying so', () => {
    const las = path.join(dir, 'noground.las');
    writeLas(las, points.filter((p) => p.cls !== 2), { version: '1.2', epsg: 28992 });
    const r = cli(['infer', city, '--dsm', dsm, '--dtm', las, '-o', path.join(dir, 'y.gpkg')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/noground\.las: no ground points \(ASPRS class 2\)/);
  });

  it('a truncated LAS (the header promises more points than the file holds): exit 3', () => {
    const las = path.join(dir, 'cut.las');
    writeLas(las, points.slice(0, 5000), { version: '1.2', epsg: 28992 });
    fs.truncateSync(las, fs.statSync(las).size - 1000);
    const r = cli(['infer', city, '--dsm', las, '-o', path.join(dir, 'z.gpkg')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cut\.las: truncated/);
  });
});

describe('LAS/LAZ reading (loaders.gl fixtures: the same points compressed and not)', () => {
  it('the LAZ (laz-perf) decodes to its LAS twin, point for point, class for class', async () => {
    const a: number[] = [], b: number[] = [];
    const ha = await forEachPoint(path.join(FIXTURES, 'pdrf6-1.4.las'), (x, y, z, c) => a.push(x, y, z, c));
    const hb = await forEachPoint(path.join(FIXTURES, 'pdrf6-1.4.laz'), (x, y, z, c) => b.push(x, y, z, c));
    expect(ha).toMatchObject({ version: '1.4', format: 6, count: 1024, compressed: false });
    expect(hb).toMatchObject({ version: '1.4', format: 6, count: 1024, compressed: true });
    expect(b).toEqual(a);
    expect(new Set(a.filter((_, k) => k % 4 === 3)).size).toBeGreaterThan(1);
  });

  it('a LAZ variant laz-perf cannot decompress (LAS 1.3 waveform): an input error naming the file, no crash', async () => {
    await expect(forEachPoint(path.join(FIXTURES, 'pdrf4-1.3.laz'), () => undefined)).rejects.toThrow(InputError);
    await expect(forEachPoint(path.join(FIXTURES, 'pdrf4-1.3.laz'), () => undefined)).rejects.toThrow(/pdrf4-1\.3\.laz: cannot decompress/);
  });

  it('not a point cloud: an input error', () => {
    expect(() => readLasHeader(() => new Uint8Array(400), 'x.las')).toThrow(/x\.las: not a LAS\/LAZ point cloud/);
  });
});

describe('cityforge build --terrain <cloud.las>: the ground points as the DEM', () => {
  it('seats the buildings on the cloud\'s ground (class 2) and meshes it', () => {
    const dir = freshDir('build-points');
    const city = path.join(dir, 'city.geojson');
    fs.writeFileSync(city, JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } },
      features: CITY.map((b, i) => ({ type: 'Feature', properties: { ref: `b${i}`, ...b.tags }, geometry: { type: 'Polygon', coordinates: [b.ring] } })),
    }));
    // a sloping ground, 10 m + 5 cm a metre eastwards, with no points under the buildings (as LiDAR sees it)
    const r = rng(3);
    const pts: LasPoint[] = [];
    for (let k = 0; k < 20000; k++) {
      const x = 84960 + 120 * r(), y = 446970 + 110 * r();
      pts.push({ x, y, z: 10 + 0.05 * (x - 84960), cls: 2 });
    }
    const las = path.join(dir, 'ground.las');
    writeLas(las, pts, { version: '1.2', epsg: 28992 });
    const glb = path.join(dir, 'city.glb');
    const b = cli(['build', city, '--terrain', las, '-o', glb, '--json', '-v']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/ground\.las: 20000 of 20000 points .* as the ground/);
    const flat = cli(['build', city, '-o', path.join(dir, 'flat.glb'), '--json', '-q']);
    // the ground mesh: more triangles than the buildings alone, and a terrain step timed
    expect(JSON.parse(b.stdout).triangles).toBeGreaterThan(JSON.parse(flat.stdout).triangles + 100);
    expect(JSON.parse(b.stdout).timings.terrain).toBeGreaterThan(0);
  });
});
