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
    if (Number.isNaN(zg)) wallStrip(c, a, n, z0, (k) => (zt ? zt[a + k] : z1), smooth, enx, eny, uIn, uOut, vOf, mesh);
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
function wallStrip(c: ArrayLike<number>, a: number, n: number, zb: number, topOf: (k: number) => number, smooth: Uint8Array, enx: Float64Array, eny: Float64Array, uIn: Float64Array, uOut: Float64Array, vOf: (z: number) => number, mesh: MeshBuilder): void {
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
    const bi = colOut[k];
    const bj = colIn[(k + 1) % n];
    mesh.triangle(bi, bj, bj + 1);
    mesh.triangle(bi, bj + 1, bi + 1);
  }
}

/** Append the floor of one footprint polygon at `z0`, facing down. */
export function buildFloor(fp: Footprint, z0: number, mesh: MeshBuilder): void {
  const tris = triangulate(fp);
  const c = fp.coords;
  const base = mesh.vertexCount;
  for (let i = 0; i < c.length / 2; i++) mesh.vertex(c[2 * i], c[2 * i + 1], z0, 0, 0, -1);
  for (let t = 0; t < tris.length; t += 3) mesh.triangle(base + tris[t], base + tris[t + 2], base + tris[t + 1]);
}
