import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NULL_LOGGER } from '../../src/core/logger.js';
import { Summary } from '../../src/core/summary.js';
import { mosaicTiles } from '../../src/ingest/raster-tiles.js';
import { tileBounds } from '../../src/ingest/webmercator.js';
import { cli } from '../helpers/cli.js';
import { DATA, freshDir, SHARED, translate, sfTileGeoJSON, writePmtiles } from '../helpers/fixtures.js';
import { expectValidGlb, readGlb } from '../helpers/glb.js';
import { encodeElevationPng } from '../helpers/tiles.js';

const encodePng = encodeElevationPng;

/** The SF GeoTIFF DEM sampled at the pixel centres of tile z/x/y (GDAL warp, bilinear), rows from the north. */
function demTile(z: number, x: number, y: number, size = 256): Float32Array {
  const src = gdal.open(path.join(DATA, 'sf-terrain-3857.tif'));
  const [x0, y0, x1, y1] = tileBounds(z, x, y);
  const vsi = `/vsimem/test-tile-${z}-${x}-${y}.tif`;
  const out = gdal.warp(vsi, null, [src], ['-te', String(x0), String(y0), String(x1), String(y1), '-ts', String(size), String(size), '-r', 'bilinear', '-ot', 'Float32', '-of', 'GTiff']);
  const v = out.bands.get(1).pixels.read(0, 0, size, size) as Float32Array;
  out.close();
  src.close();
  gdal.vsimem.release(vsi);
  return v;
}

/** The 9 zoom-15 tiles of data/sf-mvt. */
const SF_TILES: [number, number][] = [];
for (let x = 5237; x <= 5239; x++) for (let y = 12665; y <= 12667; y++) SF_TILES.push([x, y]);

/** Write an elevation tile pyramid of the SF DEM (zoom 15) in `encoding` into `dir`/15/x/y.png; returns the decoded-exactly heights per tile. */
function writePyramid(dir: string, encoding: 'terrarium' | 'terrain-rgb', tiles = SF_TILES): Map<string, Float32Array> {
  const truth = new Map<string, Float32Array>();
  for (const [x, y] of tiles) {
    const h = demTile(15, x, y);
    fs.mkdirSync(path.join(dir, '15', String(x)), { recursive: true });
    fs.writeFileSync(path.join(dir, '15', String(x), `${y}.png`), encodePng(h, 256, encoding));
    truth.set(`${x}/${y}`, h);
  }
  return truth;
}

/** Read a mosaic GeoTIFF's band 1. */
function readMosaic(file: string): { w: number; h: number; v: Float32Array; gt: number[] } {
  const ds = gdal.open(file);
  const { x: w, y: h } = ds.rasterSize;
  const v = ds.bands.get(1).pixels.read(0, 0, w, h) as Float32Array;
  const gt = ds.geoTransform!;
  ds.close();
  return { w, h, v, gt };
}

const quantile = (v: number[], q: number) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

describe('elevation tiles: decoding', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshDir('raster-tiles');
  });

  for (const encoding of ['terrarium', 'terrain-rgb'] as const) {
    it(`${encoding}: tiles encoded independently from the SF DEM decode back within the quantisation step, the encoding told by the pixels`, async () => {
      const folder = path.join(dir, encoding);
      const truth = writePyramid(folder, encoding);
      const summary = new Summary();
      const m = await mosaicTiles([folder], 'elevation', {}, NULL_LOGGER, summary);
      try {
        expect(m.encoding).toBe(encoding);
        expect([m.zoom, m.tileSize, m.tiles, m.missing]).toEqual([15, 256, 9, 0]);
        const { w, v, gt } = readMosaic(m.file);
        expect(w).toBe(3 * 256);
        expect(gt[0]).toBeCloseTo(tileBounds(15, 5237, 12665)[0], 6);
        // the encoder truncates Terrarium's fraction (a full step) and rounds Terrain-RGB's (half a step)
        const step = encoding === 'terrarium' ? 1 / 256 : 0.05;
        let worst = 0;
        for (const [x, y] of SF_TILES) {
          const h = truth.get(`${x}/${y}`)!;
          const ox = (x - 5237) * 256, oy = (y - 12665) * 256;
          for (let j = 0; j < 256; j++) for (let i = 0; i < 256; i++) worst = Math.max(worst, Math.abs(v[(oy + j) * w + ox + i] - h[j * 256 + i]));
        }
        expect(worst).toBeLessThanOrEqual(step + 1e-3);
        expect(worst).toBeGreaterThan(0); // it is quantised: the comparison sees the encoding
      } finally {
        m.release();
      }
      expect(fs.existsSync(m.file)).toBe(false);
    });
  }

  it('a Terrain-RGB MBTiles (written by GDAL\'s MBTiles driver) whose metadata says encoding=mapbox: decoded as Terrain-RGB without asking the pixels', async () => {
    // one RGB GeoTIFF on the zoom-15 tile grid over the 9 SF tiles, encoded by the test's encoder
    const rgbFile = path.join(dir, 'terrain-rgb.tif');
    const [x0, , , y1] = tileBounds(15, 5237, 12665);
    const size = 3 * 256;
    const px = tileBounds(15, 5237, 12665)[2] - x0;
    const ds = gdal.open(rgbFile, 'w', 'GTiff', size, size, 3, gdal.GDT_Byte);
    ds.srs = gdal.SpatialReference.fromEPSG(3857);
    ds.geoTransform = [x0, px / 256, 0, y1, 0, -px / 256];
    const truth = new Float32Array(size * size);
    for (const [x, y] of SF_TILES) {
      const h = demTile(15, x, y);
      const png = PNG.sync.read(encodePng(h, 256, 'terrain-rgb'));
      for (let b = 0; b < 3; b++) {
        const plane = new Uint8Array(256 * 256);
        for (let k = 0; k < plane.length; k++) plane[k] = png.data[4 * k + b];
        ds.bands.get(b + 1).pixels.write((x - 5237) * 256, (y - 12665) * 256, 256, 256, plane);
      }
      for (let j = 0; j < 256; j++) for (let i = 0; i < 256; i++) truth[((y - 12665) * 256 + j) * size + (x - 5237) * 256 + i] = h[j * 256 + i];
    }
    const mb = path.join(dir, 'terrain-rgb.mbtiles');
    fs.rmSync(mb, { force: true });
    gdal.translate(mb, ds, ['-of', 'MBTiles', '-co', 'TILE_FORMAT=PNG', '-co', 'RESAMPLING=NEAREST']).close();
    ds.close();
    // the metadata row a Terrain-RGB archive carries (through GDAL's SQLite driver, under a .sqlite name)
    const link = path.join(dir, 'terrain-rgb-link.sqlite');
    fs.rmSync(link, { force: true });
    fs.symlinkSync(mb, link);
    const db = gdal.open(link, 'r+', ['SQLite']);
    try {
      db.executeSQL("INSERT INTO metadata (name, value) VALUES ('encoding', 'mapbox')");
    } catch {
      // gdal-async throws on a statement that returns no layer; the row is written (checked below)
    }
    expect(db.executeSQL("SELECT value FROM metadata WHERE name = 'encoding'").features.first()?.fields.get('value')).toBe('mapbox');
    db.close();
    fs.rmSync(link);
    const lines: string[] = [];
    const logger = { ...NULL_LOGGER, info: (m: string) => lines.push(m) };
    const m = await mosaicTiles([mb], 'elevation', {}, logger, new Summary());
    try {
      expect([m.encoding, m.zoom, m.tiles, m.missing]).toEqual(['terrain-rgb', 15, 9, 0]);
      expect(lines.join('\n')).not.toMatch(/told by the pixels/);
      const { w, v } = readMosaic(m.file);
      expect(w).toBe(size);
      let worst = 0;
      for (let k = 0; k < truth.length; k++) worst = Math.max(worst, Math.abs(v[k] - truth[k]));
      expect(worst).toBeLessThanOrEqual(0.05 + 1e-3);
    } finally {
      m.release();
    }
  });

  it('several pyramids at once (comma-separated): one mosaic, the first holding a tile wins', async () => {
    const a = path.join(dir, 'part-a'), b = path.join(dir, 'part-b');
    writePyramid(a, 'terrarium', SF_TILES.slice(0, 4));
    writePyramid(b, 'terrarium', SF_TILES.slice(3));
    const out = path.join(dir, 'two.glb');
    const r = cli(['build', path.join(DATA, 'sf-mvt'), '--terrain', `${a},${b}`, '-o', out, '--json', '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/9 elevation tiles at zoom 15/);
    await expectValidGlb(new Uint8Array(fs.readFileSync(out)));
  });

  it('the real Terrarium tiles of SF against the SF GeoTIFF DEM (different sources: contours vs 3DEP/SRTM) agree to a few metres', async () => {
    const m = await mosaicTiles([path.join(DATA, 'sf-terrarium-z12')], 'elevation', {}, NULL_LOGGER, new Summary());
    try {
      // both on the GeoTIFF's grid (5 m), bilinear
      const dem = gdal.open(path.join(DATA, 'sf-terrain-3857.tif'));
      const { x: w, y: h } = dem.rasterSize;
      const gt = dem.geoTransform!;
      const ref = dem.bands.get(1).pixels.read(0, 0, w, h) as Float32Array;
      dem.close();
      const src = gdal.open(m.file);
      const vsi = '/vsimem/test-terrarium-on-dem.tif';
      const out = gdal.warp(vsi, null, [src], ['-te', String(gt[0]), String(gt[3] + h * gt[5]), String(gt[0] + w * gt[1]), String(gt[3]), '-ts', String(w), String(h), '-r', 'bilinear', '-ot', 'Float32', '-of', 'GTiff']);
      const dec = out.bands.get(1).pixels.read(0, 0, w, h) as Float32Array;
      out.close();
      src.close();
      gdal.vsimem.release(vsi);
      const diff: number[] = [];
      for (let k = 0; k < ref.length; k += 7) if (Number.isFinite(ref[k]) && Number.isFinite(dec[k]) && dec[k] > -1000) diff.push(Math.abs(dec[k] - ref[k]));
      expect(diff.length).toBeGreaterThan(50_000);
      // figures in bench/RESULTS.md (bench/raster-tiles.ts): median 5.2 m, p95 9.7 m (the contour DEM sits about 5 m lower)
      expect(quantile(diff, 0.5)).toBeLessThan(8);
      expect(quantile(diff, 0.95)).toBeLessThan(25);
    } finally {
      m.release();
    }
  });

  it('bad tiles are nodata, counted once and named (not GDAL\'s in-memory path): a corrupt PNG, a truncated one, a tile of another size, a tile in another encoding', async () => {
    const folder = path.join(dir, 'bad');
    writePyramid(folder, 'terrarium', SF_TILES.slice(0, 6));
    fs.writeFileSync(path.join(folder, '15', '5237', '12666.png'), Buffer.from('not a png at all'));
    // a truncated PNG: its header reads, its pixels do not
    const whole = fs.readFileSync(path.join(folder, '15', '5237', '12667.png'));
    fs.writeFileSync(path.join(folder, '15', '5237', '12667.png'), whole.subarray(0, 300));
    fs.writeFileSync(path.join(folder, '15', '5238', '12665.png'), encodePng(new Float32Array(128 * 128).fill(50), 128, 'terrarium'));
    fs.writeFileSync(path.join(folder, '15', '5238', '12666.png'), encodePng(demTile(15, 5238, 12666), 256, 'terrain-rgb'));
    const summary = new Summary();
    const m = await mosaicTiles([folder], 'elevation', { encoding: 'terrarium' }, NULL_LOGGER, summary);
    try {
      expect(m.tiles).toBe(2);
      // each bad tile counted once
      expect(summary.warnings.get('tiles:unreadable')).toBe(2);
      expect(summary.warnings.get('tiles:wrong-size')).toBe(1);
      expect(summary.warnings.get('tiles:implausible-heights')).toBe(1);
      expect(summary.examples.get('warn:tiles:unreadable')?.[0]).toMatch(/bad tile 15\/5237\/12666: not a PNG, JPEG or WebP image/);
      expect(summary.examples.get('warn:tiles:unreadable')?.[0]).not.toMatch(/vsimem/);
      expect(summary.examples.get('warn:tiles:implausible-heights')?.[0]).toMatch(/tile 15\/5238\/12666: decodes to -\d+ m as terrarium/);
      // the mosaic spans the tiles there are (2 × 3): none of them missing, the bad ones nodata
      const { w, h, v } = readMosaic(m.file);
      expect([w, h]).toEqual([512, 768]);
      expect(v[256 * w + 10]).toBe(-32768); // 15/5237/12666: the corrupt one
    } finally {
      m.release();
    }
  });

  it('imagery-lost-said-exit-0: the one imagery tile under the city unreadable stops the run (exit 3, naming the tile and the share left), as the same fault in elevation does', () => {
    // (before: exit 0, a 98 px texture of plain ground colour but a 1 px strip from the other tile)
    const folder = path.join(dir, 'osm-broken');
    fs.rmSync(folder, { recursive: true, force: true });
    fs.cpSync(path.join(DATA, 'sf-osm-raster-z12'), folder, { recursive: true });
    fs.writeFileSync(path.join(folder, '12', '654', '1583.png'), Buffer.from('not a png at all'));
    const out = path.join(dir, 'osm-broken.glb');
    // (the whole city: two tiles over it, the other holding a strip of it)
    const r = cli(['build', path.join(DATA, 'sf-mvt'), '--imagery', folder, '-o', out]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/osm-broken tile 12\/654\/1583: not a PNG, JPEG or WebP image/);
    expect(r.stderr).toMatch(/error: cityforge ingest: .*osm-broken: its readable tiles cover \d+(\.\d)? % of the area around the buildings/);
    expect(fs.existsSync(out)).toBe(false);
    // the whole pyramid: no word of cover
    const whole = cli(['build', path.join(DATA, 'sf-mvt'), '--imagery', path.join(DATA, 'sf-osm-raster-z12'), '-o', out]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stderr).not.toMatch(/partial-cover|% of the area/);
  });

  it('a pyramid that does not cover the buildings: exit 3, saying where it lies (terrain-elsewhere-built-flat); an archive of vector tiles as --terrain: exit 3', () => {
    const far = path.join(dir, 'far');
    fs.mkdirSync(path.join(far, '12', '100'), { recursive: true });
    fs.writeFileSync(path.join(far, '12', '100', '100.png'), encodePng(new Float32Array(256 * 256).fill(100), 256, 'terrarium'));
    const tile = path.join(DATA, 'sf-mvt', '15-5238-12666.mvt');
    const out = path.join(dir, 'flat.glb');
    const r = cli(['build', tile, '--terrain', far, '-o', out, '--json']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/far \(--terrain\): the tiles do not overlap the buildings \(its centre, .* lies [\d,]+ km \S+ of theirs/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(path.dirname(out)).filter((f) => f.includes('.tmp'))).toEqual([]);
    // (tiles too)
    const t = cli(['tiles', tile, '--terrain', far, '-o', path.join(dir, 'far-tiles')]);
    expect(t.code, t.stderr).toBe(3);
    expect(t.stderr).toMatch(/the tiles do not overlap the buildings/);
    expect(fs.existsSync(path.join(dir, 'far-tiles'))).toBe(false);
    // imagery-log-contradicted-itself: the same pyramid as imagery is said to lie elsewhere, not "mosaicked"
    // before "does not cover the area" (exit 3: imagery the run cannot drape is no ground to build on)
    const img = cli(['build', tile, '--imagery', far, '-o', path.join(dir, 'img.glb')]);
    expect(img.code, img.stderr).toBe(3);
    expect(img.stderr).toMatch(/far: none of its 1 imagery tiles at zoom 12 lies over the area/);
    expect(img.stderr).not.toMatch(/mosaicked/);
    expect(img.stderr).toMatch(/the imagery does not cover the area \(\d+ × \d+ m around the buildings; its centre, .* lies [\d,]+ km \S+ of theirs/);

    const mb = translate(sfTileGeoJSON(dir), path.join(dir, 'vector.mbtiles'), ['-f', 'MBTiles', '-dsco', 'MINZOOM=15', '-dsco', 'MAXZOOM=15', '-nln', 'building']);
    const bad = path.join(dir, 'bad.glb');
    const r2 = cli(['build', tile, '--terrain', mb, '-o', bad]);
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(/vector\.mbtiles: an MBTiles of vector tiles, not raster tiles/);
    expect(r2.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(bad)).toBe(false);
  });

  it('tiles of an encoding the pixels cannot tell are refused, pointing to --imagery and --dem-encoding; a wrong --dem-encoding names the right one', async () => {
    const folder = path.join(dir, 'grey');
    fs.mkdirSync(path.join(folder, '15', '5238'), { recursive: true });
    const png = new PNG({ width: 256, height: 256 });
    png.data.fill(200);
    fs.writeFileSync(path.join(folder, '15', '5238', '12666.png'), PNG.sync.write(png));
    await expect(mosaicTiles([folder], 'elevation', {}, NULL_LOGGER, new Summary())).rejects.toThrow(/do not look like elevation .*--imagery.*--dem-encoding terrarium\|terrain-rgb/);
    await expect(mosaicTiles([path.join(DATA, 'sf-terrarium-z12')], 'elevation', { encoding: 'terrain-rgb' }, NULL_LOGGER, new Summary())).rejects.toThrow(
      /no tile decodes to plausible heights as terrain-rgb; the pixels look like terrarium: use --dem-encoding terrarium, or leave it out/,
    );
  });
});

describe('build with elevation and imagery tiles', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshDir('raster-tiles-build');
  });

  it('build data/sf-mvt --terrain <Terrarium> --imagery <OSM tiles>: validator-clean, buildings on the hills, the ground textured with the map', async () => {
    const out = path.join(dir, 'sf.glb');
    const r = cli(['build', path.join(DATA, 'sf-mvt'), '--terrain', path.join(DATA, 'sf-terrarium-z12'), '--imagery', path.join(DATA, 'sf-osm-raster-z12'), '-o', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const bytes = new Uint8Array(fs.readFileSync(out));
    await expectValidGlb(bytes);
    const rb = await readGlb(bytes);
    const node = rb.json.nodes.find((n: { name?: string }) => n.name === 'terrain');
    const prim = rb.json.meshes[node.mesh].primitives[0];
    expect(prim.attributes.TEXCOORD_0).toBeDefined();
    const mat = rb.json.materials[prim.material];
    const tex = rb.json.textures[mat.pbrMetallicRoughness.baseColorTexture.index];
    // OSM map tiles are paletted: kept lossless
    expect(rb.json.images[tex.source].mimeType).toBe('image/png');
    // SF's hills under the buildings: Terrarium heights, 0–400 m (glTF y up)
    expect(rb.bounds[1]).toBeGreaterThan(-10);
    expect(rb.bounds[4]).toBeGreaterThan(100);
    expect(rb.bounds[4]).toBeLessThan(450);
    expect(rb.table.id.length).toBe(JSON.parse(r.stdout).buildingsWritten);
    // terrain-credit-dropped-unsaid: the tile folders carry no credit; the GLB credits the buildings' source alone, and says so
    expect(rb.json.asset.copyright).toBe('© OpenStreetMap contributors');
    // coarse-imagery-unsaid: z12 map tiles blur into blobs close up; said, with what looks better
    expect(r.stderr).toMatch(/sf-osm-raster-z12: 30\.\d m a source pixel, coarser than most buildings: close up the ground is a blur; finer tiles \(zoom 17 and up/);
    expect(r.stderr).toMatch(/credit: .*sf-terrarium-z12, .*sf-osm-raster-z12 say nothing of who their data is by: the outputs credit "© OpenStreetMap contributors" alone; --attribution/);
  });

  it('imagery without terrain: a textured ground plane; a DEM given as imagery is refused (exit 3)', async () => {
    const out = path.join(dir, 'plane.glb');
    const tile = path.join(DATA, 'sf-mvt', '15-5238-12666.mvt');
    const r = cli(['build', tile, '--imagery', path.join(DATA, 'sf-osm-raster-z12'), '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const bytes = new Uint8Array(fs.readFileSync(out));
    await expectValidGlb(bytes);
    const rb = await readGlb(bytes);
    const node = rb.json.nodes.find((n: { name?: string }) => n.name === 'terrain');
    expect(rb.json.accessors[rb.json.meshes[node.mesh].primitives[0].attributes.POSITION].count).toBe(4);
    const bad = path.join(dir, 'bad.glb');
    const r2 = cli(['build', tile, '--imagery', path.join(DATA, 'sf-terrain-3857.tif'), '-o', bad]);
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(/sf-terrain-3857\.tif: not imagery/);
    expect(fs.existsSync(bad)).toBe(false);
    // imagery-was-elevation: Terrarium tiles as --imagery were draped as purple and green, exit 0
    const r3 = cli(['build', tile, '--imagery', path.join(DATA, 'sf-terrarium-z12'), '-o', bad]);
    expect(r3.code, r3.stderr).toBe(3);
    expect(r3.stderr).toMatch(/sf-terrarium-z12: these tiles look like elevation, not imagery \(\d+ of \d+ decode to smooth heights as terrarium, e\.g\. .*\): elevation tiles go to --terrain/);
    expect(fs.existsSync(bad)).toBe(false);
  });

  it('a typo in --terrain / --imagery / --dem-zoom stops the run before any footprint is read (exit 3, named)', () => {
    const out = path.join(dir, 'typo.glb');
    for (const [args, msg] of [
      [['--terrain', '/nope/terrarium'], /\/nope\/terrarium \(--terrain\): no such file or folder/],
      [['--terrain', path.join(DATA, 'sf-terrarium-z12'), '--dem-zoom', '14'], /no tiles at zoom 14 \(it holds zoom 12\)/],
      [['--imagery', path.join(DATA, 'sf-osm-raster-z12'), '--imagery-zoom', '11'], /no tiles at zoom 11 \(it holds zoom 12\)/],
    ] as const) {
      const r = cli(['build', path.join(DATA, 'sf-mvt'), ...args, '-o', out]);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/pieces/); // the vector tiles were not read
      expect(fs.existsSync(out)).toBe(false);
    }
  });

  it('dem-left-every-building-off-its-data: a damaged Terrarium tile under every building stops the run (exit 3), and the count of undecodable tiles is of those over the area', () => {
    const folder = path.join(dir, 'terrarium-damaged');
    fs.cpSync(path.join(DATA, 'sf-terrarium-z12'), folder, { recursive: true });
    // the z12 tile under 15/5238/12666, cut after 300 bytes
    const under = path.join(folder, '12', '654', '1583.png');
    fs.writeFileSync(under, fs.readFileSync(under).subarray(0, 300));
    const out = path.join(dir, 'damaged.glb');
    const r = cli(['build', path.join(DATA, 'sf-mvt'), '--terrain', folder, '-o', out]);
    // (before: exit 0, all 13,148 buildings seated on a 23 m strip of the neighbouring tile's data)
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/tile 12\/654\/1583: .*left as nodata/);
    expect(r.stderr).toMatch(/terrarium-damaged \(--terrain\): none of the 13,1\d\d buildings stands on its elevation data/);
    expect(fs.existsSync(out)).toBe(false);
    // one vector tile over that one damaged tile: the message counts the tiles over the area, not the folder's 10
    const r2 = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--terrain', folder, '-o', out]);
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(/none of the 1 raster tile at zoom 12 over the area could be decoded/);
  });

  it('pmtiles-cut-short: an archive cut inside its header, or before its tiles end, stops with exit 3 naming it (no stack trace)', () => {
    const pm = path.join(dir, 'whole.pmtiles');
    const tiles = ['15-5238-12666', '15-5238-12667'].map((n) => {
      const [z, x, y] = n.split('-').map(Number);
      return { z, x, y, data: new Uint8Array(fs.readFileSync(path.join(DATA, 'sf-mvt', `${n}.mvt`))) };
    });
    writePmtiles(pm, tiles, [-122.4536, 37.7533, -122.4426, 37.7707]);
    const whole = fs.readFileSync(pm);
    for (const [cut, msg] of [
      [100, /early\.pmtiles: not a PMTiles archive, or cut short \(100 bytes/],
      [Math.floor(whole.length / 2), /late\.pmtiles: cut short: the archive says it holds \d+ bytes, the file has \d+/],
    ] as const) {
      const file = path.join(dir, cut === 100 ? 'early.pmtiles' : 'late.pmtiles');
      fs.writeFileSync(file, whole.subarray(0, cut));
      const out = path.join(dir, 'cut.glb');
      const r = cli(['build', file, '-o', out]);
      // (before, cut at 100 bytes: "RangeError: Offset is outside the bounds of the DataView", a stack trace, exit 1)
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(out)).toBe(false);
    }
  });

  it('dem-zoom-ignored-unsaid: --dem-zoom with one raster file is said to be ignored', () => {
    const r = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--terrain', path.join(DATA, 'sf-terrain-3857.tif'), '--dem-zoom', '12', '-o', path.join(dir, 'zoom.glb')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/sf-terrain-3857\.tif: --dem-zoom 12 ignored: it chooses among raster tiles/);
  });

  it('log-pipe-closed-early-lost-the-output: a closed stderr (`2>&1 | head -1`) ends the log, not the run: the GLB is written, the exit code is the run\'s, nothing is left', async () => {
    const { spawn } = await import('node:child_process');
    const out = path.join(dir, 'piped.glb');
    fs.rmSync(out, { force: true });
    const child = spawn(process.execPath, [path.join(import.meta.dirname, '..', '..', 'bin', 'cityforge.js'), 'build', path.join(DATA, 'sf-mvt'), '--terrain', path.join(DATA, 'sf-terrarium-z12'), '--imagery', path.join(DATA, 'sf-osm-raster-z12'), '-o', out, '-v'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.once('data', () => child.stderr!.destroy());
    const code = await new Promise<number | null>((res) => child.on('exit', res));
    expect(code).toBe(0);
    await expectValidGlb(new Uint8Array(fs.readFileSync(out)));
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('cityforge terrain <Terrarium folder>: a terrain GLB from the tiles alone', async () => {
    const out = path.join(dir, 'terrain.glb');
    const r = cli(['terrain', path.join(DATA, 'sf-terrarium-z12'), '-o', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    await expectValidGlb(new Uint8Array(fs.readFileSync(out)));
    expect(JSON.parse(r.stdout).triangles).toBeGreaterThan(1000);
  });

  it.skipIf(!fs.existsSync(path.join(SHARED, 'whitney-topo-webp.pmtiles')))('a WebP raster PMTiles (../shared/data; skipped when absent): its finest zoom mosaicked as RGBA, its metadata\'s attribution left out where it names software', async () => {
    const pm = path.join(SHARED, 'whitney-topo-webp.pmtiles');
    const warned: string[] = [];
    const m = await mosaicTiles([pm], 'imagery', {}, { ...NULL_LOGGER, warn: (msg: string) => warned.push(msg) }, new Summary());
    try {
      expect([m.zoom, m.tileSize, m.tiles, m.missing]).toEqual([15, 512, 30, 0]);
      // (software-credited-as-the-data: its metadata names QGIS, not the USGS map)
      expect(warned.join('\n')).toMatch(/credits "Created by QGIS.*names the software that made it, not the data's source: left out; give the credit with --attribution/);
      // (software-credited-in-the-viewer: the warned text still went out as the credit)
      expect(m.attribution).toBeUndefined();
      const ds = gdal.open(m.file);
      expect(ds.bands.count()).toBe(4);
      ds.close();
    } finally {
      m.release();
    }
  });
});
