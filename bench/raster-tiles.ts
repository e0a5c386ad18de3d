/**
 * Raster tiles: decode + mosaic throughput (tiles/s) of the SF Terrarium tiles, the decoded heights
 * against the SF GeoTIFF DEM (median and p95 |difference|), and the GLB size with imagery at two zooms
 * (the Whitney WebP PMTiles under one footprint; skipped without ../shared/data).
 * `node --import tsx bench/raster-tiles.ts`; results in bench/RESULTS.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import gdal from 'gdal-async';
import { NULL_LOGGER } from '../src/core/logger.js';
import { Summary } from '../src/core/summary.js';
import { mosaicTiles } from '../src/ingest/raster-tiles.js';
import { buildGlb } from '../src/pipeline/build.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const data = path.join(here, '..', 'data');
const shared = process.env.SHARED_DATA ?? path.join(here, '..', '..', 'shared', 'data');

// 1. decode + mosaic throughput
const terrarium = path.join(data, 'sf-terrarium-z12');
const runs = 20;
let tiles = 0;
const t0 = performance.now();
for (let i = 0; i < runs; i++) {
  const m = await mosaicTiles([terrarium], 'elevation', {}, NULL_LOGGER, new Summary());
  tiles += m.tiles;
  m.release();
}
const s = (performance.now() - t0) / 1000;
console.log(`raster tiles: Terrarium decode + mosaic ${(tiles / s).toFixed(0)} tiles/s (${tiles} tiles of 256 px, GDAL PNG driver, one thread)`);

// 2. the decoded heights against the GeoTIFF DEM (different sources)
{
  const m = await mosaicTiles([terrarium], 'elevation', {}, NULL_LOGGER, new Summary());
  const dem = gdal.open(path.join(data, 'sf-terrain-3857.tif'));
  const { x: w, y: h } = dem.rasterSize;
  const gt = dem.geoTransform!;
  const ref = dem.bands.get(1).pixels.read(0, 0, w, h) as Float32Array;
  const src = gdal.open(m.file);
  const out = gdal.warp('/vsimem/bench-terrarium.tif', null, [src], ['-te', String(gt[0]), String(gt[3] + h * gt[5]), String(gt[0] + w * gt[1]), String(gt[3]), '-ts', String(w), String(h), '-r', 'bilinear', '-ot', 'Float32']);
  const dec = out.bands.get(1).pixels.read(0, 0, w, h) as Float32Array;
  out.close();
  src.close();
  dem.close();
  gdal.vsimem.release('/vsimem/bench-terrarium.tif');
  m.release();
  const d: number[] = [];
  let signed = 0;
  for (let k = 0; k < ref.length; k++)
    if (dec[k] > -1000 && Number.isFinite(ref[k])) {
      d.push(Math.abs(dec[k] - ref[k]));
      signed += dec[k] - ref[k];
    }
  d.sort((a, b) => a - b);
  console.log(`raster tiles: Terrarium z12 vs data/sf-terrain-3857.tif (contour-derived): |difference| median ${d[d.length >> 1].toFixed(2)} m, p95 ${d[Math.floor(0.95 * d.length)].toFixed(2)} m, mean ${(signed / d.length).toFixed(2)} m over ${d.length} pixels`);
}

// 3. GLB bytes with imagery at two zooms
const pm = path.join(shared, 'whitney-topo-webp.pmtiles');
if (fs.existsSync(pm)) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityforge-bench-'));
  const fp = path.join(dir, 'hut.geojson');
  // two huts 3 km apart in the archive's area: the ground between them is textured
  const hut = (lon: number, lat: number, d = 0.0002) => ({ type: 'Feature', properties: { height: 5 }, geometry: { type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] } });
  fs.writeFileSync(fp, JSON.stringify({ type: 'FeatureCollection', features: [hut(-118.31, 36.565), hut(-118.277, 36.585)] }));
  for (const zoom of [13, 15]) {
    const r = await buildGlb([fp], { imagery: pm, imageryZoom: zoom });
    console.log(`raster tiles: two huts 3 km apart on the Whitney topo map, imagery zoom ${zoom}: GLB ${(r.glb.byteLength / 1024).toFixed(0)} KB (${r.summary.timings.get('imagery')?.toFixed(2)} s imagery)`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
} else console.log(`raster tiles: ${pm} not found; GLB sizes with imagery skipped`);
