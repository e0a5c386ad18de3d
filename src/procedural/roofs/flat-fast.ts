import { triangulate, type Footprint } from '../footprint.js';
import type { MeshBuilder } from '../mesh-builder.js';

/** Append a flat roof (the footprint triangulated at `z`, facing up). Returns false if it will not triangulate. */
export function flatRoofFast(fp: Footprint, z: number, mesh: MeshBuilder): boolean {
  const tris = triangulate(fp);
  if (tris.length === 0) return false;
  const c = fp.coords;
  const base = mesh.vertexCount;
  for (let i = 0; i < c.length / 2; i++) mesh.vertex(c[2 * i], c[2 * i + 1], z, 0, 0, 1);
  for (let t = 0; t < tris.length; t += 3) mesh.triangle(base + tris[t], base + tris[t + 1], base + tris[t + 2]);
  return true;
}
