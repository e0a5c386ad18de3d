import fs from 'node:fs';
import path from 'node:path';
import { parse } from '@loaders.gl/core';
import { Tiles3DLoader } from '@loaders.gl/3d-tiles';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { DATA, freshDir } from '../helpers/fixtures.js';
import { buildingBases, expectValidGlb, readGlb } from '../helpers/glb.js';
import { onTheEllipsoid } from '../../src/viewer/map-view.js';

// A city for a globe that has terrain of its own (CesiumJS with World Terrain, Google's photorealistic 3D
// Tiles): heights above the ellipsoid (--ellipsoidal-heights), and no ground of ours (--no-ground-mesh).

const MVT = path.join(DATA, 'sf-mvt', '15-5238-12666.mvt');
const DEM = path.join(DATA, 'sf-terrain-3857.tif');

interface Frame { lon: number; lat: number; height: number; enuToEcef: number[] }
interface TileJson { content?: { uri: string }; children?: TileJson[]; transform?: number[] }

const glbJson = (bytes: Uint8Array) => JSON.parse(Buffer.from(bytes.subarray(20, 20 + Buffer.from(bytes.buffer, bytes.byteOffset).readUInt32LE(12))).toString('utf8'));
const binChunk = (bytes: Uint8Array) => bytes.subarray(20 + Buffer.from(bytes.buffer, bytes.byteOffset).readUInt32LE(12));

/** The frame a (build) GLB records. */
const frameOf = (glb: string): Frame => glbJson(new Uint8Array(fs.readFileSync(glb))).asset.extras.cityforge.frame;

/** b's translation minus a's, against h along a's up axis (third column): the largest difference in metres. */
function raisedBy(a: number[], b: number[], h: number): number {
  let worst = 0;
  for (let k = 0; k < 12; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
  for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(b[12 + c] - a[12 + c] - h * a[8 + c]));
  return worst;
}

describe('a city for a globe with its own terrain (--ellipsoidal-heights, --no-ground-mesh)', () => {
  it('city-floated-on-a-globe-by-the-geoid: --ellipsoidal-heights stands the frame on the EGM96 geoid (−32 m in San Francisco); the meshes are byte for byte the same', async () => {
    const dir = freshDir('globe-build');
    const plain = path.join(dir, 'plain.glb'), raised = path.join(dir, 'raised.glb');
    expect(cli(['build', MVT, '-o', plain, '-q']).code).toBe(0);
    const r = cli(['build', MVT, '-o', raised, '--ellipsoidal-heights']);
    expect(r.code, r.stderr).toBe(0);
    // globe-city-at-sea-level: without --terrain the footprints stand at 0 m, buried in a globe's hills: said
    expect(r.stderr).toMatch(/^warn: --ellipsoidal-heights without --terrain: the buildings stand at sea level \(0 m\).*--terrain <DEM>/m);
    const [a, b] = [frameOf(plain), frameOf(raised)];
    expect(a.height).toBe(0);
    // EGM96 in San Francisco: the geoid lies about 32.3 m below the ellipsoid
    expect(b.height).toBeGreaterThan(-33);
    expect(b.height).toBeLessThan(-31.5);
    expect([b.lon, b.lat]).toEqual([a.lon, a.lat]);
    expect(raisedBy(a.enuToEcef, b.enuToEcef, b.height)).toBeLessThan(1e-3);
    const bytes = new Uint8Array(fs.readFileSync(raised));
    await expectValidGlb(bytes);
    expect(Buffer.compare(binChunk(bytes), binChunk(new Uint8Array(fs.readFileSync(plain))))).toBe(0);
  });

  it('tiles --ellipsoidal-heights --no-ground-mesh: the root transform raised by the geoid, every tile read back with no ground, its buildings standing where the run with the ground has them', async () => {
    const dir = freshDir('globe-tiles');
    const ground = path.join(dir, 'ground'), globe = path.join(dir, 'globe');
    expect(cli(['tiles', MVT, '--terrain', DEM, '--max-buildings', '800', '-o', ground, '-q']).code).toBe(0);
    const r = cli(['tiles', MVT, '--terrain', DEM, '--max-buildings', '800', '-o', globe, '--json', '--ellipsoidal-heights', '--no-ground-mesh']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/sea level/);
    const [ja, jb] = [ground, globe].map((d) => JSON.parse(fs.readFileSync(path.join(d, 'tileset.json'), 'utf8')));
    const h = jb.asset.extras.cityforge.frame.height as number;
    expect(h).toBeGreaterThan(-33);
    expect(h).toBeLessThan(-31.5);
    expect(raisedBy(ja.root.transform, jb.root.transform, h)).toBeLessThan(1e-3);
    // a real 3D Tiles reader takes the tileset as it is
    const read = (await parse(fs.readFileSync(path.join(globe, 'tileset.json')), Tiles3DLoader, { '3d-tiles': { isTileset: true } } as never)) as { root: unknown };
    expect(read.root).toBeTruthy();
    let tiles = 0, triangles = 0;
    const walk = async (t: TileJson) => {
      const uri = t.content!.uri;
      const bytes = new Uint8Array(fs.readFileSync(path.join(globe, uri)));
      await expectValidGlb(bytes);
      const rb = await readGlb(bytes);
      expect(rb.json.nodes.some((n: { name?: string }) => n.name === 'terrain'), uri).toBe(false);
      for (const m of rb.json.meshes) for (const p of m.primitives) triangles += rb.json.accessors[p.indices].count / 3;
      // seated on the DEM all the same: each building's foot where the run with the ground has it
      const [withGround, without] = await Promise.all([buildingBases(new Uint8Array(fs.readFileSync(path.join(ground, uri)))), buildingBases(bytes)]);
      expect(without.size, uri).toBe(withGround.size);
      for (const [id, z] of without) expect(Math.abs(z - withGround.get(id)!), `${uri} ${id}`).toBeLessThan(0.01);
      tiles++;
      for (const c of t.children ?? []) await walk(c);
    };
    await walk(jb.root);
    expect(tiles).toBeGreaterThan(1);
    expect(JSON.parse(r.stdout).triangles).toBe(triangles);
    // map-view-sank-the-city-by-the-geoid: the viewer's map (heights above sea level, as its base map's ground)
    // draws the tileset under the root transform of the run without the option
    const lowered = onTheEllipsoid(jb) as { root: { transform: number[] } };
    for (let k = 0; k < 16; k++) expect(Math.abs(lowered.root.transform[k] - ja.root.transform[k]), `transform[${k}]`).toBeLessThan(1e-6);
    expect(onTheEllipsoid(ja)).toBe(ja);
    // a rerun without the option over it: refused, naming the option (its tiles stand elsewhere)
    const again = cli(['tiles', MVT, '--terrain', DEM, '--max-buildings', '800', '-o', globe, '-q', '--no-ground-mesh']);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/--ellipsoidal-heights/);
  });

  it('geoid-grid-missing-left-heights-as-they-were: without PROJ\'s EGM96 grid, exit 3 saying what to install (PROJ would shift nothing)', () => {
    const dir = freshDir('globe-no-grid');
    const proj = path.join(dir, 'proj');
    fs.mkdirSync(proj);
    // PROJ's database alone, no grids
    const db = ['/usr/share/proj/proj.db', '/usr/local/share/proj/proj.db'].find((f) => fs.existsSync(f));
    expect(db, 'proj.db').toBeDefined();
    fs.copyFileSync(db!, path.join(proj, 'proj.db'));
    const out = path.join(dir, 'city.glb');
    const r = cli(['build', MVT, '-o', out, '--ellipsoidal-heights'], { PROJ_DATA: proj, PROJ_LIB: proj });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: cityforge ingest: --ellipsoidal-heights: PROJ has no EGM96 geoid grid \(egm96_15\.gtx; on Debian: apt-get install proj-data\)$/m);
    expect(fs.existsSync(out)).toBe(false);
    // geoid-error-named-the-command: `plan` (streamed, as tiles reads) says the same stage (it said "cityforge tiles:")
    const p = cli(['plan', MVT, '--ellipsoidal-heights'], { PROJ_DATA: proj, PROJ_LIB: proj });
    expect(p.code).toBe(3);
    expect(p.stderr).toMatch(/^error: cityforge ingest: --ellipsoidal-heights: PROJ has no EGM96 geoid grid/m);
  });

  it('what the options cannot do together: exit 2, saying why', () => {
    const dir = freshDir('globe-usage');
    const cases: [string[], RegExp][] = [
      [['build', MVT, '-o', path.join(dir, 'a.glb'), '--no-ground-mesh'], /--no-ground-mesh leaves out the ground of --terrain; give the DEM/],
      [['build', MVT, '-o', path.join(dir, 'b.glb'), '--terrain', DEM, '--imagery', path.join(DATA, 'sf-terrarium-z12'), '--no-ground-mesh'], /--no-ground-mesh writes no ground to drape --imagery on/],
      [['tiles', MVT, '-o', path.join(dir, 't'), '--terrain', DEM, '--ground-map', '--no-ground-mesh'], /--no-ground-mesh writes no ground to drape --ground-map on/],
      [['build', MVT, '-o', path.join(dir, 'c.city.json'), '--ellipsoidal-heights'], /--ellipsoidal-heights is for GLB outputs/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
