import gdal from 'gdal-async';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA, freshDir } from '../helpers/fixtures.js';
import { buildingBases, expectValidGlb, readGlb } from '../helpers/glb.js';

import { CLI, cli } from '../helpers/cli.js';
import { PLACE } from '../../src/io/files.js';

/**
 * Independent count of the SF buildings after re-joining: load every tile's pieces into one
 * GeoPackage with GDAL, let SpatiaLite (GDAL's SQLite dialect) find pairs of pieces from different
 * tiles with equal attributes whose boundaries share a stretch of line longer than 1 cm (boundaries
 * snapped to a 1 mm grid first: the two tiles' edge coordinates differ in the last bits), and count
 * the connected
 * components of that graph here.
 */
function independentSfCount(dir: string): { pieces: number; onEdge: number; buildings: number } {
  const gpkg = path.join(dir, 'pieces.gpkg');
  fs.rmSync(gpkg, { force: true });
  const tiles = fs.readdirSync(path.join(DATA, 'sf-mvt')).sort();
  for (const f of tiles) {
    const [z, x, y] = f.replace('.mvt', '').split('-');
    const vsi = `/vsimem/e2e/${z}/${x}/${y}.pbf`;
    gdal.vsimem.set(fs.readFileSync(path.join(DATA, 'sf-mvt', f)), vsi);
    const src = gdal.open(vsi);
    const e = src.layers.get('building').getExtent();
    const sql = `SELECT *, '${f}' AS tile, ${e.minX} AS tminx, ${e.minY} AS tminy, ${e.maxX} AS tmaxx, ${e.maxY} AS tmaxy FROM building`;
    gdal.vectorTranslate(gpkg, src, ['-f', 'GPKG', '-append', '-nln', 'pieces', '-nlt', 'MULTIPOLYGON', '-lco', 'GEOMETRY_NAME=geom', '-dialect', 'SQLITE', '-sql', sql]).close();
    src.close();
    gdal.vsimem.release(vsi);
  }
  const ds = gdal.open(gpkg);
  const pieces = ds.layers.get('pieces').features.count();
  const edgeSql = `SELECT fid, tile, height, min_height, type, extrude, underground, geom FROM pieces
    WHERE ST_Length(ST_Intersection(ST_SnapToGrid(ST_Boundary(geom), 0.001), ST_SnapToGrid(ST_Boundary(BuildMbr(tminx, tminy, tmaxx, tmaxy)), 0.001))) > 0.01`;
  const onEdge = ds.executeSQL(`SELECT count(*) AS n FROM (${edgeSql})`, undefined, 'SQLITE').features.first().fields.get('n') as number;
  const pairs = ds.executeSQL(
    `WITH e AS (${edgeSql})
     SELECT a.fid AS a, b.fid AS b FROM e a JOIN e b
       ON a.fid < b.fid AND a.tile <> b.tile AND a.height IS b.height AND a.min_height IS b.min_height
      AND a.type IS b.type AND a.extrude IS b.extrude AND a.underground IS b.underground
      AND MbrIntersects(a.geom, b.geom)
     WHERE ST_Length(ST_Intersection(ST_SnapToGrid(ST_Boundary(a.geom), 0.001), ST_SnapToGrid(ST_Boundary(b.geom), 0.001))) > 0.01`,
    undefined,
    'SQLITE',
  );
  const parent = new Map<number, number>();
  const find = (i: number): number => {
    while (parent.has(i) && parent.get(i) !== i) i = parent.get(i)!;
    return i;
  };
  for (let f = pairs.features.first(); f; f = pairs.features.next()) {
    const a = find(f.fields.get('a') as number);
    const b = find(f.fields.get('b') as number);
    parent.set(a, a);
    parent.set(b, b);
    if (a !== b) parent.set(Math.max(a, b), Math.min(a, b));
  }
  const members = [...parent.keys()];
  const components = new Set(members.map(find)).size;
  ds.close();
  return { pieces, onEdge, buildings: pieces - members.length + components };
}

describe('cityforge build: end to end on the San Francisco tiles', () => {
  let dir: string;
  let run: ReturnType<typeof cli>;
  const out = () => path.join(dir, 'sf.glb');
  beforeAll(() => {
    dir = freshDir('e2e');
    run = cli(['build', path.join(DATA, 'sf-mvt'), '-o', out(), '--json']);
  });

  it('exits 0, prints a JSON summary on stdout and a plain summary on stderr', () => {
    expect(run.code, run.stderr).toBe(0);
    const s = JSON.parse(run.stdout);
    expect(s.featuresRead).toBe(13438);
    expect(run.stderr).toMatch(/^summary: 13,438 features read/m);
    expect(run.stderr).not.toMatch(/\x1b\[/); // no TTY: plain lines, no bar
  });

  it('building count equals an independent GDAL/SpatiaLite count of the re-joined buildings', () => {
    const s = JSON.parse(run.stdout);
    const ind = independentSfCount(dir);
    expect(ind.pieces).toBe(13438);
    expect(ind.buildings).toBeLessThan(13438);
    // every building is either written or skipped with a reason
    expect(s.buildingsWritten + s.skippedTotal).toBe(ind.buildings);
    expect(s.buildingsWritten).toBeGreaterThan(13000);
  });

  it('sliver-turned-over: every flat roof and floor triangle faces the way its normals do once the positions are quantized (a 4 mm sliver faced down, its floor twin up)', async () => {
    const { NodeIO } = await import('@gltf-transform/core');
    const { ALL_EXTENSIONS } = await import('@gltf-transform/extensions');
    const doc = await new NodeIO().registerExtensions(ALL_EXTENSIONS).read(out());
    let flat = 0;
    const wrong: string[] = [];
    for (const mesh of doc.getRoot().listMeshes())
      for (const prim of mesh.listPrimitives()) {
        const pos = prim.getAttribute('POSITION')!, nor = prim.getAttribute('NORMAL'), idx = prim.getIndices();
        if (!nor || !idx) continue;
        const [p, q, r, n] = [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]];
        for (let t = 0; t < idx.getCount(); t += 3) {
          const [a, b, c] = [idx.getScalar(t), idx.getScalar(t + 1), idx.getScalar(t + 2)];
          nor.getElement(a, n);
          if (Math.abs(n[1]) < 0.99) continue; // horizontal faces only (y up): a node's positive scale keeps their side
          pos.getElement(a, p);
          pos.getElement(b, q);
          pos.getElement(c, r);
          // the face normal's y: (q − p) × (r − p), its y component
          const ny = (q[2] - p[2]) * (r[0] - p[0]) - (q[0] - p[0]) * (r[2] - p[2]);
          if (ny === 0) continue;
          flat++;
          if (Math.sign(ny) !== Math.sign(n[1])) wrong.push(`${mesh.getName()} triangle ${t / 3}`);
        }
      }
    expect(flat).toBeGreaterThan(20000);
    expect(wrong).toEqual([]);
  });

  it('the GLB is valid, ids are unique, one row per building', async () => {
    const bytes = new Uint8Array(fs.readFileSync(out()));
    await expectValidGlb(bytes);
    const rb = await readGlb(bytes);
    const s = JSON.parse(run.stdout);
    expect(rb.table['id'].length).toBe(s.buildingsWritten);
    expect(new Set(rb.table['id']).size).toBe(s.buildingsWritten);
    expect(rb.featureIds.size).toBe(s.buildingsWritten);
    expect(s.bytes).toBe(bytes.byteLength);
    // no temporary file left beside it
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('the same run twice gives byte-identical output', () => {
    const again = path.join(dir, 'again.glb');
    expect(cli(['build', path.join(DATA, 'sf-mvt'), '-o', again, '-q']).code).toBe(0);
    expect(fs.readFileSync(again).equals(fs.readFileSync(out()))).toBe(true);
  });
});

describe('cityforge: bad input gets a clear error, a meaningful exit code, and no output file', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshDir('bad-input');
  });
  const expectNoOutput = (file: string) => {
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  };

  it('missing file → exit 3', () => {
    const o = path.join(dir, 'a.glb');
    const r = cli(['build', path.join(dir, 'nope.geojson'), '-o', o]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error: cityforge ingest: .*nope\.geojson: no such file or folder/);
    expectNoOutput(o);
  });

  it('fifo-input-hung-past-sigterm: a named pipe given as an input (or --terrain, --dsm, a GLB to rasterize) is refused at once, exit 3, before anything opens it', () => {
    // (opening a pipe no one writes to blocked the job's thread in open(): SIGTERM printed "interrupted" and the
    // process lived on, 176 s, until SIGKILL)
    const fifo = path.join(dir, 'pipe.geojson');
    fs.rmSync(fifo, { force: true });
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const glb = path.join(dir, 'pipe.glb');
    fs.rmSync(glb, { force: true });
    expect(spawnSync('mkfifo', [glb]).status).toBe(0);
    const o = path.join(dir, 'from-pipe.glb');
    const runs = [
      ['build', fifo, '-o', o],
      ['tiles', fifo, '-o', path.join(dir, 'from-pipe')],
      ['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--terrain', fifo, '-o', o],
      ['infer', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--dsm', fifo, '-o', path.join(dir, 'from-pipe.gpkg')],
      ['rasterize', glb, '-o', path.join(dir, 'from-pipe.tif')],
    ];
    for (const args of runs) {
      const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
      expect(r.signal, `${args.join(' ')}: still waiting`).toBeNull();
      expect(r.status, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/pipe\.(geojson|glb)( \(--(terrain|dsm)\))?: is a named pipe .*not a file.*save it to a file first/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expectNoOutput(o);
    expect(fs.existsSync(path.join(dir, 'from-pipe'))).toBe(false);
  });

  it.skipIf(!fs.existsSync('/dev/full'))('stderr-full-stopped-the-run: a log that cannot be written (2>/dev/full) ends the log, not the run; a --json summary that cannot be written is exit 4', () => {
    // (the first log line's ENOSPC was thrown: exit 1, no GLB)
    const full = fs.openSync('/dev/full', 'w');
    try {
      const o = path.join(dir, 'quiet-log.glb');
      const r = spawnSync(process.execPath, [CLI, 'build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', o], { stdio: ['ignore', 'pipe', full], encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(fs.statSync(o).size).toBeGreaterThan(100_000);
      const j = spawnSync(process.execPath, [CLI, 'build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', path.join(dir, 'quiet-json.glb'), '--json'], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      expect(j.status).toBe(4);
      expect(j.stderr).toMatch(/standard output: cannot write \(ENOSPC\)/);
    } finally {
      fs.closeSync(full);
    }
  });

  it('binary-in-the-log: a binary file named .geojson is said in one printable line (its bytes escaped), exit 3', () => {
    // (a ZIP's bytes, NULs among them, went into the error line; grep took the log for a binary file)
    const zip = path.join(dir, 'archive.geojson');
    fs.writeFileSync(zip, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x62, 0x69, 0x6e]));
    const r = cli(['build', zip, '-o', path.join(dir, 'archive.glb')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/archive\.geojson: not valid JSON .*PK\\x03\\x04/);
    expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('glb-cut-short-said-typed-array: rasterize on a GLB cut short says so, exit 3', () => {
    const whole = path.join(dir, 'whole.glb');
    expect(cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', whole, '-q']).code).toBe(0);
    const half = path.join(dir, 'half.glb');
    fs.writeFileSync(half, fs.readFileSync(whole).subarray(0, 100_000));
    const r = cli(['rasterize', half, '-o', path.join(dir, 'half.tif')]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/half\.glb: cut short or damaged: its header says [\d,]+ bytes, the file has 100,000/);
    expect(fs.existsSync(path.join(dir, 'half.tif'))).toBe(false);
  });

  it('json-empty-on-failure: with --json a failed run prints its exit code and message on stdout', () => {
    const o = path.join(dir, 'a.glb');
    const r = cli(['build', path.join(dir, 'nope.geojson'), '-o', o, '--json']);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout);
    expect(j.error.exitCode).toBe(3);
    expect(j.error.message).toMatch(/^cityforge ingest: .*nope\.geojson: no such file or folder/);
    expectNoOutput(o);
    // (an output error too: exit 4)
    const t = cli(['terrain', path.join(DATA, 'sf-north-dem-3857.tif'), '-o', path.join(dir, 'no-such-folder', 't.glb'), '--json']);
    expect(t.code, t.stderr).toBe(4);
    expect(JSON.parse(t.stdout).error).toEqual({ exitCode: 4, message: expect.stringMatching(/no-such-folder/) });
  });

  it('data-spread-over-countries: inputs hundreds of km apart warn that the local frame does not hold them; one city does not', () => {
    const ring = (lon: number, lat: number) => [[lon, lat], [lon + 0.0002, lat], [lon + 0.0002, lat + 0.0002], [lon, lat + 0.0002], [lon, lat]];
    const fc = (lon: number, lat: number) => JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { height: 10 }, geometry: { type: 'Polygon', coordinates: [ring(lon, lat)] } }] });
    const sf = path.join(dir, 'spread-sf.geojson'), la = path.join(dir, 'spread-la.geojson'), oak = path.join(dir, 'spread-oakland.geojson');
    fs.writeFileSync(sf, fc(-122.42, 37.77));
    fs.writeFileSync(la, fc(-118.24, 34.05));
    fs.writeFileSync(oak, fc(-122.27, 37.80));
    const far = cli(['build', sf, la, '-o', path.join(dir, 'spread.glb')]);
    expect(far.code, far.stderr).toBe(0);
    expect(far.stderr).toMatch(/warn: the data reaches 2\d\d km from its centre .*the frame is local .*Build each region on its own/);
    const near = cli(['build', sf, oak, '-o', path.join(dir, 'near.glb')]);
    expect(near.code, near.stderr).toBe(0);
    expect(near.stderr).not.toMatch(/the frame is local/);
    // data-continents-apart-built-exit-0: SF and Delft, 8,800 km apart, stop the run (exit 3), in build and tiles
    const delft = path.join(dir, 'spread-delft.geojson');
    fs.writeFileSync(delft, fc(4.36, 52.01));
    for (const [cmd, out] of [['build', 'apart.glb'], ['tiles', 'apart-tiles']]) {
      const apart = cli([cmd, sf, delft, '-o', path.join(dir, out)]);
      expect(apart.code, apart.stderr).toBe(3);
      expect(apart.stderr).toMatch(/error: cityforge ingest: the data reaches [\d,]+ km from its centre .*beyond 1,000 km the buildings would stand [\d,]+ km above the ground\. Build each region on its own/);
      expect(fs.existsSync(path.join(dir, out))).toBe(false);
    }
  });

  it('stray-feature-stopped-the-run: one footprint of 120 thousands of km from the rest (a sign error) is skipped and named, in build and tiles; the rest is built', () => {
    const ring = (lon: number, lat: number) => [[lon, lat], [lon + 0.0002, lat], [lon + 0.0002, lat + 0.0002], [lon, lat + 0.0002], [lon, lat]];
    const features = Array.from({ length: 120 }, (_, i) => ({ type: 'Feature', id: `b${i}`, properties: { height: 10 }, geometry: { type: 'Polygon', coordinates: [ring(-122.42 + (i % 12) * 5e-4, 37.77 + Math.floor(i / 12) * 5e-4)] } }));
    // (its latitude's sign lost: 8,400 km south)
    features[57].geometry.coordinates = [ring(-122.42, -37.77)];
    const file = path.join(dir, 'stray.geojson');
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }));
    for (const [cmd, out] of [['build', 'stray.glb'], ['tiles', 'stray-tiles']]) {
      const r = cli([cmd, file, '-o', path.join(dir, out), '-v', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/warn: 1 feature lies over 500 km from all the others, skipped: \S*stray\.geojson layer stray feature b57 \([\d,]+ km\)/);
      expect(r.stderr).toMatch(/stray\.geojson layer stray feature b57: at lon -122\.42\d, lat -37\.7\d\d, [\d,]+ km from the rest of the data/);
      const s = JSON.parse(r.stdout);
      expect(s.skipped['geometry:far-from-the-rest']).toBe(1);
      expect(s.buildings).toBe(119);
    }
  });

  it('attributes-matched-nothing: an --attributes name (or pattern) no input has is named, with the attributes there are', () => {
    const r = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--attributes', 'nosuch,height,addr:*', '-o', path.join(dir, 'attrs.glb')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warn: --attributes nosuch,addr:\*: no input has these attributes \(they have: .*height/);
    const ok = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--attributes', 'height,min_*', '-o', path.join(dir, 'attrs2.glb')]);
    expect(ok.stderr).not.toMatch(/--attributes/);
  });

  it('layer-ate-the-inputs: --layer before the inputs takes them as layer names; the usage error says so and where they go', () => {
    const r = cli(['build', '--layer', 'building', path.join(DATA, 'sf-mvt'), '-o', path.join(dir, 'layer.glb')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing required argument 'inputs'/);
    expect(r.stderr).toMatch(/hint: --layer takes every word after it up to the next option; give the inputs before it \(cityforge build <inputs\.\.\.> --layer <names\.\.\.> -o <output>\)/);
    expect(cli(['build', path.join(DATA, 'sf-mvt'), '-o', path.join(dir, 'nolayer')]).stderr).not.toMatch(/hint:/);
  });

  it('lod-ignored-silently: --lod or --types with no CityJSON among the inputs says it changes nothing', () => {
    const r = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--lod', '3.5', '-o', path.join(dir, 'lod.glb')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warn: --lod chooses within CityJSON city models; none of the inputs is one/);
  });

  it('json-silent-on-a-usage-error: with --json a usage error (a missing -o, a value not among the choices) prints exit 2 and the message on stdout', () => {
    const r = cli(['build', path.join(dir, 'nope.geojson'), '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toEqual({ exitCode: 2, message: expect.stringMatching(/required option '-o, --output <file>' not specified/) });
    const c = cli(['build', path.join(DATA, 'sf-mvt'), '--facades', 'glass', '-o', path.join(dir, 'g.glb'), '--json']);
    expect(c.code).toBe(2);
    expect(JSON.parse(c.stdout).error.message).toMatch(/argument 'glass' is invalid/);
    expect(c.stderr).toMatch(/glass/);
    // (without --json: nothing on stdout)
    expect(cli(['build', path.join(DATA, 'sf-mvt'), '--facades', 'glass', '-o', path.join(dir, 'g.glb')]).stdout).toBe('');
  });

  it('unsupported format → exit 3 naming the file', () => {
    const bad = path.join(dir, 'notes.txt');
    fs.writeFileSync(bad, 'this is not GIS data\n');
    const o = path.join(dir, 'b.glb');
    const r = cli(['build', bad, '-o', o]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cityforge ingest: .*notes\.txt: (cannot open as a vector source|not a vector source)/);
    expectNoOutput(o);
  });

  it('geojson-cut-short-said-failed-to-read: a GeoJSON document cut short says so, one broken inside says where the JSON breaks (exit 3, nothing written)', () => {
    const features = Array.from({ length: 50 }, (_, i) => ({ type: 'Feature', properties: { height: 10 }, geometry: { type: 'Polygon', coordinates: [[[7.42 + i * 1e-3, 43.73], [7.4205 + i * 1e-3, 43.73], [7.4205 + i * 1e-3, 43.7305], [7.42 + i * 1e-3, 43.73]]] } }));
    const text = JSON.stringify({ type: 'FeatureCollection', features });
    const o = path.join(dir, 'cut.glb');
    for (const n of [Math.floor(text.length / 2), 100]) {
      const cut = path.join(dir, 'cut.geojson');
      fs.writeFileSync(cut, text.slice(0, n));
      const r = cli(['build', cut, '-o', o]);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`cityforge ingest: .*cut\\.geojson: cut short: its JSON ends before the document does \\(after ${n.toLocaleString('en-US')} characters`));
      expectNoOutput(o);
    }
    const broken = path.join(dir, 'broken.geojson');
    fs.writeFileSync(broken, text.slice(0, 500) + 'xx' + text.slice(500));
    const r = cli(['build', broken, '-o', o]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/broken\.geojson: not valid JSON \(.*at position 500\)/);
    expectNoOutput(o);
  });

  it('folder-said-not-a-file-format: a folder holding nothing readable says what it holds and what folders are read (exit 3)', () => {
    const empty = path.join(dir, 'empty-folder');
    const notes = path.join(dir, 'notes-folder');
    fs.mkdirSync(empty, { recursive: true });
    fs.mkdirSync(notes, { recursive: true });
    fs.writeFileSync(path.join(notes, 'a.txt'), 'not GIS data\n');
    const o = path.join(dir, 'folder.glb');
    for (const [f, holds] of [[empty, 'it is empty'], [notes, 'it holds a\\.txt']]) {
      const r = cli(['build', f, '-o', o]);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(new RegExp(`cityforge ingest: .*-folder: a folder holding nothing cityforge reads \\(${holds}\\); it reads a folder of vector tiles`));
      expectNoOutput(o);
    }
  });

  it('empty layer → exit 3 naming file and layer', () => {
    const empty = path.join(dir, 'empty.geojson');
    fs.writeFileSync(empty, JSON.stringify({ type: 'FeatureCollection', features: [] }));
    const o = path.join(dir, 'c.glb');
    const r = cli(['build', empty, '-o', o]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cityforge ingest: .*empty\.geojson layer empty: no features/);
    expectNoOutput(o);
  });

  it('empty-file-said-unsupported-format: a 0-byte input or raster is named as empty (exit 3)', () => {
    const vec = path.join(dir, 'zero.geojson');
    const dem = path.join(dir, 'zero.tif');
    fs.writeFileSync(vec, '');
    fs.writeFileSync(dem, '');
    const o = path.join(dir, 'zero.glb');
    let r = cli(['build', vec, '-o', o]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/zero\.geojson: the file is empty/);
    r = cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '--terrain', dem, '-o', o]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/zero\.tif \(--terrain\): the file is empty/);
    expectNoOutput(o);
  });

  it('unknown layer → exit 3 listing the layers', () => {
    const o = path.join(dir, 'd.glb');
    const r = cli(['build', path.join(DATA, 'monaco.osm.pbf'), '--layer', 'houses', '-o', o]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/monaco\.osm\.pbf layer houses: no such layer \(layers: .*multipolygons/);
    expectNoOutput(o);
  });

  it('all features invalid → exit 3', () => {
    const bad = path.join(dir, 'allbad.geojson');
    fs.writeFileSync(bad, JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { id: 7 }, geometry: { type: 'Polygon', coordinates: [[[0, 0], [1e-4, 0], [0, 0]]] } }] }));
    const o = path.join(dir, 'e.glb');
    const r = cli(['build', bad, '-o', o]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/allbad\.geojson: all 1 features are invalid/);
    expectNoOutput(o);
  });

  it('far-origin-crashed: an --origin thousands of km from the data is a usage error saying how far (build, and tiles streamed); one nearby is taken', () => {
    // (before: PROJ's "cannot find coordinate operations" and a stack trace, exit 1; nearer, rings silently lost)
    const input = path.join(DATA, 'monaco.osm.pbf');
    for (const args of [['build', input, '-o', path.join(dir, 'far.glb')], ['tiles', input, '-o', path.join(dir, 'far-tiles')]]) {
      const r = cli([...args, '--origin', '151.2,-33.9']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/--origin 151\.2,-33\.9 is [\d,]+ km from the data \(lon 7\.\d+…7\.\d+, lat 43\.\d+…43\.\d+\)/);
      expect(r.stderr).not.toMatch(/ at .*\.js:\d+/);
    }
    expect(fs.existsSync(path.join(dir, 'far-tiles'))).toBe(false);
    expect(cli(['build', input, '--origin', '7.43,43.74', '-o', path.join(dir, 'near.glb'), '-q']).code).toBe(0);
  });

  it('output folder missing → exit 4, before any work', () => {
    const o = path.join(dir, 'no', 'such', 'folder', 'f.glb');
    const r = cli(['build', path.join(DATA, 'sf-mvt'), '-o', o]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/cannot write .*f\.glb: the folder does not exist/);
    expect(r.stderr).not.toMatch(/features read/);
    // proc-said-no-folder: a folder that is there but takes no new files (the kernel says ENOENT there too)
    if (fs.existsSync('/proc/self')) {
      const p = cli(['build', path.join(DATA, 'sf-mvt'), '-o', '/proc/x.glb']);
      expect(p.code).toBe(4);
      expect(p.stderr).toMatch(/cannot write \/proc\/x\.glb: the folder \/proc takes no new files/);
    }
  });

  it('tiles-hung-on-proc: tiles -o /proc/x stops with exit 4 naming /proc (Node\'s recursive mkdir spun there for ever, deaf to signals)', () => {
    if (!fs.existsSync('/proc/self')) return void console.log('tiles-hung-on-proc: skipped, no /proc here');
    const r = spawnSync(process.execPath, [CLI, 'tiles', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', '/proc/cityforge-x/tiles'], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    expect(r.signal, 'still running after 60 s').toBeNull();
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/cannot write \/proc\/cityforge-x\/tiles: the folder \/proc takes no new folders/);
  });

  it('disk-full-in-the-store: a full disk while tiles streams its input is an output error naming the file, no stack trace', () => {
    // a 1 MB tmpfs (root, and a kernel that lets this process mount one; otherwise skipped)
    const mnt = path.join(dir, 'full');
    fs.mkdirSync(mnt, { recursive: true });
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]).status !== 0) return void console.log('disk-full-in-the-store: skipped, cannot mount a tmpfs here');
    try {
      const r = cli(['tiles', path.join(DATA, 'sf-mvt'), '-o', path.join(mnt, 'tiles')]);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toMatch(/error: cityforge tiles: cannot write .*: no space left on the device/);
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });

  it('output folder not writable → exit 4', () => {
    // a path below a regular file can never be created, even by root
    const blocker = path.join(dir, 'blocker');
    fs.writeFileSync(blocker, '');
    const r = cli(['build', path.join(DATA, 'sf-mvt'), '-o', path.join(blocker, 'g.glb')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/cannot write/);
  });

  it('option-given-twice-last-won: an option of one value given twice is a usage error naming both (exit 2, on stdout too with --json); flags and lists may repeat', () => {
    const one = path.join(DATA, 'sf-mvt', '15-5238-12666.mvt');
    const r = cli(['build', one, '--default-height', '8', '--default-height=12', '-o', path.join(dir, 'twice.glb'), '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cityforge build: --default-height given twice \(8, 12\): give it once/);
    expect(JSON.parse(r.stdout).error.exitCode).toBe(2);
    expect(fs.existsSync(path.join(dir, 'twice.glb'))).toBe(false);
    const o = cli(['build', one, '-o', path.join(dir, 'a.glb'), '-o', path.join(dir, 'b.glb')]);
    expect([o.code, /--output given twice/.test(o.stderr)]).toEqual([2, true]);
    // -v twice, and a list option, are fine
    expect(cli(['build', one, '-v', '-v', '--layer', 'building', '-o', path.join(dir, 'fine.glb'), '-q']).code).toBe(0);
  });

  it('unknown-command-helped: an unknown command is a usage error with --help too (it printed the program\'s help, exit 0); a known one\'s --help still helps', () => {
    const r = cli(['info', '--help']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'info'/);
    expect(r.stdout).not.toMatch(/Usage: cityforge \[options\] \[command\]/);
    const h = cli(['infer', '-h']);
    expect([h.code, /Usage: cityforge infer/.test(h.stdout)]).toEqual([0, true]);
  });

  it('usage errors → exit 2; --help explains itself', () => {
    expect(cli(['build', 'x.geojson']).code).toBe(2);
    expect(cli(['build', 'x.geojson', '-o', 'y.glb', '--default-height', '-3']).code).toBe(2);
    const h = cli(['build', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/Examples:/);
    expect(cli(['--help']).stdout).toMatch(/Exit codes:/);
  });

  /** Start a long build; resolves once its temporary output exists (it is made before any work). */
  async function startBuild(o: string): Promise<import('node:child_process').ChildProcess> {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [CLI, 'build', path.join(DATA, 'sf-mvt'), '--terrain', path.join(DATA, 'sf-terrain-3857.tif'), '--terrain-error', '0.2', '-o', o], { stdio: 'ignore' });
    const temp = path.join(path.dirname(o), `.${path.basename(o)}.tmp-${child.pid}@${PLACE}`);
    for (let i = 0; i < 600 && !fs.existsSync(temp); i++) await new Promise((r) => setTimeout(r, 25));
    expect(fs.existsSync(temp), 'the temporary output exists while the run works').toBe(true);
    return child;
  }

  it('kill-at-400ms-came-before-the-temp-file: SIGKILL while the temporary output exists leaves no file that looks whole; the next run removes the leftover', async () => {
    const o = path.join(dir, 'killed.glb');
    const child = await startBuild(o);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(fs.existsSync(o)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.killed.glb.tmp-'))).toHaveLength(1); // kill -9 cannot clean up
    expect(cli(['build', path.join(DATA, 'sf-mvt', '15-5238-12666.mvt'), '-o', o, '-q']).code).toBe(0);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.killed.glb.tmp-'))).toEqual([]); // the next run did
  });

  it.each([['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129], ['SIGQUIT', 131]] as const)('ctrl-c-ignored-during-compute, hangup-left-the-work-folder: %s stops the run mid-work, exit %i, nothing left behind', async (sig, code) => {
    const o = path.join(dir, `signal-${sig}.glb`);
    const child = await startBuild(o);
    const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    child.kill(sig);
    expect(await exit).toBe(code);
    expect(fs.existsSync(o)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.includes(`signal-${sig}`))).toEqual([]);
  });
});

describe('cityforge build: OSM end to end (Monaco: building parts and roofs)', () => {
  let dir: string;
  let run: ReturnType<typeof cli>;
  beforeAll(() => {
    dir = freshDir('e2e-osm');
    run = cli(['build', path.join(DATA, 'monaco.osm.pbf'), '-o', path.join(dir, 'monaco.glb'), '--json']);
  });

  it('builds with a summary that accounts for every building', () => {
    expect(run.code, run.stderr).toBe(0);
    const s = JSON.parse(run.stdout);
    expect(s.buildingsWritten + s.skippedTotal).toBe(s.featuresRead);
    expect(s.warnings['building:outline-drawn-as-parts']).toBeGreaterThan(0);
    expect(Object.keys(s.warnings).filter((k) => k.startsWith('roof:fallback'))).toEqual([]);
  });

  it('outline-height-was-the-default: Columbia Palace (an outline drawn as parts of 94 and 105 m, no height of its own) is 105 m in the table, from its parts', async () => {
    const rb = await readGlb(new Uint8Array(fs.readFileSync(path.join(dir, 'monaco.glb'))), { accessors: false });
    const row = rb.table['id'].indexOf('w872981834');
    expect(row).toBeGreaterThanOrEqual(0);
    expect([rb.table['height'][row], rb.table['height_from'][row]]).toEqual([105, 'parts']);
    // outline-height-not-the-one-drawn: an outline with a height of its own (building:levels) is drawn as its parts
    // too; its row said 12 m (4 levels) over a part drawn 6 m tall, and Monte Carlo Bay 33 m (11) over parts of 34.5 m
    const drawn = (id: string) => {
      const r = rb.table['id'].indexOf(id);
      return [rb.table['height'][r], rb.table['height_from'][r], rb.table['levels'][r]];
    };
    // parts-cover-9-percent: where the parts cover under 90 % of it, the rest of the outline is drawn, as its own
    // (w49209541's one part covers 10 % of it: the rest stands 12 m tall, its 4 levels')
    expect(drawn('w49209541')).toEqual([12, 'levels', 4]);
  });

  it('input-given-twice-built-twice: the same file given twice (once through another path) is read once, and said', () => {
    const o = path.join(dir, 'twice.glb');
    const again = path.join(DATA, '..', 'data', 'monaco.osm.pbf');
    const r = cli(['build', path.join(DATA, 'monaco.osm.pbf'), again, '-o', o, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/monaco\.osm\.pbf: given more than once; read once/);
    const s = JSON.parse(r.stdout), once = JSON.parse(run.stdout);
    expect([s.featuresRead, s.buildingsWritten, s.partsWritten]).toEqual([once.featuresRead, once.buildingsWritten, once.partsWritten]);
    expect(s.warnings['id:duplicate']).toBeUndefined();
  });

  it('is validator-clean; parts are drawn under their outline’s id, outlines with parts are not drawn', async () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(dir, 'monaco.glb')));
    await expectValidGlb(bytes);
    const rb = await readGlb(bytes);
    const ids = rb.table['id'] as string[];
    const partOf = rb.table['part_of'] as string[];
    const parts = partOf.map((p, i) => [i, p] as const).filter(([, p]) => p !== '');
    expect(parts.length).toBeGreaterThan(0);
    for (const [i, outlineId] of parts) {
      const o = ids.indexOf(outlineId);
      expect(o).toBeGreaterThanOrEqual(0);
      expect(rb.featureIds.has(o)).toBe(true); // the outline's row is what the part's geometry carries
      expect(rb.featureIds.has(i)).toBe(false);
    }
    // roofs were built: some roof shape other than flat is in the table
    expect((rb.table['roof_shape'] as string[]).some((r) => r !== 'flat' && r !== '')).toBe(true);
    // parts-counted-as-buildings: the asset's counts tell buildings and parts apart, as the summary does
    const s = JSON.parse(run.stdout);
    const geo = rb.json.asset.extras.cityforge;
    expect(s.partsWritten).toBeGreaterThan(0);
    expect([geo.buildings, geo.parts]).toEqual([s.buildingsWritten - s.partsWritten, s.partsWritten]);
  });
});

describe('cityforge with terrain', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshDir('e2e-terrain');
  });
  const tile = () => path.join(DATA, 'sf-mvt', '15-5238-12666.mvt');

  it('build --terrain: buildings seated, a terrain node with its own material, validator-clean', async () => {
    const o = path.join(dir, 'seated.glb');
    const r = cli(['build', tile(), '--terrain', path.join(DATA, 'sf-terrain-3857.tif'), '--terrain-error', '0.5', '-o', o, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const bytes = new Uint8Array(fs.readFileSync(o));
    await expectValidGlb(bytes);
    const rb = await readGlb(bytes);
    const terrainNode = rb.json.nodes.find((n: { name?: string }) => n.name === 'terrain');
    expect(terrainNode).toBeDefined();
    const prim = rb.json.meshes[terrainNode.mesh].primitives[0];
    expect(rb.json.materials[prim.material].name).toBe('terrain');
    expect(prim.attributes._FEATURE_ID_0).toBeUndefined();
    // the SF hills: buildings stand between 20 and 300 m up (glTF y is up)
    expect(rb.bounds[1]).toBeGreaterThan(10);
    expect(rb.bounds[4]).toBeLessThan(350);
    // elevation-not-in-the-table: each row says the elevation its building stands at (its lowest vertex: the floor)
    const bases = await buildingBases(bytes);
    const ids = rb.table['id'] as string[], ground = rb.table['ground'] as number[];
    expect(ground, 'a ground column').toBeDefined();
    expect(ids.length).toBeGreaterThan(100);
    ids.forEach((id, k) => expect(Math.abs(ground[k] - bases.get(id)!), id).toBeLessThan(0.03));
    // without a terrain, no such column
    const flat = path.join(dir, 'unseated.glb');
    expect(cli(['build', tile(), '-o', flat, '-q']).code).toBe(0);
    expect((await readGlb(new Uint8Array(fs.readFileSync(flat)), { accessors: false })).table['ground']).toBeUndefined();
  });

  it('terrain-elsewhere-built-flat: a raster that does not overlap the buildings stops the run (exit 3), saying where it lies; nothing written', () => {
    const o = path.join(dir, 'flat.glb');
    const r = cli(['build', tile(), '--terrain', path.join(DATA, 'sf-north-dem-3857.tif'), '-o', o, '--json']);
    // (before: a warning, a flat city and exit 0: unnoticed in a batch run)
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/sf-north-dem-3857\.tif \(--terrain\): the raster does not overlap the buildings \(its centre, 37\.80\d°, -122\.42\d°, lies \d\.\d km north-east of theirs, .*\); give a DEM over them, or leave --terrain out/);
    expect(JSON.parse(r.stdout).error.exitCode).toBe(3);
    expect(fs.existsSync(o)).toBe(false);
  });

  it('undeclared-nodata-read-as-heights: a DEM holding -9999 where it has no data, declaring no nodata value, is meshed where it has data, not dug into pits, and said', async () => {
    const src = gdal.open(path.join(DATA, 'sf-terrain-3857.tif'));
    const { x: w, y: h } = src.rasterSize;
    const z = Float32Array.from(src.bands.get(1).pixels.read(0, 0, w, h) as Float32Array);
    // -9999 west of the tile's middle (15/5238/12666's centre in Web Mercator)
    const gt = src.geoTransform!;
    const mid = -20037508.34 + (5238.5 / 32768) * 40075016.68;
    const col = Math.round((mid - gt[0]) / gt[1]);
    expect(col).toBeGreaterThan(0);
    expect(col).toBeLessThan(w);
    for (let j = 0; j < h; j++) for (let i = 0; i < col; i++) z[j * w + i] = -9999;
    const dem = path.join(dir, 'dem-9999.tif');
    const t = gdal.open(dem, 'w', 'GTiff', w, h, 1, gdal.GDT_Float32);
    t.srs = src.srs;
    t.geoTransform = src.geoTransform;
    t.bands.get(1).pixels.write(0, 0, w, h, z);
    t.close();
    src.close();
    const o = path.join(dir, 'dem-9999.glb');
    const r = cli(['build', tile(), '--terrain', dem, '-o', o]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warn: .*dem-9999.tif: holds -9999 where it seems to have no data, and its band declares no nodata value/);
    // (before: the ground dropped to -9,999 m over the west quarter)
    const back = await readGlb(new Uint8Array(fs.readFileSync(o)));
    expect(back.bounds[1]).toBeGreaterThan(-100);
  });

  it('cityforge terrain <raster>: terrain alone, validator-clean, fewer triangles for a looser bound', async () => {
    const a = path.join(dir, 'north-0.5.glb');
    const b = path.join(dir, 'north-2.glb');
    const ra = cli(['terrain', path.join(DATA, 'sf-north-dem-3857.tif'), '--terrain-error', '0.5', '-o', a, '--json']);
    const rb2 = cli(['terrain', path.join(DATA, 'sf-north-dem-3857.tif'), '--terrain-error', '2', '-o', b, '--json']);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb2.code, rb2.stderr).toBe(0);
    await expectValidGlb(new Uint8Array(fs.readFileSync(a)));
    await expectValidGlb(new Uint8Array(fs.readFileSync(b)));
    expect(JSON.parse(rb2.stdout).triangles).toBeLessThan(JSON.parse(ra.stdout).triangles);
    // terrain-summary-said-0-buildings: the summary says what was written, and times the terrain's own stages
    expect(ra.stderr).toMatch(/summary: a terrain mesh from 1 input\(s\) written to .*north-0\.5\.glb/);
    expect(ra.stderr).not.toMatch(/buildings? written/);
    expect(Object.keys(JSON.parse(ra.stdout).timings).sort()).toEqual(['encode', 'read', 'terrain', 'total']);
  });

  it('a raster without a CRS is refused (exit 3), nothing written', () => {
    const o = path.join(dir, 'nocrs.glb');
    const bad = path.join(dir, 'nocrs.tif');
    const ds = gdal.open(bad, 'w', 'GTiff', 32, 32, 1, gdal.GDT_Float32);
    ds.geoTransform = [-13630000, 10, 0, 4550000, 0, -10];
    ds.bands.get(1).pixels.write(0, 0, 32, 32, new Float32Array(32 * 32).fill(42));
    ds.close();
    const r = cli(['terrain', bad, '-o', o]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/nocrs\.tif: the raster has no CRS/);
    expect(fs.existsSync(o)).toBe(false);
  });
});
