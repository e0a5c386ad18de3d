/**
 * Triangles back into planar polygons: the faces a city model (CityJSON) names, from the triangles a
 * mesh holds. Adjacent triangles of one material whose planes agree are merged; each merged region's
 * boundary edges are traced into rings (the outer one counter-clockwise around its normal, holes
 * clockwise), so a wall is one quad and a flat roof with a courtyard one polygon with a hole.
 */

/** One planar face: rings of welded vertex indices (outer first, then holes), its unit normal and material. */
export interface PlanarFace {
  rings: number[][];
  normal: [number, number, number];
  material: number;
}

/** The faces of a triangle range, over welded vertices. */
export interface PlanarFaces {
  /** Welded vertices: x, y, z triples. */
  coords: number[];
  faces: PlanarFace[];
  /** Whether the triangles form closed shells: every edge used once in each direction. */
  closed: boolean;
}

/** Welding tolerance: positions equal to a tenth of a millimetre are one vertex. */
const WELD = 1e4;
/** Two triangles are coplanar when their normals differ by under ~0.8° and each lies within 5 mm of the other's plane. */
const NORMAL_DOT = 0.9999;
const PLANE_DISTANCE = 0.005;

/**
 * Merge triangles `t0 .. t1` of a mesh into planar faces.
 *
 * @example
 * ```ts
 * const { faces, coords, closed } = planarFaces(mesh.positions, mesh.indices, mesh.materialIds, mesh.triangleOffsets[b], mesh.triangleOffsets[b + 1]);
 * faces[0].rings[0]; // indices into coords / 3
 * ```
 */
export function planarFaces(positions: ArrayLike<number>, indices: ArrayLike<number>, materialIds: ArrayLike<number>, t0: number, t1: number): PlanarFaces {
  const coords: number[] = [];
  const welded = new Map<string, number>();
  const weld = (v: number): number => {
    const x = positions[3 * v], y = positions[3 * v + 1], z = positions[3 * v + 2];
    const key = `${Math.round(x * WELD)},${Math.round(y * WELD)},${Math.round(z * WELD)}`;
    let w = welded.get(key);
    if (w === undefined) {
      w = coords.length / 3;
      coords.push(x, y, z);
      welded.set(key, w);
    }
    return w;
  };
  const n = t1 - t0;
  // (each mesh vertex welded once: the triangles of a face share theirs)
  let vLo = Infinity, vHi = -1;
  for (let i = 3 * t0; i < 3 * t1; i++) (vLo = Math.min(vLo, indices[i])), (vHi = Math.max(vHi, indices[i]));
  const byVertex = new Int32Array(Math.max(0, vHi - vLo + 1)).fill(-1);
  const weldOnce = (v: number) => (byVertex[v - vLo] >= 0 ? byVertex[v - vLo] : (byVertex[v - vLo] = weld(v)));
  const tri = new Int32Array(3 * n);
  const normals = new Float64Array(3 * n);
  const material = new Int32Array(n);
  const live = new Uint8Array(n);
  // open-shell-from-a-sliver: a triangle of three distinct vertices in a line (earcut's answer where a
  // footprint touches itself along a line) splits its neighbour's edge at the middle vertex; it has no
  // plane of its own, but its edges close the shell and it joins the face across its longest edge
  const sliver = new Uint8Array(n);
  for (let t = 0; t < n; t++) {
    const i = 3 * (t0 + t);
    const a = weldOnce(indices[i]), b = weldOnce(indices[i + 1]), c = weldOnce(indices[i + 2]);
    tri.set([a, b, c], 3 * t);
    material[t] = materialIds[indices[i]];
    const ux = coords[3 * b] - coords[3 * a], uy = coords[3 * b + 1] - coords[3 * a + 1], uz = coords[3 * b + 2] - coords[3 * a + 2];
    const vx = coords[3 * c] - coords[3 * a], vy = coords[3 * c + 1] - coords[3 * a + 1], vz = coords[3 * c + 2] - coords[3 * a + 2];
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    const len = Math.hypot(nx, ny, nz);
    if (a === b || b === c || a === c) continue;
    if (!(len > 1e-10) || len < 1e-9 * Math.max(ux * ux + uy * uy + uz * uz, vx * vx + vy * vy + vz * vz)) {
      sliver[t] = 1;
      continue;
    }
    normals.set([nx / len, ny / len, nz / len], 3 * t);
    live[t] = 1;
  }
  // edges as numbers: a · W + b over the welded vertices
  const W = coords.length / 3;
  const edgeKey = (a: number, b: number) => a * W + b;
  const liveTriangles: Int32Array[] = [];
  for (let t = 0; t < n; t++) if (live[t] || sliver[t]) liveTriangles.push(tri.subarray(3 * t, 3 * t + 3));
  const closed = edgesPaired(liveTriangles, W);
  // union adjacent coplanar triangles of one material (across manifold edges only)
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const byEdge = new Map<number, number[]>();
  for (let t = 0; t < n; t++) {
    if (!live[t] && !sliver[t]) continue;
    for (let e = 0; e < 3; e++) {
      const a = tri[3 * t + e], b = tri[3 * t + ((e + 1) % 3)];
      const k = a < b ? edgeKey(a, b) : edgeKey(b, a);
      const list = byEdge.get(k);
      if (list) list.push(t);
      else byEdge.set(k, [t]);
    }
  }
  const distance = (t: number, v: number) => {
    const a = tri[3 * t];
    return Math.abs((coords[3 * v] - coords[3 * a]) * normals[3 * t] + (coords[3 * v + 1] - coords[3 * a + 1]) * normals[3 * t + 1] + (coords[3 * v + 2] - coords[3 * a + 2]) * normals[3 * t + 2]);
  };
  for (const list of byEdge.values()) {
    if (list.length !== 2) continue;
    const [s, t] = list;
    if (!live[s] || !live[t] || material[s] !== material[t]) continue;
    const dot = normals[3 * s] * normals[3 * t] + normals[3 * s + 1] * normals[3 * t + 1] + normals[3 * s + 2] * normals[3 * t + 2];
    if (dot < NORMAL_DOT) continue;
    let far = true;
    for (let k = 0; k < 3 && far; k++) far = distance(s, tri[3 * t + k]) < PLANE_DISTANCE && distance(t, tri[3 * s + k]) < PLANE_DISTANCE;
    if (far) parent[find(s)] = find(t);
  }
  // each sliver into the face across its longest edge (a face of its own material first)
  for (let t = 0; t < n; t++) {
    if (!sliver[t]) continue;
    let best = -1, longest = -1;
    for (let e = 0; e < 3; e++) {
      const a = tri[3 * t + e], b = tri[3 * t + ((e + 1) % 3)];
      const L = (coords[3 * b] - coords[3 * a]) ** 2 + (coords[3 * b + 1] - coords[3 * a + 1]) ** 2 + (coords[3 * b + 2] - coords[3 * a + 2]) ** 2;
      const k = a < b ? edgeKey(a, b) : edgeKey(b, a);
      const other = (byEdge.get(k) ?? []).filter((u) => u !== t && live[u]).sort((u, v) => Number(material[v] === material[t]) - Number(material[u] === material[t]))[0];
      if (other !== undefined && L > longest) [best, longest] = [other, L];
    }
    if (best >= 0) {
      parent[find(t)] = find(best);
      material[t] = material[best];
      live[t] = 1;
    }
  }
  // each region: its boundary (directed edges whose reverse is not in it), traced into rings
  const regions = new Map<number, number[]>();
  for (let t = 0; t < n; t++) {
    if (!live[t]) continue;
    const r = find(t);
    const list = regions.get(r);
    if (list) list.push(t);
    else regions.set(r, [t]);
  }
  // how many faces each vertex is a corner of: a vertex in line with its ring's neighbours goes only
  // where it joins two faces (a straight edge's redundant point); where a third face has a corner there
  // (a wall's), the ring keeps it, or that face's edge would end on the middle of this one's
  const faceCount = new Int32Array(W);
  const lastFace = new Int32Array(W).fill(-1);
  for (const [r, ts] of regions)
    for (const t of ts)
      for (let e = 0; e < 3; e++) {
        const v = tri[3 * t + e];
        if (lastFace[v] !== r) [lastFace[v], faceCount[v]] = [r, faceCount[v] + 1];
      }
  const faces: PlanarFace[] = [];
  for (const ts of regions.values()) {
    let nx = 0, ny = 0, nz = 0;
    const edges = new Map<number, number>();
    for (const t of ts) {
      // area-weighted normal
      const a = tri[3 * t], b = tri[3 * t + 1], c = tri[3 * t + 2];
      const ux = coords[3 * b] - coords[3 * a], uy = coords[3 * b + 1] - coords[3 * a + 1], uz = coords[3 * b + 2] - coords[3 * a + 2];
      const vx = coords[3 * c] - coords[3 * a], vy = coords[3 * c + 1] - coords[3 * a + 1], vz = coords[3 * c + 2] - coords[3 * a + 2];
      nx += uy * vz - uz * vy;
      ny += uz * vx - ux * vz;
      nz += ux * vy - uy * vx;
      for (let e = 0; e < 3; e++) {
        const k = edgeKey(tri[3 * t + e], tri[3 * t + ((e + 1) % 3)]);
        edges.set(k, (edges.get(k) ?? 0) + 1);
      }
    }
    const len = Math.hypot(nx, ny, nz) || 1;
    const normal: [number, number, number] = [nx / len, ny / len, nz / len];
    const next = new Map<number, number[]>();
    for (const [k, c] of edges) {
      const p = Math.floor(k / W), q = k - p * W;
      const back = edges.get(edgeKey(q, p)) ?? 0;
      for (let i = 0; i < c - back; i++) {
        const list = next.get(p);
        if (list) list.push(q);
        else next.set(p, [q]);
      }
    }
    const rings: number[][] = [];
    for (const start of [...next.keys()].sort((x, y) => x - y)) {
      while (next.get(start)?.length) {
        const ring = [start];
        let v = next.get(start)!.shift()!;
        let guard = 0;
        while (v !== start && guard++ < 1e6) {
          ring.push(v);
          const out = next.get(v);
          if (!out?.length) break;
          v = out.shift()!;
        }
        const clean = dropCollinear(ring, coords, faceCount);
        if (clean.length >= 3) rings.push(clean);
      }
    }
    faces.push(...splitOuters(rings, normal, coords).map((r) => ({ rings: r, normal, material: material[ts[0]] })));
  }
  return { coords, faces, closed };
}

/** A ring without its vertices that lie on the line through their neighbours (within 1 mm) and are corners of at most two faces. */
function dropCollinear(ring: number[], c: number[], faceCount: Int32Array): number[] {
  const out: number[] = [];
  const m = ring.length;
  for (let i = 0; i < m; i++) {
    const p = ring[(i + m - 1) % m], v = ring[i], q = ring[(i + 1) % m];
    if (faceCount[v] > 2) {
      out.push(v);
      continue;
    }
    const ux = c[3 * q] - c[3 * p], uy = c[3 * q + 1] - c[3 * p + 1], uz = c[3 * q + 2] - c[3 * p + 2];
    const wx = c[3 * v] - c[3 * p], wy = c[3 * v + 1] - c[3 * p + 1], wz = c[3 * v + 2] - c[3 * p + 2];
    const cx = uy * wz - uz * wy, cy = uz * wx - ux * wz, cz = ux * wy - uy * wx;
    const l = Math.hypot(ux, uy, uz);
    if (l > 0 && Math.hypot(cx, cy, cz) / l < 1e-3 && ux * wx + uy * wy + uz * wz > 0 && ux * wx + uy * wy + uz * wz < l * l) continue;
    out.push(v);
  }
  return out;
}

/** Rings grouped into faces: each outer ring (counter-clockwise around `normal`) with the holes inside it. */
function splitOuters(rings: number[][], normal: [number, number, number], c: number[]): number[][][] {
  const [ax, ay, az] = normal.map(Math.abs);
  const [i0, i1] = az >= ax && az >= ay ? [0, 1] : ax >= ay ? [1, 2] : [2, 0];
  const flip = (az >= ax && az >= ay ? normal[2] : ax >= ay ? normal[0] : normal[1]) < 0;
  const area = (r: number[]) => {
    let s = 0;
    for (let k = 0; k < r.length; k++) {
      const a = r[k], b = r[(k + 1) % r.length];
      s += c[3 * a + i0] * c[3 * b + i1] - c[3 * b + i0] * c[3 * a + i1];
    }
    return flip ? -s : s;
  };
  const outers = rings.filter((r) => area(r) > 0);
  const holes = rings.filter((r) => area(r) <= 0);
  if (outers.length <= 1) return outers.length ? [[outers[0], ...holes]] : [];
  const inside = (x: number, y: number, r: number[]) => {
    let w = false;
    for (let k = 0, j = r.length - 1; k < r.length; j = k++) {
      const xi = c[3 * r[k] + i0], yi = c[3 * r[k] + i1], xj = c[3 * r[j] + i0], yj = c[3 * r[j] + i1];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) w = !w;
    }
    return w;
  };
  const groups = outers.map((o) => [o]);
  for (const h of holes) {
    // the middle of the hole's first edge: on the hole's boundary, so inside the outer ring around it
    const x = (c[3 * h[0] + i0] + c[3 * h[1] + i0]) / 2, y = (c[3 * h[0] + i1] + c[3 * h[1] + i1]) / 2;
    const g = groups.find((g) => inside(x, y, g[0])) ?? groups[0];
    g.push(h);
  }
  return groups;
}

/**
 * Whether polygons (rings of indices into x, y, z `coords`) form closed shells: every edge between
 * welded positions used once in each direction. (A city model's own faces: checked on its rings, not on
 * their triangles, whose edges need not meet where the faces' do.)
 */
export function ringsClosed(coords: ArrayLike<number>, rings: number[][]): boolean {
  const welded = new Map<string, number>();
  const id = (v: number) => {
    const key = `${Math.round(coords[3 * v] * WELD)},${Math.round(coords[3 * v + 1] * WELD)},${Math.round(coords[3 * v + 2] * WELD)}`;
    let w = welded.get(key);
    if (w === undefined) welded.set(key, (w = welded.size));
    return w;
  };
  const ids = rings.map((r) => r.map(id));
  return edgesPaired(ids, welded.size);
}

/**
 * Whether rings of welded vertex ids (below `W`) form closed shells: each directed edge used once, and
 * its reverse once (edges from a vertex to itself left out). No edge at all is not a shell.
 */
function edgesPaired(rings: ArrayLike<number>[], W: number): boolean {
  const directed = new Map<number, number>();
  for (const r of rings)
    for (let k = 0; k < r.length; k++) {
      const a = r[k], b = r[(k + 1) % r.length];
      if (a === b) continue;
      directed.set(a * W + b, (directed.get(a * W + b) ?? 0) + 1);
    }
  if (!directed.size) return false;
  for (const [k, c] of directed) {
    const a = Math.floor(k / W), b = k - a * W;
    if (c !== 1 || directed.get(b * W + a) !== 1) return false;
  }
  return true;
}
