import earcut from 'earcut';
import { SURFACE_TYPES, type KeptSurfaces } from '../core/types.js';
import type { MeshBuilder } from './mesh-builder.js';

const ROOF = SURFACE_TYPES.indexOf('RoofSurface');

/** What {@link meshKeptSurfaces} reports. */
export interface KeptReport {
  /** Surfaces triangulated. */
  surfaces: number;
  /** Surfaces with no area (collinear or repeated vertices): left out. */
  degenerate: number;
}

/**
 * Triangulate a building's own surfaces (a city model's, kept as they are) into the mesh: each surface
 * with its holes, projected on the plane it lies in (its Newell normal) and cut by earcut, flat-shaded
 * with that normal, wound as the source winds it (counter-clockwise seen from outside). Roof surfaces
 * take the roof's material, every other one the walls'.
 *
 * @example
 * ```ts
 * mesh.beginFeature(f);
 * meshKeptSurfaces(batch.surfaces![f]!, mesh, () => mesh.useMaterial('wall', '#e3ddd3'), () => mesh.useMaterial('roof', '#a39a8f'));
 * mesh.endFeature();
 * ```
 */
export function meshKeptSurfaces(s: KeptSurfaces, mesh: MeshBuilder, wall: () => void, roof: () => void): KeptReport {
  const report: KeptReport = { surfaces: 0, degenerate: 0 };
  const C = s.coords;
  let current = -1;
  const flat: number[] = [];
  const holes: number[] = [];
  for (let k = 0; k + 1 < s.surfaceOffsets.length; k++) {
    const r0 = s.surfaceOffsets[k], r1 = s.surfaceOffsets[k + 1];
    const v0 = s.ringOffsets[r0], v1 = s.ringOffsets[r1];
    // Newell's normal of the outer ring
    let nx = 0, ny = 0, nz = 0;
    const e0 = s.ringOffsets[r0 + 1];
    for (let i = v0; i < e0; i++) {
      const j = i + 1 < e0 ? i + 1 : v0;
      const ax = C[3 * i], ay = C[3 * i + 1], az = C[3 * i + 2], bx = C[3 * j], by = C[3 * j + 1], bz = C[3 * j + 2];
      nx += (ay - by) * (az + bz);
      ny += (az - bz) * (ax + bx);
      nz += (ax - bx) * (ay + by);
    }
    const len = Math.hypot(nx, ny, nz);
    if (!(len > 1e-12)) {
      report.degenerate++;
      continue;
    }
    nx /= len; ny /= len; nz /= len;
    // project on the two axes the normal is least along
    const ax = Math.abs(nx), ay = Math.abs(ny), az = Math.abs(nz);
    const [i0, i1] = az >= ax && az >= ay ? [0, 1] : ax >= ay ? [1, 2] : [2, 0];
    flat.length = 0;
    holes.length = 0;
    for (let r = r0; r < r1; r++) {
      if (r > r0) holes.push(s.ringOffsets[r] - v0);
      for (let v = s.ringOffsets[r]; v < s.ringOffsets[r + 1]; v++) flat.push(C[3 * v + i0], C[3 * v + i1]);
    }
    const tris = earcut(flat, holes.length ? holes : undefined, 2);
    if (!tris.length) {
      report.degenerate++;
      continue;
    }
    const type = s.types[k] === ROOF ? ROOF : 0;
    if (type !== current) {
      (type === ROOF ? roof : wall)();
      current = type;
    }
    const base = mesh.vertexCount;
    for (let v = v0; v < v1; v++) mesh.vertex(C[3 * v], C[3 * v + 1], C[3 * v + 2], nx, ny, nz);
    for (let t = 0; t < tris.length; t += 3) {
      const a = tris[t], b = tris[t + 1], c = tris[t + 2];
      // earcut's winding follows the projection: keep each triangle facing the surface's normal
      const pa = 3 * (v0 + a), pb = 3 * (v0 + b), pc = 3 * (v0 + c);
      const ux = C[pb] - C[pa], uy = C[pb + 1] - C[pa + 1], uz = C[pb + 2] - C[pa + 2];
      const wx = C[pc] - C[pa], wy = C[pc + 1] - C[pa + 1], wz = C[pc + 2] - C[pa + 2];
      const d = (uy * wz - uz * wy) * nx + (uz * wx - ux * wz) * ny + (ux * wy - uy * wx) * nz;
      if (d >= 0) mesh.triangle(base + a, base + b, base + c);
      else mesh.triangle(base + a, base + c, base + b);
    }
    report.surfaces++;
  }
  return report;
}
