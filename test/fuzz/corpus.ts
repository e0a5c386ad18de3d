import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import gdal from 'gdal-async';
import { DATA, sfTileGeoJSON, translate, writePmtiles } from '../helpers/fixtures.js';

/**
 * A fuzz corpus made fresh from the sample data (nothing committed but this script): every seed file
 * truncated at several points, with bit flips and a scrambled header, plus bombs and hostile values.
 * Deterministic (a fixed-seed generator): the same corpus on every machine.
 */

/** One case: the command to run on the file. */
export interface FuzzCase {
  name: string;
  file: string;
  /** `build` for vector inputs, `terrain` for rasters, `merge` for a tiles folder. */
  command: 'build' | 'terrain' | 'merge';
  extra?: string[];
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed files, made in `dir` from the sample data. */
function seeds(dir: string): { file: string; command: FuzzCase['command'] }[] {
  const geojson = sfTileGeoJSON(dir);
  const small = path.join(dir, 'small.geojson');
  // a few hundred buildings: every format stays quick to read whatever is done to it
  const all = JSON.parse(fs.readFileSync(geojson, 'utf8'));
  fs.writeFileSync(small, JSON.stringify({ ...all, features: all.features.slice(0, 300) }));
  const out: { file: string; command: FuzzCase['command'] }[] = [{ file: small, command: 'build' }];
  out.push({ file: translate(small, path.join(dir, 'seed.gpkg'), ['-f', 'GPKG']), command: 'build' });
  out.push({ file: translate(small, path.join(dir, 'seed.fgb'), ['-f', 'FlatGeobuf']), command: 'build' });
  out.push({ file: translate(small, path.join(dir, 'seed.geojsons'), ['-f', 'GeoJSONSeq']), command: 'build' });
  translate(small, path.join(dir, 'seed.shp'), ['-f', 'ESRI Shapefile']);
  out.push({ file: path.join(dir, 'seed.shp'), command: 'build' });
  const tile = path.join(dir, '15-5238-12666.mvt');
  fs.copyFileSync(path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), tile);
  out.push({ file: tile, command: 'build' });
  const gz = path.join(dir, 'gz', '15-5238-12666.mvt');
  fs.mkdirSync(path.dirname(gz), { recursive: true });
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(tile)));
  out.push({ file: gz, command: 'build' });
  out.push({ file: translate(small, path.join(dir, 'seed.mbtiles'), ['-f', 'MBTiles', '-dsco', 'MINZOOM=15', '-dsco', 'MAXZOOM=15', '-nln', 'building']), command: 'build' });
  const pm = path.join(dir, 'seed.pmtiles');
  writePmtiles(pm, [{ z: 15, x: 5238, y: 12666, data: new Uint8Array(fs.readFileSync(tile)) }], [-122.4536, 37.7620, -122.4426, 37.7707]);
  out.push({ file: pm, command: 'build' });
  const pbf = path.join(dir, 'seed.osm.pbf');
  fs.copyFileSync(path.join(DATA, 'monaco.osm.pbf'), pbf);
  out.push({ file: pbf, command: 'build' });
  const dem = path.join(dir, 'seed-dem.tif');
  gdal.translate(dem, gdal.open(path.join(DATA, 'sf-terrain-3857.tif')), ['-outsize', '64', '64']).close();
  out.push({ file: dem, command: 'terrain' });
  return out;
}

/** Truncations, bit flips and a scrambled header of every seed; bombs and hostile values. */
export function makeCorpus(dir: string): FuzzCase[] {
  fs.rmSync(dir, { recursive: true, force: true });
  const seedDir = path.join(dir, 'seeds');
  fs.mkdirSync(seedDir, { recursive: true });
  const cases: FuzzCase[] = [];
  const random = rng(20261202);
  const place = (name: string, bytes: Uint8Array, like: string, command: FuzzCase['command']) => {
    // keep the seed's file name (a tile's z-x-y name, an extension readers go by) in a folder of its own
    const d = path.join(dir, 'cases', name);
    fs.mkdirSync(d, { recursive: true });
    const file = path.join(d, path.basename(like));
    fs.writeFileSync(file, bytes);
    // a shapefile's companions come along unchanged
    if (like.endsWith('.shp')) for (const ext of ['.shx', '.dbf', '.prj']) fs.copyFileSync(like.replace(/\.shp$/, ext), file.replace(/\.shp$/, ext));
    cases.push({ name, file, command });
  };
  for (const s of seeds(seedDir)) {
    const bytes = fs.readFileSync(s.file);
    const base = path.relative(seedDir, s.file).replace(/\W+/g, '_');
    for (const f of [0, 0.01, 0.1, 0.5, 0.9, 0.999]) place(`${base}-cut-${f}`, bytes.subarray(0, Math.floor(bytes.length * f)), s.file, s.command);
    for (let k = 0; k < 4; k++) {
      const b = Buffer.from(bytes);
      for (let i = 0; i < 16; i++) b[Math.floor(random() * b.length)] ^= 1 << Math.floor(random() * 8);
      place(`${base}-flip-${k}`, b, s.file, s.command);
    }
    const h = Buffer.from(bytes);
    for (let i = 0; i < Math.min(64, h.length); i++) h[i] = Math.floor(random() * 256);
    place(`${base}-header`, h, s.file, s.command);
  }
  // bombs
  place('gzip-bomb', zlib.gzipSync(Buffer.alloc(200 << 20), { level: 9 }), path.join(dir, '15-5238-12666.mvt'), 'build');
  place('huge-vrt', Buffer.from(`<VRTDataset rasterXSize="2000000" rasterYSize="2000000"><SRS>EPSG:3857</SRS><GeoTransform>-13631027, 0.001, 0, 4547209, 0, -0.001</GeoTransform><VRTRasterBand dataType="Float32" band="1"/></VRTDataset>`), path.join(dir, 'huge.vrt'), 'terrain');
  // hostile values
  const ring = (x: number, y: number, d: number) => [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]];
  const fc = (features: unknown[]) => Buffer.from(JSON.stringify({ type: 'FeatureCollection', features }));
  const feat = (props: Record<string, unknown>, coordinates: unknown, type = 'Polygon') => ({ type: 'Feature', properties: props, geometry: { type, coordinates } });
  const ok = feat({ height: 10 }, [ring(7.42, 43.735, 0.0003)]);
  place('hostile-values', fc([
    ok,
    feat({ height: 'NaN' }, [ring(7.42, 95, 0.0003)]),
    feat({ height: 1e308, min_height: -1e308, 'building:levels': '1e400' }, [ring(7.4205, 43.735, 0.0003)]),
    feat({ 'roof:shape': 'hipped', 'roof:height': '999999', 'roof:angle': '89.999', height: '0.001' }, [ring(7.421, 43.735, 0.0003)]),
    feat({ 'roof:shape': 'dome', 'roof:direction': 'sideways', name: 'x'.repeat(1 << 20) }, [ring(7.4215, 43.735, 0.0003)]),
    feat({}, [ring(7.422, 43.735, 0)]),
    feat({}, [[[7.42, 43.73], [7.42, 43.73], [7.42, 43.73], [7.42, 43.73]]]),
    feat({}, [[[1e308, 1e308], [-1e308, 1e308], [0, 0], [1e308, 1e308]]]),
    feat({}, [Array.from({ length: 50001 }, (_, i) => [7.43 + 0.0003 * Math.cos((2 * Math.PI * i) / 50000), 43.735 + 0.0003 * Math.sin((2 * Math.PI * i) / 50000)])]),
    feat({}, [[7.42, 43.73]], 'Point'),
  ]), path.join(dir, 'hostile.geojson'), 'build');
  place('deep-nesting', Buffer.from(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":${'['.repeat(20000)}${']'.repeat(20000)}}}]}`), path.join(dir, 'deep.geojson'), 'build');
  // a tiles folder for merge, its plan.json scrambled
  const tilesDir = path.join(dir, 'cases', 'merge-plan');
  fs.mkdirSync(tilesDir, { recursive: true });
  fs.writeFileSync(path.join(tilesDir, 'plan.json'), '{"fingerprint": 12, "tree": {"id": "../../etc", "children": 7}}');
  cases.push({ name: 'merge-plan', file: tilesDir, command: 'merge' });
  return cases;
}
