import { triangulate } from '../footprint.js';
import type { RoofBuilder, RoofInput } from './types.js';
import type { MeshBuilder } from '../mesh-builder.js';

/** `roof:shape=flat`: the footprint triangulated (holes included) at the wall top. */
export const flatRoof: RoofBuilder = {
  shapes: ['flat'],
  build({ footprint, wallTop }: RoofInput, mesh: MeshBuilder): boolean {
    const tris = triangulate(footprint);
    if (tris.length === 0) return false;
    const c = footprint.coords;
    const n = c.length / 2;
    const base = mesh.vertexCount;
    for (let i = 0; i < n; i++) mesh.vertex(c[2 * i], c[2 * i + 1], wallTop, 0, 0, 1);
    for (let t = 0; t < tris.length; t += 3) mesh.triangle(base + tris[t], base + tris[t + 1], base + tris[t + 2]);
    return true;
  },
};
