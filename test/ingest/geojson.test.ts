import gdal from 'gdal-async';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flatPolygons } from '../../src/core/batch.js';
import { NULL_LOGGER } from '../../src/core/logger.js';
import type { RawFeature, ReadContext } from '../../src/ingest/raw.js';
import { openSources, SOURCE_FORMATS } from '../../src/ingest/index.js';
import { surelyValid } from '../../src/ingest/simple-polygons.js';
import { seqLinesHolding } from '../../src/ingest/integrity.js';
import { parsePolygonalWKB, writePolygonalWKB } from '../../src/ingest/wkb.js';
import { freshDir, sfTileGeoJSON } from '../helpers/fixtures.js';

const geos = (polys: number[][][][]) => gdal.Geometry.fromWKB(Buffer.from(writePolygonalWKB(flatPolygons(polys)))).isValid();
const sq = (x: number, y: number, s: number) => [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]];

describe('surelyValid: a conservative validity test (GEOS decides the rest)', () => {
  it('vouches for simple polygons, near the origin and far from it', () => {
    for (const [ox, oy, s] of [[0, 0, 10], [-122.45, 37.77, 1e-4], [500000, 4180000, 12]])
      expect(surelyValid(flatPolygons([[sq(ox, oy, s), sq(ox + s / 4, oy + s / 4, s / 4).reverse()]]))).toBe(true);
  });

  const invalid: [string, number[][][][]][] = [
    ['a bow tie', [[[[0, 0], [4, 4], [4, 0], [0, 4], [0, 0]]]]],
    ['a spike', [[[[0, 0], [4, 0], [4, 4], [2, 4], [2, 6], [2, 4], [0, 4], [0, 0]]]]],
    ['a ring touching itself at a vertex', [[[[0, 0], [4, 0], [4, 4], [2, 0], [0, 4], [0, 0]]]]],
    ['a hole outside its shell', [[sq(0, 0, 4), sq(10, 10, 1)]]],
    ['a hole touching its shell', [[sq(0, 0, 4), [[0, 1], [1, 1], [1, 2], [0, 1]]]]],
    ['a hole inside a hole', [[sq(0, 0, 10), sq(1, 1, 8), sq(2, 2, 2)]]],
    ['overlapping polygons', [[sq(0, 0, 4)], [sq(2, 2, 4)]]],
    ['an open ring', [[[[0, 0], [4, 0], [4, 4], [0, 4]]]]],
    ['a ring of two points', [[[[0, 0], [4, 0], [0, 0], [0, 0]]]]],
  ];
  it.each(invalid)('does not vouch for %s', (_what, polys) => {
    expect(surelyValid(flatPolygons(polys))).toBe(false);
  });

  it('never vouches for a polygon GEOS finds invalid (random rings, many of them near-degenerate)', () => {
    // a seeded generator: the same polygons every run
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let sure = 0, invalid = 0;
    for (let k = 0; k < 3000; k++) {
      const n = 4 + Math.floor(rand() * 8);
      const [ox, oy, s] = k % 2 ? [-122.4 + rand(), 37.7 + rand(), 1e-4] : [rand() * 1000, rand() * 1000, 20];
      const ring: number[][] = [];
      for (let i = 0; i < n; i++) {
        // on a coarse grid half the time: collinear runs, repeated and touching points
        const a = (2 * Math.PI * (i + (k % 3 ? rand() * 0.9 : 0))) / n, r = s * (0.3 + rand());
        const snap = (v: number) => (k % 4 < 2 ? Math.round(v * 4) / 4 : v);
        ring.push([ox + s * snap((r / s) * Math.cos(a) * (k % 5 ? 1 : rand() * 2 - 1)), oy + s * snap((r / s) * Math.sin(a))]);
      }
      ring.push([...ring[0]]);
      const polys = [[ring]];
      const valid = geos(polys);
      if (!valid) invalid++;
      if (surelyValid(flatPolygons(polys))) {
        sure++;
        expect(valid, JSON.stringify(ring)).toBe(true);
      }
    }
    // both kinds were seen: the test could fail
    expect(invalid).toBeGreaterThan(300);
    expect(sure).toBeGreaterThan(1000);
  });
});

const readAll = async (file: string, forceOgr: boolean) => {
  const formats = forceOgr ? SOURCE_FORMATS.filter((f) => f.name !== 'geojson') : SOURCE_FORMATS;
  const skipped: string[] = [];
  const warned: string[] = [];
  const ctx: ReadContext = { skip: (r, d) => skipped.push(`${r} ${d}`), warn: (k, d) => warned.push(`${k} ${d}`), tick: () => {} };
  const out: RawFeature[] = [];
  const crs: string[] = [];
  for (const s of openSources([file], { logger: NULL_LOGGER }, formats)) for await (const f of s.read(ctx)) (out.push(f.feature), crs.push(f.crs));
  return { out, skipped, warned, crs };
};

describe('GeoJSON read without GDAL reads what GDAL reads', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshDir('geojson-reader');
  });

  it('geojson-reader-gave-other-ids: ids, layer, CRS, geometry and skips as GDAL gives them', async () => {
    const feature = (id: unknown, properties: Record<string, unknown>, geometry: unknown) => ({ type: 'Feature', ...(id === undefined ? {} : { id }), properties, geometry });
    const poly = (x: number) => ({ type: 'Polygon', coordinates: [sq(x, 0, 1e-4)] });
    const doc = {
      type: 'FeatureCollection',
      name: 'blocks',
      features: [
        feature(undefined, { height: 9 }, poly(0)),
        feature('w12', { height: 10 }, { type: 'MultiPolygon', coordinates: [[sq(1, 0, 1e-4)], [sq(1.1, 0, 1e-4)]] }),
        feature(undefined, { height: 11 }, { type: 'LineString', coordinates: [[0, 0], [1, 1]] }),
        feature(undefined, { height: 12 }, null),
        feature(undefined, { height: 13 }, { type: 'Polygon', coordinates: [[[2, 0], [2.0001, 0.0001], [2.0001, 0], [2, 0.0001], [2, 0]]] }),
        feature(undefined, { height: 14, nested: { a: 1 } }, { type: 'GeometryCollection', geometries: [poly(3), { type: 'Point', coordinates: [0, 0] }] }),
      ],
    };
    const file = path.join(dir, 'b.geojson');
    fs.writeFileSync(file, JSON.stringify(doc));
    const ours = await readAll(file, false);
    const gdals = await readAll(file, true);
    expect(ours.out.map((f) => f.id)).toEqual(gdals.out.map((f) => f.id));
    expect(ours.out.map((f) => f.id)).toEqual(['0', 'w12', '4', '5']);
    expect(ours.out.map((f) => f.source)).toEqual(gdals.out.map((f) => f.source));
    expect(ours.out[0].source).toBe('b.geojson#blocks');
    expect(ours.crs).toEqual(gdals.crs);
    for (let i = 0; i < ours.out.length; i++) {
      const a = parsePolygonalWKB(ours.out[i].wkb), b = parsePolygonalWKB(gdals.out[i].wkb);
      expect(a, `feature ${ours.out[i].id}`).toEqual(b);
      expect(ours.out[i].tags['height']).toBe(gdals.out[i].tags['height']);
    }
    // the bow tie went to GEOS and was repaired, as with GDAL's reader
    expect(ours.warned).toEqual(gdals.warned);
    expect(ours.warned.join()).toContain('feature 4: invalid geometry repaired');
    expect(ours.skipped).toEqual(gdals.skipped);
    expect(ours.skipped).toHaveLength(2);
  });

  it('geojsonseq-reader: the SF tile as a sequence, feature for feature as GDAL reads it; a broken line named', async () => {
    const base = sfTileGeoJSON(dir);
    const seq = path.join(dir, 'sf.geojsons');
    const lines = JSON.parse(fs.readFileSync(base, 'utf8')).features.map((f: unknown) => '\x1e' + JSON.stringify(f));
    lines.splice(5, 0, '{"type": "Feature", "properties": {"height": 3}, "geometry": {"type": "Polyg');
    fs.writeFileSync(seq, lines.join('\n') + '\n');
    const ours = await readAll(seq, false);
    const gdals = await readAll(seq, true);
    expect(ours.out.length).toBeGreaterThan(1000);
    expect(ours.out.map((f) => f.id)).toEqual(gdals.out.map((f) => f.id));
    for (let i = 0; i < ours.out.length; i += 97) expect(parsePolygonalWKB(ours.out[i].wkb)).toEqual(parsePolygonalWKB(gdals.out[i].wkb));
    expect(ours.skipped.filter((s) => s.startsWith('feature:unreadable'))).toEqual([`feature:unreadable ${seq} line 6: not JSON (${ours.skipped.find((s) => s.includes('line 6'))?.split('not JSON (')[1]?.slice(0, -1)})`]);
    expect(ours.skipped.length).toBe(gdals.skipped.length);
  });

  it('an OSM-tagged layer: only its buildings and building parts, as with GDAL', async () => {
    const file = path.join(dir, 'osm.geojsons');
    const f = (props: Record<string, unknown>, x: number) => JSON.stringify({ type: 'Feature', properties: props, geometry: { type: 'Polygon', coordinates: [sq(x, 0, 1e-4)] } });
    fs.writeFileSync(file, [f({ amenity: 'park' }, 0), f({ building: 'yes' }, 1), f({ 'building:part': 'yes' }, 2), f({ building: 'no' }, 3)].join('\n'));
    const ours = await readAll(file, false);
    const gdals = await readAll(file, true);
    expect(ours.out.map((f) => f.id)).toEqual(['1', '2']);
    expect(gdals.out.map((f) => f.id)).toEqual(['1', '2']);
    // (OSM data for its attribute defaults and credit only by fields only OSM data has: a `building` key
    // alone is no sign of OSM, building-column-dropped-the-attributes)
    expect(ours.out.some((f) => f.osm)).toBe(false);
    expect(gdals.out.some((f) => f.osm)).toBe(false);
  });

  it('osm-export-lost-its-heights: a layer exported from OSM by ogr2ogr (tags in other_tags, ids in osm_way_id / osm_id) reads as OSM, by either reader and from GeoPackage', async () => {
    const file = path.join(dir, 'osm-export.geojson');
    const f = (props: Record<string, unknown>, x: number) => ({ type: 'Feature', properties: props, geometry: { type: 'MultiPolygon', coordinates: [[sq(x, 0, 1e-4)]] } });
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', name: 'multipolygons', features: [
      f({ osm_id: null, osm_way_id: '93732628', name: "L'Annonciade", type: null, building: 'yes', other_tags: '"height"=>"111","building:levels"=>"35"' }, 0),
      f({ osm_id: '1234', osm_way_id: null, name: null, type: 'multipolygon', building: 'yes', other_tags: '"roof:shape"=>"hipped"' }, 1),
    ] }));
    const gpkg = path.join(dir, 'osm-export.gpkg');
    gdal.vectorTranslate(gpkg, gdal.open(file), ['-f', 'GPKG']).close();
    for (const [input, forceOgr] of [[file, false], [file, true], [gpkg, false]] as const) {
      const { out } = await readAll(input, forceOgr);
      expect(out.map((f) => f.id), `${input} ${forceOgr}`).toEqual(['w93732628', 'r1234']);
      expect(out[0].tags['height']).toBe('111');
      expect(out[0].tags['building:levels']).toBe('35');
      expect(out[0].tags['other_tags']).toBeUndefined();
      expect(out[1].tags['roof:shape']).toBe('hipped');
      expect(out.every((f) => f.osm)).toBe(true);
    }
  });

  it('ring-not-closed: a GeoJSON ring that does not end where it starts is closed and counted; seq-cut-short-went-unnoticed: a sequence whose last line is cut stops the read', async () => {
    const file = path.join(dir, 'unclosed.geojson');
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', id: 'u', properties: {}, geometry: { type: 'Polygon', coordinates: [sq(0, 0, 1e-4).slice(0, 4)] } }] }));
    const ours = await readAll(file, false);
    expect(ours.out.map((f) => f.id)).toEqual(['u']);
    expect(parsePolygonalWKB(ours.out[0].wkb).coords).toHaveLength(10);
    expect(ours.warned).toEqual([`ring:not-closed ${file} layer unclosed feature u: 1 ring(s) did not end where they start; closed`]);
    const cut = path.join(dir, 'cut.geojsons');
    const line = JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [sq(0, 0, 1e-4)] } });
    fs.writeFileSync(cut, `${line}\n${line}\n${line.slice(0, 60)}`);
    await expect(readAll(cut, false)).rejects.toThrow(/cut\.geojsons line 3: cut short/);
    // a whole last line without an end of line is fine
    fs.writeFileSync(cut, `${line}\n${line}`);
    expect((await readAll(cut, false)).out).toHaveLength(2);
  });

  it('seq-scanned-twice-as-text: the bytes search for a building key finds every line holding it, wherever the 1 MB reads cut the file', () => {
    // (the scan decoded every line of a sequence before the read parsed them again; it now searches the bytes)
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      // lines of 10 B to 40 kB, a few longer than a read (1 MB), some holding the key at their start or end
      const long = i % 97 === 5 ? 1_300_000 : Math.floor(rand() ** 3 * 40_000) + 10;
      const pad = 'x'.repeat(long);
      const r = rand();
      lines.push(r < 0.1 ? `{"building":"yes","p":"${pad}"}` : r < 0.2 ? `{"p":"${pad}","building:part":1}` : r < 0.25 ? `Grün "building ${pad}` : `{"p":"${pad}"}`);
    }
    const needle = Buffer.from('"building', 'latin1');
    for (const end of ['\n', '']) {
      const file = path.join(dir, `holding${end ? '' : '-unterminated'}.geojsons`);
      fs.writeFileSync(file, lines.join('\n') + end);
      const found = [...seqLinesHolding(file, needle)];
      const expected = lines.filter((l) => l.includes('"building'));
      expect(found.length).toBe(expected.length);
      expect(found).toEqual(expected);
    }
    // the last line, unterminated, holding it; none holding it
    const tail = path.join(dir, 'tail.geojsons');
    fs.writeFileSync(tail, `{"a":1}\n{"a":2}\n{"building":"yes"}`);
    expect([...seqLinesHolding(tail, needle)]).toEqual(['{"building":"yes"}']);
    fs.writeFileSync(tail, `{"a":1}\n`);
    expect([...seqLinesHolding(tail, needle)]).toEqual([]);
  });

  it('seq-scanned-twice-as-text: a sequence naming `building` only on its last lines is still read as an OSM-tagged layer (its other features skipped)', async () => {
    const seq = path.join(dir, 'late-building.geojsons');
    const feature = (props: Record<string, unknown>, x: number) => JSON.stringify({ type: 'Feature', properties: props, geometry: { type: 'Polygon', coordinates: [sq(x, 0, 1e-4)] } });
    const many = Array.from({ length: 3000 }, (_, i) => feature({ name: `n${i}`, note: 'y'.repeat(400) }, i * 0.001));
    fs.writeFileSync(seq, [...many, feature({ building: 'yes' }, 5)].join('\n'));
    const r = await readAll(seq, false);
    expect(r.out).toHaveLength(1);
    expect(r.skipped).toHaveLength(3000);
    expect(r.skipped[0]).toMatch(/^not-a-building /);
    // `building` as a value only: every feature read
    fs.writeFileSync(seq, [...many.slice(0, 10), feature({ type: 'building' }, 5)].join('\n'));
    expect((await readAll(seq, false)).out).toHaveLength(11);
  });

  it('infinite-said-invalid: a coordinate written 1e999 (Infinity once parsed) is out of range, said so, not "invalid geometry"', async () => {
    const file = path.join(dir, 'infinite.geojson');
    const ring = sq(0, 0, 1e-4);
    fs.writeFileSync(file, `{"type":"FeatureCollection","features":[{"type":"Feature","id":"inf","properties":{},"geometry":{"type":"Polygon","coordinates":[[[1e999,0],${JSON.stringify(ring.slice(1)).slice(1, -1)}]]}}]}`);
    const r = await readAll(file, false);
    expect(r.out).toEqual([]);
    expect(r.skipped).toEqual([expect.stringMatching(/^geometry:out-of-range .*feature inf: a coordinate too large for any number/)]);
  });

  it('not-utf8-replaced-unsaid: GeoJSON(Seq) text that is not UTF-8 is read as Latin-1 and warned of once; UTF-8 lines beside it stay UTF-8', async () => {
    // (a Latin-1 `Café Müller` became `Caf\uFFFD M\uFFFDller` in the GLB, exit 0, not a word even with -v)
    const feature = (name: string, x: number) => `{"type":"Feature","properties":{"name":"${name}"},"geometry":${JSON.stringify({ type: 'Polygon', coordinates: [sq(x, 0, 1e-4)] })}}`;
    const latin1 = (t: string) => Buffer.from(t, 'latin1');
    const doc = path.join(dir, 'latin1.geojson');
    fs.writeFileSync(doc, latin1(`{"type":"FeatureCollection","features":[${feature('Café Müller', 0)}]}`));
    const d = await readAll(doc, false);
    expect(d.out.map((f) => f.tags['name'])).toEqual(['Café Müller']);
    expect(d.warned).toEqual([expect.stringMatching(/^attributes:read-as-latin1 .*latin1\.geojson: its text is not UTF-8, as GeoJSON must be: read as ISO-8859-1/)]);
    const seq = path.join(dir, 'mixed.geojsons');
    fs.writeFileSync(seq, Buffer.concat([Buffer.from(`${feature('Grün', 0)}\n`, 'utf8'), latin1(`${feature('Café', 0.001)}\n${feature('Straße', 0.002)}\n`)]));
    const q = await readAll(seq, false);
    expect(q.out.map((f) => f.tags['name'])).toEqual(['Grün', 'Café', 'Straße']);
    expect(q.warned).toEqual([expect.stringMatching(/^attributes:read-as-latin1 .*mixed\.geojsons line 2 \(and any other such line\): its text is not UTF-8/)]);
    // UTF-8 alone: nothing said
    fs.writeFileSync(seq, `${feature('Grün', 0)}\n`);
    expect((await readAll(seq, false)).warned).toEqual([]);
  });

  it('where-said-corrupt-data: a --where GDAL refuses says why (a type mismatch, an unknown field and the fields there are)', async () => {
    const file = path.join(dir, 'where.geojson');
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { height: '25 m' }, geometry: { type: 'Polygon', coordinates: [sq(0, 0, 1e-4)] } }] }));
    const read = (where: string) => (async () => {
      for (const s of openSources([file], { logger: NULL_LOGGER, where })) for await (const _ of s.read({ skip: () => {}, warn: () => {}, tick: () => {} }));
    })();
    await expect(read('height > 11')).rejects.toThrow(/bad --where 'height > 11' \(Type mismatch .*CAST/);
    await expect(read('nosuch = 1')).rejects.toThrow(/"nosuch" not recognised .*the fields are: height/);
  });

  it('a document with a crs member, and a --where, are read by GDAL', async () => {
    const file = path.join(dir, 'rd.geojson');
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } }, features: [{ type: 'Feature', properties: { h: 5 }, geometry: { type: 'Polygon', coordinates: [sq(85000, 447000, 10)] } }] }));
    const ours = await readAll(file, false);
    expect(ours.crs).toEqual(['EPSG:28992']);
    expect(ours.out).toHaveLength(1);
  });
});

describe('FlatGeobuf read without GDAL reads what GDAL reads', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshDir('flatgeobuf-reader');
  });
  const fgbOf = (src: string, out: string, args: string[]) => {
    const ds = gdal.open(src);
    gdal.vectorTranslate(out, ds, ['-f', 'FlatGeobuf', ...args]).close();
    ds.close();
    return out;
  };
  const readAllFgb = async (file: string, forceOgr: boolean) => {
    const formats = forceOgr ? SOURCE_FORMATS.filter((f) => f.name !== 'flatgeobuf') : SOURCE_FORMATS;
    const skipped: string[] = [];
    const ctx: ReadContext = { skip: (r, d) => skipped.push(`${r} ${d}`), warn: () => {}, tick: () => {} };
    const out: RawFeature[] = [];
    const crs: string[] = [];
    for (const s of openSources([file], { logger: NULL_LOGGER }, formats)) for await (const f of s.read(ctx)) (out.push(f.feature), crs.push(f.crs));
    return { out, skipped, crs };
  };

  it.each([
    ['with its spatial index (features in Hilbert order, after the index)', ['-t_srs', 'EPSG:3857']],
    ['without an index, in UTM 10N', ['-t_srs', 'EPSG:32610', '-lco', 'SPATIAL_INDEX=NO']],
  ])('flatgeobuf-reader-gave-other-features: the SF tile %s, feature for feature as GDAL reads it', async (_what, args) => {
    const file = fgbOf(sfTileGeoJSON(dir), path.join(dir, `sf-${args.length}.fgb`), args);
    const ours = await readAllFgb(file, false);
    const gdals = await readAllFgb(file, true);
    expect(ours.out.length).toBeGreaterThan(1000);
    expect(ours.out.map((f) => f.id)).toEqual(gdals.out.map((f) => f.id));
    expect(ours.crs).toEqual(gdals.crs);
    expect(ours.out[0].source).toBe(gdals.out[0].source);
    for (let i = 0; i < ours.out.length; i += 37) {
      expect(parsePolygonalWKB(ours.out[i].wkb)).toEqual(parsePolygonalWKB(gdals.out[i].wkb));
      for (const k of ['height', 'min_height', 'type', 'mvt_id']) expect(ours.out[i].tags[k], k).toEqual(gdals.out[i].tags[k]);
    }
    expect(ours.skipped).toEqual(gdals.skipped);
  });

  it('a FlatGeobuf cut short: exit-worthy error naming the file and what is wrong', async () => {
    const file = fgbOf(sfTileGeoJSON(dir), path.join(dir, 'whole.fgb'), ['-lco', 'SPATIAL_INDEX=NO']);
    const cut = path.join(dir, 'cut.fgb');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await expect(readAllFgb(cut, false)).rejects.toThrow(/cut\.fgb layer .*(cut short|holds \d+ features, but only)/);
  });

  it('fgb-length-unbounded: a damaged length (a vector\'s, or a feature\'s size) stops the read at that feature, the file named; nothing is allocated for it', async () => {
    // (one flipped byte in a coordinate vector's length made the reader build 4 billion tables: 4 GB, 6 s, exit 0 with
    // the feature skipped; a feature size past the file's end reached the user as `The value of "length" is out of range`)
    const file = fgbOf(sfTileGeoJSON(dir), path.join(dir, 'intact.fgb'), ['-lco', 'SPATIAL_INDEX=NO']);
    const bytes = fs.readFileSync(file);
    // the 10th feature (FlatBuffers read here on their own: header, then size-prefixed feature tables)
    let pos = 12 + bytes.readUInt32LE(8);
    for (let k = 0; k < 10; k++) pos += 4 + bytes.readUInt32LE(pos);
    const feature = pos + 4;
    const field = (table: number, slot: number) => {
      const vt = table - bytes.readInt32LE(table);
      const o = slot * 2 + 4 < bytes.readUInt16LE(vt) ? bytes.readUInt16LE(vt + 4 + 2 * slot) : 0;
      return o ? table + o : -1;
    };
    const ref = (at: number) => at + bytes.readUInt32LE(at);
    const root = feature + bytes.readUInt32LE(feature);
    let geometry = ref(field(root, 0));
    // (a multipolygon's coordinates are in its parts: the first part's)
    if (field(geometry, 1) < 0) geometry = ref(ref(field(geometry, 7)) + 4);
    const xy = ref(field(geometry, 1));
    expect(bytes.readUInt32LE(xy)).toBeGreaterThan(6);
    const long = Buffer.from(bytes);
    long.writeUInt32LE(0xfffffff0, xy);
    fs.writeFileSync(path.join(dir, 'long-vector.fgb'), long);
    await expect(readAllFgb(path.join(dir, 'long-vector.fgb'), false)).rejects.toThrow(/long-vector\.fgb layer .*: feature 10 \(at byte \d+\) cannot be read: the file is damaged \(a vector of 4294967280 elements runs past its table\)/);
    const huge = Buffer.from(bytes);
    huge.writeUInt32LE(0xffffff00, pos);
    fs.writeFileSync(path.join(dir, 'huge-feature.fgb'), huge);
    await expect(readAllFgb(path.join(dir, 'huge-feature.fgb'), false)).rejects.toThrow(/huge-feature\.fgb layer .*: feature 10 is cut short at byte \d+ \(damaged\)/);
  });
});
