import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { readGlb } from '../helpers/glb.js';
import { DATA, freshDir, osmQaGeoJSON, translate, writeMvtFolder, writePmtiles } from '../helpers/fixtures.js';

/** Run `build` with --json; the summary and the run. */
function build(args: string[], out: string) {
  const r = cli(['build', ...args, '-o', out, '--json', '-v']);
  return { ...r, summary: r.code === 0 ? JSON.parse(r.stdout) : null };
}

const expectRefused = (r: ReturnType<typeof cli>, out: string, what: RegExp) => {
  expect(r.code, r.stderr).toBe(3);
  expect(r.stderr).toMatch(what);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(fs.existsSync(out)).toBe(false);
  expect(fs.readdirSync(path.dirname(out)).filter((f) => f.includes('.tmp-'))).toEqual([]);
};

describe('vector tiles from real sources', () => {
  let dir: string;
  let qa: string;
  beforeAll(() => {
    dir = freshDir('vector-tiles');
    qa = writeMvtFolder(osmQaGeoJSON(dir), path.join(dir, 'qa'), 'osm');
  });

  it('osm-tiles-lost-their-heights: OSM data exported to MBTiles or a tile folder by ogr2ogr (tags in other_tags, ids in osm_way_id / osm_id) reads as OSM', async () => {
    // Monaco, zoom 15: the first building straddles the edge between tiles x 16920 and 16921
    const edge = (16921 / 2 ** 15) * 360 - 180;
    const sq = (x0: number, y0: number, d: number) => [[[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d], [x0, y0]]];
    const f = (props: Record<string, unknown>, ring: number[][][]) => ({ type: 'Feature', properties: props, geometry: { type: 'MultiPolygon', coordinates: [ring] } });
    const src = path.join(dir, 'osm-export.geojson');
    fs.writeFileSync(src, JSON.stringify({ type: 'FeatureCollection', name: 'multipolygons', features: [
      f({ osm_id: null, osm_way_id: '93732628', name: "L'Annonciade", building: 'yes', other_tags: '"height"=>"111","building:levels"=>"35"' }, sq(edge - 1e-4, 43.739, 2e-4)),
      f({ osm_id: '1234', osm_way_id: null, name: null, building: 'yes', other_tags: '"height"=>"14","roof:shape"=>"hipped"' }, sq(edge + 1e-3, 43.740, 1e-4)),
      f({ osm_id: null, osm_way_id: '55', name: null, building: null, other_tags: '"leisure"=>"park"' }, sq(edge + 2e-3, 43.740, 1e-4)),
    ] }));
    const mb = translate(src, path.join(dir, 'osm-export.mbtiles'), ['-f', 'MBTiles', '-dsco', 'MINZOOM=15', '-dsco', 'MAXZOOM=15', '-nln', 'building']);
    const folder = writeMvtFolder(src, path.join(dir, 'osm-export-tiles'), 'building');
    for (const input of [mb, folder]) {
      const out = path.join(dir, `${path.basename(input)}.glb`);
      const r = build([input], out);
      expect(r.code, r.stderr).toBe(0);
      // the tiles' other_tags unpacked: no default height, the park left out as not a building
      expect(r.summary.warnings['height:missing'], input).toBeUndefined();
      expect(r.summary.skipped['not-a-building'], input).toBe(1);
      expect(r.summary.attributions).toEqual(['© OpenStreetMap contributors']);
      const { table } = await readGlb(fs.readFileSync(out));
      // OSM's ids, not the tiles' numbering (the straddling building re-joined under its own)
      const rows = table['id'].map((id, i) => [id, table['height'][i], table['roof_shape'][i]]).sort();
      // (roof-shape-flat-when-untagged: an untagged roof is no roof:shape in the table, not "flat")
      expect(rows, input).toEqual([['r1234', 14, 'hipped'], ['w93732628', 111, '']]);
    }
  });

  it('tiles-passed-as-separate-files-were-not-rejoined: sf-mvt/*.mvt gives the folder’s 13,148 buildings', () => {
    const files = fs.readdirSync(path.join(DATA, 'sf-mvt')).map((f) => path.join(DATA, 'sf-mvt', f));
    const folder = build([path.join(DATA, 'sf-mvt')], path.join(dir, 'folder.glb'));
    const loose = build(files, path.join(dir, 'files.glb'));
    // mixed: a folder of some tiles and the rest as files, one tile given twice
    const some = path.join(dir, 'some');
    fs.mkdirSync(some);
    for (const f of files.slice(0, 4)) fs.copyFileSync(f, path.join(some, path.basename(f)));
    const mixed = build([some, ...files.slice(3)], path.join(dir, 'mixed.glb'));
    expect(folder.summary.buildingsWritten).toBe(13148);
    expect(loose.summary.buildingsWritten).toBe(13148);
    expect(mixed.summary.buildingsWritten).toBe(13148);
    expect(mixed.stderr).toMatch(/1 more at other zooms or given twice/);
    // where-the-city-landed-unsaid: the log says where the data lie (tiles named at the wrong zoom put SF in Antarctica, exit 0)
    expect(folder.stderr).toMatch(/^the data lie at lon -122\.46\d\d…-122\.43\d\d, lat 37\.75\d\d…37\.77\d\d; the frame's origin: lon -122\.44\d+, lat 37\.76\d+ \(their centre\)$/m);
    const wrong = path.join(dir, 'wrong-zoom');
    fs.mkdirSync(wrong);
    for (const f of files) fs.copyFileSync(f, path.join(wrong, path.basename(f).replace(/^15-/, '14-')));
    expect(build([wrong], path.join(dir, 'wrong.glb')).stderr).toMatch(/^the data lie at lon -64\.\d+…-64\.\d+, lat -69\.\d+…-69\.\d+;/m);
    const t = cli(['plan', path.join(DATA, 'sf-mvt'), '-v']);
    expect(t.stderr).toMatch(/^the inputs' extents lie at lon -122\.46\d\d…-122\.43\d\d, lat 37\.75\d\d…37\.77\d\d; the frame's origin/m);
  });

  it('rejoin-failed-with-different-tile-schemas: a building cut by the edge is one building though the tiles carry different fields', () => {
    const r = build([qa, '--layer', 'osm'], path.join(dir, 'qa.glb'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 buildings re-joined from 2 pieces/);
    expect(r.summary.buildingsWritten).toBe(3);
  });

  it('osm-qa-parks-extruded-as-buildings: a layer of every OSM tag gives its buildings only (counted); --where selects otherwise', () => {
    const r = build([qa, '--layer', 'osm'], path.join(dir, 'qa2.glb'));
    expect(r.summary.skipped['not-a-building']).toBe(2); // the park's two pieces
    expect(r.stderr).toMatch(/skipped .*qa layer osm feature 15\/523[89]\/12666#\d+: neither building nor building:part/);
    const parks = build([qa, '--layer', 'osm', '--where', "leisure = 'park'"], path.join(dir, 'parks.glb'));
    expect(parks.code, parks.stderr).toBe(0);
    expect(parks.summary.buildingsWritten).toBe(1);
  });

  it('default-layer-missing-did-not-list-layers: names the layers there and the --layer to pass', () => {
    const out = path.join(dir, 'nolayer.glb');
    expectRefused(cli(['build', qa, '-o', out]), out, /qa layer building: no such layer in its 2 tile\(s\) \(layers: osm\); pass --layer osm/);
  });

  it('extra-layer-names-silently-ignored: every --layer is read, an unknown one is an error (tiles and OGR)', () => {
    const out = path.join(dir, 'extra.glb');
    expectRefused(cli(['build', qa, '--layer', 'osm', 'houses', '-o', out]), out, /layer houses: no such layer .*\(layers: osm\)/);
    const gpkg = translate(osmQaGeoJSON(dir), path.join(dir, 'qa.gpkg'), ['-f', 'GPKG', '-nln', 'osm']);
    expectRefused(cli(['build', gpkg, '--layer', 'osm', 'houses', '-o', out]), out, /qa\.gpkg layer houses: no such layer \(layers: osm\)/);
    // two real layers of the SF tiles: buildings and the landcover polygons both read
    const both = build([path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--layer', 'building', 'landcover'], path.join(dir, 'both.glb'));
    const one = build([path.join(DATA, 'sf-mvt', '15-5238-12666.mvt')], path.join(dir, 'one.glb'));
    expect(both.code, both.stderr).toBe(0);
    expect(both.summary.featuresRead).toBeGreaterThan(one.summary.featuresRead);
  });

  it('where-on-tiles-crashed: a field missing from one tile is null there; a bad clause is exit 3 naming the tile', () => {
    // `name` exists only in the west tile: the east tile's features have it null
    const named = build([qa, '--layer', 'osm', '--where', "name = 'West Hall'"], path.join(dir, 'named.glb'));
    expect(named.code, named.stderr).toBe(0);
    expect(named.summary.buildingsWritten).toBe(1);
    const unnamed = build([qa, '--layer', 'osm', '--where', 'name IS NULL AND building IS NOT NULL'], path.join(dir, 'unnamed.glb'));
    expect(unnamed.code, unnamed.stderr).toBe(0);
    expect(unnamed.summary.buildingsWritten).toBe(2);
    const out = path.join(dir, 'badwhere.glb');
    // (a bad clause is a wrong option: exit 2, as in every format: where-exit-code-by-format)
    const bad = cli(['build', qa, '--layer', 'osm', '--where', 'height >>> 3', '-o', out]);
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/qa tile 15\/523[89]\/12666 layer osm: bad --where 'height >>> 3'/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('hostile vector tiles: exit 3 naming the file or tile, never a stack trace, bounded memory', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshDir('vector-tiles-hostile');
  });
  const tile = () => fs.readFileSync(path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'));

  it('tile-zoom-above-30-misplaced-everything: z > 30 or x/y outside the zoom is refused naming the tile', () => {
    const out = path.join(dir, 'z.glb');
    const z31 = path.join(dir, '31-5238-12666.mvt');
    fs.writeFileSync(z31, tile());
    expectRefused(cli(['build', z31, '-o', out]), out, /31-5238-12666\.mvt: tile zoom 31 is not 0–30/);
    const xbad = path.join(dir, '3-9-1.mvt');
    fs.writeFileSync(xbad, tile());
    expectRefused(cli(['build', xbad, '-o', out]), out, /3-9-1\.mvt: tile 3\/9\/1 is outside zoom 3/);
  });

  it('zero-length-or-truncated-gzip-mvt-crashed: exit 3 naming the tile', () => {
    const out = path.join(dir, 'e.glb');
    const empty = path.join(dir, '15-5238-12666.mvt');
    fs.writeFileSync(empty, new Uint8Array(0));
    expectRefused(cli(['build', empty, '-o', out]), out, /15-5238-12666\.mvt tile 15\/5238\/12666: empty \(0 bytes\)/);
    const gz = zlib.gzipSync(tile());
    const cut = path.join(dir, 'cut', '15-5238-12666.mvt');
    fs.mkdirSync(path.dirname(cut));
    fs.writeFileSync(cut, gz.subarray(0, gz.length >> 1));
    expectRefused(cli(['build', cut, '-o', out]), out, /15-5238-12666\.mvt tile 15\/5238\/12666: broken gzip/);
  });

  it('gzip-bomb-took-2.7-GB: a tile that decompresses beyond the limit stops at the limit', () => {
    const out = path.join(dir, 'bomb.glb');
    const bomb = path.join(dir, 'bomb', '15-5238-12666.mvt');
    fs.mkdirSync(path.dirname(bomb));
    fs.writeFileSync(bomb, zlib.gzipSync(Buffer.alloc(200 << 20), { level: 9 })); // 200 MB of zeros, ~200 KB
    const r = cli(['build', bomb, '-o', out]);
    expectRefused(r, out, /decompresses to more than the limit of 67108864 bytes .*--max-tile-mb/);
    // the limit is an option
    const small = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--max-tile-mb', '0.01', '-o', out]);
    expectRefused(small, out, /more than the limit of 10485 for one tile/);
  });

  it('corrupt-pmtiles-crashed and bad-gzip-in-mbtiles-crashed: exit 3 naming the archive', () => {
    const out = path.join(dir, 'a.glb');
    const pm = path.join(dir, 'bad.pmtiles');
    writePmtiles(pm, [{ z: 15, x: 5238, y: 12666, data: new Uint8Array(tile()) }], [-122.45, 37.76, -122.44, 37.77]);
    const bytes = fs.readFileSync(pm);
    bytes.fill(0xff, 127, 140); // the root directory
    fs.writeFileSync(pm, bytes);
    const r = cli(['build', pm, '-o', out]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/bad\.pmtiles/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const mb = translate(sfOne(dir), path.join(dir, 'bad.mbtiles'), ['-f', 'MBTiles', '-dsco', 'MINZOOM=15', '-dsco', 'MAXZOOM=15', '-nln', 'building']);
    // replace every tile's data by a broken gzip stream
    const ds = gdalOpenSqlite(mb);
    try {
      ds.executeSQL(`UPDATE tiles SET tile_data = X'1f8b0800000000000003ffff'`);
    } catch {
      // a statement that returns no rows: gdal-async reports the missing result set
    }
    ds.close();
    expectRefused(cli(['build', mb, '-o', out]), out, /bad\.mbtiles tile 15\/\d+\/\d+: broken gzip/);
  });

  it('mbtiles-rows-upside-down: an MBTiles written with XYZ rows (from the north) where its bounds say otherwise stops the run, saying how to renumber them', () => {
    const mb = translate(sfOne(dir), path.join(dir, 'xyz.mbtiles'), ['-f', 'MBTiles', '-dsco', 'MINZOOM=15', '-dsco', 'MAXZOOM=15', '-nln', 'building']);
    const flip = () => {
      const ds = gdalOpenSqlite(mb);
      try {
        ds.executeSQL('UPDATE tiles SET tile_row = (1 << zoom_level) - 1 - tile_row');
      } catch {
        // a statement that returns no rows: gdal-async reports the missing result set
      }
      ds.close();
    };
    flip();
    const out = path.join(dir, 'xyz.glb');
    // (it built the city at 37.77° S, exit 0)
    expectRefused(cli(['build', mb, '-o', out]), out, /xyz\.mbtiles: its tiles, their rows read from the south as MBTiles numbers them \(TMS\), lie at 37\.7\d° S…37\.7\d° S, but its bounds say 37\.7\d° N…37\.7\d° N: its rows are numbered from the north \(XYZ\); renumber them .*UPDATE tiles SET tile_row = \(1 << zoom_level\) - 1 - tile_row/);
    // renumbered as the message says, it reads
    flip();
    const r = cli(['build', mb, '-o', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).buildingsWritten).toBeGreaterThan(100);
  });
});

import gdal from 'gdal-async';

/** One SF tile's buildings as GeoJSON (for an MBTiles). */
function sfOne(dir: string): string {
  const out = path.join(dir, 'one.geojson');
  if (fs.existsSync(out)) return out;
  gdal.vsimem.set(fs.readFileSync(path.join(DATA, 'sf-mvt', '15-5238-12666.mvt')), '/vsimem/one/15/5238/12666.pbf');
  const src = gdal.open('/vsimem/one/15/5238/12666.pbf');
  gdal.vectorTranslate(out, src, ['-f', 'GeoJSON', '-t_srs', 'EPSG:4326', 'building']).close();
  src.close();
  gdal.vsimem.release('/vsimem/one/15/5238/12666.pbf');
  return out;
}

/** An MBTiles file opened read-write as plain SQLite. */
function gdalOpenSqlite(file: string): gdal.Dataset {
  const link = `${file}.sqlite`;
  fs.rmSync(link, { force: true });
  fs.symlinkSync(path.resolve(file), link);
  const ds = gdal.open(link, 'r+', ['SQLite']);
  fs.rmSync(link, { force: true });
  return ds;
}

describe('archives are read a tile at a time', () => {
  it('mbtiles-pmtiles-loaded-whole-into-memory: listing an archive reads no tile; each tile is read when asked for', async () => {
    const { listTiles } = await import('../../src/ingest/mvt.js');
    const dir = freshDir('vector-tiles-lazy');
    const files = fs.readdirSync(path.join(DATA, 'sf-mvt')).sort();
    const tiles = files.map((f) => {
      const [z, x, y] = f.replace('.mvt', '').split('-').map(Number);
      return { z, x, y, data: new Uint8Array(fs.readFileSync(path.join(DATA, 'sf-mvt', f))) };
    });
    const pm = path.join(dir, 'sf.pmtiles');
    writePmtiles(pm, tiles, [-122.4646, 37.7533, -122.4316, 37.7794]);
    const list = await listTiles(pm);
    expect(list.tiles).toHaveLength(9);
    // the archive's tile data changed after listing: what is read is what is there now
    const bytes = fs.readFileSync(pm);
    const first = tiles.reduce((a, t) => a + t.data.length, 0);
    const dataStart = bytes.length - first;
    fs.writeFileSync(pm, Buffer.concat([bytes.subarray(0, dataStart), Buffer.alloc(first, 0x42)]));
    const read = await list.tiles[0].read();
    expect(read.length).toBeGreaterThan(0);
    expect(read.every((b) => b === 0x42)).toBe(true);
    list.close();
  });
});
