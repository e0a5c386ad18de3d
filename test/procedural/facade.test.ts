import { describe, expect, it } from 'vitest';
import { Summary } from '../../src/core/summary.js';
import type { MeshBatch } from '../../src/core/types.js';
import { writeGlb } from '../../src/export/gltf.js';
import { buildMeshes, FACADE_LOOKS, facadeTexture, groundElevations } from '../../src/procedural/index.js';
import type { ElevationGrid } from '../../src/core/grid.js';
import { batchFromFixtures } from '../helpers/batch.js';
import { expectValidGlb, readGlb } from '../helpers/glb.js';
import { meshMetrics } from '../helpers/metrics.js';

/** One building of `rings` (local metres), `height` m tall, with `tags` on its params. */
function facadeMesh(rings: number[][][], height: number, tags: { levels?: number; kind?: string; material?: string } = {}): { mesh: MeshBatch; params: ReturnType<typeof batchFromFixtures>['params']; frame: ReturnType<typeof batchFromFixtures>['frame'] } {
  const batch = batchFromFixtures([{ description: '', height, polygons: [rings] }]);
  Object.assign(batch.params[0], { levels: tags.levels ?? null, kind: tags.kind ?? null, material: tags.material ?? null });
  return { mesh: buildMeshes(batch, { facades: 'texture' }, new Summary()), params: batch.params, frame: batch.frame };
}

/**
 * Each wall's texture extent: its u range (bays) and v range (storeys), by its outward normal. A wall is its
 * facade triangles in one vertical plane (a plain wall is one quad; the front door's wall is a panel round
 * the door plus the door).
 */
function walls(mesh: MeshBatch): { nx: number; ny: number; u0: number; u1: number; v1: number; length: number }[] {
  const uv = mesh.uvs!;
  const byPlane = new Map<string, { nx: number; ny: number; u0: number; u1: number; v1: number; s0: number; s1: number }>();
  for (let t = 0; t < mesh.indices.length / 3; t++) {
    const vs = [0, 1, 2].map((k) => mesh.indices[3 * t + k]);
    const a = vs[0];
    if (Math.abs(mesh.normals[3 * a + 2]) > 1e-6 || !mesh.materials[mesh.materialIds[a]].facade) continue;
    const nx = mesh.normals[3 * a], ny = mesh.normals[3 * a + 1];
    const offset = nx * mesh.positions[3 * a] + ny * mesh.positions[3 * a + 1];
    const key = `${nx.toFixed(4)},${ny.toFixed(4)},${offset.toFixed(3)}`;
    const w = byPlane.get(key) ?? { nx, ny, u0: Infinity, u1: -Infinity, v1: -Infinity, s0: Infinity, s1: -Infinity };
    for (const v of vs) {
      const along = -ny * mesh.positions[3 * v] + nx * mesh.positions[3 * v + 1];
      w.u0 = Math.min(w.u0, uv[2 * v]);
      w.u1 = Math.max(w.u1, uv[2 * v]);
      w.v1 = Math.max(w.v1, uv[2 * v + 1]);
      w.s0 = Math.min(w.s0, along);
      w.s1 = Math.max(w.s1, along);
    }
    byPlane.set(key, w);
  }
  return [...byPlane.values()].map(({ nx, ny, u0, u1, v1, s0, s1 }) => ({ nx, ny, u0, u1, v1, length: s1 - s0 }));
}

describe('facades (texture): storeys and windows laid out on the walls', () => {
  it('a 5-storey 15 m block: every wall holds a whole number of bays (its length / 3 m, rounded), none across a corner, and 5 storeys up', () => {
    const { mesh } = facadeMesh([[[0, 0], [20, 0], [20, 10], [0, 10]]], 15, { levels: 5 });
    const w = walls(mesh);
    expect(w).toHaveLength(4);
    for (const q of w) {
      expect(q.u0).toBeCloseTo(0, 9);
      expect(q.u1).toBeCloseTo(Math.round(q.length / FACADE_LOOKS.residential.bay), 9);
      expect(q.v1).toBeCloseTo(5, 9);
    }
    expect(w.map((q) => Math.round(q.u1)).sort()).toEqual([3, 3, 7, 7]);
  });

  it('storeys: 3 m without building:levels; levels that make storeys under 2 m or over 6 m are not believed', () => {
    expect(walls(facadeMesh([[[0, 0], [9, 0], [9, 9], [0, 9]]], 12).mesh)[0].v1).toBeCloseTo(4, 9);
    expect(walls(facadeMesh([[[0, 0], [9, 0], [9, 9], [0, 9]]], 12, { levels: 10 }).mesh)[0].v1).toBeCloseTo(4, 9);
    expect(walls(facadeMesh([[[0, 0], [9, 0], [9, 9], [0, 9]]], 12, { levels: 4 }).mesh)[0].v1).toBeCloseTo(4, 9);
    expect(walls(facadeMesh([[[0, 0], [9, 0], [9, 9], [0, 9]]], 12, { levels: 3 }).mesh)[0].v1).toBeCloseTo(3, 9);
  });

  it('top-storey-cut-by-the-roof: without levels the walls hold a whole number of storeys (8 m: three of 2.67 m; 5 m: two of 2.5 m), so no window row is cut at the roof', () => {
    expect(walls(facadeMesh([[[0, 0], [9, 0], [9, 9], [0, 9]]], 8).mesh)[0].v1).toBeCloseTo(3, 9);
    expect(walls(facadeMesh([[[0, 0], [9, 0], [9, 9], [0, 9]]], 5).mesh)[0].v1).toBeCloseTo(2, 9);
    expect(walls(facadeMesh([[[0, 0], [9, 0], [9, 9], [0, 9]]], 10).mesh)[0].v1).toBeCloseTo(3, 9);
    // a shed under 2.5 m keeps 3 m storeys (its windows' sills above its roof: none shows)
    expect(walls(facadeMesh([[[0, 0], [9, 0], [9, 9], [0, 9]]], 2).mesh)[0].v1).toBeCloseTo(2 / 3, 6);
  });

  it('a wall shorter than a window gets none: its u stays on the texture\'s wall column', () => {
    // a 1 m jog in a 12 m wall
    const w = walls(facadeMesh([[[0, 0], [12, 0], [12, 6], [11, 6], [11, 7], [0, 7]]], 9).mesh);
    const jog = w.filter((q) => q.length < 1.5);
    expect(jog.length).toBe(2);
    for (const q of jog) {
      expect(q.u0).toBe(q.u1);
      expect(q.u0 * 32).toBeLessThan(1); // inside the first texel column, which is wall
    }
  });

  it('party walls: in a terrace of two houses the shared wall gets no windows on either side; a corner touching a corner is not shared', () => {
    const batch = batchFromFixtures([
      { description: '', height: 9, polygons: [[[[0, 0], [10, 0], [10, 8], [0, 8]]]] },
      { description: '', height: 12, polygons: [[[[10, 0], [22, 0], [22, 8], [10, 8]]]] },
      { description: '', height: 6, polygons: [[[[22, 8], [28, 8], [28, 14], [22, 14]]]] },
    ]);
    const mesh = buildMeshes(batch, { facades: 'texture' }, new Summary());
    const w = walls(mesh);
    // the walls along x = 10 (normal ±x, at x = 10): windowless, u constant on the wall column
    const at10 = w.filter((q) => Math.abs(Math.abs(q.nx) - 1) < 1e-6 && q.length === 8 && q.u0 === q.u1);
    expect(at10).toHaveLength(2);
    for (const q of at10) expect(q.u0 * 32).toBeLessThan(1);
    // every other wall has windows (the third house only touches the second at a corner)
    expect(w.filter((q) => q.u0 === q.u1)).toHaveLength(2);
  });

  it('party-wall-was-its-own-outline: a part\'s walls along the outline it lies in (drawn as its parts) and a tower\'s above its podium keep their windows; parts side by side share theirs', () => {
    const batch = batchFromFixtures([
      // an outline drawn as its two parts (not drawn itself)
      { description: '', height: 20, polygons: [[[[0, 0], [20, 0], [20, 10], [0, 10]]]] },
      // a podium, 6 m, over the whole outline, and a tower on it from 6 to 20 m over its west half
      { description: '', height: 6, polygons: [[[[0, 0], [20, 0], [20, 10], [0, 10]]]] },
      { description: '', height: 20, polygons: [[[[0, 0], [10, 0], [10, 10], [0, 10]]]] },
      // two parts side by side, both 9 m, sharing x = 40
      { description: '', height: 9, polygons: [[[[30, 0], [40, 0], [40, 10], [30, 10]]]] },
      { description: '', height: 9, polygons: [[[[40, 0], [50, 0], [50, 10], [40, 10]]]] },
    ]);
    Object.assign(batch.params[0], { drawAs: -1 });
    Object.assign(batch.params[1], { role: 'part', partOf: batch.params[0].id, levels: 2 });
    Object.assign(batch.params[2], { role: 'part', partOf: batch.params[0].id, minHeight: 6, levels: 5, minLevel: 2 });
    Object.assign(batch.params[3], { role: 'part' });
    Object.assign(batch.params[4], { role: 'part' });
    const w = walls(buildMeshes(batch, { facades: 'texture' }, new Summary()));
    // windowless walls: only the two at x = 40
    const windowless = w.filter((q) => q.u0 === q.u1);
    expect(windowless).toHaveLength(2);
    expect(windowless.every((q) => Math.abs(Math.abs(q.nx) - 1) < 1e-6 && q.length === 10)).toBe(true);
  });

  it('a round tower (smooth walls all round) is cut once: u runs 0 … a whole number of bays round it, continuous at every smooth vertex', () => {
    const ring = Array.from({ length: 32 }, (_, k) => [20 * Math.cos((2 * Math.PI * k) / 32), 20 * Math.sin((2 * Math.PI * k) / 32)]);
    const w = walls(facadeMesh([ring], 20).mesh);
    expect(w).toHaveLength(32);
    const u = w.map((q) => [q.u0, q.u1]).sort((a, b) => a[0] - b[0]);
    expect(u[0][0]).toBeCloseTo(0, 9);
    for (let k = 1; k < u.length; k++) expect(u[k][0]).toBeCloseTo(u[k - 1][1], 9);
    const round = 2 * 32 * 20 * Math.sin(Math.PI / 32);
    expect(u[u.length - 1][1]).toBeCloseTo(Math.round(round / 3), 9);
  });

  it('the look by type and material: shops and offices wider bays, glass a curtain wall; each look one texture whose edge columns are wall', () => {
    const looks = (tags: { kind?: string; material?: string }) => facadeMesh([[[0, 0], [20, 0], [20, 10], [0, 10]]], 9, tags).mesh.materials.filter((m) => m.facade).map((m) => m.facade);
    const look = (tags: { kind?: string; material?: string }) => looks(tags).find((l) => l !== 'shopfront');
    expect(look({})).toBe('residential');
    expect(look({ kind: 'retail' })).toBe('commercial');
    expect(looks({ kind: 'retail' })).toContain('shopfront');
    expect(looks({ kind: 'office' })).not.toContain('shopfront');
    expect(look({ kind: 'office' })).toBe('commercial');
    expect(look({ material: 'glass' })).toBe('glass');
    for (const l of Object.values(FACADE_LOOKS)) {
      const t = facadeTexture(l);
      for (let y = 0; y < t.height; y++)
        for (const x of [0, t.width - 1]) expect([...t.rgba.subarray(4 * (y * t.width + x), 4 * (y * t.width + x) + 3)]).toEqual([255, 255, 255]);
    }
  });

  it('shop fronts: a shop\'s ground storey is a shop front (door and display window per bay), its upper storeys the shop\'s windows, the bays lined up; a one-storey kiosk or a part lifted off the ground gets none', () => {
    const { mesh } = facadeMesh([[[0, 0], [21, 0], [21, 10], [0, 10]]], 12, { kind: 'retail', levels: 4 });
    const byLook = new Map<string, { zMin: number; zMax: number; v: number[]; u: Set<number> }>();
    for (let v = 0; v < mesh.positions.length / 3; v++) {
      const m = mesh.materials[mesh.materialIds[v]];
      if (!m.facade || Math.abs(mesh.normals[3 * v + 2]) > 1e-6) continue;
      const e = byLook.get(m.facade) ?? { zMin: Infinity, zMax: -Infinity, v: [], u: new Set<number>() };
      e.zMin = Math.min(e.zMin, mesh.positions[3 * v + 2]);
      e.zMax = Math.max(e.zMax, mesh.positions[3 * v + 2]);
      e.v.push(mesh.uvs![2 * v + 1]);
      e.u.add(Math.round(mesh.uvs![2 * v] * 1e6) / 1e6);
      byLook.set(m.facade, e);
    }
    const shop = byLook.get('shopfront')!, upper = byLook.get('commercial')!;
    expect([shop.zMin, shop.zMax]).toEqual([0, 3]);
    expect([upper.zMin, upper.zMax]).toEqual([3, 12]);
    expect(Math.min(...shop.v)).toBe(0);
    expect(Math.max(...shop.v)).toBeCloseTo(1, 9);
    expect(Math.min(...upper.v)).toBeCloseTo(1, 9);
    expect(Math.max(...upper.v)).toBeCloseTo(4, 9);
    // the same u at the same corners: windows above doors
    expect([...shop.u].sort()).toEqual([...upper.u].sort());
    // the shop front's texture: a door from the ground (glass in the first row: the storey's foot), wall at both edges
    const t = facadeTexture(FACADE_LOOKS.shopfront);
    const foot = [...Array(t.width).keys()].filter((x) => t.rgba[4 * x] < 200);
    expect(foot.length).toBeGreaterThan(4);
    // shop nodes inside a house (OpenStreetMap: `shops`, read at ingest) make its ground floor a shop front too
    const batch = batchFromFixtures([{ description: '', height: 12, polygons: [[[[0, 0], [21, 0], [21, 10], [0, 10]]]] }]);
    Object.assign(batch.params[0], { levels: 4, kind: 'apartments' });
    batch.params[0].attributes = { ...batch.params[0].attributes, shops: 'bakery;newsagent' };
    expect(buildMeshes(batch, { facades: 'texture' }, new Summary()).materials.map((m) => m.facade)).toContain('shopfront');
    const kiosk = facadeMesh([[[0, 0], [6, 0], [6, 4], [0, 4]]], 3.5, { kind: 'kiosk' }).mesh;
    expect(kiosk.materials.filter((m) => m.facade).map((m) => m.facade)).toEqual(['commercial']);
  });

  it('textures-were-upside-down: on the wall (glTF: v = 0 is the image\'s first row) a door stands on the ground and a window\'s sill is 0.3 of a storey up', () => {
    // the colour a wall shows at u, v (a storey's fraction up from its foot), as a glTF viewer samples it
    const sample = (look: keyof typeof FACADE_LOOKS, u: number, v: number) => {
      const t = facadeTexture(FACADE_LOOKS[look]);
      const i = 4 * (Math.floor(v * t.height) * t.width + Math.floor(u * t.width));
      return [...t.rgba.subarray(i, i + 3)];
    };
    const white = [255, 255, 255];
    // the door: from the ground to 0.74 of the storey, in the middle of its bay
    expect(sample('entrance', 0.5, 0.02)).not.toEqual(white);
    expect(sample('entrance', 0.5, 0.6)).not.toEqual(white);
    expect(sample('entrance', 0.5, 0.9)).toEqual(white);
    // a home's window: from 0.3 to 0.8 of the storey
    expect(sample('residential', 0.5, 0.2)).toEqual(white);
    expect(sample('residential', 0.5, 0.4)).not.toEqual(white);
    expect(sample('residential', 0.5, 0.75)).not.toEqual(white);
    expect(sample('residential', 0.5, 0.88)).toEqual(white);
  });

  it('shop-lost-in-its-part: an outline drawn as its parts passes its shop (shop nodes inside it) to its parts: their ground floor is a shop front', () => {
    const batch = batchFromFixtures([
      { description: '', height: 12, polygons: [[[[0, 0], [20, 0], [20, 10], [0, 10]]]] },
      { description: '', height: 6, polygons: [[[[0, 0], [12, 0], [12, 10], [0, 10]]]] },
    ]);
    Object.assign(batch.params[0], { drawAs: -1, levels: 4 });
    batch.params[0].attributes = { ...batch.params[0].attributes, shops: 'gift' };
    Object.assign(batch.params[1], { role: 'part', partOf: batch.params[0].id, levels: 2 });
    const mesh = buildMeshes(batch, { facades: 'texture' }, new Summary());
    expect(mesh.materials.map((m) => m.facade)).toContain('shopfront');
  });

  it('front doors: a house gets one, in the middle bay of its longest free wall, from the ground up a storey; the shell stays closed, on a gabled house too; a shop front (doors of its own) gets none', () => {
    // an L-shaped house, 3 storeys: its longest wall is the 20 m south wall (6.7 → 7 bays: the door in bay 3)
    const { mesh } = facadeMesh([[[0, 0], [20, 0], [20, 8], [8, 8], [8, 14], [0, 14]]], 9, { levels: 3 });
    const doorMaterial = mesh.materials.findIndex((m) => m.facade === 'entrance');
    expect(doorMaterial).toBeGreaterThanOrEqual(0);
    const door = [...new Set(Array.from(mesh.indices).filter((v) => mesh.materialIds[v] === doorMaterial))];
    expect(door).toHaveLength(4);
    const xs = door.map((v) => mesh.positions[3 * v]), ys = door.map((v) => mesh.positions[3 * v + 1]), zs = door.map((v) => mesh.positions[3 * v + 2]);
    expect(Math.min(...xs)).toBeCloseTo((3 * 20) / 7, 4);
    expect(Math.max(...xs)).toBeCloseTo((4 * 20) / 7, 4);
    expect(Math.max(...ys.map(Math.abs))).toBeLessThan(1e-6); // on the south wall
    expect(Math.min(...zs)).toBeCloseTo(0, 6);
    expect(Math.max(...zs)).toBeCloseTo(3, 4); // one storey
    // its texture coordinates: one bay of the door texture (u 0 … 1), one storey
    expect(Math.min(...door.map((v) => mesh.uvs![2 * v]))).toBeCloseTo(0, 6);
    expect(Math.max(...door.map((v) => mesh.uvs![2 * v]))).toBeCloseTo(1, 6);
    const m = meshMetrics(mesh);
    expect(m.watertight, `${m.badEdges} bad edges`).toBe(true);
    expect(m.volume).toBeCloseTo((20 * 8 + 8 * 6) * 9, 3);
    // a gabled house: the floor under its door is split too (its floor mirrors the roof's faces)
    const batch = batchFromFixtures([{ description: '', height: 9, polygons: [[[[0, 0], [12, 0], [12, 8], [0, 8]]]] }]);
    Object.assign(batch.params[0], { roof: { ...batch.params[0].roof, shape: 'gabled', height: 3 } });
    const gabled = buildMeshes(batch, { facades: 'texture' }, new Summary());
    expect(gabled.materials.some((x) => x.facade === 'entrance')).toBe(true);
    expect(meshMetrics(gabled).watertight).toBe(true);
    // a shop: its ground storey's shop front has the doors
    expect(facadeMesh([[[0, 0], [20, 0], [20, 10], [0, 10]]], 9, { kind: 'retail' }).mesh.materials.some((x) => x.facade === 'entrance')).toBe(false);
  });

  it('front-door-in-the-courtyard: in a perimeter block the front door faces away from the block\'s middle (the street), not into the courtyard, whatever the ring\'s first edge', () => {
    // four houses round an 8 m courtyard (6 … 14), each ring starting at its courtyard wall: the front and back
    // walls of the south and north houses are equally long, as are the east and west houses'
    const batch = batchFromFixtures([
      { description: '', height: 9, polygons: [[[[20, 6], [0, 6], [0, 0], [20, 0]]]] },
      { description: '', height: 9, polygons: [[[[0, 14], [20, 14], [20, 20], [0, 20]]]] },
      { description: '', height: 9, polygons: [[[[6, 6], [6, 14], [0, 14], [0, 6]]]] },
      { description: '', height: 9, polygons: [[[[14, 14], [14, 6], [20, 6], [20, 14]]]] },
      // a detached house: its longest free wall, as before
      { description: '', height: 6, polygons: [[[[40, 0], [52, 0], [52, 8], [40, 8]]]] },
    ]);
    for (const p of batch.params) p.levels = 3;
    const mesh = buildMeshes(batch, { facades: 'texture' }, new Summary());
    const door = mesh.materials.findIndex((m) => m.facade === 'entrance');
    const doorOf = (f: number) => {
      const vs = [...new Set(Array.from(mesh.indices.subarray(3 * mesh.triangleOffsets[f], 3 * mesh.triangleOffsets[f + 1])).filter((v) => mesh.materialIds[v] === door))];
      return [vs.reduce((s, v) => s + mesh.positions[3 * v], 0) / vs.length, vs.reduce((s, v) => s + mesh.positions[3 * v + 1], 0) / vs.length];
    };
    expect(doorOf(0)[1]).toBeCloseTo(0, 6); // the south house: on y = 0
    expect(doorOf(1)[1]).toBeCloseTo(20, 6); // the north house: on y = 20
    expect(doorOf(2)[0]).toBeCloseTo(0, 6); // the west house: on x = 0
    expect(doorOf(3)[0]).toBeCloseTo(20, 6); // the east house: on x = 20
    expect(doorOf(4)[1]).toBeCloseTo(0, 6); // the detached house: its first 12 m wall
  });

  it('door-faced-a-gap: a front door does not open onto a 0.3 m gap between two houses (another building within 1.5 m in front)', () => {
    // two detached houses 0.3 m apart, each ring starting at the wall that faces the other (equally long as its far wall)
    const batch = batchFromFixtures([
      { description: '', height: 9, polygons: [[[[12, 8], [0, 8], [0, 0], [12, 0]]]] },
      { description: '', height: 9, polygons: [[[[0, 8.3], [12, 8.3], [12, 16], [0, 16]]]] },
    ]);
    for (const p of batch.params) p.levels = 3;
    const mesh = buildMeshes(batch, { facades: 'texture' }, new Summary());
    const door = mesh.materials.findIndex((m) => m.facade === 'entrance');
    const ys = (f: number) => [...new Set(Array.from(mesh.indices.subarray(3 * mesh.triangleOffsets[f], 3 * mesh.triangleOffsets[f + 1])).filter((v) => mesh.materialIds[v] === door))].map((v) => mesh.positions[3 * v + 1]);
    expect(ys(0).every((y) => Math.abs(y) < 1e-6)).toBe(true);
    expect(ys(1).every((y) => Math.abs(y - 16) < 1e-6)).toBe(true);
    expect(ys(0).length + ys(1).length).toBe(8);
  });

  it('doors-at-entrance-nodes: a door in the bay holding each entrance on the outline (one per wall edge, none far off); none where the bay would cross a corner; the shell stays closed', () => {
    // the L-shaped house of the front-door test, with OSM entrance nodes: on the west wall, on the inner
    // wall of the L, a second on the west wall (one door per edge), and one 5 m off every wall
    const rings = [[[0, 0], [20, 0], [20, 8], [8, 8], [8, 14], [0, 14]]];
    const batch = batchFromFixtures([{ description: '', height: 9, polygons: [rings] }]);
    Object.assign(batch.params[0], { levels: 3, entrances: [0.2, 5, 8, 11, 0, 12, 14, 20] });
    const mesh = buildMeshes(batch, { facades: 'texture' }, new Summary());
    const doorMaterial = mesh.materials.findIndex((m) => m.facade === 'entrance');
    const doorVertices = [...new Set(Array.from(mesh.indices).filter((v) => mesh.materialIds[v] === doorMaterial))];
    // doors by wall: x of a west-wall door is 0, of the inner wall 8
    const byX = new Map<number, number[]>();
    for (const v of doorVertices) {
      const x = Math.round(mesh.positions[3 * v] * 1000) / 1000;
      byX.set(x, [...(byX.get(x) ?? []), mesh.positions[3 * v + 1]]);
    }
    expect([...byX.keys()].sort((a, b) => a - b)).toEqual([0, 8]);
    // west wall, 14 m: 5 bays of 2.8 m, u from (0, 14) down to (0, 0): the entrance at y = 5 is in bay 3 (y 2.8 … 5.6)
    expect(Math.min(...byX.get(0)!)).toBeCloseTo(2.8, 4);
    expect(Math.max(...byX.get(0)!)).toBeCloseTo(5.6, 4);
    // inner wall, 6 m: 2 bays from (8, 8) up to (8, 14): y = 11 is on their boundary, in bay 1 (y 11 … 14), kept
    // 0.1 m from the corner
    expect(Math.min(...byX.get(8)!)).toBeCloseTo(11, 4);
    expect(Math.max(...byX.get(8)!)).toBeCloseTo(13.9, 4);
    // no front door on the south wall any more: the entrances replace it
    expect(doorVertices.every((v) => Math.abs(mesh.positions[3 * v + 1]) > 1e-6 || Math.abs(mesh.positions[3 * v]) < 1e-6)).toBe(true);
    const m = meshMetrics(mesh);
    expect(m.watertight, `${m.badEdges} bad edges`).toBe(true);
    expect(m.volume).toBeCloseTo((20 * 8 + 8 * 6) * 9, 3);
    // a wall of two edges bent 2.5° at the entrance node, (0,0)-(9,-0.4)-(20,0) (one wall: a smooth corner), 7 bays;
    // the entrance is in bay 3, which crosses the vertex: the door takes the bay beside it on the longer edge, bay 4
    const b2 = batchFromFixtures([{ description: '', height: 9, polygons: [[[[0, 0], [9, -0.4], [20, 0], [20, 10], [0, 10]]]] }]);
    Object.assign(b2.params[0], { levels: 3, entrances: [9, -0.4] });
    const m2 = buildMeshes(b2, { facades: 'texture' }, new Summary());
    const d2 = m2.materials.findIndex((x) => x.facade === 'entrance');
    const xs = [...new Set(Array.from(m2.indices).filter((v) => m2.materialIds[v] === d2))].map((v) => m2.positions[3 * v]);
    const e0 = Math.hypot(9, 0.4), bay = (e0 + Math.hypot(11, 0.4)) / 7;
    const e1 = Math.hypot(11, 0.4);
    expect(Math.min(...xs)).toBeCloseTo(9 + ((4 * bay - e0) / e1) * 11, 4);
    expect(Math.max(...xs)).toBeCloseTo(9 + ((5 * bay - e0) / e1) * 11, 4);
    expect(meshMetrics(m2).watertight).toBe(true);
    // an entrance recess: the node on a 1.6 m wall (too short for a window) gets a door in its middle, 1.2 m wide,
    // the door texture at its own scale (u 0.5 ± 0.6 / 3)
    const b4 = batchFromFixtures([{ description: '', height: 9, polygons: [[[[0, 0], [9.2, 0], [9.2, 1], [10.8, 1], [10.8, 0], [20, 0], [20, 10], [0, 10]]]] }]);
    Object.assign(b4.params[0], { levels: 3, entrances: [10, 1] });
    const m4 = buildMeshes(b4, { facades: 'texture' }, new Summary());
    const d4 = m4.materials.findIndex((x) => x.facade === 'entrance');
    const v4 = [...new Set(Array.from(m4.indices).filter((v) => m4.materialIds[v] === d4))];
    expect(v4.map((v) => m4.positions[3 * v + 1]).every((y) => Math.abs(y - 1) < 1e-5)).toBe(true);
    expect(Math.min(...v4.map((v) => m4.positions[3 * v]))).toBeCloseTo(9.4, 4);
    expect(Math.max(...v4.map((v) => m4.positions[3 * v]))).toBeCloseTo(10.6, 4);
    expect(Math.min(...v4.map((v) => m4.uvs![2 * v]))).toBeCloseTo(0.5 - 0.6 / 3, 5);
    expect(meshMetrics(m4).watertight).toBe(true);
    // every entrance off the outline: the one front door on the longest free wall, as without entrances
    const b3 = batchFromFixtures([{ description: '', height: 9, polygons: [rings] }]);
    Object.assign(b3.params[0], { levels: 3, entrances: [30, 30] });
    const m3 = buildMeshes(b3, { facades: 'texture' }, new Summary());
    const d3 = m3.materials.findIndex((x) => x.facade === 'entrance');
    const ys = [...new Set(Array.from(m3.indices).filter((v) => m3.materialIds[v] === d3))].map((v) => m3.positions[3 * v + 1]);
    expect(Math.max(...ys.map(Math.abs))).toBeLessThan(1e-6);
  });

  it('geometry: each window an opening with reveals and a recessed pane, the same bays and storeys as the texture; doors on a threshold; shells closed with the exact volume less the openings', () => {
    // the L-shaped house, 3 storeys, 9 m: its 20 m south wall holds 7 bays × 3 storeys, less the front door's bay
    const rings = [[[0, 0], [20, 0], [20, 8], [8, 8], [8, 14], [0, 14]]];
    const batch = batchFromFixtures([{ description: '', height: 9, polygons: [rings] }]);
    Object.assign(batch.params[0], { levels: 3 });
    const mesh = buildMeshes(batch, { facades: 'geometry' }, new Summary());
    expect(mesh.uvs).toBeUndefined();
    const m = meshMetrics(mesh);
    expect(m.watertight, `${m.badEdges} bad edges`).toBe(true);
    const glass = mesh.materials.findIndex((x) => x.name.startsWith('glass:'));
    const door = mesh.materials.findIndex((x) => x.name.startsWith('door:'));
    // panes: one quad (4 own vertices) each, facing out; on the south wall (normal -y) 0.15 m in (y = 0.15)
    const paneVertices = (mat: number) => [...new Set(Array.from(mesh.indices).filter((v) => mesh.materialIds[v] === mat))];
    const south = paneVertices(glass).filter((v) => Math.abs(mesh.positions[3 * v + 1] - 0.15) < 1e-5);
    expect(south.length / 4).toBe(7 * 3 - 1);
    expect(paneVertices(door).length / 4).toBe(1);
    // the door: from a 5 cm threshold up a storey's 0.74, 0.36 of its bay wide, in the middle bay (3 of 7)
    // (openings are shifted by up to 2 mm so that none line up exactly: to the centimetre)
    const dv = paneVertices(door);
    const dz = dv.map((v) => mesh.positions[3 * v + 2]), dx = dv.map((v) => mesh.positions[3 * v]);
    expect(Math.min(...dz)).toBeCloseTo(0.05, 2);
    expect(Math.max(...dz)).toBeCloseTo(0.74 * 3, 2);
    expect((Math.min(...dx) + Math.max(...dx)) / 2).toBeCloseTo((3.5 * 20) / 7, 2);
    expect(Math.max(...dx) - Math.min(...dx)).toBeCloseTo(0.36 * (20 / 7), 4);
    // every window row within its storey: the residential window from 0.3 to 0.8 of the storey
    const rows = [...new Set(south.map((v) => Math.round(mesh.positions[3 * v + 2] * 100) / 100))].sort((a, b) => a - b);
    expect(rows).toEqual([0.9, 2.4, 3.9, 5.4, 6.9, 8.4]);
    // the volume: the solid less every opening's recess (each window 0.42 × 0.5 of a bay × storey, 0.15 m deep)
    const windows = paneVertices(glass).length / 4;
    // (bays differ per wall: the recesses summed from the panes themselves)
    let recess = 0;
    for (const mat of [glass, door]) {
      const vs = paneVertices(mat);
      for (let q = 0; q < vs.length; q += 4) {
        const g = vs.slice(q, q + 4).map((v) => [mesh.positions[3 * v], mesh.positions[3 * v + 1], mesh.positions[3 * v + 2]]);
        const w = Math.max(Math.hypot(g[1][0] - g[0][0], g[1][1] - g[0][1]), Math.hypot(g[2][0] - g[1][0], g[2][1] - g[1][1]), Math.hypot(g[3][0] - g[0][0], g[3][1] - g[0][1]));
        const h = Math.max(...g.map((p) => p[2])) - Math.min(...g.map((p) => p[2]));
        recess += w * h * 0.15;
      }
    }
    expect(windows).toBeGreaterThan(40);
    expect(m.volume).toBeCloseTo((20 * 8 + 8 * 6) * 9 - recess, 2);
    // a south wall bent 10° at x = 9 (two straight runs, one wall of 7 bays): bay 3 crosses the bend, its
    // window does not: every bay keeps its window, on the run it lies on
    const bent = batchFromFixtures([{ description: '', height: 3, polygons: [[[[0, 0], [9, 0], [20, 11 * Math.tan(Math.PI / 18)], [20, 10], [0, 10]]]] }]);
    const mb = buildMeshes(bent, { facades: 'geometry' }, new Summary());
    expect(meshMetrics(mb).watertight).toBe(true);
    const gb = mb.materials.findIndex((x) => x.name.startsWith('glass:'));
    const panes = [...new Set(Array.from(mb.indices).filter((v) => mb.materialIds[v] === gb))];
    // panes facing south-ish (normal y < -0.5), one storey: 7 (the door takes the longest single-edge wall's bay: the north)
    expect(panes.filter((v) => mb.normals[3 * v + 1] < -0.5).length / 4).toBe(7);
    // window-lost-on-a-kink: a south wall kinked 0.6° at x = 10, under bay 3's window (a node of an entrance, a
    // slightly bent facade): the window is cut at the kink, its two parts meeting on the mitre; all 7 stay
    const kink = batchFromFixtures([{ description: '', height: 3, polygons: [[[[0, 0], [10, 0.1], [20, 0], [20, 10], [0, 10]]]] }]);
    const mk = buildMeshes(kink, { facades: 'geometry' }, new Summary());
    expect(meshMetrics(mk).watertight).toBe(true);
    expect(meshMetrics(mk).volume).toBeLessThan(meshMetrics(buildMeshes(kink, { facades: 'none' }, new Summary())).volume);
    const gk = mk.materials.findIndex((x) => x.name.startsWith('glass:'));
    const kv = [...new Set(Array.from(mk.indices).filter((v) => mk.materialIds[v] === gk))].filter((v) => mk.normals[3 * v + 1] < -0.5);
    let paneArea = 0;
    for (let q = 0; q < kv.length; q += 4) {
      const g = kv.slice(q, q + 4).map((v) => [mk.positions[3 * v], mk.positions[3 * v + 1], mk.positions[3 * v + 2]]);
      paneArea += (Math.max(...g.map((p) => p[0])) - Math.min(...g.map((p) => p[0]))) * (Math.max(...g.map((p) => p[2])) - Math.min(...g.map((p) => p[2])));
    }
    const bayK = (2 * Math.hypot(10, 0.1)) / 7;
    expect(paneArea).toBeCloseTo(7 * 0.42 * bayK * 0.5 * 3, 1);
    // a gabled house: no opening crosses the sloping top of a gable wall; closed
    const b2 = batchFromFixtures([{ description: '', height: 12, polygons: [[[[0, 0], [12, 0], [12, 8], [0, 8]]]] }]);
    Object.assign(b2.params[0], { levels: 2, roof: { ...b2.params[0].roof, shape: 'gabled', height: 6 } });
    const g2 = buildMeshes(b2, { facades: 'geometry' }, new Summary());
    expect(meshMetrics(g2).watertight).toBe(true);
    const roofTop = (x: number) => 6 + 6 * (1 - Math.abs(x - 4) / 4);
    const gl2 = g2.materials.findIndex((x) => x.name.startsWith('glass:'));
    let gableWindows = 0;
    for (const v of Array.from(g2.indices).filter((i) => g2.materialIds[i] === gl2)) {
      const x = g2.positions[3 * v], y = g2.positions[3 * v + 1], z = g2.positions[3 * v + 2];
      if (Math.abs(x - 0.15) > 1e-5 && Math.abs(x - 11.85) > 1e-5) continue;
      gableWindows++;
      expect(z).toBeLessThanOrEqual(roofTop(y) - 0.15 + 0.003);
    }
    // the gables hold windows in the roof storey, between the eaves (6 m) and the slopes
    expect(gableWindows).toBeGreaterThan(0);
    expect(Array.from(g2.indices).some((v) => g2.materialIds[v] === gl2 && g2.positions[3 * v + 2] > 6 && Math.abs(g2.positions[3 * v] - 0.15) < 1e-5)).toBe(true);
  });

  it('doors-under-the-hill: on a slope (seated on its lowest ground) no window sill or door stands in the terrain, in either mode; the front door goes to the wall downhill; the shell stays closed', () => {
    // a 20 × 10 m block of three 3 m storeys on ground rising 0.2 m per metre eastwards (4 m across it)
    const rings = [[[0, 0], [20, 0], [20, 10], [0, 10]]];
    const n = 41;
    const terrain: ElevationGrid = { x0: -10, y0: -10, cell: 1, n, heights: new Float32Array(n * n) };
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) terrain.heights[j * n + i] = 0.2 * (terrain.x0 + i) + 50;
    const above = (x: number, y: number, foot: number) => terrain.heights[0] + 0.2 * (x - terrain.x0) - foot + 0 * y;
    for (const facades of ['texture', 'geometry'] as const) {
      const batch = batchFromFixtures([{ description: '', height: 9, polygons: [rings] }]);
      Object.assign(batch.params[0], { levels: 3 });
      const ground = groundElevations(batch, terrain, 'min');
      expect(ground[0]).toBeCloseTo(50, 6);
      const mesh = buildMeshes(batch, { facades, ground, terrain }, new Summary());
      const m = meshMetrics(mesh);
      expect(m.watertight, `${facades}: ${m.badEdges} bad edges`).toBe(true);
      const P = mesh.positions;
      // the terrain above the foot at a vertex (its z lifted by the ground)
      const buried = (v: number) => above(P[3 * v], P[3 * v + 1], ground[0]);
      const z = (v: number) => P[3 * v + 2] - ground[0];
      if (facades === 'texture') {
        // every triangle of wall with windows on it (its u not one value) starts a sill's height (0.3 of a
        // storey) and 0.1 m clear of the terrain below every vertex of it
        const uv = mesh.uvs!;
        let windowed = 0, plain = 0;
        for (let t = 0; t < mesh.indices.length / 3; t++) {
          const vs = [0, 1, 2].map((k) => mesh.indices[3 * t + k]);
          if (!mesh.materials[mesh.materialIds[vs[0]]].facade || Math.abs(mesh.normals[3 * vs[0] + 2]) > 1e-6) continue;
          const us = vs.map((v) => uv[2 * v]);
          if (Math.max(...us) - Math.min(...us) < 1e-9) {
            plain++;
            continue;
          }
          windowed++;
          for (const v of vs) expect(z(v) + 0.3 * 3 + 1e-6, `vertex at x ${P[3 * v].toFixed(1)}`).toBeGreaterThanOrEqual(buried(v) + 0.1);
        }
        expect(windowed).toBeGreaterThan(0);
        expect(plain).toBeGreaterThan(0);
        // the front door on the wall whose ground is clear (the west wall, downhill), not the buried south wall
        const doorMaterial = mesh.materials.findIndex((x) => x.facade === 'entrance');
        const door = [...new Set(Array.from(mesh.indices).filter((v) => mesh.materialIds[v] === doorMaterial))];
        expect(door).toHaveLength(4);
        for (const v of door) expect(P[3 * v]).toBeCloseTo(0, 6);
      } else {
        const glass = mesh.materials.findIndex((x) => x.name.startsWith('glass:'));
        const door = mesh.materials.findIndex((x) => x.name.startsWith('door:'));
        const panes = [...new Set(Array.from(mesh.indices).filter((v) => mesh.materialIds[v] === glass))];
        expect(panes.length).toBeGreaterThan(0);
        for (const v of panes) expect(z(v) + 1e-6).toBeGreaterThanOrEqual(buried(v) + 0.1);
        const leaf = [...new Set(Array.from(mesh.indices).filter((w) => door >= 0 && mesh.materialIds[w] === door))];
        expect(leaf).toHaveLength(4);
        for (const v of leaf) expect(z(v) + 1e-6).toBeGreaterThanOrEqual(buried(v) - 0.3);
      }
    }
  });

  it('shop-front-under-the-hill: on a slope a shop\'s ground storey and the storeys above it keep every sill clear of the terrain (texture); the shell stays closed', () => {
    const rings = [[[0, 0], [21, 0], [21, 10], [0, 10]]];
    const n = 41;
    const terrain: ElevationGrid = { x0: -10, y0: -10, cell: 1, n, heights: new Float32Array(n * n) };
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) terrain.heights[j * n + i] = 0.25 * (terrain.x0 + i) + 50;
    const batch = batchFromFixtures([{ description: '', height: 12, polygons: [rings] }]);
    Object.assign(batch.params[0], { kind: 'retail', levels: 4 });
    const ground = groundElevations(batch, terrain, 'min');
    const mesh = buildMeshes(batch, { facades: 'texture', ground, terrain }, new Summary());
    const m = meshMetrics(mesh);
    expect(m.watertight, `${m.badEdges} bad edges`).toBe(true);
    const P = mesh.positions, uv = mesh.uvs!;
    const looks = new Set<string>();
    for (let t = 0; t < mesh.indices.length / 3; t++) {
      const vs = [0, 1, 2].map((k) => mesh.indices[3 * t + k]);
      const look = mesh.materials[mesh.materialIds[vs[0]]].facade;
      if (!look || Math.abs(mesh.normals[3 * vs[0] + 2]) > 1e-6) continue;
      const us = vs.map((v) => uv[2 * v]);
      if (Math.max(...us) - Math.min(...us) < 1e-9) continue;
      looks.add(look);
      const sill = FACADE_LOOKS[look].window.sill * 3;
      for (const v of vs) expect(P[3 * v + 2] - ground[0] + sill + 1e-6, `${look} at x ${P[3 * v].toFixed(1)}`).toBeGreaterThanOrEqual(0.25 * P[3 * v] + 0.1);
    }
    // both the shop front (downhill) and the shop's windows above it are still there
    expect([...looks].sort()).toEqual(['commercial', 'shopfront']);
  });

  it('the GLB: validator-clean; one PNG per look, shared; texture coordinates on the facade primitives only; roofs plain', async () => {
    const batch = batchFromFixtures([
      { description: '', height: 15, polygons: [[[[0, 0], [20, 0], [20, 10], [0, 10]]]] },
      { description: '', height: 9, polygons: [[[[40, 0], [60, 0], [60, 10], [40, 10]]]] },
      { description: '', height: 30, polygons: [[[[80, 0], [90, 0], [90, 10], [80, 10]]]] },
    ]);
    Object.assign(batch.params[1], { kind: 'retail' });
    Object.assign(batch.params[2], { material: 'glass' });
    const mesh = buildMeshes(batch, { facades: 'texture' }, new Summary());
    const glb = await writeGlb(mesh, batch.params, batch.frame);
    await expectValidGlb(glb);
    const { json } = await readGlb(glb);
    // residential, commercial with the retail building's shop front, glass, and the front doors (one look, shared)
    expect(json.images).toHaveLength(5);
    expect(json.textures).toHaveLength(5);
    for (const m of json.meshes)
      for (const p of m.primitives) {
        const mat = json.materials[p.material];
        expect('TEXCOORD_0' in p.attributes).toBe(/^facade:/.test(mat.name));
        if (/^facade:/.test(mat.name)) expect(json.samplers[json.textures[mat.pbrMetallicRoughness.baseColorTexture.index].sampler ?? 0]?.wrapS ?? 10497).toBe(10497);
      }
  });

  it('geometry GLB: validator-clean with every look (homes, a shop front, a glass curtain wall, a gabled roof); no textures; frame, glass and door materials', async () => {
    const batch = batchFromFixtures([
      { description: '', height: 15, polygons: [[[[0, 0], [20, 0], [20, 10], [0, 10]]]] },
      { description: '', height: 9, polygons: [[[[40, 0], [60, 0], [60, 10], [40, 10]]]] },
      { description: '', height: 30, polygons: [[[[80, 0], [90, 0], [90, 10], [80, 10]]]] },
      { description: '', height: 12, polygons: [[[[100, 0], [112, 0], [112, 8], [100, 8]]]] },
    ]);
    Object.assign(batch.params[1], { kind: 'retail' });
    Object.assign(batch.params[2], { material: 'glass' });
    Object.assign(batch.params[3], { levels: 2, roof: { ...batch.params[3].roof, shape: 'gabled', height: 6 } });
    const mesh = buildMeshes(batch, { facades: 'geometry' }, new Summary());
    for (let f = 0; f < 4; f++) expect(meshMetrics(mesh, mesh.triangleOffsets[f], mesh.triangleOffsets[f + 1]).watertight).toBe(true);
    const glb = await writeGlb(mesh, batch.params, batch.frame);
    await expectValidGlb(glb);
    const { json } = await readGlb(glb);
    expect(json.images ?? []).toHaveLength(0);
    const names = json.materials.map((m: { name: string }) => m.name.split(':')[0]);
    for (const part of ['wall', 'roof', 'frame', 'glass', 'door']) expect(names).toContain(part);
  });

  it('without --facades nothing changes: no texture coordinates, no textures', async () => {
    const batch = batchFromFixtures([{ description: '', height: 15, polygons: [[[[0, 0], [20, 0], [20, 10], [0, 10]]]] }]);
    const mesh = buildMeshes(batch, {}, new Summary());
    expect(mesh.uvs).toBeUndefined();
    const { json } = await readGlb(await writeGlb(mesh, batch.params, batch.frame));
    expect(json.images ?? []).toHaveLength(0);
  });
});
