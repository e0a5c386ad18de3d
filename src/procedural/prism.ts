import { triangulate, type Footprint } from './footprint.js';
import type { MeshBuilder } from './mesh-builder.js';

/** Options for walls. */
export interface WallOptions {
  /** Adjacent walls meeting at less than this angle (degrees) share vertices and a smoothed normal. */
  smoothAngle: number;
}

/** Defaults for {@link WallOptions}. */
export const WALL_DEFAULTS: WallOptions = { smoothAngle: 20 };

/**
 * Append the walls of one footprint polygon from `z0` to `top` (one height, or one per vertex for
 * roofs whose eaves are not level): one quad per ring edge, normals
 * pointing out of the solid (outer rings are counter-clockwise, holes clockwise).
 */
export function buildWalls(fp: Footprint, z0: number, top: number | ArrayLike<number>, mesh: MeshBuilder, options: WallOptions = WALL_DEFAULTS): void {
  const zt = typeof top === 'number' ? null : top;
  const z1 = typeof top === 'number' ? top : 0;
  const c = fp.coords;
  const cosSmooth = Math.cos((options.smoothAngle * Math.PI) / 180);
  for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
    const a = fp.ringStarts[r];
    const n = fp.ringStarts[r + 1] - a;
    // outward unit normal of edge k (from vertex k to k+1)
    const enx = new Float64Array(n);
    const eny = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const i = a + k;
      const j = a + ((k + 1) % n);
      const dx = c[2 * j] - c[2 * i];
      const dy = c[2 * j + 1] - c[2 * i + 1];
      const len = Math.hypot(dx, dy) || 1;
      enx[k] = dy / len;
      eny[k] = -dx / len;
    }
    // vertex columns (bottom index; top = bottom + 1): colIn[k] ends edge k-1, colOut[k] starts edge k
    const colIn = new Uint32Array(n);
    const colOut = new Uint32Array(n);
    for (let k = 0; k < n; k++) {
      const prev = (k + n - 1) % n;
      const x = c[2 * (a + k)];
      const y = c[2 * (a + k) + 1];
      const dot = enx[prev] * enx[k] + eny[prev] * eny[k];
      if (dot >= cosSmooth) {
        let nx = enx[prev] + enx[k];
        let ny = eny[prev] + eny[k];
        const l = Math.hypot(nx, ny);
        nx /= l;
        ny /= l;
        const b = mesh.vertex(x, y, z0, nx, ny, 0);
        mesh.vertex(x, y, zt ? zt[a + k] : z1, nx, ny, 0);
        colIn[k] = colOut[k] = b;
      } else {
        const zk = zt ? zt[a + k] : z1;
        colIn[k] = mesh.vertex(x, y, z0, enx[prev], eny[prev], 0);
        mesh.vertex(x, y, zk, enx[prev], eny[prev], 0);
        colOut[k] = mesh.vertex(x, y, z0, enx[k], eny[k], 0);
        mesh.vertex(x, y, zk, enx[k], eny[k], 0);
      }
    }
    for (let k = 0; k < n; k++) {
      const bi = colOut[k];
      const bj = colIn[(k + 1) % n];
      mesh.triangle(bi, bj, bj + 1);
      mesh.triangle(bi, bj + 1, bi + 1);
    }
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
