/**
 * The README's inverse-modelling triptych for a real area: DSM hillshade | the inferred model (built
 * by cityforge, rendered headless) | height difference (model − DSM) over the buildings.
 *   node --import tsx scripts/render/inverse-triptych.ts [case folder] [out folder] [bbox] (KEEP=1 keeps out/triptych-*)
 * (default: ../shared/data/inverse-delft-3dbag → docs/img/infer-*.png)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import { PNG } from 'pngjs';

const dir = process.argv[2] ?? path.join('..', 'shared', 'data', 'inverse-delft-3dbag');
const out = process.argv[3] ?? path.join('docs', 'img');
// the area shown (the footprints' CRS): default a block of Delft with pitched, flat and stepped roofs
const bbox = (process.argv[4] ?? '84430,446935,84665,447075').split(',').map(Number);
// (under out/: the render page serves files from the project folder)
fs.mkdirSync('out', { recursive: true });
const tmp = fs.mkdtempSync(path.join('out', 'triptych-'));
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/cityforge.js', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cityforge ${args[0]} failed: ${r.stderr}`);
};
const params = path.join(tmp, 'params.gpkg');
const area = path.join(tmp, 'area.gpkg');
const cut = spawnSync('ogr2ogr', ['-spat', ...bbox.map(String), area, path.join(dir, 'footprints.gpkg')], { encoding: 'utf8' });
if (cut.status !== 0) throw new Error(`ogr2ogr: ${cut.stderr}`);
run(['infer', area, '--dsm', path.join(dir, 'dsm.tif'), '--dtm', path.join(dir, 'dtm.tif'), '-o', params, '-q']);
run(['build', params, '--terrain', path.join(dir, 'dtm.tif'), '-o', path.join(tmp, 'model.glb'), '-q']);
run(['rasterize', params, '--terrain', path.join(dir, 'dtm.tif'), '-o', path.join(tmp, 'model.tif'), '--labels', path.join(tmp, 'labels.tif'), '--margin', '0', '-q']);

interface Grid { x0: number; y1: number; cell: number; w: number; h: number; v: Float32Array | Int32Array; nd: number | null }
const read = (f: string): Grid => {
  const ds = gdal.open(f);
  const gt = ds.geoTransform!;
  const { x: w, y: h } = ds.rasterSize;
  const band = ds.bands.get(1);
  const g = { x0: gt[0], y1: gt[3], cell: gt[1], w, h, v: band.pixels.read(0, 0, w, h) as Float32Array, nd: band.noDataValue };
  ds.close();
  return g;
};
const whole = read(path.join(dir, 'dsm.tif'));
// the DSM cropped to the area
const ci0 = Math.max(0, Math.floor((bbox[0] - whole.x0) / whole.cell)), cj0 = Math.max(0, Math.floor((whole.y1 - bbox[3]) / whole.cell));
const cw = Math.min(whole.w - ci0, Math.ceil((bbox[2] - bbox[0]) / whole.cell)), ch = Math.min(whole.h - cj0, Math.ceil((bbox[3] - bbox[1]) / whole.cell));
const crop = new Float32Array(cw * ch);
for (let j = 0; j < ch; j++) for (let i = 0; i < cw; i++) crop[j * cw + i] = whole.v[(cj0 + j) * whole.w + ci0 + i];
const dsm: Grid = { x0: whole.x0 + ci0 * whole.cell, y1: whole.y1 - cj0 * whole.cell, cell: whole.cell, w: cw, h: ch, v: crop, nd: whole.nd };
const model = read(path.join(tmp, 'model.tif'));
const labels = read(path.join(tmp, 'labels.tif'));

function save(file: string, w: number, h: number, rgb: (i: number, j: number) => [number, number, number]) {
  const png = new PNG({ width: w, height: h });
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) {
      const [r, g, b] = rgb(i, j);
      const k = 4 * (j * w + i);
      png.data[k] = r;
      png.data[k + 1] = g;
      png.data[k + 2] = b;
      png.data[k + 3] = 255;
    }
  fs.writeFileSync(file, PNG.sync.write(png));
}
// 1. hillshade of the DSM (sun from the north-west, 45° up)
const z = (i: number, j: number) => {
  const v = dsm.v[Math.min(dsm.h - 1, Math.max(0, j)) * dsm.w + Math.min(dsm.w - 1, Math.max(0, i))];
  return v === dsm.nd ? 0 : v;
};
const [lx, ly, lz] = [-Math.SQRT1_2 * Math.cos(Math.PI / 4), Math.SQRT1_2 * Math.cos(Math.PI / 4), Math.sin(Math.PI / 4)];
save(path.join(out, 'infer-dsm.png'), dsm.w, dsm.h, (i, j) => {
  const gx = (z(i + 1, j) - z(i - 1, j)) / (2 * dsm.cell), gy = (z(i, j - 1) - z(i, j + 1)) / (2 * dsm.cell);
  const n = Math.hypot(gx, gy, 1);
  const s = Math.max(0, (-gx * lx - gy * ly + lz) / n);
  const c = Math.round(40 + 215 * s);
  return [c, c, c];
});
// 3. model − DSM over the buildings, on the DSM's grid: blue below, red above, ±2 m
save(path.join(out, 'infer-diff.png'), dsm.w, dsm.h, (i, j) => {
  const x = dsm.x0 + (i + 0.5) * dsm.cell, y = dsm.y1 - (j + 0.5) * dsm.cell;
  const mi = Math.floor((x - model.x0) / model.cell), mj = Math.floor((model.y1 - y) / model.cell);
  const shade = 225; // the ground: light grey
  if (mi < 0 || mj < 0 || mi >= model.w || mj >= model.h || !labels.v[mj * model.w + mi]) return [shade, shade, shade];
  const m = model.v[mj * model.w + mi], d = dsm.v[j * dsm.w + i];
  if (m === model.nd || d === dsm.nd) return [shade, shade, shade];
  const t = Math.max(-1, Math.min(1, (m - d) / 2));
  return t >= 0 ? [255, Math.round(255 * (1 - t)), Math.round(255 * (1 - t))] : [Math.round(255 * (1 + t)), Math.round(255 * (1 + t)), 255];
});
// the same difference as figures: building cells within 0.5 m, median and RMS |model − DSM|
{
  const diffs: number[] = [];
  for (let j = 0; j < dsm.h; j++)
    for (let i = 0; i < dsm.w; i++) {
      const x = dsm.x0 + (i + 0.5) * dsm.cell, y = dsm.y1 - (j + 0.5) * dsm.cell;
      const mi = Math.floor((x - model.x0) / model.cell), mj = Math.floor((model.y1 - y) / model.cell);
      if (mi < 0 || mj < 0 || mi >= model.w || mj >= model.h || !labels.v[mj * model.w + mi]) continue;
      const m = model.v[mj * model.w + mi], d = dsm.v[j * dsm.w + i];
      if (m !== model.nd && d !== dsm.nd) diffs.push(Math.abs(m - d));
    }
  diffs.sort((a, b) => a - b);
  const rms = Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / diffs.length);
  console.log(`model − DSM over ${diffs.length} building cells: ${((100 * diffs.filter((d) => d <= 0.5).length) / diffs.length).toFixed(1)} % within 0.5 m, median ${diffs[diffs.length >> 1].toFixed(2)} m, RMS ${rms.toFixed(2)} m`);
}
// 2. the inferred model, built and rendered headless
const shot = spawnSync(process.execPath, ['scripts/render/shot.mjs', path.relative(process.cwd(), path.join(tmp, 'model.glb')), path.join(out, 'infer-model.png'), '0.8'], { encoding: 'utf8' });
if (shot.status !== 0) console.error(shot.stderr);
if (!process.env.KEEP) fs.rmSync(tmp, { recursive: true, force: true });
console.log(`wrote ${out}/infer-dsm.png, infer-model.png, infer-diff.png`);
