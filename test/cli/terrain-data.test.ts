import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { DATA, freshDir } from '../helpers/fixtures.js';
import { expectValidGlb, readGlb } from '../helpers/glb.js';

/** The terrain node's world positions in glTF axes (x east, y up, z −north). */
async function terrainPositions(file: string): Promise<Float32Array> {
  const rb = await readGlb(new Uint8Array(fs.readFileSync(file)));
  const node = rb.json.nodes.find((n: { name?: string }) => n.name === 'terrain');
  if (!node) return new Float32Array(0);
  const acc = rb.json.accessors[rb.json.meshes[node.mesh].primitives[0].attributes.POSITION];
  const bv = rb.json.bufferViews[acc.bufferView];
  const bin = fs.readFileSync(file);
  const jsonLen = bin.readUInt32LE(12);
  const start = 20 + jsonLen + 8 + (bv.byteOffset ?? 0) + (acc.byteOffset ?? 0);
  return new Float32Array(new Uint8Array(bin.subarray(start, start + acc.count * 12)).buffer);
}

/** A Float32 GeoTIFF in EPSG:3857 over the SF tile 15/5238/12666, `value(i, j)` per pixel (NaN: nodata). */
function dem(file: string, w: number, h: number, value: (i: number, j: number) => number, bands = 1): string {
  const [x0, y1] = [-13631027.5, 4547209.2];
  const px = 1222.98 / w;
  const ds = gdal.open(file, 'w', 'GTiff', w, h, bands, gdal.GDT_Float32);
  ds.srs = gdal.SpatialReference.fromEPSG(3857);
  ds.geoTransform = [x0, px, 0, y1, 0, -(1222.98 / h)];
  for (let b = 1; b <= bands; b++) {
    const band = ds.bands.get(b);
    band.noDataValue = -9999;
    const data = new Float32Array(w * h);
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) {
      const v = value(i, j);
      data[j * w + i] = Number.isNaN(v) ? -9999 : v;
    }
    band.pixels.write(0, 0, w, h, data);
  }
  ds.close();
  return file;
}

describe('terrain from the DEM’s data only', () => {
  let dir: string;
  const tile = () => path.join(DATA, 'sf-mvt', '15-5238-12666.mvt');
  beforeAll(() => {
    dir = freshDir('terrain-data');
  });

  it('terrain-grid-finer-than-the-raster: the default grid spacing is the doubling step nearest the raster\'s, not the first under it', () => {
    // about 0.8 m pixels on the ground: 0.94 m (1025²) is nearer than 0.47 m (2049², four times the work)
    const file = dem(path.join(dir, 'fine.tif'), 1209, 1209, (i, j) => 20 + 0.01 * i + 0.02 * j);
    const r = cli(['terrain', file, '-o', path.join(dir, 'fine.glb')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resampled to a 1025 × 1025 grid, 0\.9\d m spacing/);
    // asked for, a resolution is kept as it is
    const asked = cli(['terrain', file, '--terrain-resolution', '0.5', '-o', path.join(dir, 'fine-asked.glb')]);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stderr).toMatch(/resampled to a 2049 × 2049 grid, 0\.4\d m spacing/);
  });

  it('terrain-beyond-the-dem-invented-strips: only where the raster has data is meshed; a hole inside it is filled, counted', async () => {
    // data in the west half only, with a nodata hole inside it
    const file = dem(path.join(dir, 'west.tif'), 200, 200, (i, j) => (i >= 100 ? NaN : i > 40 && i < 50 && j > 90 && j < 100 ? NaN : 50 + 0.1 * i));
    const out = path.join(dir, 'west.glb');
    const r = cli(['build', tile(), '--terrain', file, '-o', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    await expectValidGlb(new Uint8Array(fs.readFileSync(out)));
    const s = JSON.parse(r.stdout);
    expect(s.warnings['terrain:nodata-holes-filled']).toBe(1);
    expect(s.warnings['terrain:building-outside-dem']).toBeGreaterThan(100);
    // dem-covered-half-the-city-unsaid: exit 0 and a count in the summary only; now said once, as a warning of the run
    const offLine = new RegExp(`warn: .*west\\.tif: ${s.warnings['terrain:building-outside-dem'].toLocaleString('en-US')} of the [\\d,]+ buildings \\(\\d+ %\\) stand outside its data, each seated on the height of the data nearest it \\(-v names them\\): give a DEM that covers them all`);
    expect(r.stderr).toMatch(offLine);
    expect(s.runWarnings).toContainEqual(expect.stringMatching(/stand outside its data/));
    // ground-made-up-off-the-dem: a building seated on the nearest data has no elevation in the table (its
    // column's no-data value), not the edge's height as if measured under it; the others theirs
    const table = (await readGlb(new Uint8Array(fs.readFileSync(out)), { accessors: false })).table;
    const ground = table['ground'] as number[];
    expect(ground.filter((z) => z < -1e38).length).toBe(s.warnings['terrain:building-outside-dem']);
    expect(ground.filter((z) => z > 40 && z < 80).length).toBe(ground.length - s.warnings['terrain:building-outside-dem']);
    expect(r.stderr).toMatch(/grid samples \(\d+ %\) lie outside the raster's data \(the square grid reaches past its edges or nodata\); the terrain is meshed where it has data/);
    // tiles-said-no-building-off-the-dem: tiles counts them as build does; resumed-run-said-fewer-warnings:
    // a rerun that keeps half the tiles counts the same warnings (the kept tiles' from their records)
    const tilesOut = path.join(dir, 'west-tiles');
    const t = cli(['tiles', tile(), '--terrain', file, '-o', tilesOut, '--max-buildings', '200', '--json']);
    expect(t.code, t.stderr).toBe(0);
    const ts = JSON.parse(t.stdout);
    expect(ts.warnings['terrain:building-outside-dem']).toBe(s.warnings['terrain:building-outside-dem']);
    expect(t.stderr).toMatch(offLine);
    const leaves = (fs.readdirSync(path.join(tilesOut, 'tiles'), { recursive: true }) as string[]).filter((f) => f.endsWith('.glb')).sort();
    expect(leaves.length).toBeGreaterThan(2);
    for (const f of leaves.filter((_, k) => k % 2)) fs.rmSync(path.join(tilesOut, 'tiles', f));
    fs.rmSync(path.join(tilesOut, 'tileset.json'));
    const again = cli(['tiles', tile(), '--terrain', file, '-o', tilesOut, '--max-buildings', '200', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/already complete \(resumed\)/);
    expect(JSON.parse(again.stdout).warnings).toEqual(ts.warnings);
    // every terrain vertex lies within the data's half (frame x ≤ the data edge + one grid cell)
    const p = await terrainPositions(out);
    expect(p.length).toBeGreaterThan(0);
    const rb = await readGlb(new Uint8Array(fs.readFileSync(out)));
    const frame = rb.json.asset.extras.cityforge.frame;
    const toFrame = new gdal.CoordinateTransformation(gdal.SpatialReference.fromEPSG(3857), gdal.SpatialReference.fromProj4(frame.proj));
    const edge = toFrame.transformPoint(-13631027.5 + 1222.98 / 2, 4547209.2 - 600).x;
    let maxX = -Infinity;
    for (let k = 0; k < p.length; k += 3) maxX = Math.max(maxX, p[k]);
    expect(maxX).toBeLessThan(edge + 8);
    expect(maxX).toBeGreaterThan(edge - 20);
  });

  it('sparse-dem-was-99.9%-invented: a VRT of two small tiles far apart meshes the two tiles only', async () => {
    const a = dem(path.join(dir, 'a.tif'), 20, 20, () => 60);
    const far = path.join(dir, 'b.tif');
    gdal.translate(far, gdal.open(a), ['-a_ullr', '-13620000', '4557000', '-13619877.7', '4556877.7']).close();
    const vrt = path.join(dir, 'sparse.vrt');
    gdal.buildVRT(vrt, [a, far]).close();
    const out = path.join(dir, 'sparse.glb');
    const r = cli(['terrain', vrt, '-o', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = await terrainPositions(out);
    // surface triangles only over the two 122 m tiles: few vertices
    expect(p.length / 3).toBeLessThan(2000);
    expect(p.length / 3).toBeGreaterThan(8);
  });

  it('multi-band-raster-read-as-band-1: refused (exit 3) naming --terrain-band and --dem-encoding; with the band, read', () => {
    const rgb = dem(path.join(dir, 'rgb.tif'), 50, 50, () => 80, 3);
    const out = path.join(dir, 'rgb.glb');
    const r = cli(['build', tile(), '--terrain', rgb, '-o', out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/rgb\.tif \(--terrain\): a raster of 3 bands .* --terrain-band <n>/);
    // and where RGB-encoded elevation goes
    expect(r.stderr).toMatch(/--dem-encoding terrarium\|terrain-rgb/);
    expect(fs.existsSync(out)).toBe(false);
    const ok = cli(['build', tile(), '--terrain', rgb, '--terrain-band', '2', '-o', out]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(cli(['build', tile(), '--terrain', rgb, '--terrain-band', '4', '-o', out]).stderr).toMatch(/--terrain-band 4, but the raster has 3 band/);
  });

  it('huge-vrt-hung-terrain: a 370-byte VRT declaring 2M × 2M pixels stops at the read limit, named', () => {
    const vrt = path.join(dir, 'huge.vrt');
    fs.writeFileSync(vrt, `<VRTDataset rasterXSize="2000000" rasterYSize="2000000"><SRS>EPSG:3857</SRS><GeoTransform>-13631027, 0.001, 0, 4547209, 0, -0.001</GeoTransform><VRTRasterBand dataType="Float32" band="1"/></VRTDataset>`);
    const out = path.join(dir, 'huge.glb');
    const r = cli(['terrain', vrt, '-o', out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/huge\.vrt: resampling would read about \d+ million source pixels .*--max-raster-mpx/);
    expect(fs.existsSync(out)).toBe(false);
  });
  it('bad-raster-found-after-the-read: a --terrain or --imagery file GDAL cannot open stops build and tiles before any footprint is read', () => {
    const bad = path.join(dir, 'garbage.tif');
    fs.writeFileSync(bad, 'not a raster');
    for (const [cmd, flag, out] of [['build', '--terrain', 'g1.glb'], ['build', '--imagery', 'g2.glb'], ['tiles', '--terrain', 'g3'], ['infer', '--dsm', 'g4.gpkg']] as const) {
      const r = cli([cmd, tile(), flag, bad, '-o', path.join(dir, out)]);
      expect(r.code, `${cmd} ${flag}`).toBe(3);
      expect(r.stderr, `${cmd} ${flag}`).toMatch(new RegExp(`garbage\\.tif \\(${flag}\\): cannot open as a raster`));
      // (the footprints were not read: no "N features from layer" line)
      expect(r.stderr, `${cmd} ${flag}`).not.toMatch(/from layer/);
      expect(fs.existsSync(path.join(dir, out)), `${cmd} ${flag}`).toBe(false);
    }
  });
});
