import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { DATA, freshDir } from '../helpers/fixtures.js';
import { expectValidGlb, readGlb } from '../helpers/glb.js';

/** Every class property is in the property table, and every table property in the class. */
function expectTableMatchesClass(json: Record<string, any>, label: string) {
  const meta = json.extensions.EXT_structural_metadata;
  const table = meta.propertyTables[0];
  const cls = meta.schema.classes[table.class];
  expect(Object.keys(table.properties).sort(), label).toEqual(Object.keys(cls.properties).sort());
  for (const id of Object.keys(cls.properties)) expect(id, label).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
}

/** A GeoPackage in RD New with a user's own attributes (as a cadastre would have them). */
function cadastre(dir: string): string {
  const file = path.join(dir, 'cadastre.gpkg');
  fs.rmSync(file, { force: true });
  const ds = gdal.open(file, 'w', 'GPKG');
  const layer = ds.layers.create('panden', gdal.SpatialReference.fromEPSG(28992), gdal.wkbPolygon);
  layer.fields.add(new gdal.FieldDefn('ref', gdal.OFTString));
  layer.fields.add(new gdal.FieldDefn('bouwjaar', gdal.OFTInteger));
  layer.fields.add(new gdal.FieldDefn('addr:street', gdal.OFTString));
  layer.fields.add(new gdal.FieldDefn('height', gdal.OFTReal));
  const rows: [string, number | null, string | null, number][] = [
    ['NL.IMBAG.Pand.0503100000000001', 1921, 'Oude Delft', 12],
    ['NL.IMBAG.Pand.0503100000000002', null, 'Voorstraat', 9],
    ['NL.IMBAG.Pand.0503100000000003', 1975, null, 15],
  ];
  rows.forEach(([ref, year, street, h], i) => {
    const f = new gdal.Feature(layer);
    f.fields.set('ref', ref);
    if (year !== null) f.fields.set('bouwjaar', year);
    if (street !== null) f.fields.set('addr:street', street);
    f.fields.set('height', h);
    const x = 84000 + 30 * i;
    f.setGeometry(gdal.Geometry.fromWKT(`POLYGON((${x} 447000,${x + 20} 447000,${x + 20} 447012,${x} 447012,${x} 447000))`));
    layer.features.add(f);
  });
  ds.close();
  return file;
}

describe('source attributes reach the property table (EXT_structural_metadata)', () => {
  let dir: string;
  let gpkg: string;
  beforeAll(() => {
    dir = freshDir('attributes');
    gpkg = cadastre(dir);
  });

  it('source-attributes-were-dropped: a user’s ref, address and year are typed columns, in build and in tiles', async () => {
    const out = path.join(dir, 'c.glb');
    const r = cli(['build', gpkg, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const bytes = new Uint8Array(fs.readFileSync(out));
    await expectValidGlb(bytes);
    const rb = await readGlb(bytes);
    expectTableMatchesClass(rb.json, 'build');
    const cls = rb.json.extensions.EXT_structural_metadata.schema.classes.building.properties;
    expect(cls.ref.type).toBe('STRING');
    expect(cls.bouwjaar).toMatchObject({ type: 'SCALAR', componentType: 'FLOAT64' });
    expect(cls.addr_street).toMatchObject({ type: 'STRING', name: 'addr:street' });
    // (the source's own height is cityforge's on every row: not repeated as source_height, source-column-repeated)
    expect(cls.source_height).toBeUndefined();
    const order = (rb.table['ref'] as string[]).map((ref) => ref.slice(-1));
    const byRef = (col: string) => Object.fromEntries(order.map((k, i) => [k, rb.table[col][i]]));
    expect(byRef('bouwjaar')).toEqual({ '1': 1921, '2': cls.bouwjaar.noData, '3': 1975 });
    expect(byRef('addr_street')).toEqual({ '1': 'Oude Delft', '2': 'Voorstraat', '3': '' });
    // tiles carry them too
    const t = cli(['tiles', gpkg, '-o', path.join(dir, 't')]);
    expect(t.code, t.stderr).toBe(0);
    const tile = new Uint8Array(fs.readFileSync(path.join(dir, 't', 'tiles', '0', '0', '0.glb')));
    await expectValidGlb(tile);
    const tb = await readGlb(tile);
    expect(new Set(tb.table['ref'])).toEqual(new Set(rb.table['ref']));
  });

  it('--attributes none | a list (with *) chooses them', async () => {
    const none = path.join(dir, 'none.glb');
    expect(cli(['build', gpkg, '-o', none, '--attributes', 'none']).code).toBe(0);
    const rn = await readGlb(new Uint8Array(fs.readFileSync(none)));
    expect(Object.keys(rn.table).filter((k) => ['ref', 'bouwjaar', 'addr_street', 'source_height'].includes(k))).toEqual([]);
    const some = path.join(dir, 'some.glb');
    expect(cli(['build', gpkg, '-o', some, '--attributes', 'ref,addr:*']).code).toBe(0);
    const rs = await readGlb(new Uint8Array(fs.readFileSync(some)));
    expect(Object.keys(rs.table).filter((k) => ['ref', 'bouwjaar', 'addr_street', 'source_height'].includes(k)).sort()).toEqual(['addr_street', 'ref']);
    expect(cli(['build', gpkg, '-o', some, '--attributes', ' , ']).code).toBe(2);
  });

  it('OSM data carries names, addresses and building tags by default, not every tag', async () => {
    const out = path.join(dir, 'monaco.glb');
    expect(cli(['build', path.join(DATA, 'monaco.osm.pbf'), '-o', out]).code).toBe(0);
    const rb = await readGlb(new Uint8Array(fs.readFileSync(out)));
    expectTableMatchesClass(rb.json, 'monaco');
    const cols = Object.keys(rb.table);
    expect(cols).toContain('addr_street');
    expect(cols).toContain('building_levels');
    expect(cols.filter((c) => c.startsWith('source_'))).toEqual([]); // name, building, height are columns already
    // osm-numbers-typed-as-text: OSM's counts are numbers (every tag is text in OSM); a date stays text
    const classes = rb.json.extensions.EXT_structural_metadata.schema.classes.building.properties;
    for (const c of ['building_levels', 'building_min_level', 'roof_levels']) expect([c, classes[c].type, classes[c].componentType]).toEqual([c, 'SCALAR', 'FLOAT64']);
    expect(classes['start_date'].type).toBe('STRING');
    expect(rb.table['building_levels'].filter((v) => v === 49)).toHaveLength(1);
  });

  it('source-column-repeated: --attributes naming a column cityforge writes anyway (name) adds no source_name repeating it', async () => {
    const out = path.join(dir, 'monaco-named.glb');
    expect(cli(['build', path.join(DATA, 'monaco.osm.pbf'), '--attributes', 'name,addr:*', '-o', out, '-q']).code).toBe(0);
    const rb = await readGlb(new Uint8Array(fs.readFileSync(out)));
    const cols = Object.keys(rb.table);
    expect(cols).toContain('addr_street');
    expect(cols.filter((c) => c.startsWith('source_'))).toEqual([]);
    expect(rb.table['name'].filter((n) => n === 'Palais Princier de Monaco')).toHaveLength(1);
  });
});

describe('cesium-validator-stopped-on-a-table-without-levels: every class property in every property table', () => {
  it('SF (no building has levels): build and every tile of a tileset', async () => {
    const dir = freshDir('attributes-sf');
    const out = path.join(dir, 'sf.glb');
    expect(cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', out]).code).toBe(0);
    const rb = await readGlb(new Uint8Array(fs.readFileSync(out)));
    expectTableMatchesClass(rb.json, 'build');
    expect(rb.json.extensions.EXT_structural_metadata.propertyTables[0].properties.levels).toBeDefined();
    expect(cli(['tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', path.join(dir, 't'), '--max-buildings', '500']).code).toBe(0);
    const glbs = fs.readdirSync(path.join(dir, 't', 'tiles'), { recursive: true }).map(String).filter((f) => f.endsWith('.glb'));
    expect(glbs.length).toBeGreaterThan(3);
    for (const g of glbs) {
      const tb = await readGlb(new Uint8Array(fs.readFileSync(path.join(dir, 't', 'tiles', g))), { accessors: false });
      expectTableMatchesClass(tb.json, g);
      expect(tb.json.extensions.EXT_structural_metadata.propertyTables[0].properties.levels, g).toBeDefined();
    }
  });
});

describe('attribution', () => {
  it('every-output-labelled-openstreetmap: the outputs credit what the sources say; --attribution sets it', async () => {
    const dir = freshDir('attribution');
    const gpkg = cadastre(dir);
    const own = path.join(dir, 'own.glb');
    const uncredited = cli(['build', gpkg, '-o', own]);
    expect(uncredited.code).toBe(0);
    expect((await readGlb(new Uint8Array(fs.readFileSync(own)))).json.asset.copyright).toBeUndefined();
    // credit-missing-in-silence: said, with the way to give one
    expect(uncredited.stderr).toMatch(/^warn: no credit: the inputs do not say who the data is by, .* --attribution "© …"$/m);
    // warnings-printed-not-counted: the summary said "warnings: none" under it; --json had no word of it
    expect(uncredited.stderr).toMatch(/^summary: warnings: none; one warning about the run \(the "warn:" line above\)$/m);
    const uncreditedJson = cli(['build', gpkg, '-o', own, '--json']);
    expect(JSON.parse(uncreditedJson.stdout).runWarnings).toEqual([expect.stringMatching(/^no credit: the inputs do not say who the data is by/)]);
    const t0 = path.join(dir, 't0');
    const tiled = cli(['tiles', gpkg, '-o', t0, '--json']);
    expect(tiled.code, tiled.stderr).toBe(0);
    expect(JSON.parse(tiled.stdout).runWarnings).toEqual([expect.stringMatching(/^no credit/)]);
    const osm = path.join(dir, 'osm.glb');
    const credited = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', osm]);
    expect(credited.code).toBe(0);
    expect(credited.stderr).not.toMatch(/no credit/);
    expect(credited.stderr).toMatch(/^summary: warnings: [^;]*$/m);
    // json-credit-unsaid: --json says what the output credits, beside what the sources said
    const given = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', path.join(dir, 'given.glb'), '--attribution', 'Mine', '--json']);
    expect(given.code, given.stderr).toBe(0);
    expect(JSON.parse(given.stdout)).toMatchObject({ attributions: ['© OpenStreetMap contributors'], copyright: 'Mine' });
    expect((await readGlb(new Uint8Array(fs.readFileSync(osm)))).json.asset.copyright).toBe('© OpenStreetMap contributors');
    const set = path.join(dir, 'set.glb');
    const given2 = cli(['build', gpkg, '-o', set, '--attribution', '© 3DBAG by tudelft3d and 3DGI']);
    expect(given2.code).toBe(0);
    expect(given2.stderr).not.toMatch(/no credit/);
    expect((await readGlb(new Uint8Array(fs.readFileSync(set)))).json.asset.copyright).toBe('© 3DBAG by tudelft3d and 3DGI');
    const t = path.join(dir, 't');
    expect(cli(['tiles', gpkg, '-o', t, '--attribution', 'Datenquelle: Stadt Wien']).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(t, 'tileset.json'), 'utf8')).asset.extras.cityforge.copyright).toBe('Datenquelle: Stadt Wien');
    expect((await readGlb(new Uint8Array(fs.readFileSync(path.join(t, 'tiles', '0', '0', '0.glb'))))).json.asset.copyright).toBe('Datenquelle: Stadt Wien');
  });
});
