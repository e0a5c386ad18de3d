import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { DATA, freshDir, SHARED, sfTileGeoJSON, translate } from '../helpers/fixtures.js';
import { buildingTops, expectValidGlb, readGlb } from '../helpers/glb.js';
import { writeRdFootprints } from '../helpers/vector.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'cityjson');
const TWO = path.join(FIXTURES, 'in', 'two-buildings.city.json');

/** The official CityJSON 2.0 schemas (test/fixtures/cityjson/schemas, CC0), compiled once. */
let validateDocument: ValidateFunction;
let validateFeature: ValidateFunction;
let dir: string;

beforeAll(() => {
  dir = freshDir('cityjson-out');
  const ajv = new Ajv({ strict: false, allErrors: false });
  addFormats(ajv);
  const schema = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, 'schemas', name), 'utf8'));
  validateDocument = ajv.compile(schema('cityjson.min.schema.json'));
  validateFeature = ajv.compile(schema('cityjsonfeature.min.schema.json'));
});

interface CjGeometry {
  type: string;
  lod: string;
  boundaries: unknown;
  semantics?: { surfaces: { type: string }[]; values: unknown };
}
interface CjObject {
  type: string;
  attributes?: Record<string, unknown>;
  geometry?: CjGeometry[];
  children?: string[];
  parents?: string[];
}
interface CjModel {
  transform: { scale: number[]; translate: number[] };
  metadata: { referenceSystem?: string };
  CityObjects: Record<string, CjObject>;
  vertices: number[][];
}

/** A written file as models: the document, or each CityJSONSeq feature with the header's transform; every one schema-valid. */
function readModels(file: string): CjModel[] {
  const text = fs.readFileSync(file, 'utf8');
  if (!file.endsWith('.jsonl')) {
    const doc = JSON.parse(text);
    expect(validateDocument(doc), JSON.stringify(validateDocument.errors?.slice(0, 3))).toBe(true);
    return [doc];
  }
  const [head, ...lines] = text.split('\n').filter((l) => l.trim());
  const header = JSON.parse(head);
  expect(validateDocument(header), JSON.stringify(validateDocument.errors?.slice(0, 3))).toBe(true);
  return lines.map((l) => {
    const f = JSON.parse(l);
    expect(validateFeature(f), JSON.stringify(validateFeature.errors?.slice(0, 3))).toBe(true);
    return { ...f, transform: header.transform, metadata: header.metadata };
  });
}

/** Each geometry's surfaces (rings of vertex indices) and semantic type names, whatever its type. */
function surfacesOf(g: CjGeometry): { rings: number[][]; type: string | null }[] {
  const names = g.semantics?.surfaces.map((s) => s.type) ?? [];
  if (g.type === 'Solid') {
    const shells = g.boundaries as number[][][][];
    const values = (g.semantics?.values as (number | null)[][]) ?? [];
    return shells.flatMap((shell, k) => shell.map((rings, i) => ({ rings, type: values[k]?.[i] != null ? names[values[k][i]!] : null })));
  }
  if (g.type !== 'MultiSurface' && g.type !== 'CompositeSurface') return [];
  const values = (g.semantics?.values as (number | null)[]) ?? [];
  return (g.boundaries as number[][][]).map((rings, i) => ({ rings, type: values[i] != null ? names[values[i]!] : null }));
}

/**
 * An independent reading of written CityJSON: vertex indices in range, rings of three or more distinct
 * vertices (unless `distinct` is off: for sources, which may pinch a ring), semantic values naming a declared surface, every Solid shell closed (each edge once in each
 * direction). Returns counts by object type and by semantic surface type, and the real coordinates.
 */
function inspect(models: CjModel[], { distinct = true } = {}) {
  const objects: Record<string, number> = {};
  const semantics: Record<string, number> = {};
  const points: number[][] = [];
  let openSolids = 0, closedSolids = 0, disconnectedSolids = 0;
  for (const m of models) {
    const { scale, translate } = m.transform;
    const nv = m.vertices.length;
    // (closure by position: a model may repeat a vertex under another index)
    const at = (i: number) => m.vertices[i]?.join(',') ?? `?${i}`;
    for (const v of m.vertices) points.push(v.map((c, k) => c * scale[k] + translate[k]));
    for (const o of Object.values(m.CityObjects)) {
      objects[o.type] = (objects[o.type] ?? 0) + 1;
      for (const c of o.children ?? []) expect(m.CityObjects[c]?.parents).toContain(Object.keys(m.CityObjects).find((k) => m.CityObjects[k] === o));
      for (const g of o.geometry ?? []) {
        const edges = new Map<string, number>();
        for (const s of surfacesOf(g)) {
          // (a surface of fewer than three distinct points has no area: not a surface, in or out)
          if (new Set(s.rings[0].map((i) => m.vertices[i].join(','))).size < 3) continue;
          if (s.type) semantics[s.type] = (semantics[s.type] ?? 0) + 1;
          for (const r of s.rings) {
            if (distinct) expect(new Set(r).size).toBe(r.length);
            expect(r.length).toBeGreaterThanOrEqual(3);
            for (const i of r) expect(Number.isInteger(i) && i >= 0 && i < nv).toBe(true);
            r.forEach((a, k) => {
              const key = `${at(a)}>${at(r[(k + 1) % r.length])}`;
              edges.set(key, (edges.get(key) ?? 0) + 1);
            });
          }
        }
        if (g.type !== 'Solid') continue;
        // one solid, one piece: its surfaces reach each other across shared edges (val3dity 305)
        const list = surfacesOf(g).map((x) => x.rings.flatMap((r) => r.map((v, k) => [at(v), at(r[(k + 1) % r.length])].sort().join('|'))));
        const reached = new Set([0]);
        for (let grew = true; grew; ) {
          grew = false;
          const edgesReached = new Set([...reached].flatMap((k) => list[k]));
          list.forEach((e, k) => {
            if (!reached.has(k) && e.some((x) => edgesReached.has(x))) reached.add(k), (grew = true);
          });
        }
        if (reached.size < list.length) disconnectedSolids++;
        let open = false;
        for (const [k, c] of edges) if (c !== 1 || edges.get(k.split('>').reverse().join('>')) !== 1) open = true;
        if (open) openSolids++;
        else closedSolids++;
      }
    }
  }
  return { objects, semantics, points, openSolids, closedSolids, disconnectedSolids };
}

/** The points of `b` farther than `tol` metres from every point of `a` (a grid of `tol` cells). */
function strays(a: number[][], b: number[][], tol = 0.0011): number[][] {
  const cell = (p: number[]) => p.map((c) => Math.floor(c / tol));
  const grid = new Map<string, number[][]>();
  for (const p of a) {
    const k = cell(p).join(',');
    grid.set(k, [...(grid.get(k) ?? []), p]);
  }
  return b.filter((p) => {
    const [i, j, k] = cell(p);
    for (let di = -1; di <= 1; di++)
      for (let dj = -1; dj <= 1; dj++)
        for (let dk = -1; dk <= 1; dk++) for (const q of grid.get(`${i + di},${j + dj},${k + dk}`) ?? []) if (Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) <= tol) return false;
    return true;
  });
}

describe('CityJSON out', () => {
  it('cityjson-out-missing: footprints become schema-valid CityJSON 2.0 with one planar face per wall and roof plane, and the parameters as attributes', () => {
    const src = path.join(dir, 'three.geojson');
    const ring = (x0: number, y0: number, x1: number, y1: number) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
    fs.writeFileSync(src, JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { ref: 'gable', building: 'house', height: 10, 'roof:shape': 'gabled', 'roof:height': 3 }, geometry: { type: 'Polygon', coordinates: [ring(7.42, 43.73, 7.4202, 43.7301)] } },
        { type: 'Feature', properties: { ref: 'hip', building: 'yes', height: 20, 'roof:shape': 'hipped', 'roof:height': 4 }, geometry: { type: 'Polygon', coordinates: [ring(7.4205, 43.73, 7.4208, 43.7302)] } },
        { type: 'Feature', properties: { ref: 'yard', building: 'yes', height: 12 }, geometry: { type: 'Polygon', coordinates: [ring(7.421, 43.73, 7.4214, 43.7303), ring(7.4211, 43.7301, 7.4213, 43.7302).reverse()] } },
        { type: 'Feature', properties: { ref: 'guess', building: 'yes' }, geometry: { type: 'Polygon', coordinates: [ring(7.4216, 43.73, 7.4218, 43.7301)] } },
        { type: 'Feature', properties: { ref: 'storeys', building: 'yes', 'building:levels': 4 }, geometry: { type: 'Polygon', coordinates: [ring(7.4220, 43.73, 7.4222, 43.7301)] } },
      ],
    }));
    const out = path.join(dir, 'three.city.json');
    const r = cli(['build', src, '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const [doc] = readModels(out);
    const check = inspect([doc]);
    expect(check.openSolids).toBe(0);
    // lon/lat in: written in the data's UTM zone (32N), in metres
    expect(doc.metadata.referenceSystem).toBe('https://www.opengis.net/def/crs/EPSG/0/32632');
    const byRef = Object.fromEntries(Object.values(doc.CityObjects).map((o) => [o.attributes!.ref, o]));
    const kinds = (o: CjObject) => surfacesOf(o.geometry![0]).map((s) => s.type).sort().join(' ');
    // a gabled box: ground, four walls (the gable ends pentagons), two roof planes; hipped: four roof planes
    expect(kinds(byRef.gable)).toBe('GroundSurface RoofSurface RoofSurface WallSurface WallSurface WallSurface WallSurface');
    expect(surfacesOf(byRef.gable.geometry![0]).map((s) => s.rings[0].length).sort()).toEqual([4, 4, 4, 4, 4, 5, 5]);
    expect(kinds(byRef.hip).split(' ').filter((k) => k === 'RoofSurface').length).toBe(4);
    // the courtyard: ground and roof each one polygon with a hole, eight walls
    const yard = surfacesOf(byRef.yard.geometry![0]);
    expect(yard.filter((s) => s.rings.length === 2).map((s) => s.type).sort()).toEqual(['GroundSurface', 'RoofSurface']);
    expect(yard.filter((s) => s.type === 'WallSurface').length).toBe(8);
    expect(byRef.gable.attributes).toMatchObject({ height: 10, 'roof:shape': 'gabled', 'roof:height': 3, measuredHeight: 10, building: 'house' });
    // default-height-written-as-measured: a height the data does not give is no measuredHeight, and says where it is from
    expect(byRef.gable.attributes).not.toHaveProperty('height_from');
    expect(byRef.guess.attributes).toMatchObject({ height: 10, height_from: 'default' });
    expect(byRef.guess.attributes).not.toHaveProperty('measuredHeight');
    expect(byRef.storeys.attributes).toMatchObject({ height: 12, 'building:levels': 4, height_from: 'levels' });
    expect(byRef.storeys.attributes).not.toHaveProperty('measuredHeight');
    expect(byRef.gable.geometry![0].lod).toBe('2.2');
    expect(byRef.yard.geometry![0].lod).toBe('1.2');
    // the schema does bite: a surface type it does not know is refused
    const broken = structuredClone(doc);
    Object.values(broken.CityObjects)[0].geometry![0].semantics!.surfaces[0].type = 'RoofThing';
    expect(validateDocument(broken)).toBe(false);
  });

  it('cityjson-round-trip: CityJSON → cityforge → CityJSON keeps the objects, the semantic surfaces and the coordinates (within the 1 mm transform)', () => {
    const out = path.join(dir, 'two.city.json');
    expect(cli(['build', TWO, '-o', out, '-q']).code).toBe(0);
    const source = JSON.parse(fs.readFileSync(TWO, 'utf8'));
    const a = inspect([source]);
    const [doc] = readModels(out);
    const b = inspect([doc]);
    // buildings, their parts and surfaces by type are kept
    expect(b.objects.Building).toBe(a.objects.Building);
    expect(b.objects.BuildingPart).toBe(a.objects.BuildingPart);
    expect(doc.CityObjects['B1-0']).toMatchObject({ type: 'BuildingPart', parents: ['B1'], attributes: { roofType: 'flat' } });
    expect(doc.CityObjects['B1-0'].geometry![0]).toMatchObject({ type: 'Solid', lod: '2.2' });
    expect(doc.CityObjects.B1.children).toEqual(['B1-0']);
    expect(b.semantics).toEqual(a.semantics);
    expect(b.openSolids).toBe(0);
    expect(doc.metadata.referenceSystem).toBe('https://www.opengis.net/def/crs/EPSG/0/7415');
    // every written vertex is a source vertex, within a millimetre
    expect(strays(a.points, b.points)).toEqual([]);
    expect(doc.CityObjects.B1.attributes).toMatchObject({ name: 'Box', yearOfConstruction: 1990, measuredHeight: 6 });
    // and it reads back in: the same buildings again
    const back = cli(['build', out, '-o', path.join(dir, 'two-again.glb'), '--json', '-q']);
    expect(JSON.parse(back.stdout).buildingsWritten).toBe(3);
    // round trips do not creep: in its own CRS a model keeps its own x, y (a transform there and back moves them by up to 1 mm)
    const again = path.join(dir, 'two-again.city.json'), third = path.join(dir, 'two-third.city.json');
    expect(cli(['build', out, '-o', again, '-q']).code).toBe(0);
    expect(cli(['build', again, '-o', third, '-q']).code).toBe(0);
    expect(strays(a.points, inspect(readModels(third)).points, 1e-9)).toEqual([]);
    expect(JSON.parse(fs.readFileSync(third, 'utf8')).vertices).toEqual(JSON.parse(fs.readFileSync(again, 'utf8')).vertices);
  });

  it('surface-attributes-lost: a semantic surface\'s own attributes (a roof\'s slope, an id) are written back, one semantic object per surface that has them', () => {
    const v = [[0, 0, 0], [10, 0, 0], [10, 8, 0], [0, 8, 0], [0, 0, 6], [10, 0, 6], [10, 8, 6], [0, 8, 6]];
    const faces = [[0, 3, 2, 1], [4, 5, 6, 7], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]].map((f) => [f]);
    const surfaces = [
      { type: 'GroundSurface', FlaechenUUID: 'g1' },
      { type: 'RoofSurface', Dachneigung: '0.0', FlaechenUUID: 'r1', parent: 3 },
      { type: 'WallSurface', FlaechenUUID: 'w1' },
      { type: 'WallSurface' },
    ];
    const src = path.join(dir, 'surface-attributes.city.json');
    fs.writeFileSync(src, JSON.stringify({
      type: 'CityJSON', version: '2.0', transform: { scale: [0.001, 0.001, 0.001], translate: [85000, 447000, 0] },
      metadata: { referenceSystem: 'https://www.opengis.net/def/crs/EPSG/0/28992' },
      CityObjects: { B: { type: 'Building', geometry: [{ type: 'Solid', lod: '2.2', boundaries: [faces], semantics: { surfaces, values: [[0, 1, 2, 3, 2, 3]] } }] } },
      vertices: v.map((p) => p.map((c) => c * 1000)),
    }));
    const out = path.join(dir, 'surface-attributes-out.city.json');
    const r = cli(['build', src, '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const [doc] = readModels(out);
    const g = doc.CityObjects.B.geometry![0] as unknown as { semantics: { surfaces: Record<string, unknown>[]; values: number[][] } };
    // (every semantic object was one per type: type alone)
    const byFace = g.semantics.values[0].map((i) => g.semantics.surfaces[i]);
    expect(byFace.filter((s) => s.FlaechenUUID === 'w1')).toHaveLength(2);
    expect(byFace.filter((s) => s.type === 'WallSurface' && !('FlaechenUUID' in s))).toHaveLength(2);
    expect(g.semantics.surfaces).toContainEqual({ type: 'RoofSurface', Dachneigung: '0.0', FlaechenUUID: 'r1' });
    expect(g.semantics.surfaces).toContainEqual({ type: 'GroundSurface', FlaechenUUID: 'g1' });
    // (a parent index of the source's list means nothing in the list written)
    expect(g.semantics.surfaces.every((s) => !('parent' in s) && !('children' in s))).toBe(true);
    expect(g.semantics.surfaces).toHaveLength(4);
  });

  const delft = path.join(SHARED, 'inverse-delft-3dbag', 'source.city.jsonl');
  if (!fs.existsSync(delft)) it.skip(`cityjson-round-trip on a real 3DBAG tile: needs ${delft} (the shared data): absent here`, () => {});
  it.runIf(fs.existsSync(delft))('cityjson-round-trip on a real 3DBAG tile: buildings, LoD 2.2 semantic surfaces and coordinates kept', () => {
    const src = delft;
    const out = path.join(dir, 'delft.city.jsonl');
    const r = cli(['build', src, '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const [head, ...lines] = fs.readFileSync(src, 'utf8').split('\n').filter((l) => l.trim());
    const header = JSON.parse(head);
    // the source read independently, at the level cityforge reads (the highest: 2.2)
    const source: CjModel[] = lines.map((l) => {
      const f = JSON.parse(l);
      for (const o of Object.values(f.CityObjects as Record<string, CjObject>)) o.geometry = (o.geometry ?? []).filter((g) => String(g.lod) === '2.2');
      return { ...f, transform: header.transform, metadata: header.metadata };
    });
    const a = inspect(source, { distinct: false });
    const b = inspect(readModels(out), { distinct: false });
    expect(b.objects.Building).toBe(a.objects.Building);
    expect(b.objects.BuildingPart).toBe(a.objects.BuildingPart);
    expect(b.semantics).toEqual(a.semantics);
    // the level of detail kept, and every closed input solid written as a Solid
    const written = readModels(out).flatMap((m) => Object.values(m.CityObjects)).filter((o) => o.geometry);
    expect(new Set(written.map((o) => o.geometry![0].lod))).toEqual(new Set(['2.2']));
    expect(written.filter((o) => o.geometry![0].type === 'Solid').length).toBe(a.closedSolids);
    const missing = strays(a.points, b.points);
    expect(missing.length, `e.g. ${missing[0]}`).toBe(0);
  });

  it('a CityJSONSeq of the sample city: every feature schema-valid, buildings and parts counted as the GLB build counts them, parts children of their outline', () => {
    const out = path.join(dir, 'monaco.city.jsonl');
    const r = cli(['build', path.join(DATA, 'monaco.osm.pbf'), '-o', out, '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    const models = readModels(out);
    const check = inspect(models);
    expect(check.openSolids).toBe(0);
    expect(check.objects.Building).toBe(summary.buildingsWritten - summary.partsWritten);
    expect(check.objects.BuildingPart).toBe(summary.partsWritten);
    expect(models.length).toBe(check.objects.Building);
    expect(check.semantics.RoofSurface).toBeGreaterThan(check.objects.Building);
    // the same run as a GLB writes the same buildings (an outline drawn as the rest its parts leave, in two pieces,
    // is one building and two BuildingParts here: a Solid is one shell)
    const glb = cli(['build', path.join(DATA, 'monaco.osm.pbf'), '-o', path.join(dir, 'monaco.glb'), '--json', '-q']);
    expect(JSON.parse(glb.stdout).buildings).toBe(summary.buildings);
  });

  it('parts-on-columns-read-back-as-buildings: the sample city written as CityJSON and read back keeps every part a part of the same building', () => {
    // Monaco's w49209445 stands on a base part with two parts above it (building:min_level); the outline
    // read back is its parts' footprints, overlapping, and a point under two of them counted as outside
    const out = path.join(dir, 'monaco-again.city.json');
    const seq = path.join(dir, 'monaco-parts.city.jsonl');
    expect(cli(['build', path.join(DATA, 'monaco.osm.pbf'), '-o', seq, '-q']).code).toBe(0);
    const first = readModels(seq);
    const r = cli(['build', seq, '-o', out, '--json', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const [again] = readModels(out);
    const parentsBefore = new Map<string, string>();
    for (const m of first) for (const [id, o] of Object.entries(m.CityObjects)) if (o.type === 'BuildingPart') parentsBefore.set(id, o.parents![0]);
    const parentsAfter = new Map<string, string>();
    for (const [id, o] of Object.entries(again.CityObjects)) if (o.type === 'BuildingPart') parentsAfter.set(id, o.parents![0]);
    // (Monaco's 12 parts, and the pieces of outlines drawn as the rest their parts leave)
    expect(parentsBefore.size).toBeGreaterThanOrEqual(12);
    expect(parentsAfter.get('w690021776')).toBe('w49209445');
    expect(Object.fromEntries(parentsAfter)).toEqual(Object.fromEntries(parentsBefore));
    expect(JSON.parse(r.stdout).partsWritten).toBe(parentsBefore.size);
  });

  it('round-trip-lost-the-credit-and-colours: the sample city as CityJSON built back into a GLB keeps the data credit, the roof and wall materials, and no doubled columns', async () => {
    const seq = path.join(dir, 'monaco-look.city.jsonl');
    const first = path.join(dir, 'monaco-look-first.glb');
    const again = path.join(dir, 'monaco-look-again.glb');
    expect(cli(['build', path.join(DATA, 'monaco.osm.pbf'), '-o', seq, '-q']).code).toBe(0);
    expect(cli(['build', path.join(DATA, 'monaco.osm.pbf'), '-o', first, '-q']).code).toBe(0);
    const r = cli(['build', seq, '-o', again, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const a = fs.readFileSync(first), b = fs.readFileSync(again);
    await expectValidGlb(b);
    const [ra, rb] = [await readGlb(a, { accessors: false }), await readGlb(b, { accessors: false })];
    // the credit: from the title the CityJSON carries ("… from data by © OpenStreetMap contributors")
    expect(rb.json.asset.copyright).toBe('© OpenStreetMap contributors');
    expect(rb.json.asset.copyright).toBe(ra.json.asset.copyright);
    // the looks the tags gave (metal and tile roofs, brick walls) come back; roofs without one stay one colour
    const looks = (j: Record<string, any>) => new Set((j.materials as { name: string }[]).map((m) => m.name.replace(/^(wall|roof):#[0-9a-f]{6}:?/, '$1:')).filter((n) => !/^(wall|roof):$/.test(n)));
    expect(looks(rb.json).size).toBeGreaterThanOrEqual(3);
    expect(looks(rb.json)).toEqual(looks(ra.json));
    expect(rb.json.materials.length).toBe(ra.json.materials.length);
    // columns: a source attribute equal to its building column on every row is not repeated as source_*
    expect(Object.keys(rb.table)).not.toContain('source_building');
    expect(Object.keys(rb.table)).not.toContain('source_name');
    expect(rb.table['name'].filter((n) => n).length).toBe(ra.table['name'].filter((n) => n).length);
  });

  it('height-from-lost-in-a-round-trip, raised-part-stood-on-its-own-floor: written, read back and written again, a default height stays default, a part over a passage keeps its min_height, storeys their count', async () => {
    const sq = (x0: number, y0: number, w: number, h: number) => [[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h], [x0, y0]].map(([x, y]) => [85000 + x, 447000 + y]);
    const src = path.join(dir, 'passage.geojson');
    fs.writeFileSync(src, JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } },
      features: [
        // an outline drawn as its parts: one on the ground (2 storeys), one over a passage (from 3 m, no height: the default above it)
        { type: 'Feature', properties: { ref: 'outline', building: 'yes' }, geometry: { type: 'Polygon', coordinates: [sq(0, 0, 20, 10)] } },
        { type: 'Feature', properties: { ref: 'ground', 'building:part': 'yes', 'building:levels': 2 }, geometry: { type: 'Polygon', coordinates: [sq(0, 0, 10, 10)] } },
        { type: 'Feature', properties: { ref: 'raised', 'building:part': 'yes', min_height: 3 }, geometry: { type: 'Polygon', coordinates: [sq(10, 0, 10, 10)] } },
        // no height at all: the default
        { type: 'Feature', properties: { ref: 'plain', building: 'yes' }, geometry: { type: 'Polygon', coordinates: [sq(0, 30, 10, 10)] } },
        // a building of its own over a passage (Monaco's w687577849: 2 storeys from the first floor)
        { type: 'Feature', properties: { ref: 'bridge', building: 'yes', 'building:levels': 2, 'building:min_level': 1 }, geometry: { type: 'Polygon', coordinates: [sq(30, 30, 10, 10)] } },
      ],
    }));
    const trips = [src, path.join(dir, 'passage-1.city.json'), path.join(dir, 'passage-2.city.json')];
    const rows: Record<string, Record<string, string | number>>[] = [];
    for (let k = 0; k < trips.length; k++) {
      if (k > 0) expect(cli(['build', trips[k - 1], '-o', trips[k], '-q']).code).toBe(0);
      const glb = path.join(dir, `passage-${k}.glb`);
      const r = cli(['build', trips[k], '-o', glb, '-q']);
      expect(r.code, r.stderr).toBe(0);
      const { table } = await readGlb(fs.readFileSync(glb), { accessors: false });
      const byRef: Record<string, Record<string, string | number>> = {};
      table['id'].forEach((_, i) => {
        const ref = String(table['ref']?.[i] || table['source_ref']?.[i] || '');
        byRef[ref] = Object.fromEntries(['height', 'min_height', 'height_from', 'levels'].map((c) => [c, table[c][i]]));
      });
      rows.push(byRef);
    }
    // as built from the footprints: the outline as tall as its tallest part (the raised one, 3 + 10 m)
    expect(rows[0]).toEqual({
      outline: { height: 13, min_height: 0, height_from: 'parts', levels: -1 },
      ground: { height: 6, min_height: 0, height_from: 'levels', levels: 2 },
      raised: { height: 13, min_height: 3, height_from: 'default', levels: -1 },
      plain: { height: 10, min_height: 0, height_from: 'default', levels: -1 },
      bridge: { height: 6, min_height: 3, height_from: 'levels', levels: 2 },
    });
    // read back once and twice: the same (the raised part was a 10 m part on its own floor, all heights measured)
    expect(rows[1]).toEqual(rows[0]);
    expect(rows[2]).toEqual(rows[0]);
    for (const file of trips.slice(1)) {
      const objects = readModels(file)[0].CityObjects;
      const plain = Object.values(objects).find((o) => o.attributes?.ref === 'plain')!;
      expect(plain.attributes).toMatchObject({ height_from: 'default' });
      expect(plain.attributes).not.toHaveProperty('measuredHeight');
      const raised = Object.values(objects).find((o) => o.attributes?.ref === 'raised')!;
      const types = surfacesOf(raised.geometry![0]).map((s) => s.type);
      expect(types).toContain('OuterFloorSurface');
      expect(types).not.toContain('GroundSurface');
    }
  });

  it('main-part-lost-on-the-round-trip, main-part-at-another-lod: an outline drawn as the rest of its parts is written at its roofed parts\' level of detail and read back drawn, as tall as before', async () => {
    const sq = (x0: number, y0: number, w: number, h: number) => [[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h], [x0, y0]].map(([x, y]) => [85000 + x, 447000 + y]);
    const src = path.join(dir, 'main-part.geojson');
    fs.writeFileSync(src, JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } },
      features: [
        // Monaco's w49209541: a 12 m outline, a gabled 8 m part on half of it
        { type: 'Feature', properties: { ref: 'outline', building: 'yes', height: 12 }, geometry: { type: 'Polygon', coordinates: [sq(0, 0, 20, 10)] } },
        { type: 'Feature', properties: { ref: 'part', 'building:part': 'yes', height: 8, 'roof:shape': 'gabled', 'roof:height': 2 }, geometry: { type: 'Polygon', coordinates: [sq(10, 0, 10, 10)] } },
      ],
    }));
    const model = path.join(dir, 'main-part.city.json');
    expect(cli(['build', src, '-o', model, '-q']).code).toBe(0);
    const objects = Object.values(readModels(model)[0].CityObjects);
    const outline = objects.find((o) => o.attributes?.ref === 'outline')!;
    const part = objects.find((o) => o.attributes?.ref === 'part')!;
    expect(part.geometry![0].lod).toBe('2.2');
    expect(outline.geometry![0].lod).toBe('2.2'); // (was 1.2: another level, left out when read back)
    const tops: Map<string, number>[] = [];
    for (const [k, file] of [src, model].entries()) {
      const glb = path.join(dir, `main-part-${k}.glb`);
      const r = cli(['build', file, '-o', glb, '-q']);
      expect(r.code, r.stderr).toBe(0);
      const bytes = fs.readFileSync(glb);
      await expectValidGlb(bytes);
      const { table } = await readGlb(bytes, { accessors: false });
      const byRef = new Map<string, number>();
      const t = await buildingTops(bytes);
      table['id'].forEach((id, i) => {
        const ref = String(table['ref']?.[i] || table['source_ref']?.[i] || '');
        if (t.has(String(id))) byRef.set(ref, Math.round(100 * t.get(String(id))!) / 100);
      });
      tops.push(byRef);
    }
    // the outline (its parts under its id) as tall as its rest, 12 m, read back as written (it came back 8 m: its part alone)
    expect(tops[0].get('outline')).toBeCloseTo(12, 1);
    expect(tops[1]).toEqual(tops[0]);
  });

  it('--t-srs picks the output CRS; a geographic one, or --t-srs with a GLB, is a usage error (exit 2)', () => {
    const out = path.join(dir, 'two-3035.city.json');
    expect(cli(['build', TWO, '--t-srs', 'EPSG:3035', '-o', out, '-q']).code).toBe(0);
    expect(readModels(out)[0].metadata.referenceSystem).toBe('https://www.opengis.net/def/crs/EPSG/0/3035');
    let r = cli(['build', TWO, '--t-srs', 'EPSG:4326', '-o', path.join(dir, 'x.city.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a projected CRS/);
    r = cli(['build', TWO, '--t-srs', 'EPSG:3035', '-o', path.join(dir, 'x.glb')]);
    expect(r.code).toBe(2);
    expect(fs.existsSync(path.join(dir, 'x.glb'))).toBe(false);
    // t-srs-outside-its-area: a CRS made for another place (Delft's buildings in California's State Plane) is
    // refused, naming its area of use and a CRS for the buildings' place; nothing written
    r = cli(['build', TWO, '--t-srs', 'EPSG:2227', '-o', path.join(dir, 'x.city.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--t-srs EPSG:2227 is for [^(]*California[^(]* \(lon -12\d\.\d+° to -11\d\.\d+°, lat 3\d\.\d+° to 3\d\.\d+°\); the buildings are at lon 4\.3\d°, lat 52\.\d+°: choose a CRS for that place \(its UTM zone: EPSG:32631\)/);
    expect(fs.existsSync(path.join(dir, 'x.city.json'))).toBe(false);
  });

  it('feet-crs-mixed-units: footprints in a CRS in US feet are written in the UTM zone, all in metres (said at -v); --t-srs in feet warns', () => {
    const feet = translate(sfTileGeoJSON(dir), path.join(dir, 'feet-2227.gpkg'), ['-f', 'GPKG', '-t_srs', 'EPSG:2227', '-where', 'height > 25', '-nln', 'buildings']);
    const out = path.join(dir, 'feet.city.json');
    const r = cli(['build', feet, '-o', out, '-v']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/EPSG:2227 \(the sources'\) is in US survey foot, the heights in metres: the city model is written in EPSG:32610 \(UTM\)/);
    const doc = readModels(out)[0] as unknown as { metadata: { referenceSystem: string; geographicalExtent: number[] } };
    expect(doc.metadata.referenceSystem).toBe('https://www.opengis.net/def/crs/EPSG/0/32610');
    // (the buildings' plan extent in metres: a tile of about 1.2 km at zoom 15, not 3.28 times that)
    const [x0, y0, , x1, y1] = doc.metadata.geographicalExtent;
    expect(Math.max(x1 - x0, y1 - y0)).toBeLessThan(1300);
    const w = cli(['build', feet, '--t-srs', 'EPSG:2227', '-o', path.join(dir, 'feet-2227.city.json')]);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stderr).toMatch(/--t-srs EPSG:2227: its x and y are in US survey foot, the heights \(z\) in metres; other tools read such a city 3\.28 times too flat/);
  });

  it('open-shell-from-a-sliver: an outline that touches itself along a line is a closed Solid, every edge paired (no wall corner on the middle of a floor edge)', () => {
    // a part infer traced on Delft's cells: three of its corners lie on one line (y = -35.418), so earcut's
    // triangles hold one of zero area there. The shell was written as a MultiSurface (79 of Delft's 656
    // parts); the floor and roof dropped the corner the walls keep (a T-junction)
    const pts = [[250.895, -33.897], [249.374, -35.418], [248.36, -35.418], [247.853, -36.432], [245.825, -36.432], [245.825, -37.446], [246.839, -37.953], [246.839, -38.967], [248.36, -40.488], [251.402, -41.502], [251.402, -40.995], [252.416, -40.995], [253.937, -39.474], [253.937, -36.432], [252.416, -35.418], [251.909, -33.897]];
    const ring = [...pts, pts[0]].map(([x, y]) => [85000 + x, 447000 + y]);
    const src = writeRdFootprints(path.join(dir, 'sliver.geojson'), [{ ring, tags: { building: 'yes', height: 10.679, 'roof:shape': 'flat' } }, { ring: ring.map(([x, y]) => [x + 20, y]), tags: { building: 'yes', height: 9, 'roof:shape': 'gabled', 'roof:height': 3 } }]);
    const out = path.join(dir, 'sliver.city.json');
    const r = cli(['build', src, '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const [doc] = readModels(out);
    expect(Object.values(doc.CityObjects).map((o) => o.geometry![0].type)).toEqual(['Solid', 'Solid']);
    const check = inspect([doc]);
    expect(check.closedSolids).toBe(2);
    expect(check.openSolids).toBe(0);
  });

  it('solid-with-disconnected-shells: a footprint of two polygons is a Building of two BuildingParts, a closed one-piece Solid each, that reads back as one building', () => {
    // SF's vector tiles hold MultiPolygon buildings (15/5238/12665 #509): their one Solid was two shells
    // apart (val3dity 305); CityJSON 2.0 gives buildings no MultiSolid, and a CompositeSolid's solids touch
    const square = (x0: number, y0: number, w: number) => [[x0, y0], [x0 + w, y0], [x0 + w, y0 + w], [x0, y0 + w], [x0, y0]].map(([x, y]) => [85000 + x, 447000 + y]);
    const src = path.join(dir, 'two-pieces.geojson');
    fs.writeFileSync(src, JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } },
      features: [
        { type: 'Feature', properties: { ref: 'w0', building: 'yes', height: 12 }, geometry: { type: 'MultiPolygon', coordinates: [[square(0, 0, 10)], [square(30, 0, 8)]] } },
        { type: 'Feature', properties: { ref: 'w1', building: 'yes', height: 9 }, geometry: { type: 'Polygon', coordinates: [square(0, 30, 10)] } },
      ],
    }));
    for (const ext of ['city.json', 'city.jsonl']) {
      const out = path.join(dir, `two-pieces.${ext}`);
      const r = cli(['build', src, '-o', out, '-q']);
      expect(r.code, r.stderr).toBe(0);
      const models = readModels(out);
      const objects = Object.assign({}, ...models.map((m) => m.CityObjects)) as Record<string, CjObject>;
      const [w0, w1] = ['w0', 'w1'].map((ref) => Object.keys(objects).find((k) => objects[k].attributes?.ref === ref)!);
      expect(objects[w0].geometry).toBeUndefined();
      expect(objects[w0].attributes?.height).toBe(12);
      expect(objects[w0].children).toEqual([`${w0}.1`, `${w0}.2`]);
      for (const id of objects[w0].children!) {
        expect(objects[id].type).toBe('BuildingPart');
        expect(objects[id].parents).toEqual([w0]);
        expect(objects[id].geometry!.map((g) => g.type)).toEqual(['Solid']);
      }
      expect(objects[w1].geometry!.map((g) => g.type)).toEqual(['Solid']);
      const check = inspect(models);
      expect(check).toMatchObject({ closedSolids: 3, openSolids: 0, disconnectedSolids: 0 });
      expect(check.objects).toEqual({ Building: 2, BuildingPart: 2 });
    }
    // read back: the same two buildings, w0 drawn as its two pieces
    const glb = path.join(dir, 'two-pieces.glb');
    const r = cli(['build', path.join(dir, 'two-pieces.city.json'), '-o', glb, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ buildings: 2, partsWritten: 2 });
    // counts-went-negative: written, the same counts (2 buildings, 2 parts: 4 city objects)
    const w = cli(['build', src, '-o', path.join(dir, 'two-pieces-again.city.json'), '--json']);
    expect(w.code, w.stderr).toBe(0);
    expect(JSON.parse(w.stdout)).toMatchObject({ buildings: 2, buildingsWritten: 4, partsWritten: 2 });
    expect(w.stderr).toMatch(/2 buildings \(and 2 building parts\) written/);
  });

  it('city-json-terrain-dropped: --terrain writes the ground as a TINRelief (schema-valid, in the document and as the sequence\'s last feature), the buildings standing on it; without it the log says they stand at z = 0', () => {
    const src = sfTileGeoJSON(dir);
    const dem = path.join(DATA, 'sf-terrain-3857.tif');
    for (const name of ['ground.city.json', 'ground.city.jsonl']) {
      const out = path.join(dir, name);
      const r = cli(['build', src, '--terrain', dem, '-o', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/standing on the terrain, written as a TINRelief of \d+ triangles/);
      const models = readModels(out);
      const check = inspect(models);
      expect(check.objects.TINRelief).toBe(1);
      expect(check.openSolids).toBe(0);
      const reliefModel = name.endsWith('l') ? models.at(-1)! : models[0];
      const [id, relief] = Object.entries(reliefModel.CityObjects).find(([, o]) => o.type === 'TINRelief')!;
      expect(id).toBe('terrain');
      expect(relief.geometry![0].type).toBe('CompositeSurface');
      const tris = relief.geometry![0].boundaries as number[][][];
      expect(tris.length).toBeGreaterThan(200);
      for (const t of tris) expect(t.length === 1 && t[0].length === 3).toBe(true);
      // the buildings stand on the ground: each one's lowest point within the terrain's heights (SF: 0–200 m)
      const z = (m: CjModel, i: number) => m.vertices[i][2] * m.transform.scale[2] + m.transform.translate[2];
      let zMin = Infinity, zMax = -Infinity;
      for (const t of tris) for (const i of t[0]) (zMin = Math.min(zMin, z(reliefModel, i))), (zMax = Math.max(zMax, z(reliefModel, i)));
      expect(zMax - zMin).toBeGreaterThan(20);
      let above = 0, buildings = 0;
      for (const m of models)
        for (const o of Object.values(m.CityObjects)) {
          if (o.type !== 'Building' || !o.geometry) continue;
          buildings++;
          const low = Math.min(...(JSON.stringify(o.geometry[0].boundaries).match(/\d+/g) ?? []).map((i) => z(m, Number(i))));
          if (low >= zMin - 0.5 && low <= zMax) above++;
        }
      expect(buildings).toBeGreaterThan(500);
      expect(above).toBe(buildings);
    }
    const flat = cli(['build', src, '-o', path.join(dir, 'flat.city.json')]);
    expect(flat.code, flat.stderr).toBe(0);
    expect(flat.stderr).toMatch(/no --terrain: every building stands at z = 0/);
    // z-0-said-of-a-city-model: a city model read in keeps its own heights, and the log says nothing of z = 0
    const model = cli(['build', TWO, '-o', path.join(dir, 'own-heights.city.json')]);
    expect(model.code, model.stderr).toBe(0);
    expect(model.stderr).toMatch(/CityJSON in /);
    expect(model.stderr).not.toMatch(/z = 0/);
  });

  it('the same input writes byte-identical CityJSON', () => {
    const a = path.join(dir, 'a.city.jsonl'), b = path.join(dir, 'b.city.jsonl');
    expect(cli(['build', TWO, '-o', a, '-q']).code).toBe(0);
    expect(cli(['build', TWO, '-o', b, '-q']).code).toBe(0);
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
  });
});
