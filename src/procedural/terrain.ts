import type { ElevationGrid } from '../core/grid.js';
import type { TerrainMesh } from '../core/types.js';

/** Options for {@link terrainMesh}. */
export interface TerrainOptions {
  /** Largest vertical distance (metres) between the mesh and the grid's samples. */
  maxError: number;
  /** Depth of the skirts hung from the mesh's border (metres below the lowest sample). */
  skirt: number;
  /**
   * Keep every grid sample along the border (the interior stays adaptive): neighbouring meshes of the same
   * grid spacing then share their edge's vertices exactly — no cracks, no steps (tiles).
   */
  fullBorder: boolean;
  /**
   * Height the skirts hang down to, when given (else `skirt` below the mesh's lowest sample): the tiles of
   * one tileset share one, so that their skirts make one even plinth along the terrain's edge.
   */
  floor?: number;
}

/** Defaults for {@link TerrainOptions}. */
export const TERRAIN_DEFAULTS: TerrainOptions = { maxError: 1, skirt: 5, fullBorder: false };

/**
 * Per-sample errors of a right-triangulated irregular network (RTIN) over the grid, stored at each
 * triangle's hypotenuse midpoint. A triangle's own error is exact: the largest distance between its
 * plane and any grid sample inside it (so keeping it honours the bound everywhere on the grid, not
 * only at its hypotenuse midpoint). The stored error is also at least its children's, and a midpoint
 * is shared by the two triangles on either side of the hypotenuse: a triangle splits exactly when
 * its neighbour does, so the mesh has no cracks.
 */
export function rtinErrors(g: ElevationGrid, fullBorder = false, cap = Infinity): Float32Array {
  const n = g.n;
  const max = n - 1;
  const h = g.heights;
  const valid = g.valid;
  const errors = new Float32Array(n * n);
  // one triangle: its error (its children's, deeper, are final), kept at its hypotenuse midpoint
  const visit = (parent: boolean, ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => {
    const mi = ((ay + by) >> 1) * n + ((ax + bx) >> 1);
    let e: number;
    // (the smallest triangles, legs one diagonal cell: their samples are the corners and the hypotenuse's midpoint)
    if (!parent) {
      e = Math.abs((h[ay * n + ax] + h[by * n + bx]) / 2 - h[mi]);
      if (valid) {
        const k = valid[ay * n + ax] + valid[by * n + bx] + valid[cy * n + cx] + valid[mi];
        if (k < 4) e = k ? Infinity : 0;
      }
    } else e = planeError(h, valid, n, ax, ay, bx, by, cx, cy, cap);
    // (fullBorder: a triangle with an edge along the border longer than one cell must split; as an
    // error, so that the split reaches its neighbours and ancestors — forcing it while meshing left
    // T-junctions, cracks in the surface: terrain-cracks-at-t-junctions)
    if (fullBorder && Math.abs(ax - cx) + Math.abs(ay - cy) > 1 && (alongBorder(max, ax, ay, cx, cy) || alongBorder(max, bx, by, cx, cy) || alongBorder(max, ax, ay, bx, by))) e = Infinity;
    // children's hypotenuse midpoints (terrain-errors-depended-on-order: the smallest triangles have no
    // children; their "children's" midpoints, rounded down, were their neighbours', read before or after
    // those were set as the loop's order had it)
    if (parent) e = Math.max(e, errors[((ay + cy) >> 1) * n + ((ax + cx) >> 1)], errors[((by + cy) >> 1) * n + ((bx + cx) >> 1)]);
    if (e > errors[mi]) errors[mi] = e;
  };
  // Martini's RTIN over the two root triangles, level by level from the smallest up: a triangle's children
  // are all done before it, and two triangles of one level share a midpoint only as neighbours across
  // their hypotenuse (the larger error kept): the order within a level does not matter
  let deepest = 0;
  for (let count = max * max; count > 1; count /= 2) deepest++;
  // the triangles `depth` splits below (a, b, c): a split at the hypotenuse ab's midpoint m gives (c, a, m) and (b, c, m)
  const level = (depth: number, parent: boolean, ax: number, ay: number, bx: number, by: number, cx: number, cy: number): void => {
    if (depth === 0) return visit(parent, ax, ay, bx, by, cx, cy);
    const mx = (ax + bx) >> 1, my = (ay + by) >> 1;
    level(depth - 1, parent, cx, cy, ax, ay, mx, my);
    level(depth - 1, parent, bx, by, cx, cy, mx, my);
  };
  for (let d = deepest - 1; d >= 0; d--) {
    level(d, d < deepest - 1, 0, 0, max, max, max, 0);
    level(d, d < deepest - 1, max, max, 0, 0, 0, max);
  }
  return errors;
}

/** Whether the edge pq lies along the border of a grid of `max` + 1 samples a side. */
function alongBorder(max: number, px: number, py: number, qx: number, qy: number): boolean {
  return (px === qx && (px === 0 || px === max)) || (py === qy && (py === 0 || py === max));
}

/** The span of a triangle's row (set by {@link cross}; module state: no allocation in the kernel). */
let spanLo = 0, spanHi = 0;

/** Widen the row span by where the edge p→q crosses row y (the whole edge, where it runs along it). */
function cross(y: number, px: number, py: number, qx: number, qy: number): void {
  if (py === qy) {
    if (py === y) {
      spanLo = Math.min(spanLo, px, qx);
      spanHi = Math.max(spanHi, px, qx);
    }
  } else if ((y - py) * (y - qy) <= 0) {
    const x = px + ((y - py) * (qx - px)) / (qy - py);
    spanLo = Math.min(spanLo, x);
    spanHi = Math.max(spanHi, x);
  }
}

/**
 * Largest |plane through a, b, c − grid height| over the grid samples in triangle abc (integer grid
 * coordinates). With a mask of valid samples: a triangle over both valid and invalid samples has an
 * infinite error (it must split, down to triangles on one side of the data's edge), one over invalid
 * samples only has none (it is left out of the mesh).
 */
function planeError(h: Float32Array, valid: Uint8Array | undefined, n: number, ax: number, ay: number, bx: number, by: number, cx: number, cy: number, cap = Infinity): number {
  // the plane z = ha + p (x − ax) + q (y − ay) through the three corners
  const ha = h[ay * n + ax], hb = h[by * n + bx], hc = h[cy * n + cx];
  const ux = bx - ax, uy = by - ay, vx = cx - ax, vy = cy - ay;
  const det = ux * vy - uy * vx;
  const p = ((hb - ha) * vy - uy * (hc - ha)) / det, q = (ux * (hc - ha) - (hb - ha) * vx) / det;
  const y0 = Math.min(ay, by, cy), y1 = Math.max(ay, by, cy);
  let worst = 0;
  let some = false, all = true;
  // row by row over the samples inside (RTIN's edges run along the grid or at 45°: every crossing of a
  // row is a whole sample), no sample outside tested
  for (let y = y0; y <= y1; y++) {
    spanLo = Infinity;
    spanHi = -Infinity;
    cross(y, ax, ay, bx, by);
    cross(y, bx, by, cx, cy);
    cross(y, cx, cy, ax, ay);
    const from = Math.ceil(spanLo - 1e-9), to = Math.floor(spanHi + 1e-9);
    const row = y * n;
    const base = ha + q * (y - ay) - p * ax;
    for (let x = from; x <= to; x++) {
      if (valid) {
        if (valid[row + x]) some = true;
        else all = false;
      }
      const d = Math.abs(base + p * x - h[row + x]);
      if (d > worst) {
        worst = d;
        // (over the cap the triangle splits whatever its exact error: no need to scan on, unless a mask
        // may still make it Infinity or 0)
        if (worst > cap && !valid) return worst;
      }
    }
  }
  if (valid && !all) return some ? Infinity : 0;
  return worst;
}

/**
 * An adaptive terrain mesh: the coarsest RTIN triangulation of the grid whose vertical error at every
 * grid sample is at most `maxError`, with smooth normals and skirts along the border. Where the grid
 * has a mask (`valid`), only the data is meshed: triangles split down to the data's edge, and those
 * outside it are left out.
 */
export function terrainMesh(g: ElevationGrid, options: Partial<TerrainOptions> = {}): TerrainMesh {
  const opts = { ...TERRAIN_DEFAULTS, ...options };
  const n = g.n;
  const max = n - 1;
  // (errors above maxError need not be exact: the triangle splits either way)
  const errors = rtinErrors(g, opts.fullBorder, opts.maxError);
  const valid = g.valid;
  const vid = new Int32Array(n * n).fill(-1);
  const verts: number[] = [];
  const tris: number[] = [];
  const vertex = (x: number, y: number) => {
    const k = y * n + x;
    if (vid[k] < 0) {
      vid[k] = verts.length / 2;
      verts.push(x, y);
    }
    return vid[k];
  };
  const stack: number[] = [0, 0, max, max, max, 0, max, max, 0, 0, 0, max];
  while (stack.length) {
    const cy = stack.pop()!, cx = stack.pop()!, by = stack.pop()!, bx = stack.pop()!, ay = stack.pop()!, ax = stack.pop()!;
    const mx = (ax + bx) >> 1;
    const my = (ay + by) >> 1;
    if (Math.abs(ax - cx) + Math.abs(ay - cy) > 1 && errors[my * n + mx] > opts.maxError) {
      stack.push(cx, cy, ax, ay, mx, my, bx, by, cx, cy, mx, my);
    } else if (!valid || (valid[ay * n + ax] && valid[by * n + bx] && valid[cy * n + cx])) {
      // (with a mask: only triangles on the data; those outside it are left out)
      tris.push(vertex(ax, ay), vertex(bx, by), vertex(cx, cy));
    }
  }
  const h = g.heights;
  let minH = Infinity;
  for (let i = 0; i < h.length; i++) if (h[i] < minH && (!valid || valid[i])) minH = h[i];
  const nv = verts.length / 2;
  // orient surface triangles counter-clockwise from above
  for (let t = 0; t < tris.length; t += 3) {
    const [a, b, c] = [tris[t], tris[t + 1], tris[t + 2]];
    const cross = (verts[2 * b] - verts[2 * a]) * (verts[2 * c + 1] - verts[2 * a + 1]) - (verts[2 * b + 1] - verts[2 * a + 1]) * (verts[2 * c] - verts[2 * a]);
    if (cross < 0) [tris[t + 1], tris[t + 2]] = [c, b];
  }
  const surfaceTriangles = tris.length / 3;
  // the mesh's boundary: the edges of one triangle only — the grid's border, and with a mask the data's
  // edge too (a skirt only along the grid's border left the skirts between tiles showing as wedges hung
  // below the data's edge: terrain-skirt-wedges-at-the-data-edge)
  const directed = new Set<number>();
  for (let t = 0; t < surfaceTriangles * 3; t += 3) for (let e = 0; e < 3; e++) directed.add(tris[t + e] * nv + tris[t + ((e + 1) % 3)]);
  const isBoundary = (a: number, b: number) => !directed.has(b * nv + a);
  // outward horizontal normals of the boundary's vertices: the sum of their boundary edges' (the surface
  // runs a → b counter-clockwise, so outside is to the right)
  const out = new Float64Array(2 * nv);
  const onBoundary = new Uint8Array(nv);
  const firstOut = new Float64Array(2 * nv); // (where the data's edge touches itself and the sum cancels)
  for (let t = 0; t < surfaceTriangles * 3; t += 3)
    for (let e = 0; e < 3; e++) {
      const a = tris[t + e], b = tris[t + ((e + 1) % 3)];
      if (!isBoundary(a, b)) continue;
      const dx = verts[2 * b] - verts[2 * a], dy = verts[2 * b + 1] - verts[2 * a + 1];
      const l = Math.hypot(dx, dy);
      for (const v of [a, b]) {
        out[2 * v] += dy / l;
        out[2 * v + 1] -= dx / l;
        if (!onBoundary[v]) (firstOut[2 * v] = dy / l), (firstOut[2 * v + 1] = -dx / l);
        onBoundary[v] = 1;
      }
    }
  // surface vertices, then one skirt vertex per boundary vertex
  const skirtOf = new Int32Array(nv).fill(-1);
  let total = nv;
  for (let v = 0; v < nv; v++) if (onBoundary[v]) skirtOf[v] = total++;
  const positions = new Float32Array(3 * total);
  const normals = new Float32Array(3 * total);
  for (let v = 0; v < nv; v++) {
    const x = verts[2 * v], y = verts[2 * v + 1];
    positions[3 * v] = g.x0 + x * g.cell;
    positions[3 * v + 1] = g.y0 + y * g.cell;
    positions[3 * v + 2] = h[y * n + x];
    // normal from the grid's central differences
    const hx = (h[y * n + Math.min(max, x + 1)] - h[y * n + Math.max(0, x - 1)]) / (g.cell * (Math.min(max, x + 1) - Math.max(0, x - 1)));
    const hy = (h[Math.min(max, y + 1) * n + x] - h[Math.max(0, y - 1) * n + x]) / (g.cell * (Math.min(max, y + 1) - Math.max(0, y - 1)));
    const l = Math.hypot(hx, hy, 1);
    normals[3 * v] = -hx / l;
    normals[3 * v + 1] = -hy / l;
    normals[3 * v + 2] = 1 / l;
    // skirts hang down to below the lowest sample
    const s = skirtOf[v];
    if (s < 0) continue;
    positions[3 * s] = positions[3 * v];
    positions[3 * s + 1] = positions[3 * v + 1];
    positions[3 * s + 2] = opts.floor ?? minH - opts.skirt;
    const ol = Math.hypot(out[2 * v], out[2 * v + 1]);
    const [ox, oy] = ol > 1e-6 ? [out[2 * v] / ol, out[2 * v + 1] / ol] : [firstOut[2 * v], firstOut[2 * v + 1]];
    normals[3 * s] = ox;
    normals[3 * s + 1] = oy;
  }
  for (let t = 0; t < surfaceTriangles * 3; t += 3) {
    for (let e = 0; e < 3; e++) {
      const a = tris[t + e], b = tris[t + ((e + 1) % 3)];
      if (!isBoundary(a, b)) continue;
      const sa = skirtOf[a], sb = skirtOf[b];
      // quad b, a, sa, sb faces out
      tris.push(b, a, sa, b, sa, sb);
    }
  }
  return { positions, normals, indices: Uint32Array.from(tris), surfaceTriangles };
}
