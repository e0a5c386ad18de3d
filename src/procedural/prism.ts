import { triangulate, type Footprint } from './footprint.js';
import type { MeshBuilder } from './mesh-builder.js';
import { FACADE_LOOKS, type FacadeWalls } from './facade.js';
import { aboveGround, edgePoint, entrancesOf, wallLayout, WINDOW_CLEAR, type Entrance, type WallLayout } from './facade-layout.js';
import { geometryWalls } from './facade-geometry.js';

export { entrancesOf, type Entrance } from './facade-layout.js';

/** Options for walls. */
export interface WallOptions {
  /** Adjacent walls meeting at less than this angle (degrees) share vertices and a smoothed normal. */
  smoothAngle: number;
  /**
   * Lay a facade out on the walls (texture coordinates: u in window bays along each wall, a whole number
   * of them per wall; v in storeys up from the wall's foot), or null: none.
   */
  facade: FacadeWalls | null;
}

/** Defaults for {@link WallOptions}. */
export const WALL_DEFAULTS: WallOptions = { smoothAngle: 20, facade: null };

/**
 * Append the walls of one footprint polygon from `z0` to `top` (one height, or one per vertex for
 * roofs whose eaves are not level): one quad per ring edge, normals
 * pointing out of the solid (outer rings are counter-clockwise, holes clockwise). With a facade, every
 * wall — a run of edges between sharp corners — holds a whole number of window bays, none across a corner.
 */
export function buildWalls(fp: Footprint, z0: number, top: number | ArrayLike<number>, mesh: MeshBuilder, options: WallOptions = WALL_DEFAULTS): void {
  const zt = typeof top === 'number' ? null : top;
  const z1 = typeof top === 'number' ? top : 0;
  const c = fp.coords;
  const cosSmooth = Math.cos((options.smoothAngle * Math.PI) / 180);
  const facade = options.facade ?? null;
  if (facade?.geometry) return geometryWalls(fp, z0, (v) => (zt ? zt[v] : z1), mesh, facade, options.smoothAngle);
  const vOf = (z: number) => (facade ? (z - z0) / facade.storey : 0);
  for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
    const a = fp.ringStarts[r];
    const n = fp.ringStarts[r + 1] - a;
    const layout = wallLayout(c, a, n, facade, cosSmooth);
    const { enx, eny, smooth, uIn, uOut } = layout;
    // a ground storey of its own look (a shop front): its own strip of wall, where every wall of the
    // ring rises a storey and a half
    let zg = NaN;
    if (facade?.ground) {
      let low = Infinity;
      for (let k = 0; k < n; k++) low = Math.min(low, zt ? zt[a + k] : z1);
      if (low - z0 >= 1.5 * facade.storey) zg = z0 + facade.storey;
    }
    const buried = facade?.buried;
    // (a door the terrain covers is left out: doors-under-the-hill)
    const doors = r === 0 && Number.isNaN(zg) && facade ? standingDoors(fp, facade, options.smoothAngle, z0, layout).map((d) => ({ ...d, look: facade.look, doorLook: facade.entrance!, storey: facade.storey })) : [];
    const plinth = buried && Number.isNaN(zg) ? plinthTops(c, a, n, z0, (k) => (zt ? zt[a + k] : z1), facade!, buried) : null;
    if (Number.isNaN(zg)) wallStrip(c, a, n, z0, (k) => (zt ? zt[a + k] : z1), smooth, enx, eny, uIn, uOut, vOf, mesh, doors, plinth);
    else {
      // (on a slope each strip has its own plinth, the shop front's by its own sill: shop-front-under-the-hill)
      const top = (k: number) => (zt ? zt[a + k] : z1);
      mesh.useFacadeLook(facade!.ground!);
      wallStrip(c, a, n, z0, () => zg, smooth, enx, eny, uIn, uOut, vOf, mesh, [], buried ? plinthTops(c, a, n, z0, () => zg, { ...facade!, look: facade!.ground! }, buried) : null);
      mesh.useFacadeLook(facade!.look);
      wallStrip(c, a, n, zg, top, smooth, enx, eny, uIn, uOut, vOf, mesh, [], buried ? plinthTops(c, a, n, zg, top, facade!, buried) : null);
    }
  }
}

/**
 * One band of a ring's walls, from `zb` to each vertex's `topOf(k)`: vertex columns (bottom index; top =
 * bottom + 1) — colIn[k] ends edge k-1, colOut[k] starts edge k; one shared column at a smooth corner —
 * and two triangles per edge.
 */
function wallStrip(c: ArrayLike<number>, a: number, n: number, zb: number, topOf: (k: number) => number, smooth: Uint8Array, enx: Float64Array, eny: Float64Array, uIn: Float64Array, uOut: Float64Array, vOf: (z: number) => number, mesh: MeshBuilder, doors: readonly (Entrance & { look: string; doorLook: string; storey: number })[] = [], plinth: Float64Array | null = null): void {
  const colIn = new Uint32Array(n);
  const colOut = new Uint32Array(n);
  const vb = vOf(zb);
  for (let k = 0; k < n; k++) {
    const prev = (k + n - 1) % n;
    const x = c[2 * (a + k)];
    const y = c[2 * (a + k) + 1];
    const zk = topOf(k);
    if (smooth[k]) {
      let nx = enx[prev] + enx[k];
      let ny = eny[prev] + eny[k];
      const l = Math.hypot(nx, ny);
      nx /= l;
      ny /= l;
      const b = mesh.vertex(x, y, zb, nx, ny, 0, uOut[k], vb);
      mesh.vertex(x, y, zk, nx, ny, 0, uOut[k], vOf(zk));
      colIn[k] = colOut[k] = b;
    } else {
      colIn[k] = mesh.vertex(x, y, zb, enx[prev], eny[prev], 0, uIn[k], vb);
      mesh.vertex(x, y, zk, enx[prev], eny[prev], 0, uIn[k], vOf(zk));
      colOut[k] = mesh.vertex(x, y, zb, enx[k], eny[k], 0, uOut[k], vb);
      mesh.vertex(x, y, zk, enx[k], eny[k], 0, uOut[k], vOf(zk));
    }
  }
  for (let k = 0; k < n; k++) {
    if (doors.some((d) => d.edge === k)) continue;
    const bi = colOut[k];
    const bj = colIn[(k + 1) % n];
    if (!plinth || !(plinth[k] > zb || plinth[(k + n - 1) % n] > zb || plinth[(k + 1) % n] > zb)) {
      mesh.triangle(bi, bj, bj + 1);
      mesh.triangle(bi, bj + 1, bi + 1);
      continue;
    }
    plinthWall(c, a, n, k, zb, topOf, smooth, enx, eny, uIn, uOut, vOf, mesh, plinth);
  }
  for (const door of doors) {
    const sides: [number, number] = plinth ? [plinthSplit(plinth, (door.edge + n - 1) % n, n, zb, topOf), plinthSplit(plinth, (door.edge + 1) % n, n, zb, topOf)] : [NaN, NaN];
    doorWall(c, a, n, zb, topOf, enx, eny, uIn, uOut, vOf, mesh, colOut[door.edge], colIn[(door.edge + 1) % n], door, sides);
  }
}

/** Where edge `e`'s plinth splits its corner columns: its top, or NaN where it has none or it covers the edge whole. */
function plinthSplit(plinth: Float64Array, e: number, n: number, zb: number, topOf: (k: number) => number): number {
  return plinth[e] > zb && plinth[e] < Math.min(topOf(e), topOf((e + 1) % n)) ? plinth[e] : NaN;
}

/**
 * The wall of edge `k` where it or a neighbour has a plinth (see {@link plinthTops}): its plinth (plain
 * wall: the texture's wall column) from the foot to the plinth's top, the storeys above with their
 * windows; each band a strip between the edge's two corner columns through every height a wall meets
 * there (its own plinth's top and the neighbour's), so the shell stays closed.
 */
function plinthWall(c: ArrayLike<number>, a: number, n: number, k: number, zb: number, topOf: (k: number) => number, smooth: Uint8Array, enx: Float64Array, eny: Float64Array, uIn: Float64Array, uOut: Float64Array, vOf: (z: number) => number, mesh: MeshBuilder, plinth: Float64Array): void {
  const k1 = (k + 1) % n;
  const top0 = topOf(k), top1 = topOf(k1);
  // a plinth reaching a corner's top covers the edge whole (no split at its top)
  const split = (e: number) => plinthSplit(plinth, e, n, zb, topOf);
  const heights = (own: number, other: number, top: number) => [...new Set([zb, own, other, top].filter((z) => z >= zb && z <= top))].sort((p, q) => p - q);
  const left = heights(split(k), split((k + n - 1) % n), top0);
  const right = heights(split(k), split(k1), top1);
  const x0 = c[2 * (a + k)], y0 = c[2 * (a + k) + 1], x1 = c[2 * (a + k1)], y1 = c[2 * (a + k1) + 1];
  // each column's normal: the edge's, or at a smooth corner the two edges' mean (as the strip's columns)
  const normal = (v: number, e: number): [number, number] => {
    if (!smooth[v]) return [enx[e], eny[e]];
    const p = (v + n - 1) % n;
    const nx = enx[p] + enx[v], ny = eny[p] + eny[v], l = Math.hypot(nx, ny);
    return [nx / l, ny / l];
  };
  const [n0x, n0y] = normal(k, k), [n1x, n1y] = normal(k1, k);
  const own = split(k), whole = plinth[k] > zb && Number.isNaN(own);
  const uw = Math.round(uOut[k]);
  // the bands: [foot, plinth's top] plain, [plinth's top, top] with windows (or one band, plain or not)
  const bands: [number, number, boolean][] = Number.isNaN(own) ? [[zb, Infinity, whole]] : [[zb, own, true], [own, Infinity, false]];
  for (const [lo, hi, plain] of bands) {
    const zl = left.filter((z) => z >= lo && z <= hi), zr = right.filter((z) => z >= lo && z <= hi);
    const L = zl.map((z) => mesh.vertex(x0, y0, z, n0x, n0y, 0, plain ? uw : uOut[k], plain ? vOf(zb) : vOf(z)));
    const R = zr.map((z) => mesh.vertex(x1, y1, z, n1x, n1y, 0, plain ? uw : uIn[k1], plain ? vOf(zb) : vOf(z)));
    // a ladder up the two columns: always the lower next rung
    let i = 0, j = 0;
    while (i < L.length - 1 || j < R.length - 1) {
      if (j < R.length - 1 && (i === L.length - 1 || zr[j + 1] <= zl[i + 1])) {
        mesh.triangle(L[i], R[j], R[j + 1]);
        j++;
      } else {
        mesh.triangle(L[i], R[j], L[i + 1]);
        i++;
      }
    }
  }
}

/**
 * Per edge of a ring, the top of the plinth its facade needs where the terrain stands against it (a
 * building on a slope): the floor of the lowest storey whose window sill clears the terrain along the
 * edge by {@link WINDOW_CLEAR} (the terrain sampled every metre or so); NaN where the ground storey's
 * windows clear it.
 */
function plinthTops(c: ArrayLike<number>, a: number, n: number, zb: number, topOf: (k: number) => number, facade: FacadeWalls, buried: (x: number, y: number) => number): Float64Array {
  const out = new Float64Array(n).fill(NaN);
  const sill = FACADE_LOOKS[facade.look].window.sill;
  for (let k = 0; k < n; k++) {
    const k1 = (k + 1) % n;
    const x0 = c[2 * (a + k)], y0 = c[2 * (a + k) + 1], x1 = c[2 * (a + k1)], y1 = c[2 * (a + k1) + 1];
    const steps = Math.max(2, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
    let high = -Infinity;
    for (let q = 0; q <= steps; q++) high = Math.max(high, buried(x0 + ((x1 - x0) * q) / steps, y0 + ((y1 - y0) * q) / steps));
    // the first storey whose sill (its floor + sill × storey) stands WINDOW_CLEAR above the terrain
    const first = Math.ceil((high + WINDOW_CLEAR - zb) / facade.storey - sill - 1e-9);
    if (first > 0) out[k] = Math.min(zb + first * facade.storey, Math.max(topOf(k), topOf(k1)));
  }
  return out;
}

/** The terrain's height above the building's foot under a door (its middle). */
function doorGround(c: ArrayLike<number>, a: number, n: number, d: Entrance, buried: (x: number, y: number) => number): number {
  return buried(...edgePoint(c, a, n, d.edge, (d.t0 + d.t1) / 2));
}

/**
 * The wall of edge `door.edge` with its front door: the door (its own look) from the foot up a storey
 * (or 4/5 of the lower end's height, if less) between the shares t0 … t1 of the edge, and the wall around it
 * as one U-shaped panel whose outline keeps the edge's corners and top whole (the roof and the neighbouring
 * walls meet it there); its foot is split at the door's sides, as the floor is (see `buildFloor`).
 */
function doorWall(c: ArrayLike<number>, a: number, n: number, zb: number, topOf: (k: number) => number, enx: Float64Array, eny: Float64Array, uIn: Float64Array, uOut: Float64Array, vOf: (z: number) => number, mesh: MeshBuilder, sb: number, eb: number, door: Entrance & { look: string; doorLook: string; storey: number }, sides: readonly [number, number] = [NaN, NaN]): void {
  const k = door.edge, k1 = (k + 1) % n;
  const x0 = c[2 * (a + k)], y0 = c[2 * (a + k) + 1], x1 = c[2 * (a + k1)], y1 = c[2 * (a + k1) + 1];
  const nx = enx[k], ny = eny[k];
  const zd = zb + Math.min(door.storey, 0.8 * (Math.min(topOf(k), topOf(k1)) - zb));
  const atU = (t: number, u: number, z: number) => mesh.vertex(x0 + t * (x1 - x0), y0 + t * (y1 - y0), z, nx, ny, 0, u, vOf(z));
  // (the wall's own u there)
  const at = (t: number, z: number) => atU(t, uOut[k] + t * (uIn[k1] - uOut[k]), z);
  // the panel: corners sb, sb + 1 (top), eb, eb + 1 (the strip's columns); the door's foot and head corners
  const p0b = at(door.t0, zb), p1b = at(door.t1, zb), p0d = at(door.t0, zd), p1d = at(door.t1, zd);
  const st = sb + 1, et = eb + 1;
  mesh.triangle(sb, p0b, p0d);
  // (a side is split where the next wall's plinth meets the corner: doors-under-the-hill)
  if (Number.isNaN(sides[0])) mesh.triangle(sb, p0d, st);
  else {
    const ms = at(0, sides[0]);
    mesh.triangle(sb, p0d, ms);
    mesh.triangle(ms, p0d, st);
  }
  mesh.triangle(st, p0d, p1d);
  mesh.triangle(st, p1d, et);
  mesh.triangle(p1d, p1b, eb);
  if (Number.isNaN(sides[1])) mesh.triangle(p1d, eb, et);
  else {
    const me = at(1, sides[1]);
    mesh.triangle(p1d, eb, me);
    mesh.triangle(p1d, me, et);
  }
  // the door: vertices of its own (the door look's texture), the same places
  mesh.useFacadeLook(door.doorLook);
  const d0b = atU(door.t0, door.u0, zb), d1b = atU(door.t1, door.u1, zb), d0d = atU(door.t0, door.u0, zd), d1d = atU(door.t1, door.u1, zd);
  mesh.triangle(d0b, d1b, d1d);
  mesh.triangle(d0b, d1d, d0d);
  mesh.useFacadeLook(door.look);
}

/**
 * Append the floor of one footprint polygon at `z0`, facing down. With a facade that has a front door
 * ({@link entrancesOf}), the floor's edge under each door is split at the door's sides, as the wall's foot is.
 */
export function buildFloor(fp: Footprint, z0: number, mesh: MeshBuilder, options: WallOptions = WALL_DEFAULTS): void {
  const tris = triangulate(fp);
  const c = fp.coords;
  const base = mesh.vertexCount;
  const start = mesh.indices.length;
  for (let i = 0; i < c.length / 2; i++) mesh.vertex(c[2 * i], c[2 * i + 1], z0, 0, 0, -1);
  for (let t = 0; t < tris.length; t += 3) mesh.triangle(base + tris[t], base + tris[t + 2], base + tris[t + 1]);
  splitDoorFloor(mesh, start, fp, floorDoorsOf(fp, options, z0), z0);
}

/** The doors whose edges the floor splits (see {@link splitDoorFloor}): the texture's; a geometry facade's doors stand on a threshold. */
export function floorDoorsOf(fp: Footprint, options: WallOptions, z0: number): Entrance[] {
  return options.facade?.geometry ? [] : standingDoors(fp, options.facade, options.smoothAngle, z0);
}

/**
 * A footprint's front doors ({@link entrancesOf}) the terrain leaves clear (see `aboveGround`): a door whose
 * foot stands in the ground (a building on a slope: doors-under-the-hill) is left out, by walls and floor alike.
 */
function standingDoors(fp: Footprint, facade: FacadeWalls | null, smoothAngle: number, z0: number, layout?: WallLayout): Entrance[] {
  const doors = entrancesOf(fp, facade, smoothAngle, layout);
  const buried = facade?.buried;
  return buried ? doors.filter((d) => aboveGround('door', z0, doorGround(fp.coords, fp.ringStarts[0], fp.ringStarts[1] - fp.ringStarts[0], d, buried))) : doors;
}

/**
 * Split the floor triangle (among the mesh's indices from `start`) that holds each door's edge at the door's
 * sides, so the floor meets the wall's foot edge for edge (see {@link doorWall}). No door: nothing.
 */
export function splitDoorFloor(mesh: MeshBuilder, start: number, fp: Footprint, doors: readonly Entrance[], z0: number): void {
  for (const door of doors) splitDoorEdge(mesh, start, fp, door, z0);
}

/** Split the floor triangle holding one door's edge (see {@link splitDoorFloor}). */
function splitDoorEdge(mesh: MeshBuilder, start: number, fp: Footprint, door: Entrance, z0: number): void {
  const c = fp.coords, n = fp.ringStarts[1];
  const i = door.edge, j = (door.edge + 1) % n;
  const P = mesh.positions.array, I = mesh.indices.array;
  // (positions are float32: a few mm at a few km from the frame's origin)
  const at = (v: number, k: number) => Math.abs(P[3 * v] - c[2 * k]) < 2e-3 && Math.abs(P[3 * v + 1] - c[2 * k + 1]) < 2e-3 && Math.abs(P[3 * v + 2] - z0) < 2e-3;
  for (let t = start; t < mesh.indices.length; t += 3) {
    for (let e = 0; e < 3; e++) {
      const a = I[t + e], b = I[t + ((e + 1) % 3)], x = I[t + ((e + 2) % 3)];
      // the edge a → b runs from ring vertex i to j, or back
      const forward = at(a, i) && at(b, j), backward = at(a, j) && at(b, i);
      if (!forward && !backward) continue;
      const ts = forward ? [door.t0, door.t1] : [door.t1, door.t0];
      const m = ts.map((s) => mesh.vertex(c[2 * i] + s * (c[2 * j] - c[2 * i]), c[2 * i + 1] + s * (c[2 * j + 1] - c[2 * i + 1]), z0, 0, 0, -1));
      I[t] = a;
      I[t + 1] = m[0];
      I[t + 2] = x;
      mesh.triangle(m[0], m[1], x);
      mesh.triangle(m[1], b, x);
      return;
    }
  }
}
