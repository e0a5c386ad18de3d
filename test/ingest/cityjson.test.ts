import fs from 'node:fs';
import path from 'node:path';
import { parse } from '@loaders.gl/core';
import { Tiles3DLoader } from '@loaders.gl/3d-tiles';
import gdal from 'gdal-async';
import { beforeAll, describe, expect, it } from 'vitest';
import { NULL_LOGGER } from '../../src/core/logger.js';
import { Summary } from '../../src/core/summary.js';
import { SURFACE_TYPES, type FeatureBatch } from '../../src/core/types.js';
import { ingest } from '../../src/ingest/index.js';
import { ringArea } from '../../src/ingest/repair.js';
import { buildMeshes } from '../../src/procedural/index.js';
import { BufferedWriter } from '../../src/store/format.js';
import { appendRecord, decodeRecord } from '../../src/store/records.js';
import { cli } from '../helpers/cli.js';
import { freshDir, SHARED } from '../helpers/fixtures.js';
import { expectValidGlb, readGlb } from '../helpers/glb.js';
import { meshMetrics } from '../helpers/metrics.js';

/** A CityJSON object, as the test copies it. */
interface CjCopy {
  geometry?: { boundaries: unknown }[];
  children?: string[];
  parents?: string[];
}

const IN = path.join(import.meta.dirname, '..', 'fixtures', 'cityjson', 'in');
const TWO = path.join(IN, 'two-buildings.city.json');
const DEFECTS = path.join(IN, 'defects.city.jsonl');

const run = async (inputs: string[], opts = {}) => {
  const summary = new Summary();
  const batch = await ingest(inputs, opts, NULL_LOGGER, summary);
  return { batch, summary };
};
const footprintArea = (b: FeatureBatch, f: number) => {
  let a = 0;
  for (let r = b.polygonOffsets[b.featureOffsets[f]]; r < b.polygonOffsets[b.featureOffsets[f + 1]]; r++) a += ringArea(b.positions, b.ringOffsets[r], b.ringOffsets[r + 1]);
  return a;
};
const code = (name: string) => SURFACE_TYPES.indexOf(name as (typeof SURFACE_TYPES)[number]);

/** Top-level objects of a type (or, with `any`, all of it) in a CityJSON or CityJSONSeq file, counted with plain JSON (not cityforge's reader). */
function countTopLevel(file: string, type = 'Building', any = false): { count: number; ids: string[] } {
  const text = fs.readFileSync(file, 'utf8');
  const models = file.endsWith('.jsonl') ? text.split('\n').filter((l) => l.trim()).slice(1).map((l) => JSON.parse(l)) : [JSON.parse(text)];
  const ids: string[] = [];
  for (const m of models)
    for (const [id, o] of Object.entries(m.CityObjects as Record<string, { type: string; parents?: string[] }>)) if (o.type === type && (any || !(o.parents ?? []).length)) ids.push(id);
  return { count: ids.length, ids };
}

let dir: string;
beforeAll(() => {
  dir = freshDir('cityjson');
});

describe('plain-under-a-hillside: a city model on a slope, built without --terrain', () => {
  it('is warned of (the buildings\' lowest points 11 m apart; the viewer\'s ground is one plain), naming --terrain, by build and tiles; on level ground, nothing is said', () => {
    const dir = freshDir('cityjson-hillside');
    const doc = JSON.parse(fs.readFileSync(TWO, 'utf8'));
    // B2 stands 10 m higher (its own vertices raised; scale 0.01)
    const own = new Set<number>();
    const walk = (b: unknown): void => (typeof b === 'number' ? void own.add(b) : (b as unknown[]).forEach(walk));
    for (const g of doc.CityObjects.B2.geometry) walk(g.boundaries);
    const used = new Set<number>();
    for (const [id, o] of Object.entries(doc.CityObjects) as [string, { geometry?: { boundaries: unknown }[] }][]) if (id !== 'B2') for (const g of o.geometry ?? []) { const w = (b: unknown): void => (typeof b === 'number' ? void used.add(b) : (b as unknown[]).forEach(w)); w(g.boundaries); }
    expect([...own].filter((v) => used.has(v))).toEqual([]);
    for (const v of own) doc.vertices[v][2] += 1000;
    const slope = path.join(dir, 'slope.city.json');
    fs.writeFileSync(slope, JSON.stringify(doc));
    // (tiles-said-nothing-of-the-hillside: `tiles` warns alike, from its store's rows)
    for (const [cmd, ext] of [['build', '.glb'], ['tiles', '-tiles']]) {
      const r = cli([cmd, slope, '-o', path.join(dir, `slope${ext}`)]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/warn: the city model's buildings stand on ground 11\.0 m apart in height .*--terrain <DTM> gives them their ground/);
      expect(r.stderr).toMatch(/ground:buildings-on-a-slope 1/);
      const level = cli([cmd, TWO, '-o', path.join(dir, `level${ext}`)]);
      expect(level.code, level.stderr).toBe(0);
      expect(level.stderr).not.toMatch(/on-a-slope|apart in height/);
    }
  });
});

describe('CityJSON in', () => {
  it('cityjson-was-not-recognized: a CityJSON file is read as buildings with their own surfaces, a part as a part of its building', async () => {
    const { batch, summary } = await run([TWO]);
    expect(batch.params.map((p) => p.id)).toEqual(['B1', 'B1-0', 'B2']);
    expect(summary.skippedTotal).toBe(0);
    const [outline, b1, b2] = batch.surfaces!;
    // B1 is drawn as its part (S3DB): the part carries its feature id, the outline no surfaces of its own
    expect(outline!.surfaceOffsets.length - 1).toBe(0);
    expect(batch.params[0]).toMatchObject({ role: 'building', drawAs: -1 });
    expect(batch.params[1]).toMatchObject({ role: 'part', partOf: 'B1', drawAs: 0 });
    // B1-0: its solid (ground, roof, 4 walls); B2: its own (ground and roof with a courtyard, 8 walls)
    expect(Array.from(b1!.types)).toEqual([code('GroundSurface'), code('RoofSurface'), ...Array(4).fill(code('WallSurface'))]);
    expect(b2!.surfaceOffsets.length - 1).toBe(10);
    expect(b2!.ringOffsets.length - 1).toBe(12);
    // the transform applied, the heights kept: B1 stands at 1 m and is 6 m tall, B2 at 2 m and 9 m tall
    expect(batch.params[0]).toMatchObject({ base: 1, height: 6, minHeight: 0, lod: '2.2' });
    expect(batch.params[1]).toMatchObject({ base: 1, height: 6, minHeight: 0, lod: '2.2' });
    expect(batch.params[2]).toMatchObject({ base: 2, height: 9, minHeight: 0, lod: '2' });
    // footprints from the ground surfaces (the courtyard a hole), in metres: RD New's scale is within 1e-4 of 1
    expect(footprintArea(batch, 0)).toBeCloseTo(100, 1);
    expect(footprintArea(batch, 1)).toBeCloseTo(100, 1);
    expect(footprintArea(batch, 2)).toBeCloseTo(800, 0);
    // attributes: each object's own, nested values as JSON text
    // (its name is the building's name column, not a source attribute beside it: columns-doubled-on-the-round-trip)
    expect(batch.params[0].attributes).toEqual({ yearOfConstruction: 1990, address: '{"street":"Fixture 1"}' });
    expect(batch.params[1].attributes).toEqual({ roofType: 'flat' });
    expect(batch.params[0].name).toBe('Box');
    // the compound CRS recorded as declared (its horizontal part transformed with)
    expect(batch.frame.sourceCrs).toEqual(['EPSG:7415']);
  });

  it('kept surfaces become closed, outward-wound shells (holes included), one feature id per building', async () => {
    const { batch } = await run([TWO]);
    const mesh = buildMeshes(batch, {}, new Summary());
    const shell = (b: number) => meshMetrics(mesh, mesh.triangleOffsets[b], mesh.triangleOffsets[b + 1]);
    const [m1, m2] = [shell(1), shell(2)];
    expect(shell(0).triangles).toBe(0);
    expect(m1).toMatchObject({ triangles: 12, watertight: true });
    expect(m1.volume).toBeCloseTo(600, 0);
    expect(m2.watertight).toBe(true);
    expect(m2.volume).toBeCloseTo(800 * 9, -1);
    expect(m1.bounds[2]).toBeCloseTo(1, 5);
    expect(m1.bounds[5]).toBeCloseTo(7, 5);
    // roofs take the roof's material, the rest the walls'
    const roofMaterial = mesh.materials.findIndex((m) => m.name.startsWith('roof'));
    const up = [...Array(mesh.normals.length / 3).keys()].filter((v) => mesh.normals[3 * v + 2] > 0.99);
    expect(up.length).toBeGreaterThan(0);
    for (const v of up) expect(mesh.materialIds[v]).toBe(roofMaterial);
  });

  it('installation-dropped-in-silence, solid-wound-inward, unknown-version-read-in-silence, broken-lod-lost-the-building: a chimney (BuildingInstallation) is drawn with its building, a solid facing inward is turned, an unknown version is said, a broken LoD gives way to the next', async () => {
    const vertices: number[][] = [];
    // a box as a Solid's shell, faces outward (or, `inward`, every ring reversed)
    const box = (x0: number, y0: number, z0: number, x1: number, y1: number, z1: number, inward = false) => {
      const v = vertices.length;
      for (const z of [z0, z1]) vertices.push([x0, y0, z], [x1, y0, z], [x1, y1, z], [x0, y1, z]);
      const faces = [[0, 3, 2, 1], [4, 5, 6, 7], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]].map((f) => [(inward ? [...f].reverse() : f).map((i) => v + i)]);
      return { type: 'Solid', lod: '2.2', boundaries: [faces], semantics: { surfaces: [{ type: 'GroundSurface' }, { type: 'RoofSurface' }, { type: 'WallSurface' }], values: [[0, 1, 2, 2, 2, 2]] } };
    };
    const doc = (version: string) => {
      vertices.length = 0;
      return {
        type: 'CityJSON', version, transform: { scale: [0.001, 0.001, 0.001], translate: [85000, 447000, 0] },
        metadata: { referenceSystem: 'https://www.opengis.net/def/crs/EPSG/0/28992' },
        CityObjects: {
          B: { type: 'Building', geometry: [box(0, 0, 0, 10, 10, 6)], children: ['B-chimney'] },
          'B-chimney': { type: 'BuildingInstallation', parents: ['B'], geometry: [box(2, 2, 6, 3, 3, 8)] },
          C: { type: 'Building', geometry: [box(20, 0, 0, 30, 10, 6, true)] },
          // broken-lod-lost-the-building: its LoD 2.2 names a vertex that is not there, its LoD 1.2 is whole
          D: { type: 'Building', geometry: [{ ...box(40, 0, 0, 50, 10, 9), boundaries: [[[[0, 1, 999999]]]] }, { ...box(40, 0, 0, 50, 10, 6), lod: '1.2' }] },
          E: { type: 'Building', geometry: [box(60, 0, 0, 70, 10, 6)], children: ['E-broken'] },
          'E-broken': { type: 'BuildingInstallation', parents: ['E'], geometry: [{ ...box(62, 2, 6, 63, 3, 8), boundaries: [[[[0, 1, 999999]]]] }] },
        },
        vertices: vertices.map((p) => p.map((c) => c * 1000)),
      };
    };
    const file = path.join(dir, 'installation.city.json');
    fs.writeFileSync(file, JSON.stringify(doc('2.0')));
    const { batch, summary } = await run([file]);
    expect(batch.params.map((p) => p.id)).toEqual(['B', 'C', 'D', 'E']);
    expect(summary.warnings.get('cityjson:geometry-fallback')).toBe(1);
    expect(summary.examples.get('warn:cityjson:geometry-fallback')![0]).toMatch(/D: its Solid at LoD 2\.2 cannot be read \(vertex index 999999 is out of range .*\): its Solid at LoD 1\.2 is drawn/);
    expect(batch.params[2]).toMatchObject({ lod: '1.2' });
    expect(batch.params[2].height).toBeCloseTo(6, 5);
    // a broken installation is left out, not its building
    expect(summary.warnings.get('cityjson:installation-unreadable')).toBe(1);
    expect(summary.skippedTotal).toBe(0);
    // (the chimney was lost, nothing counted or named)
    expect(summary.warnings.get('cityjson:installation-drawn-with-its-building')).toBe(1);
    expect(summary.warnings.get('cityjson:solid-turned-outward')).toBe(1);
    expect(summary.warnings.get('cityjson:unknown-version')).toBeUndefined();
    const mesh = buildMeshes(batch, {}, new Summary());
    const [b, c] = [0, 1].map((k) => meshMetrics(mesh, mesh.triangleOffsets[k], mesh.triangleOffsets[k + 1]));
    expect(b.bounds[5]).toBeCloseTo(8, 5);
    expect(b.volume).toBeCloseTo(600 + 2, 0);
    // (it drew inside out: its volume -600)
    expect(c.watertight).toBe(true);
    expect(c.volume).toBeCloseTo(600, 0);
    // its footprint stays its own ground, not the chimney's
    expect(footprintArea(batch, 0)).toBeCloseTo(100, 1);
    fs.writeFileSync(file, JSON.stringify(doc('3.7')));
    expect((await run([file])).summary.warnings.get('cityjson:unknown-version')).toBe(1);
  });

  it('a CityJSON model builds a validator-clean GLB whose table names every building', async () => {
    const out = path.join(dir, 'two.glb');
    const r = cli(['build', TWO, '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const bytes = new Uint8Array(fs.readFileSync(out));
    await expectValidGlb(bytes);
    const back = await readGlb(bytes);
    expect(back.table['id']).toEqual(['B1', 'B1-0', 'B2']);
    expect(back.table['part_of']).toEqual(['', 'B1', '']);
    // the part is drawn under its building's feature id
    expect([...back.featureIds].sort()).toEqual([0, 2]);
  });

  it('part-lost-its-building: a sliver part (0.2 m², as in Vienna) stays under its building, whole and streamed', async () => {
    // B1 gets a second part: a copy of B1-0 squashed to a strip 4 m × 5 cm (0.2 m², under the 0.5 m² a footprint needs) along its south wall, outside it
    const json = JSON.parse(fs.readFileSync(TWO, 'utf8'));
    const V: number[][] = json.vertices;
    const used = new Set<number>(JSON.stringify(json.CityObjects['B1-0'].geometry[0].boundaries).match(/\d+/g)!.map(Number));
    const ys = [...used].map((i) => V[i][1]);
    const y0 = Math.min(...ys), y1 = Math.max(...ys);
    const remap = new Map<number, number>();
    for (const i of used) {
      remap.set(i, V.length);
      V.push([Math.round(V[i][0] * 0.4), Math.round(y0 - 5 + ((V[i][1] - y0) / (y1 - y0)) * 5), V[i][2]]);
    }
    const sliver = JSON.parse(JSON.stringify(json.CityObjects['B1-0']), (k, v) => (typeof v === 'number' && k !== 'lod' && remap.has(v) ? remap.get(v) : v));
    json.CityObjects['B1-1'] = { ...sliver, parents: ['B1'] };
    json.CityObjects.B1.children = ['B1-0', 'B1-1'];
    const file = path.join(dir, 'sliver-part.city.json');
    fs.writeFileSync(file, JSON.stringify(json));
    for (const opts of [{}, { streamAboveBytes: 0 }]) {
      const { batch, summary } = await run([file], opts);
      const byId = Object.fromEntries(batch.params.map((p) => [p.id, p]));
      expect(Object.keys(byId).sort()).toEqual(['B1', 'B1-0', 'B1-1', 'B2']);
      expect(byId['B1-1'].partOf).toBe('B1');
      expect(byId['B1-1'].drawAs).toBe(byId['B1-0'].drawAs);
      expect(summary.warnings.get('ring:degenerate-polygon-dropped') ?? 0).toBe(0);
    }
  });

  it('a CityJSON document too large to parse whole is streamed: the same buildings, parts arriving before their building or not at all', async () => {
    const whole = await run([TWO]);
    const streamed = await run([TWO], { streamAboveBytes: 0 });
    expect(streamed.batch.params).toEqual(whole.batch.params);
    expect(streamed.batch.surfaces).toEqual(whole.batch.surfaces);
    // objects in another order (the part first, metadata and transform after the vertices), and an orphan part
    const json = JSON.parse(fs.readFileSync(TWO, 'utf8'));
    const { type, version, CityObjects: o, vertices, transform, metadata } = json;
    const shuffled = { type, version, CityObjects: { 'B1-0': o['B1-0'], B2: o.B2, T1: o.T1, B1: o.B1, orphan: { type: 'BuildingPart', parents: ['gone'], geometry: o['B1-0'].geometry } }, vertices, transform, metadata };
    const file = path.join(dir, 'shuffled.city.json');
    fs.writeFileSync(file, JSON.stringify(shuffled, null, 1));
    const s = await run([file], { streamAboveBytes: 0 });
    expect(s.batch.params.map((p) => p.id).sort()).toEqual(['B1', 'B1-0', 'B2']);
    expect(s.batch.params.find((p) => p.id === 'B1')).toMatchObject({ base: 1, height: 6 });
    // a damaged document stops the streamed read too, naming the file
    const cut = path.join(dir, 'cut.city.json');
    fs.writeFileSync(cut, fs.readFileSync(TWO, 'utf8').slice(0, 900));
    await expect(run([cut], { streamAboveBytes: 0 })).rejects.toThrow(/cut\.city\.json: not valid JSON/);
  });

  it('CityJSON 1.0 with numeric LoDs, CompositeSurface, MultiSolid and CompositeSolid geometries read as the same surfaces', async () => {
    const whole = await run([TWO]);
    const json = JSON.parse(fs.readFileSync(TWO, 'utf8'));
    json.version = '1.0';
    json.metadata = { referenceSystem: 'urn:ogc:def:crs:EPSG::7415' };
    const part = json.CityObjects['B1-0'].geometry[0];
    // the part's one shell as a CompositeSurface (values per surface), B2's solid as a MultiSolid of one solid
    json.CityObjects['B1-0'].geometry[0] = { type: 'CompositeSurface', lod: 2, boundaries: part.boundaries[0], semantics: { surfaces: part.semantics.surfaces, values: part.semantics.values[0] } };
    const b2 = json.CityObjects.B2.geometry[0];
    json.CityObjects.B2.geometry[0] = { type: 'MultiSolid', lod: 2, boundaries: [b2.boundaries], semantics: { surfaces: b2.semantics.surfaces, values: [b2.semantics.values] } };
    const v10 = path.join(dir, 'v10.city.json');
    fs.writeFileSync(v10, JSON.stringify(json));
    const a = await run([v10]);
    expect(a.batch.surfaces).toEqual(whole.batch.surfaces);
    json.CityObjects.B2.geometry[0].type = 'CompositeSolid';
    fs.writeFileSync(v10, JSON.stringify(json));
    expect((await run([v10])).batch.surfaces).toEqual(whole.batch.surfaces);
  });

  it('--types reads other city-object types; one with no surfaces to read is skipped and named', async () => {
    const { batch, summary } = await run([TWO], { cityObjectTypes: ['Building', 'SolitaryVegetationObject'] });
    expect(batch.params.map((p) => p.id)).toEqual(['B1', 'B1-0', 'B2']);
    expect(summary.skipped.get('cityjson:unsupported-geometry')).toBe(1);
  });

  it('--lod and --types that match nothing say what the file has; a malformed --lod is a usage error', () => {
    let r = cli(['build', TWO, '--lod', 'abc', '-o', path.join(dir, 'lod.glb')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--lod must be a CityJSON level of detail/);
    r = cli(['build', TWO, '--lod', '3', '-o', path.join(dir, 'lod.glb')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/two-buildings\.city\.json: no surfaces at LoD 3 \(its levels of detail: 0, 2, 2\.2\)/);
    r = cli(['build', TWO, '--types', 'building', '-o', path.join(dir, 'types.glb')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no city object of type building \(it has Building 2, BuildingPart 1, SolitaryVegetationObject 1\)/);
    r = cli(['build', TWO, '--types', 'BuildingPart', '-o', path.join(dir, 'types.glb')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/BuildingPart objects are read with the object they are part of: --types Building/);
    r = cli(['build', TWO, '--types', 'Building', 'Foo', '-o', path.join(dir, 'types.glb')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/no city object of type Foo/);
    r = cli(['view', TWO]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/build it first: cityforge build .*two-buildings\.city\.json -o .*two-buildings\.glb/);
  });

  it('a .json file that is CityJSON is read as CityJSON, not by OGR', async () => {
    const plain = path.join(dir, 'plain.json');
    fs.copyFileSync(TWO, plain);
    const { batch } = await run([plain]);
    expect(batch.params.length).toBe(3);
    expect(batch.surfaces?.every((s) => s !== null)).toBe(true);
  });

  it('--lod picks a level: LoD 0 builds the footprint like any other, objects without that level are skipped and named', async () => {
    const { batch, summary } = await run([TWO], { lod: '0' });
    expect(batch.params.map((p) => p.id)).toEqual(['B1']);
    expect(batch.surfaces).toBeUndefined();
    expect(batch.params[0].base).toBeUndefined();
    expect(summary.skipped.get('cityjson:no-geometry')).toBe(1);
  });

  it('cityjson-defects: broken features are skipped, counted and named by line and id; the good one is kept', async () => {
    const { batch, summary } = await run([DEFECTS]);
    expect(batch.params.map((p) => p.id)).toEqual(['good']);
    expect(Object.fromEntries(summary.skipped)).toEqual({
      'cityjson:invalid-json': 1,
      'cityjson:index-out-of-range': 1,
      'cityjson:unsupported-geometry': 1,
      'cityjson:bad-vertices': 1,
      'cityjson:no-geometry': 1,
    });
    const r = cli(['build', DEFECTS, '-o', path.join(dir, 'defects.glb'), '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/defects\.city\.jsonl line 3: not valid JSON/);
    expect(r.stderr).toMatch(/defects\.city\.jsonl line 4 feature bad-index: vertex index 99 is out of range/);
    expect(r.stderr).toMatch(/line 5 feature instance: its geometry \(GeometryInstance\) is not read/);
  });

  it('a city model without a CRS stops with exit 3 and a message naming --s-srs; with --s-srs it is read', () => {
    const json = JSON.parse(fs.readFileSync(TWO, 'utf8'));
    delete json.metadata.referenceSystem;
    const file = path.join(dir, 'no-crs.city.json');
    fs.writeFileSync(file, JSON.stringify(json));
    const out = path.join(dir, 'no-crs.glb');
    const r = cli(['build', file, '-o', out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no-crs\.city\.json: the city model declares no CRS \(metadata\.referenceSystem\); name the CRS its coordinates are in with --s-srs/);
    expect(r.stderr).not.toMatch(/ at .*\.js:\d+/);
    expect(fs.existsSync(out)).toBe(false);
    expect(cli(['build', file, '--s-srs', 'EPSG:28992', '-o', out, '-q']).code).toBe(0);
  });

  it('a file that is not valid JSON, or a Seq whose first line is not a CityJSON header, stops with exit 3 naming it', () => {
    const broken = path.join(dir, 'broken.city.json');
    fs.writeFileSync(broken, '{"type":"CityJSON","version":"2.0","CityObjects":{');
    let r = cli(['build', broken, '-o', path.join(dir, 'broken.glb')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/broken\.city\.json: not valid JSON/);
    const seq = path.join(dir, 'headless.city.jsonl');
    fs.writeFileSync(seq, fs.readFileSync(DEFECTS, 'utf8').split('\n').slice(1).join('\n'));
    r = cli(['build', seq, '-o', path.join(dir, 'headless.glb')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/headless\.city\.jsonl: its first line is not a CityJSON object/);
  });

  it('seq-cut-short-built-with-exit-0: a CityJSONSeq cut inside its last line (no end of line) stops with exit 3 naming the line; a broken line inside the file is still skipped', () => {
    const lines = fs.readFileSync(DEFECTS, 'utf8').split('\n').filter((l) => l.trim());
    const cut = path.join(dir, 'cut.city.jsonl');
    const last = lines[lines.length - 1];
    fs.writeFileSync(cut, [...lines.slice(0, -1), last.slice(0, last.length >> 1)].join('\n'));
    const out = path.join(dir, 'cut.glb');
    const r = cli(['build', cut, '-o', out]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`cut\\.city\\.jsonl line ${lines.length}: cut short`));
    expect(r.stderr).not.toMatch(/ at .*\.js:\d+/);
    expect(fs.existsSync(out)).toBe(false);
    // the same file whole, without its last end of line, is read as before
    const whole = path.join(dir, 'whole.city.jsonl');
    fs.writeFileSync(whole, lines.join('\n'));
    expect(cli(['build', whole, '-o', path.join(dir, 'whole.glb'), '-q']).code).toBe(0);
  });

  it('lod0-built-1-cm-tall: a footprint read alone (LoD0) takes its measuredHeight, else none (the default height, counted missing)', async () => {
    const json = JSON.parse(fs.readFileSync(TWO, 'utf8'));
    json.CityObjects = { B1: { ...json.CityObjects['B1'], children: undefined } };
    delete json.CityObjects.B1.children;
    const file = path.join(dir, 'lod0.city.json');
    fs.writeFileSync(file, JSON.stringify(json));
    let r = await run([file], { lod: '0', defaultHeight: 7 });
    expect(r.batch.params.map((p) => p.height)).toEqual([7]);
    expect(r.summary.warnings.get('height:missing')).toBe(1);
    json.CityObjects.B1.attributes.measuredHeight = 12.5;
    fs.writeFileSync(file, JSON.stringify(json));
    r = await run([file], { lod: '0' });
    expect(r.batch.params.map((p) => p.height)).toEqual([12.5]);
  });

  it('--heights-from a city model gives footprints the height of the building their --join-on attribute names; misses are counted and named', async () => {
    const fp = path.join(dir, 'footprints.geojson');
    const sq = (x: number, y: number) => [[[x, y], [x + 10, y], [x + 10, y + 10], [x, y + 10], [x, y]]];
    fs.writeFileSync(fp, JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } },
      features: [
        { type: 'Feature', properties: { lokaalid: 'B1', height: 30 }, geometry: { type: 'Polygon', coordinates: sq(85000, 447000) } },
        { type: 'Feature', properties: { lokaalid: 'B2', 'building:levels': 7 }, geometry: { type: 'Polygon', coordinates: sq(85020, 447000) } },
        { type: 'Feature', properties: { lokaalid: 'nowhere' }, geometry: { type: 'Polygon', coordinates: sq(85040, 447000) } },
      ],
    }));
    const { batch, summary } = await run([fp], { heightsFrom: TWO, joinOn: 'lokaalid', defaultHeight: 4 });
    // the model's heights replace the footprints' own (height, levels); a footprint without a match keeps its own
    expect(batch.params.map((p) => p.height)).toEqual([6, 9, 4]);
    expect(batch.params[1].levels).toBeNull();
    expect(summary.warnings.get('heights-from:no-match')).toBe(1);
    const r = cli(['build', fp, '--heights-from', TWO, '--join-on', 'lokaalid', '-o', path.join(dir, 'joined.glb'), '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/lokaalid=nowhere is not in .*two-buildings\.city\.json/);
    expect(r.stderr).toMatch(/2 of 3 footprints matched on lokaalid/);
    const usage = cli(['build', fp, '--heights-from', TWO, '-o', path.join(dir, 'nojoin.glb')]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--heights-from needs --join-on/);
    expect(cli(['build', fp, '--join-on', 'lokaalid', '-o', path.join(dir, 'nomodel.glb')]).code).toBe(2);
    // a join that matches nothing is a wrong join, not a city of default heights: exit 3, naming what there is
    const none = cli(['build', fp, '--heights-from', TWO, '--join-on', 'gid', '-o', path.join(dir, 'none.glb')]);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/--join-on gid: none of the 3 footprints names a building of .*\(its keys look like B1, .*\); the footprints' attributes are: .*lokaalid/);
    expect(fs.existsSync(path.join(dir, 'none.glb'))).toBe(false);
  });

  it('kept-blocks-floated-on-the-dem: a city model tiled over a DEM keeps its own heights at every level, its coarse blocks included', async () => {
    // the fixture twice, 3 km apart (the root tile merges its buildings into blocks), over a DEM at −100 m
    const json = JSON.parse(fs.readFileSync(TWO, 'utf8'));
    const n = json.vertices.length;
    json.vertices = [...json.vertices, ...json.vertices.map(([x, y, z]: number[]) => [x + 300000, y, z])];
    const shift = (b: unknown): unknown => (Array.isArray(b) ? b.map(shift) : (b as number) + n);
    for (const [id, o] of Object.entries(json.CityObjects as Record<string, CjCopy>)) {
      const copy: CjCopy = JSON.parse(JSON.stringify(o));
      for (const g of copy.geometry ?? []) g.boundaries = shift(g.boundaries);
      if (copy.children) copy.children = copy.children.map((c) => `${c}-far`);
      if (copy.parents) copy.parents = copy.parents.map((c) => `${c}-far`);
      json.CityObjects[`${id}-far`] = copy;
    }
    const model = path.join(dir, 'far.city.json');
    fs.writeFileSync(model, JSON.stringify(json));
    const dem = path.join(dir, 'dem-minus-100.tif');
    const ds = gdal.open(dem, 'w', 'GTiff', 80, 10, 1, gdal.GDT_Float32);
    ds.srs = gdal.SpatialReference.fromEPSG(28992);
    ds.geoTransform = [84900, 50, 0, 447300, 0, -50];
    ds.bands.get(1).pixels.write(0, 0, 80, 10, new Float32Array(800).fill(-100));
    ds.close();
    const out = path.join(dir, 'far-tiles');
    const r = cli(['tiles', model, '--terrain', dem, '-o', out, '--max-buildings', '2', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const tileset = JSON.parse(fs.readFileSync(path.join(out, 'tileset.json'), 'utf8'));
    // every tile's buildings reach z 7 or 11 (their model's tops), never moved onto the DEM's −100 m (the terrain lies below them)
    const tops: number[] = [];
    const visit = async (t: { content?: { uri: string }; children?: unknown[] }) => {
      if (t.content) {
        const back = await readGlb(new Uint8Array(fs.readFileSync(path.join(out, t.content.uri))));
        if (back.featureIds.size) tops.push(back.bounds[4]);
      }
      for (const c of (t.children ?? []) as (typeof t)[]) await visit(c);
    };
    await visit(tileset.root);
    expect(tops.length).toBeGreaterThan(2);
    for (const top of tops) expect(top > 6.9 && top < 11.1, `a tile's top at ${top}`).toBe(true);
  });

  it('kept-surfaces-survive-the-store: a spill record carries the surfaces and reads them back bit for bit', async () => {
    const { batch } = await run([TWO]);
    const file = path.join(dir, 'records.bin');
    const w = new BufferedWriter(file, 'features');
    const polygons = { coords: batch.positions.slice(0, 2 * batch.ringOffsets[batch.polygonOffsets[batch.featureOffsets[1]]]), ringOffsets: [0, 4], polygonOffsets: [0, 1] };
    const [offset, length] = appendRecord(w, polygons, batch.params[0], batch.surfaces![0]);
    const [offset2, length2] = appendRecord(w, polygons, batch.params[0]);
    w.close();
    const b = fs.readFileSync(file);
    const r = decodeRecord(b.subarray(offset, offset + length));
    expect(r.params).toEqual(batch.params[0]);
    expect(r.surfaces).toEqual(batch.surfaces![0]);
    expect(decodeRecord(b.subarray(offset2, offset2 + length2)).surfaces).toBeNull();
  });
});

describe('CityJSON in: real 3DBAG (Delft) and Vienna models', () => {
  const delft = path.join(SHARED, 'inverse-delft-3dbag', 'source.city.jsonl');
  const vienna = path.join(SHARED, 'inverse-vienna', 'source.city.jsonl');
  const have = fs.existsSync(delft) && fs.existsSync(vienna);
  if (!have) it.skip(`needs ${delft} and ${vienna} (the shared data): absent here`, () => {});

  it.runIf(have)('every building of the 3DBAG tile is written, validator-clean, with its id, LoD 2.2 over 1.2', async () => {
    const truth = countTopLevel(delft);
    const out = path.join(dir, 'delft.glb');
    const r = cli(['build', delft, '-o', out, '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const parts = countTopLevel(delft, 'BuildingPart', true);
    const summary = JSON.parse(r.stdout);
    expect(summary.buildingsWritten - summary.partsWritten).toBe(truth.count);
    expect(summary.partsWritten).toBe(parts.count);
    const bytes = new Uint8Array(fs.readFileSync(out));
    await expectValidGlb(bytes);
    const back = await readGlb(bytes);
    expect(new Set(back.table['id'])).toEqual(new Set([...truth.ids, ...parts.ids]));
    const coarse = cli(['build', delft, '--lod', '1.2', '-o', path.join(dir, 'delft-12.glb'), '--json', '-q']);
    expect(JSON.parse(coarse.stdout).triangles).toBeLessThan(JSON.parse(r.stdout).triangles);
  });

  it.runIf(have)('Vienna (no CRS declared: --s-srs EPSG:31256) builds and tiles; the tileset reads back with every building', async () => {
    const truth = countTopLevel(vienna);
    expect(cli(['build', vienna, '-o', path.join(dir, 'v.glb'), '-q']).code).toBe(3);
    const out = path.join(dir, 'vienna-tiles');
    const r = cli(['tiles', vienna, '--s-srs', 'EPSG:31256', '-o', out, '--max-buildings', '60', '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const parts = countTopLevel(vienna, 'BuildingPart', true);
    // every object is written, a 2 m × 0.1 m part included (its footprint is tiny, its surfaces are not)
    const summary = JSON.parse(r.stdout);
    expect(summary.buildingsWritten).toBe(truth.count + parts.count);
    expect(summary.skippedTotal).toBe(0);
    // parts-counted-as-buildings: tileset.json counts the buildings and, apart, their parts
    const about = JSON.parse(fs.readFileSync(path.join(out, 'tileset.json'), 'utf8')).asset.extras.cityforge;
    expect([about.buildings, about.parts]).toEqual([truth.count, parts.count]);
    const tileset = await parse(fs.readFileSync(path.join(out, 'tileset.json')), Tiles3DLoader, { '3d-tiles': { isTileset: true } } as never);
    const ids = new Set<string>();
    const visit = async (t: { content?: { uri: string }; children?: unknown[] }) => {
      if (t.content && !(t.children ?? []).length) {
        const bytes = new Uint8Array(fs.readFileSync(path.join(out, t.content.uri)));
        await expectValidGlb(bytes);
        for (const id of (await readGlb(bytes)).table['id']) ids.add(String(id));
      }
      for (const c of (t.children ?? []) as (typeof t)[]) await visit(c);
    };
    await visit((tileset as unknown as { root: Parameters<typeof visit>[0] }).root);
    // every building and part written is in a leaf: the parts carry their own rows (their building's feature id)
    expect(ids.size).toBe(summary.buildingsWritten);
    for (const id of truth.ids) expect(ids.has(id)).toBe(true);
    for (const id of ids) expect(truth.ids.includes(id) || parts.ids.includes(id)).toBe(true);
  });
});
