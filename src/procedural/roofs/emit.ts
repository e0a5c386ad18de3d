import earcut from 'earcut';
import type { Footprint } from '../footprint.js';
import type { MeshBuilder } from '../mesh-builder.js';
import { buildFloor, buildWalls, floorDoorsOf, splitDoorFloor, type WallOptions } from '../prism.js';
import type { RoofModel } from './model.js';

/** Newell normal of a 3D polygon (not normalised). */
function newell(m: RoofModel, f: number[]): [number, number, number] {
  let nx = 0, ny = 0, nz = 0;
  for (let i = 0; i < f.length; i++) {
    const a = f[i];
    const b = f[(i + 1) % f.length];
    nx += (m.y[a] - m.y[b]) * (m.z[a] + m.z[b]);
    ny += (m.z[a] - m.z[b]) * (m.x[a] + m.x[b]);
    nz += (m.x[a] - m.x[b]) * (m.y[a] + m.y[b]);
  }
  return [nx, ny, nz];
}

/** A roof face triangulated in its own plane: its nodes, the triangles (indices into them) and its unit normal. */
interface FaceTriangles {
  f: number[];
  t: number[];
  n: [number, number, number];
}

/** The model's outline (footprint rings plus the roof's extra outline nodes) as a footprint, with each vertex's top height. */
function outlineFootprint(m: RoofModel, rings: number[][]): { outline: Footprint; tops: Float64Array } {
  const count = rings.reduce((s, r) => s + r.length, 0);
  const coords = new Float64Array(2 * count);
  const tops = new Float64Array(count);
  const ringStarts = new Uint32Array(rings.length + 1);
  let k = 0;
  rings.forEach((r, i) => {
    ringStarts[i] = k;
    for (const v of r) {
      coords[2 * k] = m.x[v];
      coords[2 * k + 1] = m.y[v];
      tops[k++] = m.z[v];
    }
  });
  ringStarts[rings.length] = k;
  return { outline: { coords, ringStarts }, tops };
}

/**
 * The two triangles of a strictly convex quadrilateral (x, y pairs): its four corners all turn the same way,
 * none straight (earcut would drop a straight one); null for any other polygon. Most roof faces are such
 * quads (a dome's or an onion's rings, gable and hip sides), and earcut took a third of a roof build on them.
 */
function convexQuadFan(flat: readonly number[]): number[] | null {
  if (flat.length !== 8) return null;
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const a = 2 * i, b = 2 * ((i + 1) & 3), c = 2 * ((i + 2) & 3);
    const cross = (flat[b] - flat[a]) * (flat[c + 1] - flat[b + 1]) - (flat[b + 1] - flat[a + 1]) * (flat[c] - flat[b]);
    if (cross === 0 || Number.isNaN(cross)) return null;
    const s = cross > 0 ? 1 : -1;
    if (sign && s !== sign) return null;
    sign = s;
  }
  return [0, 1, 2, 0, 2, 3];
}

/** A face's triangles from its (x, y) pairs: a triangle as it is, a strictly convex quad as two, else earcut's (none when it will not cut). */
function polygonTriangles(flat: readonly number[]): number[] {
  return flat.length === 6 ? [0, 1, 2] : (convexQuadFan(flat) ?? earcut(flat as number[]));
}

/** Triangulate every face in its own plane, each triangle oriented with the face normal; null when a face will not triangulate. */
function triangulateFaces(m: RoofModel): FaceTriangles[] | null {
  const tris: FaceTriangles[] = [];
  for (const f of m.faces) {
    const n = newell(m, f);
    const len = Math.hypot(n[0], n[1], n[2]);
    if (len < 1e-12) continue;
    n[0] /= len;
    n[1] /= len;
    n[2] /= len;
    let t: number[];
    if (f.length === 3) {
      t = [0, 1, 2];
    } else {
      const ax = Math.abs(n[0]), ay = Math.abs(n[1]), az = Math.abs(n[2]);
      const flat: number[] = [];
      for (const v of f) {
        if (az >= ax && az >= ay) flat.push(m.x[v], m.y[v]);
        else if (ax >= ay) flat.push(m.y[v], m.z[v]);
        else flat.push(m.x[v], m.z[v]);
      }
      t = polygonTriangles(flat);
      if (t.length === 0) return null;
    }
    for (let i = 0; i < t.length; i += 3) {
      const a = f[t[i]], b = f[t[i + 1]], c = f[t[i + 2]];
      const ux = m.x[b] - m.x[a], uy = m.y[b] - m.y[a], uz = m.z[b] - m.z[a];
      const vx = m.x[c] - m.x[a], vy = m.y[c] - m.y[a], vz = m.z[c] - m.z[a];
      const dot = (uy * vz - uz * vy) * n[0] + (uz * vx - ux * vz) * n[1] + (ux * vy - uy * vx) * n[2];
      if (dot < 0) {
        const s = t[i + 1];
        t[i + 1] = t[i + 2];
        t[i + 2] = s;
      }
    }
    tris.push({ f, t, n });
  }
  return tris;
}

/**
 * The floor under a roof whose outline has roof nodes on it (gable tops, break lines): earcut can
 * stumble on such collinear points next to holes, so the floor mirrors the roof faces (they tile the
 * footprint), facing down at `z0`.
 */
function mirroredFloor(m: RoofModel, tris: FaceTriangles[], z0: number, mesh: MeshBuilder): void {
  for (const { f } of tris) {
    const flat: number[] = [];
    for (const v of f) flat.push(m.x[v], m.y[v]);
    const t = polygonTriangles(flat);
    const base = mesh.vertexCount;
    for (const v of f) mesh.vertex(m.x[v], m.y[v], z0, 0, 0, -1);
    for (let i = 0; i < t.length; i += 3) {
      const a = f[t[i]], b = f[t[i + 1]], c = f[t[i + 2]];
      const cross = (m.x[b] - m.x[a]) * (m.y[c] - m.y[a]) - (m.y[b] - m.y[a]) * (m.x[c] - m.x[a]);
      if (cross >= 0) mesh.triangle(base + t[i], base + t[i + 2], base + t[i + 1]);
      else mesh.triangle(base + t[i], base + t[i + 1], base + t[i + 2]);
    }
  }
}

/** The roof faces; a smooth model (domes, onions) shares normals across faces where they bend less than ~35°. */
function roofFaces(m: RoofModel, tris: FaceTriangles[], mesh: MeshBuilder): void {
  let smooth: Float64Array | null = null;
  if (m.smooth) {
    smooth = new Float64Array(3 * m.x.length);
    for (const { f, n } of tris)
      for (const v of f) {
        smooth[3 * v] += n[0];
        smooth[3 * v + 1] += n[1];
        smooth[3 * v + 2] += n[2];
      }
  }
  for (const { f, t, n } of tris) {
    const base = mesh.vertexCount;
    for (const v of f) {
      let nx = n[0], ny = n[1], nz = n[2];
      if (smooth) {
        const sx = smooth[3 * v], sy = smooth[3 * v + 1], sz = smooth[3 * v + 2];
        const l = Math.sqrt(sx * sx + sy * sy + sz * sz);
        // keep the face normal where the smoothed one would tilt more than ~35° from it
        if (l > 0 && (sx * nx + sy * ny + sz * nz) / l > 0.8) (nx = sx / l), (ny = sy / l), (nz = sz / l);
      }
      mesh.vertex(m.x[v], m.y[v], m.z[v], nx, ny, nz);
    }
    for (let i = 0; i < t.length; i += 3) mesh.triangle(base + t[i], base + t[i + 1], base + t[i + 2]);
  }
}

/** Whether `build` can emit this model over the footprint: its faces close onto the footprint's rings and triangulate. */
export function closesOnFootprint(m: RoofModel, fp: Footprint): boolean {
  return !!m.outline(Array.from(fp.ringStarts.subarray(0, fp.ringStarts.length - 1))) && !!triangulateFaces(m);
}

/**
 * Emit a roof model with its walls and floor: the outline (footprint rings plus the roof's extra
 * outline nodes) gets walls from `z0` up to each node's height and a floor at `z0`; every face is
 * triangulated in its own plane. Returns false (emitting nothing) when the model's faces do not close
 * onto the footprint, so the caller can fall back.
 */
export function emitRoofModel(m: RoofModel, fp: Footprint, z0: number, mesh: MeshBuilder, walls: WallOptions, wallMaterial: () => void, roofMaterial: () => void): boolean {
  const rings = m.outline(Array.from(fp.ringStarts.subarray(0, fp.ringStarts.length - 1)));
  if (!rings) return false;
  // triangulate faces first: a face that will not triangulate aborts before anything is emitted
  const tris = triangulateFaces(m);
  if (!tris) return false;
  const { outline, tops } = outlineFootprint(m, rings);
  wallMaterial();
  buildWalls(outline, z0, tops, mesh, walls);
  if (tops.length === fp.coords.length / 2) buildFloor(outline, z0, mesh, walls);
  else {
    const start = mesh.indices.length;
    mirroredFloor(m, tris, z0, mesh);
    splitDoorFloor(mesh, start, outline, floorDoorsOf(outline, walls, z0), z0);
  }
  roofMaterial();
  roofFaces(m, tris, mesh);
  return true;
}
