import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import gdal from 'gdal-async';
import { cli } from '../helpers/cli.js';
import { DATA, freshDir } from '../helpers/fixtures.js';
import { expectValidGlb, readGlb } from '../helpers/glb.js';
import { writeStoredZip } from '../helpers/vector.js';
import { isoDate } from '../../src/ingest/ogr.js';
import { ingest } from '../../src/ingest/index.js';
import { NULL_LOGGER } from '../../src/core/logger.js';
import { Summary } from '../../src/core/summary.js';

/** Ingest in process, nothing logged. */
const ingestQuiet = async (inputs: string[]) => ({ batch: await ingest(inputs, {}, NULL_LOGGER, new Summary()) });

/**
 * Building layers as GIS users have them (a new-user trial, 2026-12-06): their own columns, typed
 * fields, GIS names for the S3DB keys, a Shapefile's limits, CRSs PROJ does not know.
 */

interface Field { name: string; type: number; value: unknown }

/** A one-building layer in `file` (driver by extension) in EPSG:32632, a 20 × 12 m rectangle near Monaco, with `fields`. */
function layerWith(file: string, fields: Field[], srs: gdal.SpatialReference | null = gdal.SpatialReference.fromEPSG(32632)): string {
  const driver = file.endsWith('.shp') ? 'ESRI Shapefile' : file.endsWith('.gpkg') ? 'GPKG' : 'GeoJSON';
  const ds = gdal.open(file, 'w', driver);
  const layer = ds.layers.create('b', srs, gdal.wkbPolygon);
  for (const f of fields) layer.fields.add(new gdal.FieldDefn(f.name, f.type as unknown as string));
  const feature = new gdal.Feature(layer);
  // (by index: a Shapefile cuts the names)
  fields.forEach((f, i) => feature.fields.set(i, f.value as never));
  const ring = new gdal.LinearRing();
  const [x, y] = [368000, 4845000];
  for (const [dx, dy] of [[0, 0], [20, 0], [20, 12], [0, 12], [0, 0]]) ring.points.add(x + dx, y + dy);
  const poly = new gdal.Polygon();
  poly.rings.add(ring);
  feature.setGeometry(poly);
  layer.features.add(feature);
  ds.close();
  return file;
}

async function table(glb: string): Promise<Record<string, (string | number)[]>> {
  const bytes = new Uint8Array(fs.readFileSync(glb));
  await expectValidGlb(bytes);
  return (await readGlb(bytes)).table;
}

describe('ingest: building layers as GIS users have them', () => {
  it('building-column-dropped-the-attributes: a `building` column alone does not make a layer OSM data; OSM exports keep their defaults', async () => {
    const dir = freshDir('user-data-building-column');
    const own = layerWith(path.join(dir, 'own.gpkg'), [
      { name: 'building', type: gdal.OFTString as unknown as number, value: 'house' },
      { name: 'height', type: gdal.OFTReal as unknown as number, value: 12 },
      { name: 'owner_code', type: gdal.OFTString as unknown as number, value: 'K-17' },
    ]);
    expect(cli(['build', own, '-o', path.join(dir, 'own.glb'), '-q']).code).toBe(0);
    const t = await table(path.join(dir, 'own.glb'));
    // (before: only the OSM set of names, addresses and building tags; owner_code was dropped without a word)
    expect(t['owner_code']).toEqual(['K-17']);
    const osm = layerWith(path.join(dir, 'osm.gpkg'), [
      { name: 'osm_way_id', type: gdal.OFTString as unknown as number, value: '42' },
      { name: 'building', type: gdal.OFTString as unknown as number, value: 'house' },
      { name: 'other_tags', type: gdal.OFTString as unknown as number, value: '"height"=>"9","fixme"=>"check"' },
    ]);
    expect(cli(['build', osm, '-o', path.join(dir, 'osm.glb'), '-q']).code).toBe(0);
    const o = await readGlb(new Uint8Array(fs.readFileSync(path.join(dir, 'osm.glb'))));
    expect(o.table['height']).toEqual([9]);
    expect(o.table['fixme']).toBeUndefined();
    expect(o.table['id']).toEqual(['w42']);
    expect(o.json.asset.copyright).toBe('© OpenStreetMap contributors');
  });

  it('date-written-as-object: Date and DateTime fields go out as ISO 8601 text', async () => {
    const dir = freshDir('user-data-dates');
    const file = layerWith(path.join(dir, 'dates.gpkg'), [
      { name: 'height', type: gdal.OFTReal as unknown as number, value: 12 },
      { name: 'built', type: gdal.OFTDate as unknown as number, value: '2001-05-03' },
      { name: 'surveyed', type: gdal.OFTDateTime as unknown as number, value: '2019-11-20T09:05:30Z' },
    ]);
    expect(cli(['build', file, '-o', path.join(dir, 'dates.glb'), '-q']).code).toBe(0);
    const t = await table(path.join(dir, 'dates.glb'));
    // (before: "[object Object]")
    expect(t['built']).toEqual(['2001-05-03']);
    expect(t['surveyed']).toEqual(['2019-11-20T09:05:30Z']);
  });

  it('isoDate: GDAL\'s dates, times and zones as ISO 8601', () => {
    expect(isoDate({ year: 2001, month: 5, day: 3 })).toBe('2001-05-03');
    expect(isoDate({ hour: 7, minute: 4, second: 9.5 })).toBe('07:04:09.500');
    expect(isoDate({ year: 2019, month: 11, day: 20, hour: 9, minute: 5, second: 59.25, timezone: 108 })).toBe('2019-11-20T09:05:59.250+02:00');
    expect(isoDate({ year: 2019, month: 11, day: 20, hour: 9, minute: 5, second: 30, timezone: 82 })).toBe('2019-11-20T09:05:30-04:30');
    expect(isoDate({ year: 2019, month: 11, day: 20, hour: 9, minute: 5, second: 30, timezone: 1 })).toBe('2019-11-20T09:05:30');
  });

  it('levels-under-a-gis-name-ignored: building_levels, a Shapefile\'s building_l and roof_shape are read as the S3DB keys', async () => {
    const dir = freshDir('user-data-gis-names');
    const gpkg = layerWith(path.join(dir, 'levels.gpkg'), [
      { name: 'building_levels', type: gdal.OFTInteger as unknown as number, value: 11 },
      { name: 'roof_shape', type: gdal.OFTString as unknown as number, value: 'hipped' },
    ]);
    // a Shapefile cuts field names to ten characters: building_l
    const shp = layerWith(path.join(dir, 'levels.shp'), [{ name: 'building_levels', type: gdal.OFTInteger as unknown as number, value: 11 }]);
    expect(gdal.open(shp).layers.get(0).fields.getNames()).toEqual(['building_l']);
    // (roof-shape-flat-when-untagged: none tagged reads as none, not "flat": the column is empty, so absent)
    for (const [file, shape] of [[gpkg, ['hipped']], [shp, undefined]] as const) {
      const out = path.join(dir, `${path.basename(file)}.glb`);
      const r = cli(['build', file, '-o', out]);
      expect(r.code, r.stderr).toBe(0);
      const t = await table(out);
      // (before: the default 10 m and a flat roof, and nothing said; 11 storeys of 3 m, and the hipped roof's
      // derived height on top of them: levels-roof-height-unsaid)
      if (shape) expect(t['height'][0]).toBeGreaterThan(34);
      else expect(t['height']).toEqual([33]);
      expect(t['levels']).toEqual([11]);
      expect(t['roof_shape']).toEqual(shape);
      expect(r.stderr).not.toMatch(/height:missing/);
    }
    // attributes-missed-the-cut-names: --attributes by the S3DB key keeps the field read as it
    // (before: "no input has these attributes (they have: building_l)")
    const out = path.join(dir, 'levels-chosen.glb');
    const r = cli(['build', shp, '--attributes', 'building:levels', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/no input has these attributes/);
    expect((await table(out))['building_l']).toEqual([11]);
  });

  it('building-m-ignored: a Shapefile\'s building_m is read as building:min_level when a number, building:material when a word', async () => {
    const dir = freshDir('user-data-building-m');
    const level = layerWith(path.join(dir, 'minlevel.shp'), [
      { name: 'height', type: gdal.OFTReal as unknown as number, value: 20 },
      { name: 'building_min_level', type: gdal.OFTInteger as unknown as number, value: 2 },
    ]);
    const material = layerWith(path.join(dir, 'material.shp'), [
      { name: 'height', type: gdal.OFTReal as unknown as number, value: 20 },
      { name: 'building_material', type: gdal.OFTString as unknown as number, value: 'brick' },
    ]);
    expect(gdal.open(level).layers.get(0).fields.getNames()).toEqual(['height', 'building_m']);
    const tables = [];
    for (const file of [level, material]) {
      const out = path.join(dir, `${path.basename(file)}.glb`);
      const r = cli(['build', file, '-o', out]);
      expect(r.code, r.stderr).toBe(0);
      tables.push(await table(out));
    }
    // (before: min_height 0 and the level lost, in silence)
    expect(tables[0]['min_height'][0]).toBeGreaterThan(5);
    expect(tables[1]['min_height']).toEqual([0]);
    // the word a material: the walls' look
    const { batch } = await ingestQuiet([material]);
    expect(batch.params[0].material).toBe('brick');
    expect((await ingestQuiet([level])).batch.params[0].minLevel).toBe(2);
  });

  it('heights-in-capitals-ignored: an ArcGIS HEIGHT and ROOF_SHAPE, a GeoJSON\'s Height, KML\'s Name are read as height, roof:shape and name', async () => {
    const dir = freshDir('user-data-capitals');
    // (before: HEIGHT copied into the table, the building 3 levels × 3 m = 9 m, its roof flat, nothing said)
    const shp = layerWith(path.join(dir, 'caps.shp'), [
      { name: 'HEIGHT', type: gdal.OFTReal as unknown as number, value: 23 },
      { name: 'BUILDING_L', type: gdal.OFTInteger as unknown as number, value: 3 },
      { name: 'ROOF_SHAPE', type: gdal.OFTString as unknown as number, value: 'hipped' },
      { name: 'Name', type: gdal.OFTString as unknown as number, value: 'Stadhuis' },
    ]);
    const out = path.join(dir, 'caps.glb');
    const r = cli(['build', shp, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const t = await table(out);
    expect([t['height'], t['height_from'], t['levels'], t['roof_shape'], t['name']]).toEqual([[23], ['data'], [3], ['hipped'], ['Stadhuis']]);
    // the key itself wins over another case of it (a GeoJSON's properties may hold both)
    const both = path.join(dir, 'both.geojson');
    const ring = [[4.36, 52.01], [4.3601, 52.01], [4.3601, 52.0101], [4.36, 52.0101], [4.36, 52.01]];
    fs.writeFileSync(both, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { Height: 99, height: 12 }, geometry: { type: 'Polygon', coordinates: [ring] } }] }));
    const out2 = path.join(dir, 'both.glb');
    expect(cli(['build', both, '-o', out2, '-q']).code).toBe(0);
    expect((await table(out2))['height']).toEqual([12]);
  });

  it('feet-heights-read-as-metres: a bare-number height in a CRS in feet (a US State Plane) is read as metres and said to be; one with a unit, or in a CRS in metres, is not', async () => {
    const dir = freshDir('user-data-feet');
    // (before: exit 0, "warnings: none", every building 3.28 times too tall if the county's heights were feet)
    const ft = layerWith(path.join(dir, 'county.shp'), [{ name: 'height', type: gdal.OFTReal as unknown as number, value: 26.25 }], gdal.SpatialReference.fromEPSG(2227));
    const r = cli(['build', ft, '-o', path.join(dir, 'county.glb'), '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/height:metres-in-a-feet-crs 1/);
    expect(r.stderr).toMatch(/county\.shp layer county feature 0: height 26\.25 read as metres, though its CRS is in US survey foot/);
    expect((await table(path.join(dir, 'county.glb')))['height']).toEqual([26.25]);
    const withUnit = layerWith(path.join(dir, 'county-ft.shp'), [{ name: 'height', type: gdal.OFTString as unknown as number, value: '86 ft' }], gdal.SpatialReference.fromEPSG(2227));
    const u = cli(['build', withUnit, '-o', path.join(dir, 'county-ft.glb')]);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stderr).not.toMatch(/metres-in-a-feet-crs/);
    const metres = layerWith(path.join(dir, 'utm.shp'), [{ name: 'height', type: gdal.OFTReal as unknown as number, value: 8 }]);
    const m = cli(['build', metres, '-o', path.join(dir, 'utm.glb')]);
    expect(m.stderr).not.toMatch(/metres-in-a-feet-crs/);
  });

  it('ring-left-open: a GeoJSON with a crs member (read by GDAL) and a ring that does not close builds the building, the ring closed and counted, as without one', () => {
    const dir = freshDir('user-data-open-ring');
    const open = [[85000, 447000], [85020, 447000], [85020, 447012], [85000, 447012]];
    const doc = (crs: boolean) => JSON.stringify({
      type: 'FeatureCollection',
      ...(crs ? { crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } } } : {}),
      features: [{ type: 'Feature', properties: { ref: 'open', height: 9 }, geometry: { type: 'Polygon', coordinates: [open] } }],
    });
    fs.writeFileSync(path.join(dir, 'with-crs.geojson'), doc(true));
    fs.writeFileSync(path.join(dir, 'no-crs.geojson'), doc(false));
    // (before, with the crs member: skipped, "invalid geometry, and MakeValid left no polygon")
    for (const [file, extra] of [['with-crs.geojson', []], ['no-crs.geojson', ['--s-srs', 'EPSG:28992']]] as const) {
      const r = cli(['build', path.join(dir, file), ...extra, '-o', path.join(dir, `${file}.glb`), '--json']);
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout);
      expect([file, s.buildingsWritten, s.skippedTotal, s.warnings['ring:not-closed']]).toEqual([file, 1, 0, 1]);
    }
  });

  it('zip-refused: a plain .zip holding a Shapefile (a municipality\'s buildings.zip) is read as the Shapefile', async () => {
    const dir = freshDir('user-data-zip');
    const shp = layerWith(path.join(dir, 'panden.shp'), [{ name: 'HEIGHT', type: gdal.OFTReal as unknown as number, value: 14 }]);
    const files: Record<string, Uint8Array> = {};
    for (const ext of ['shp', 'shx', 'dbf', 'prj']) files[`panden.${ext}`] = fs.readFileSync(shp.replace(/shp$/, ext));
    const zip = writeStoredZip(path.join(dir, 'buildings.zip'), files);
    const out = path.join(dir, 'zip.glb');
    // (before: exit 3, "not recognized as a supported file format")
    const r = cli(['build', zip, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect((await table(out))['height']).toEqual([14]);
    // a zip of something else is still refused, naming the file
    const junk = writeStoredZip(path.join(dir, 'junk.zip'), { 'readme.txt': Buffer.from('nothing here') });
    const j = cli(['build', junk, '-o', path.join(dir, 'junk.glb')]);
    expect(j.code).toBe(3);
    expect(j.stderr).toMatch(/junk\.zip: cannot open as a vector source/);
  });

  it('other-tags-cut-short: an OSM export whose other_tags a Shapefile cut at 254 characters is counted, and its typed columns still read', () => {
    const dir = freshDir('user-data-other-tags');
    const long = `"addr:street"=>"Avenue Princesse Grace","description"=>"${'x'.repeat(220)}","height"=>"33"`;
    const shp = layerWith(path.join(dir, 'cut.shp'), [
      { name: 'osm_way_id', type: gdal.OFTString as unknown as number, value: '7' },
      { name: 'building', type: gdal.OFTString as unknown as number, value: 'hotel' },
      { name: 'other_tags', type: gdal.OFTString as unknown as number, value: long },
      { name: 'building_levels', type: gdal.OFTInteger as unknown as number, value: 11 },
    ]);
    const r = cli(['build', shp, '-o', path.join(dir, 'cut.glb'), '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/tags:other-tags-cut-short 1/);
    expect(r.stderr).toMatch(/cut\.shp layer cut feature w7: other_tags ends inside a tag/);
    // the height in other_tags was past the cut: building_l says 11 levels
    expect(r.stderr).not.toMatch(/height:missing/);
  });

  it('unknown-crs-read-as-wgs84: a GeoJSON declaring a CRS PROJ does not know stops with exit 3 and names it', () => {
    const dir = freshDir('user-data-unknown-crs');
    const file = path.join(dir, 'site.geojson');
    // (a building's size in degrees: as EPSG:4326, at lon 20, lat 30)
    const ring = [[20, 30], [20.0002, 30], [20.0002, 30.0002], [20, 30.0002], [20, 30]];
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::99999' } }, features: [{ type: 'Feature', properties: { height: 10 }, geometry: { type: 'Polygon', coordinates: [ring] } }] }));
    const out = path.join(dir, 'site.glb');
    const r = cli(['build', file, '-o', out]);
    // (before: built at lon 20, lat 30 as EPSG:4326, exit 0)
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/site\.geojson: the CRS it declares \("urn:ogc:def:crs:EPSG::99999"\) is not one PROJ knows .*--s-srs/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);
    expect(cli(['build', file, '-o', out, '--s-srs', 'EPSG:4326', '-q']).code).toBe(0);
  });

  it('local-crs-said-unreadable: a Shapefile in a site grid (LOCAL_CS) says so and asks for --s-srs', () => {
    const dir = freshDir('user-data-local-cs');
    const local = gdal.SpatialReference.fromWKT('LOCAL_CS["Site grid",LOCAL_DATUM["site",0],UNIT["metre",1],AXIS["X",EAST],AXIS["Y",NORTH]]');
    const shp = layerWith(path.join(dir, 'site.shp'), [{ name: 'height', type: gdal.OFTReal as unknown as number, value: 9 }], local);
    const r = cli(['build', shp, '-o', path.join(dir, 'site.glb')]);
    // (before: "site.shp: unreadable")
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/site\.shp layer site: its CRS is a local one \(LOCAL_CS "Site grid"\), tied to no place on Earth; name the CRS its coordinates are in with --s-srs/);
    expect(cli(['build', shp, '-o', path.join(dir, 'site.glb'), '--s-srs', 'EPSG:32632', '-q']).code).toBe(0);
  });

  it('where-exit-code-by-format: a --where naming no field exits 2 from an OSM PBF as from a GeoPackage', () => {
    const dir = freshDir('user-data-where');
    const gpkg = layerWith(path.join(dir, 'b.gpkg'), [{ name: 'height', type: gdal.OFTReal as unknown as number, value: 9 }]);
    for (const input of [path.join(DATA, 'monaco.osm.pbf'), gpkg]) {
      const out = path.join(dir, 'where.glb');
      const r = cli(['build', input, '--where', 'nosuchfield > 3', '-o', out]);
      // (before: 3 from the PBF, whose driver refuses the clause as it is set; 2 from the GeoPackage)
      expect(r.code, `${input}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/bad --where 'nosuchfield > 3' \("nosuchfield" not/);
      expect(fs.existsSync(out)).toBe(false);
    }
  });

  it('height-from-lost-in-a-round-trip: a default height written to CityJSON is still the default read back', async () => {
    const dir = freshDir('user-data-height-from');
    const file = layerWith(path.join(dir, 'no-height.gpkg'), [{ name: 'name', type: gdal.OFTString as unknown as number, value: 'shed' }]);
    const cj = path.join(dir, 'out.city.json');
    expect(cli(['build', file, '-o', cj, '-q']).code).toBe(0);
    expect(cli(['build', cj, '-o', path.join(dir, 'back.glb'), '-q']).code).toBe(0);
    const t = await table(path.join(dir, 'back.glb'));
    // (before: "data", as if the 10 m were measured)
    expect(t['height_from']).toEqual(['default']);
    expect(t['height']).toEqual([10]);
  });

  it('buried-on-a-slope-unsaid: a building the terrain climbs over is counted and named', () => {
    const dir = freshDir('user-data-slope');
    // a DEM rising 1 m per metre eastward (45°) under a 20 m long, 5 m tall building
    const dem = path.join(dir, 'slope.tif');
    const n = 80;
    const ds = gdal.open(dem, 'w', 'GTiff', n, n, 1, gdal.GDT_Float32);
    ds.srs = gdal.SpatialReference.fromEPSG(32632);
    ds.geoTransform = [367980, 1, 0, 4845040, 0, -1];
    const values = new Float32Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) values[j * n + i] = 100 + i;
    ds.bands.get(1).pixels.write(0, 0, n, n, values);
    ds.close();
    const file = layerWith(path.join(dir, 'house.gpkg'), [{ name: 'height', type: gdal.OFTReal as unknown as number, value: 5 }]);
    const r = cli(['build', file, '--terrain', dem, '-o', path.join(dir, 'house.glb'), '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/terrain:building-under-the-slope 1/);
    expect(r.stderr).toMatch(/house\.gpkg layer b feature 1: the ground rises 2\d\.\d m across its footprint, over its 5\.0 m height/);
    // tiles counts it once too (in its leaf; coarser tiles draw it again as a box)
    const t = cli(['tiles', file, '--terrain', dem, '-o', path.join(dir, 'tiles'), '-v']);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/terrain:building-under-the-slope 1\b/);
    // a tall one is not climbed over
    const tall = layerWith(path.join(dir, 'tower.gpkg'), [{ name: 'height', type: gdal.OFTReal as unknown as number, value: 40 }]);
    expect(cli(['build', tall, '--terrain', dem, '-o', path.join(dir, 'tower.glb'), '-v']).stderr).not.toMatch(/under-the-slope/);
  });
});

/**
 * `file` (driver by extension) made by GDAL from geometries as WKT, in EPSG:32632 near Monaco, each with a
 * `height` of 10 (`args`: more ogr2ogr options, such as the dimensions).
 */
function layerFromWkt(file: string, wkts: string[], args: string[] = []): string {
  const csv = `${file}.csv`;
  fs.writeFileSync(csv, `id,height,WKT\n${wkts.map((w, i) => `${i + 1},10,"${w}"`).join('\n')}\n`);
  const driver = file.endsWith('.shp') ? 'ESRI Shapefile' : file.endsWith('.gpkg') ? 'GPKG' : 'FlatGeobuf';
  gdal.vectorTranslate(file, gdal.open(csv), ['-f', driver, '-a_srs', 'EPSG:32632', '-nln', 'b', ...args]).close();
  fs.rmSync(csv);
  return file;
}

/** A circle of radius `r` around (x, y) as a CURVEPOLYGON of two arcs. */
const circle = (x: number, y: number, r: number) => `CURVEPOLYGON(CIRCULARSTRING(${x - r} ${y},${x} ${y + r},${x + r} ${y},${x} ${y - r},${x - r} ${y}))`;

describe('ingest: attribute text in a Shapefile of unknown encoding', () => {
  it('latin1-names-garbled: a Shapefile without .cpg whose text is not UTF-8 is read as Latin-1, counted; one in UTF-8 stays as it is', async () => {
    const dir = freshDir('user-data-latin1');
    const shp = layerWith(path.join(dir, 'lat1.shp'), [{ name: 'name', type: gdal.OFTString as unknown as number, value: 'Hôtel Müller' }]);
    const utf = layerWith(path.join(dir, 'utf.shp'), [{ name: 'name', type: gdal.OFTString as unknown as number, value: 'Hôtel Müller' }]);
    // as older desktop GIS writes it: Latin-1 bytes (GDAL's own default for a Shapefile), no .cpg, no code
    // page in the DBF header; and one whose bytes are UTF-8, equally without a word of it
    for (const [name, bytes] of [['lat1', Buffer.from('Hôtel Müller', 'latin1')], ['utf', Buffer.from('Hôtel Müller', 'utf8')]] as const) {
      const dbf = fs.readFileSync(path.join(dir, `${name}.dbf`));
      const at = dbf.indexOf(Buffer.from('Hôtel Müller', 'latin1'));
      expect(at).toBeGreaterThan(0);
      // (the field is padded with spaces: the two more bytes of UTF-8 fit)
      bytes.copy(dbf, at);
      dbf[29] = 0;
      fs.writeFileSync(path.join(dir, `${name}.dbf`), dbf);
      fs.rmSync(path.join(dir, `${name}.cpg`), { force: true });
    }
    const r = cli(['build', shp, '-o', path.join(dir, 'lat1.glb'), '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/attributes:read-as-latin1\) .*lat1\.shp: no \.cpg names the encoding/);
    // (before: "H\ufffdtel M\ufffdller")
    expect((await table(path.join(dir, 'lat1.glb')))['name']).toEqual(['Hôtel Müller']);
    const u = cli(['build', utf, '-o', path.join(dir, 'utf.glb'), '-v']);
    expect(u.stderr).not.toMatch(/read-as-latin1/);
    expect((await table(path.join(dir, 'utf.glb')))['name']).toEqual(['Hôtel Müller']);
  });
});

describe('ingest: geometry types GIS data holds', () => {
  it('m-polygons-were-no-polygons: polygons with M (a Shapefile of 3D Measured Polygons, a GeoPackage layer with M) are read, the M left', async () => {
    const dir = freshDir('user-data-m');
    const square = 'POLYGON((368000 4845000,368020 4845000,368020 4845012,368000 4845012,368000 4845000))';
    for (const [name, args] of [['zm.shp', ['-nlt', 'POLYGONZM', '-dim', 'XYZM']], ['m.gpkg', ['-nlt', 'POLYGONM', '-dim', 'XYM']], ['zm.fgb', ['-nlt', 'POLYGONZM', '-dim', 'XYZM']]] as const) {
      const file = layerFromWkt(path.join(dir, name), [square], [...args]);
      const glb = path.join(dir, `${name}.glb`);
      // (before: "no polygon layer", exit 3; with --layer, every feature "not a polygon")
      const r = cli(['build', file, '-o', glb, '-v']);
      expect(r.code, r.stderr).toBe(0);
      const back = await readGlb(new Uint8Array(fs.readFileSync(glb)));
      await expectValidGlb(new Uint8Array(fs.readFileSync(glb)));
      expect(back.table['height']).toEqual([10]);
      // 20 × 12 m: glTF x east, z south
      expect(back.bounds[3] - back.bounds[0]).toBeCloseTo(20, 0);
      expect(back.bounds[5] - back.bounds[2]).toBeCloseTo(12, 0);
    }
  });

  it('degenerate-ring-lost-the-building: a hole or a polygon of two points is dropped and counted, the rest of the building kept', async () => {
    const dir = freshDir('user-data-short-rings');
    const sq = (x: number) => [[x, 43.73], [x + 0.0003, 43.73], [x + 0.0003, 43.7302], [x, 43.7302], [x, 43.73]];
    const [a, b] = [[7.4201, 43.7301], [7.4202, 43.7301]];
    const features = [
      { id: 'hole2', geometry: { type: 'Polygon', coordinates: [sq(7.42), [a, b]] } },
      { id: 'part2', geometry: { type: 'MultiPolygon', coordinates: [[sq(7.421)], [[[7.4221, 43.7301], [7.4222, 43.7301]]]] } },
      { id: 'line', geometry: { type: 'Polygon', coordinates: [[a, b]] } },
      // a hole drawn beside its outline (hole-outside-made-a-block: MakeValid made it a second block)
      { id: 'away', geometry: { type: 'Polygon', coordinates: [sq(7.422), [[7.4230, 43.7301], [7.4231, 43.7301], [7.4231, 43.73015], [7.4230, 43.7301]]] } },
      // a hole of 0.1 m² (cleaning-dropped-a-hole-unsaid: counted with no word of why)
      { id: 'pin', geometry: { type: 'Polygon', coordinates: [sq(7.419), [[7.4191, 43.7301], [7.419104, 43.7301], [7.419104, 43.730103], [7.4191, 43.7301]]] } },
    ].map(({ id, geometry }) => ({ type: 'Feature', properties: { id, height: 10 }, geometry }));
    const geojson = path.join(dir, 'short.geojson');
    fs.writeFileSync(geojson, JSON.stringify({ type: 'FeatureCollection', features }));
    // (through GDAL too: a GeoPackage of the same features)
    const gpkg = path.join(dir, 'short.gpkg');
    gdal.vectorTranslate(gpkg, gdal.open(geojson), ['-f', 'GPKG']).close();
    for (const file of [geojson, gpkg]) {
      const glb = `${file}.glb`;
      const r = cli(['build', file, '-o', glb, '-v']);
      // (before: every feature "invalid geometry, and MakeValid left no polygon", exit 3)
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/feature hole2: 1 hole of fewer than three distinct points dropped/);
      expect(r.stderr).toMatch(/feature part2: 1 polygon of fewer than three distinct points dropped/);
      expect(r.stderr).toMatch(/skipped \(geometry:degenerate\) .* feature line: no ring of three distinct points or more/);
      const bytes = new Uint8Array(fs.readFileSync(glb));
      await expectValidGlb(bytes);
      expect(r.stderr).toMatch(/feature away: 1 hole lying outside the outline dropped/);
      const back = await readGlb(bytes);
      expect(back.table['id']).toEqual(['hole2', 'part2', 'away', 'pin']);
      expect(r.stderr).toMatch(/feature pin: 1 hole dropped, under 0.5 m² once repeated, spike and collinear vertices within 1 cm were removed/);
      // (no block where the hole was, 7.4231°: the model ends at the square's east side, 7.4223°, ~266 m from the westernmost's west)
      expect(back.bounds[3] - back.bounds[0]).toBeLessThan(270);
    }
  });

  it('curves-were-unreadable: curved footprints (CurvePolygon, MultiSurface of compound curves) are made of straight segments and built, counted', async () => {
    const dir = freshDir('user-data-curves');
    const round = circle(368010, 4845010, 10);
    const bay = 'MULTISURFACE(CURVEPOLYGON(COMPOUNDCURVE((368100 4845000,368120 4845000),CIRCULARSTRING(368120 4845000,368126 4845006,368120 4845012),(368120 4845012,368100 4845012,368100 4845000))))';
    for (const name of ['curves.gpkg', 'curves.fgb']) {
      const file = layerFromWkt(path.join(dir, name), [round, bay]);
      const glb = path.join(dir, `${name}.glb`);
      // (before: "the geometry cannot be read (Tried to create unsupported geometry type)", both skipped)
      const tmp = path.join(dir, `tmp-${name}`);
      fs.mkdirSync(tmp);
      const r = cli(['build', file, '-o', glb, '-v'], { TMPDIR: tmp });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/geometry:curves-made-straight 2\b/);
      expect(r.stderr).toMatch(new RegExp(`${name} layer b feature 1: a curved geometry, made of straight segments`));
      const bytes = new Uint8Array(fs.readFileSync(glb));
      await expectValidGlb(bytes);
      const back = await readGlb(bytes);
      expect(back.table['id']).toHaveLength(2);
      // from the circle's west edge (x 368000) to the bay's arc's east end (368126); north–south 20 m (the circle)
      expect(back.bounds[3] - back.bounds[0]).toBeCloseTo(126, 0);
      expect(back.bounds[5] - back.bounds[2]).toBeCloseTo(20, 0);
      // (the copy made for the curves is gone)
      // (the copy made for the curves is gone; GDAL's OSM driver's settings stay, shared by every run)
      expect(fs.readdirSync(tmp).filter((f) => !f.startsWith('cityforge-osmconf-'))).toEqual([]);
    }
  });
});
