import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import { PNG } from 'pngjs';

/** Half the extent of the web-mercator square (EPSG:3857), metres. */
const E = 20037508.342789244;

/**
 * An independent elevation tile encoder (pngjs, a few lines of arithmetic): heights (rows from the
 * north) → an RGB PNG tile; NaN → a transparent pixel. Terrarium: h + 32768 = R·256 + G + B/256
 * (the fraction truncated); Terrain-RGB: (h + 10000)·10 = R·65536 + G·256 + B (rounded).
 */
export function encodeElevationPng(h: Float32Array, size: number, encoding: 'terrarium' | 'terrain-rgb'): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let k = 0; k < size * size; k++) {
    if (!Number.isFinite(h[k])) {
      png.data.set([0, 0, 0, 0], 4 * k);
      continue;
    }
    let r: number, g: number, b: number;
    if (encoding === 'terrarium') {
      const v = h[k] + 32768;
      r = Math.floor(v / 256);
      g = Math.floor(v) % 256;
      b = Math.floor((v - Math.floor(v)) * 256);
    } else {
      const t = Math.round((h[k] + 10000) * 10);
      r = (t >> 16) & 255;
      g = (t >> 8) & 255;
      b = t & 255;
    }
    png.data.set([r, g, b, 255], 4 * k);
  }
  return PNG.sync.write(png);
}

/**
 * Cut a single-band raster (any CRS) into elevation tiles `dir/z/x/y.png` at zoom `z` over its
 * extent (GDAL warp to each tile's pixel grid, bilinear; no data → transparent). Returns the tiles written.
 */
export function writeElevationTiles(raster: string, z: number, dir: string, encoding: 'terrarium' | 'terrain-rgb', size = 256): number {
  const src = gdal.open(raster);
  const { x: w, y: h } = src.rasterSize;
  const gt = src.geoTransform!;
  const ct = new gdal.CoordinateTransformation(src.srs!, gdal.SpatialReference.fromEPSG(3857));
  const xs: number[] = [], ys: number[] = [];
  for (const [u, v] of [[0, 0], [w, 0], [w, h], [0, h]]) {
    const p = ct.transformPoint(gt[0] + u * gt[1] + v * gt[2], gt[3] + u * gt[4] + v * gt[5]);
    xs.push(p.x);
    ys.push(p.y);
  }
  const tile = (2 * E) / 2 ** z;
  const [c0, c1] = [Math.floor((Math.min(...xs) + E) / tile), Math.floor((Math.max(...xs) + E) / tile)];
  const [r0, r1] = [Math.floor((E - Math.max(...ys)) / tile), Math.floor((E - Math.min(...ys)) / tile)];
  let n = 0;
  for (let x = c0; x <= c1; x++)
    for (let y = r0; y <= r1; y++) {
      const [x0, y1] = [-E + x * tile, E - y * tile];
      const vsi = `/vsimem/test-elevation-tile-${z}-${x}-${y}.tif`;
      const out = gdal.warp(vsi, null, [src], ['-t_srs', 'EPSG:3857', '-te', String(x0), String(y1 - tile), String(x0 + tile), String(y1), '-ts', String(size), String(size), '-r', 'bilinear', '-ot', 'Float32', '-dstnodata', 'nan', '-of', 'GTiff']);
      const v = out.bands.get(1).pixels.read(0, 0, size, size) as Float32Array;
      out.close();
      gdal.vsimem.release(vsi);
      fs.mkdirSync(path.join(dir, String(z), String(x)), { recursive: true });
      fs.writeFileSync(path.join(dir, String(z), String(x), `${y}.png`), encodeElevationPng(v, size, encoding));
      n++;
    }
  src.close();
  return n;
}
