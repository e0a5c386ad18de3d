import fs from 'node:fs';
import path from 'node:path';
import gdal from 'gdal-async';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { DATA, freshDir } from '../helpers/fixtures.js';

const ring = (x: number, y: number, d: number) => [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]];
const fc = (features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });
const f = (id: string, geometry: unknown, props: Record<string, unknown> = {}) => ({ type: 'Feature', properties: { id, ...props }, geometry });

/** The named skips and warnings of a -v run, and the totals of its summary. */
function named(stderr: string, summaryJson: string) {
  const s = JSON.parse(summaryJson);
  const lines = stderr.split('\n');
  return {
    skips: lines.filter((l) => /^debug: skipped \(/.test(l)).length,
    warnings: lines.filter((l) => /^debug: warning \(/.test(l)).length,
    skippedTotal: s.skippedTotal as number,
    warningsTotal: Object.values(s.warnings as Record<string, number>).reduce((a, b) => a + b, 0),
  };
}

describe('broken geometries are feature errors, named', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshDir('naming');
  });

  it('makevalid-line-showed-as-getArea-is-not-a-function and geometrycollection-of-lines-crashed-build', () => {
    const file = path.join(dir, 'broken.geojson');
    fs.writeFileSync(
      file,
      fc([
        f('back-and-forth', { type: 'Polygon', coordinates: [[[7.42, 43.73], [7.421, 43.731], [7.42, 43.73], [7.421, 43.731], [7.42, 43.73]]] }),
        f('gc-lines', { type: 'GeometryCollection', geometries: [{ type: 'LineString', coordinates: [[7.42, 43.73], [7.421, 43.731]] }] }),
        f('gc-mixed', { type: 'GeometryCollection', geometries: [{ type: 'LineString', coordinates: [[7.42, 43.73], [7.421, 43.731]] }, { type: 'Polygon', coordinates: [ring(7.42, 43.735, 0.0003)] }] }),
        f('ok', { type: 'Polygon', coordinates: [ring(7.421, 43.736, 0.0003)] }),
      ]),
    );
    const r = cli(['build', file, '-o', path.join(dir, 'broken.glb'), '-v', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.buildingsWritten).toBe(2); // gc-mixed keeps its polygon
    expect(s.skipped['geometry:invalid']).toBe(1);
    expect(s.skipped['geometry:not-polygonal']).toBe(1);
    expect(s.skipped['geometry:unreadable']).toBeUndefined();
    expect(r.stderr).toMatch(/skipped \(geometry:invalid\) .*broken\.geojson layer broken feature back-and-forth: invalid geometry, and MakeValid left no polygon/);
    expect(r.stderr).toMatch(/skipped \(geometry:not-polygonal\) .*feature gc-lines: not a polygon/);
    expect(r.stderr).not.toMatch(/is not a function/);
    // skipped-unnamed-without-a-hint: -v named them, and the summary says no more; without it, it says -v does
    expect(r.stderr).toMatch(/^summary: skipped 2: [^\n]*[a-z] 1$/m);
    const quiet = cli(['build', file, '-o', path.join(dir, 'broken.glb')]);
    expect(quiet.stderr).toMatch(/^summary: skipped 2: geometry:invalid 1, geometry:not-polygonal 1 \(-v names each\)$/m);
    expect(quiet.stderr).not.toMatch(/feature back-and-forth/);
  });

  it('verbose-did-not-name-every-skip-and-warning: -v names each one (file, layer, feature id) — build and tiles with worker threads', () => {
    const b = cli(['build', path.join(DATA, 'monaco.osm.pbf'), '-o', path.join(dir, 'm.glb'), '-v', '--json']);
    expect(b.code, b.stderr).toBe(0);
    const nb = named(b.stderr, b.stdout);
    expect(nb.warningsTotal).toBeGreaterThan(1000);
    expect(nb.skips).toBe(nb.skippedTotal);
    expect(nb.warnings).toBe(nb.warningsTotal);
    expect(b.stderr).toMatch(/^debug: warning \(building:outline-drawn-as-parts\) monaco\.osm\.pbf layer multipolygons feature [rw]\d+: drawn as its \d+ building:part\(s\) \(S3DB\), which cover 100 % of it, its own height and roof tags not drawn; edit its parts/m);
    // parts-cover-9-percent-unsaid: an outline its parts cover in part is drawn as the rest of it, and said apart
    expect(b.stderr).toMatch(/^debug: warning \(building:outline-rest-drawn\) monaco\.osm\.pbf layer multipolygons feature w176722820: drawn as its 1 building:part\(s\), which cover 9 % of it, and the rest of the outline with its own tags/m);
    const t = cli(['tiles', path.join(DATA, 'sf-mvt'), '-o', path.join(dir, 't'), '--jobs', '2', '-v', '--json']);
    expect(t.code, t.stderr).toBe(0);
    const nt = named(t.stderr, t.stdout);
    expect(nt.skippedTotal + nt.warningsTotal).toBeGreaterThan(0);
    expect(nt.skips).toBe(nt.skippedTotal);
    expect(nt.warnings).toBe(nt.warningsTotal);
    // named-two-ways: one form everywhere, `<file> layer <layer> feature <id>` (the mesh and terrain stages said `file#layer`)
    for (const err of [b.stderr, t.stderr]) expect(err).not.toMatch(/#[A-Za-z_]+ feature /);
  });

  it('truncated-shapefile-reported-as-success: a .shp shorter than its header says stops the run naming it (exit 3)', () => {
    const src = path.join(dir, 'shp');
    fs.mkdirSync(src, { recursive: true });
    const good = path.join(src, 'good.geojson');
    fs.writeFileSync(good, fc(Array.from({ length: 40 }, (_, i) => f(`b${i}`, { type: 'Polygon', coordinates: [ring(7.42 + 0.001 * i, 43.735, 0.0003)] }))));
    const shp = path.join(src, 'cut.shp');
    const ds = gdal.open(good);
    gdal.vectorTranslate(shp, ds, ['-f', 'ESRI Shapefile']).close();
    ds.close();
    const bytes = fs.readFileSync(shp);
    fs.writeFileSync(shp, bytes.subarray(0, bytes.length >> 1));
    const r = cli(['build', shp, '-o', path.join(dir, 'cut.glb')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cut\.shp: \d+ bytes, but its header says \d+ \(cut short, or damaged\)/);
  });

  it('unparsed-value-unsaid: -v names a tag value it could not read, beside the feature', () => {
    const file = path.join(dir, 'values.geojson');
    fs.writeFileSync(file, fc([f('h1', { type: 'Polygon', coordinates: [ring(7.42, 43.73, 0.0003)] }, { height: 'abc', 'roof:colour': 'blurple' })]));
    const r = cli(['build', file, '-o', path.join(dir, 'values.glb'), '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^debug: warning \(height:unparsed\) .*values\.geojson layer values feature h1: "abc", built the default height instead \(10 m\)$/m);
    expect(r.stderr).toMatch(/^debug: warning \(colour:unparsed\) .*feature h1: "blurple"$/m);
  });

  it('default-height-unsaid, angle-edit-ignored-unsaid, outline-edit-ignored-unsaid: an edited value build cannot use says what was built instead', () => {
    // (a user editing infer's output: a height of -5 became a 10 m box, an angle of 95 was "unparsed", a new
    // roof:angle beside the roof:height changed nothing, a raised outline drawn as its parts changed nothing: none said so)
    const file = path.join(dir, 'edited.geojson');
    const sq = (x: number) => ({ type: 'Polygon', coordinates: [ring(7.42 + x, 43.73, 0.0001)] });
    fs.writeFileSync(file, fc([
      f('neg', sq(0), { building: 'yes', height: -5 }),
      f('lv', sq(0.0002), { building: 'yes', height: 'tall', 'building:levels': 4 }),
      f('tallroof', sq(0.0004), { building: 'yes', height: 13, 'roof:shape': 'gabled', 'roof:height': 50 }),
      f('steep', sq(0.0006), { building: 'yes', height: 13, 'roof:shape': 'gabled', 'roof:angle': 95 }),
      f('both', sq(0.0008), { building: 'yes', height: 13, 'roof:shape': 'gabled', 'roof:height': 2, 'roof:angle': 60 }),
      f('agree', sq(0.001), { building: 'yes', height: 13, 'roof:shape': 'gabled', 'roof:height': 4.05, 'roof:angle': 45 }),
      f('floor', sq(0.0014), { building: 'yes', height: 9.4, min_height: 20, 'roof:shape': 'gabled', 'roof:direction': 'up' }),
      f('bare', sq(0.0016), { building: 'yes' }),
      { type: 'Feature', properties: { id: 'outline', building: 'yes', height: 40 }, geometry: { type: 'Polygon', coordinates: [ring(7.4212, 43.73, 0.0002)] } },
      { type: 'Feature', properties: { id: 'part', 'building:part': 'yes', height: 8 }, geometry: { type: 'Polygon', coordinates: [ring(7.42125, 43.73005, 0.0001)] } },
    ]));
    const r = cli(['build', file, '-o', path.join(dir, 'edited.glb'), '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^debug: warning \(height:non-positive\) .*feature neg: -5, built the default height instead \(10 m\)$/m);
    expect(r.stderr).toMatch(/^debug: warning \(height:unparsed\) .*feature lv: "tall", built 12 m tall from building:levels instead$/m);
    expect(r.stderr).toMatch(/^debug: warning \(roof:height:taller-than-building\) .*feature tallroof: 50, more than the building's 13 m from its bottom to its top: the roof made as tall as the building/m);
    expect(r.stderr).toMatch(/^debug: warning \(roof:angle:out-of-range\) .*feature steep: 95, a roof's angle lies between 0° and 90°: left out$/m);
    expect(r.stderr).toMatch(/^debug: warning \(roof:angle-ignored\) .*feature both: roof:angle 60° would make the roof [\d.]+ m tall over its [\d.]+ m run, roof:height says 2 m: roof:height followed \([\d.]+°\)/m);
    expect(r.stderr).not.toMatch(/feature agree/);
    expect(r.stderr).toMatch(/^debug: warning \(min_height:not-below-height\) .*feature floor: 20, not below the building's top \(9\.4 m\): built from the ground instead$/m);
    expect(r.stderr).toMatch(/^debug: warning \(roof:direction:unparsed\) .*feature floor: "up", left out: the roof faces the way its shape does untagged/m);
    expect(r.stderr).toMatch(/^debug: warning \(height:missing\) .*feature bare: no height or building:levels: built the default height \(10 m\)$/m);
    expect(r.stderr).toMatch(/^debug: warning \(building:outline-rest-drawn\) .*feature outline: drawn as its 1 building:part\(s\), which cover 25 % of it, and the rest of the outline with its own tags/m);
  });

  it('pbf-damaged-said-no-features: an OSM PBF damaged inside a block stops the run with GDAL\'s reason, not "no features" (exit 3)', () => {
    const bad = path.join(dir, 'damaged.osm.pbf');
    const bytes = fs.readFileSync(path.join(DATA, 'monaco.osm.pbf'));
    bytes.fill(0xff, 50_000, 50_008);
    fs.writeFileSync(bad, bytes);
    const r = cli(['build', bad, '-o', path.join(dir, 'damaged.glb')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/damaged\.osm\.pbf layer \w+: .*pars.* \(cut short, or damaged\)/);
    expect(r.stderr).not.toMatch(/no features|\n\s+at /);
    expect(fs.existsSync(path.join(dir, 'damaged.glb'))).toBe(false);
  });

  it('wrong-crs-message-pointed-to-counts-not-printed: “all features are invalid” says why, with an example', () => {
    const file = path.join(dir, 'rd-as-4326.geojson');
    fs.writeFileSync(file, fc([f('a', { type: 'Polygon', coordinates: [ring(85000, 447000, 10)] })]));
    const r = cli(['build', file, '-o', path.join(dir, 'rd.glb')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/all 1 features are invalid \(geometry:out-of-range 1\); e\.g\. .*feature a: coordinates .* are not a place on Earth in EPSG:4326; is the CRS right\? \(--s-srs\)/);
    expect(r.stderr).not.toMatch(/swapped/);
    // axes-swapped-unsaid: San Francisco written latitude first is asked about as such
    const swapped = path.join(dir, 'lat-lon.geojson');
    fs.writeFileSync(swapped, fc([f('b', { type: 'Polygon', coordinates: [[[37.77, -122.42], [37.7702, -122.42], [37.7702, -122.4198], [37.77, -122.4198], [37.77, -122.42]]] })]));
    const s = cli(['build', swapped, '-o', path.join(dir, 'swapped.glb')]);
    expect(s.code).toBe(3);
    expect(s.stderr).toMatch(/feature b: coordinates .* are not a place on Earth in EPSG:4326; is the CRS right\? \(--s-srs\); or are x and y latitude and longitude, swapped\? \(as \(y, x\) they are a place on Earth\)/);
  });

  it('view-served-a-garbage-glb: view refuses what is not a GLB (exit 3); --export into a file is exit 4', () => {
    const junk = path.join(dir, 'junk.glb');
    fs.writeFileSync(junk, Buffer.alloc(5000, 7));
    const r = cli(['view', junk, '--export', path.join(dir, 'site')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/junk\.glb: not a glTF 2\.0 binary \(GLB\) file/);
    const ok = path.join(dir, 'ok.glb');
    expect(cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', ok, '-q']).code).toBe(0);
    const blocker = path.join(dir, 'blocker');
    fs.writeFileSync(blocker, '');
    const e = cli(['view', ok, '--export', blocker]);
    expect(e.code).toBe(4);
    expect(e.stderr).not.toMatch(/\n\s+at /);
  });
});
