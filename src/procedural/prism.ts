import { triangulate, type Footprint } from './footprint.js';
import type { MeshBuilder } from './mesh-builder.js';
import type { FacadeWalls } from './facade.js';

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

/** A wall shorter than this share of a bay gets no window: its u stays on the texture's wall column. */
const WINDOWLESS = 0.6;
/** The u of a windowless wall (inside the texture's first column, which is wall). */
const WALL_COLUMN_U = 0.02;

/** Where a building's front door goes: edge `edge` of its outer ring (vertex `edge` → `edge + 1`), between the shares `t0` and `t1` of its length. */
export interface Entrance {
  edge: number;
  t0: number;
  t1: number;
}

/**
 * The front door of a footprint's facade (`facade.entrance`): the middle bay of its longest wall that is one
 * edge between sharp corners, holds at least one bay and is not shared with a neighbour (the street side of
 * most houses, which have no entrance node); null for none. Walls and floor both split that edge there, so the
 * shell stays closed.
 *
 * @example
 * ```ts
 * entranceOf(rect10x6, { look: 'residential', bay: 3, storey: 3, entrance: 'entrance' }, 20); // { edge: 0, t0: 1/3, t1: 2/3 }
 * ```
 */
export function entranceOf(fp: Footprint, facade: FacadeWalls | null, smoothAngle: number): Entrance | null {
  if (!facade?.entrance) return null;
  const c = fp.coords;
  const n = fp.ringStarts[1];
  if (n < 3) return null;
  const cosSmooth = Math.cos((smoothAngle * Math.PI) / 180);
  const dir = (k: number) => {
    const i = k % n, j = (k + 1) % n;
    const dx = c[2 * j] - c[2 * i], dy = c[2 * j + 1] - c[2 * i + 1];
    const l = Math.hypot(dx, dy) || 1;
    return [dx / l, dy / l, Math.hypot(dx, dy)];
  };
  let best = -1, bestLength = 0;
  for (let k = 0; k < n; k++) {
    const [ux, uy, len] = dir(k);
    const [px, py] = dir(k + n - 1), [qx, qy] = dir(k + 1);
    // sharp corners at both ends: the edge is a wall of its own
    if (px * ux + py * uy >= cosSmooth || ux * qx + uy * qy >= cosSmooth) continue;
    if (Math.round(len / facade.bay) < 1 || len < WINDOWLESS * facade.bay) continue;
    const i = k, j = (k + 1) % n;
    if (facade.party?.(c[2 * i], c[2 * i + 1], c[2 * j], c[2 * j + 1])) continue;
    if (len > bestLength + 1e-9) [best, bestLength] = [k, len];
  }
  if (best < 0) return null;
  const bays = Math.max(1, Math.round(bestLength / facade.bay));
  const m = Math.floor(bays / 2);
  return { edge: best, t0: m / bays, t1: (m + 1) / bays };
}

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
  const vOf = (z: number) => (facade ? (z - z0) / facade.storey : 0);
  for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
    const a = fp.ringStarts[r];
    const n = fp.ringStarts[r + 1] - a;
    // outward unit normal of edge k (from vertex k to k+1)
    const enx = new Float64Array(n);
    const eny = new Float64Array(n);
    const len = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const i = a + k;
      const j = a + ((k + 1) % n);
      const dx = c[2 * j] - c[2 * i];
      const dy = c[2 * j + 1] - c[2 * i + 1];
      len[k] = Math.hypot(dx, dy);
      const l = len[k] || 1;
      enx[k] = dy / l;
      eny[k] = -dx / l;
    }
    // corners: sharp ones split the wall (own vertices each side), smooth ones share a smoothed normal
    const smooth = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const prev = (k + n - 1) % n;
      smooth[k] = enx[prev] * enx[k] + eny[prev] * eny[k] >= cosSmooth ? 1 : 0;
    }
    // with a facade, u along each wall (a run of edges between sharp corners); a ring smooth all round
    // (a round tower) is cut at its first vertex
    const uIn = new Float64Array(n), uOut = new Float64Array(n);
    if (facade) {
      // a shared (party) wall gets no windows: it is a wall of its own, cut from its neighbours
      const party = new Uint8Array(n);
      if (facade.party)
        for (let k = 0; k < n; k++) {
          const i = a + k, j = a + ((k + 1) % n);
          party[k] = facade.party(c[2 * i], c[2 * i + 1], c[2 * j], c[2 * j + 1]) ? 1 : 0;
        }
      for (let k = 0; k < n; k++) if (party[k] !== party[(k + n - 1) % n]) smooth[k] = 0;
      if (smooth.every((s) => s)) smooth[0] = 0;
      for (let s = 0; s < n; s++) {
        if (smooth[s]) continue;
        let total = 0, e = s;
        do {
          total += len[e];
          e = (e + 1) % n;
        } while (smooth[e]);
        const bays = Math.round(total / facade.bay);
        const windowless = total < WINDOWLESS * facade.bay || party[s] === 1;
        const scale = windowless ? 0 : Math.max(1, bays) / total, offset = windowless ? WALL_COLUMN_U : 0;
        let along = 0;
        e = s;
        uOut[s] = offset;
        do {
          along += len[e];
          e = (e + 1) % n;
          if (smooth[e]) uIn[e] = uOut[e] = offset + along * scale;
          else uIn[e] = offset + along * scale;
        } while (smooth[e]);
      }
    }
    // a ground storey of its own look (a shop front): its own strip of wall, where every wall of the
    // ring rises a storey and a half
    let zg = NaN;
    if (facade?.ground) {
      let low = Infinity;
      for (let k = 0; k < n; k++) low = Math.min(low, zt ? zt[a + k] : z1);
      if (low - z0 >= 1.5 * facade.storey) zg = z0 + facade.storey;
    }
    const door = r === 0 && Number.isNaN(zg) ? entranceOf(fp, facade, options.smoothAngle) : null;
    if (Number.isNaN(zg)) wallStrip(c, a, n, z0, (k) => (zt ? zt[a + k] : z1), smooth, enx, eny, uIn, uOut, vOf, mesh, door && facade ? { ...door, look: facade.look, doorLook: facade.entrance!, storey: facade.storey } : null);
    else {
      mesh.useFacadeLook(facade!.ground!);
      wallStrip(c, a, n, z0, () => zg, smooth, enx, eny, uIn, uOut, vOf, mesh);
      mesh.useFacadeLook(facade!.look);
      wallStrip(c, a, n, zg, (k) => (zt ? zt[a + k] : z1), smooth, enx, eny, uIn, uOut, vOf, mesh);
    }
  }
}

/**
 * One band of a ring's walls, from `zb` to each vertex's `topOf(k)`: vertex columns (bottom index; top =
 * bottom + 1) — colIn[k] ends edge k-1, colOut[k] starts edge k; one shared column at a smooth corner —
 * and two triangles per edge.
 */
function wallStrip(c: ArrayLike<number>, a: number, n: number, zb: number, topOf: (k: number) => number, smooth: Uint8Array, enx: Float64Array, eny: Float64Array, uIn: Float64Array, uOut: Float64Array, vOf: (z: number) => number, mesh: MeshBuilder, door: (Entrance & { look: string; doorLook: string; storey: number }) | null = null): void {
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
    if (door && k === door.edge) continue;
    const bi = colOut[k];
    const bj = colIn[(k + 1) % n];
    mesh.triangle(bi, bj, bj + 1);
    mesh.triangle(bi, bj + 1, bi + 1);
  }
  if (door) doorWall(c, a, n, zb, topOf, enx, eny, uIn, uOut, vOf, mesh, colOut[door.edge], colIn[(door.edge + 1) % n], door);
}

/**
 * The wall of edge `door.edge` with its front door: the door (its own look) from the foot up a storey
 * (or 4/5 of the lower end's height, if less) between the shares t0 … t1 of the edge, and the wall around it
 * as one U-shaped panel whose outline keeps the edge's corners and top whole (the roof and the neighbouring
 * walls meet it there); its foot is split at the door's sides, as the floor is (see `buildFloor`).
 */
function doorWall(c: ArrayLike<number>, a: number, n: number, zb: number, topOf: (k: number) => number, enx: Float64Array, eny: Float64Array, uIn: Float64Array, uOut: Float64Array, vOf: (z: number) => number, mesh: MeshBuilder, sb: number, eb: number, door: Entrance & { look: string; doorLook: string; storey: number }): void {
  const k = door.edge, k1 = (k + 1) % n;
  const x0 = c[2 * (a + k)], y0 = c[2 * (a + k) + 1], x1 = c[2 * (a + k1)], y1 = c[2 * (a + k1) + 1];
  const nx = enx[k], ny = eny[k];
  const zd = zb + Math.min(door.storey, 0.8 * (Math.min(topOf(k), topOf(k1)) - zb));
  const at = (t: number, z: number) => mesh.vertex(x0 + t * (x1 - x0), y0 + t * (y1 - y0), z, nx, ny, 0, uOut[k] + t * (uIn[k1] - uOut[k]), vOf(z));
  // the panel: corners sb, sb + 1 (top), eb, eb + 1 (the strip's columns); the door's foot and head corners
  const p0b = at(door.t0, zb), p1b = at(door.t1, zb), p0d = at(door.t0, zd), p1d = at(door.t1, zd);
  const st = sb + 1, et = eb + 1;
  mesh.triangle(sb, p0b, p0d);
  mesh.triangle(sb, p0d, st);
  mesh.triangle(st, p0d, p1d);
  mesh.triangle(st, p1d, et);
  mesh.triangle(p1d, p1b, eb);
  mesh.triangle(p1d, eb, et);
  // the door: vertices of its own (the door look's texture), the same places
  mesh.useFacadeLook(door.doorLook);
  const d0b = at(door.t0, zb), d1b = at(door.t1, zb), d0d = at(door.t0, zd), d1d = at(door.t1, zd);
  mesh.triangle(d0b, d1b, d1d);
  mesh.triangle(d0b, d1d, d0d);
  mesh.useFacadeLook(door.look);
}

/**
 * Append the floor of one footprint polygon at `z0`, facing down. With a facade that has a front door
 * ({@link entranceOf}), the floor's edge under the door is split at the door's sides, as the wall's foot is.
 */
export function buildFloor(fp: Footprint, z0: number, mesh: MeshBuilder, options: WallOptions = WALL_DEFAULTS): void {
  const tris = triangulate(fp);
  const c = fp.coords;
  const base = mesh.vertexCount;
  const start = mesh.indices.length;
  for (let i = 0; i < c.length / 2; i++) mesh.vertex(c[2 * i], c[2 * i + 1], z0, 0, 0, -1);
  for (let t = 0; t < tris.length; t += 3) mesh.triangle(base + tris[t], base + tris[t + 2], base + tris[t + 1]);
  splitDoorFloor(mesh, start, fp, entranceOf(fp, options.facade, options.smoothAngle), z0);
}

/**
 * Split the floor triangle (among the mesh's indices from `start`) that holds the door's edge at the door's
 * sides, so the floor meets the wall's foot edge for edge (see {@link doorWall}). No door: nothing.
 */
export function splitDoorFloor(mesh: MeshBuilder, start: number, fp: Footprint, door: Entrance | null, z0: number): void {
  if (!door) return;
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
