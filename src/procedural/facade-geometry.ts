import earcut from 'earcut';
import type { MeshBuilder } from './mesh-builder.js';
import type { Footprint } from './footprint.js';
import { FACADE_LOOKS, type FacadeLook, type FacadeWalls } from './facade.js';
import { aboveGround, edgePoint, entrancesOf, wallLayout, type Entrance, type WallLayout } from './facade-layout.js';

/** How deep (m) window panes and doors are set into the wall. */
export const REVEAL_DEPTH = 0.15;
/** Step (m) a door's opening starts above the wall's foot: the foot stays one edge, the floor whole. */
const THRESHOLD = 0.05;
/** Wall (m) kept between an opening and a corner of its edge or the wall's top. */
const MARGIN = 0.15;
/** Largest shift (m) of an opening off its place, so that no two line up exactly (see `geometryWalls`). */
const JITTER = 0.002;

/** One opening in a wall: from `s0` to `s1` along the edge (m), from `z0` to `z1`; a window's pane or a door leaf at the back. */
interface Opening {
  s0: number;
  s1: number;
  z0: number;
  z1: number;
  leaf: 'glass' | 'door';
  look: FacadeLook;
}

const hex = (c: readonly number[]) => '#' + c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');

/**
 * The walls of one footprint polygon with their facade as geometry (`--facades geometry`): the same bays,
 * storeys, shop fronts and doors as the texture (see `wallLayout`, `entrancesOf`), each window and door an
 * opening cut through the wall, its reveals {@link REVEAL_DEPTH} deep in the look's frame colour and a pane (or
 * a door leaf) at the back. Each straight run of edges (a gable's two edges meeting at its peak node) is one
 * polygon with its openings as holes, its outline through every node: the roof, the floor and the next wall meet
 * it there, and the shell stays closed. A window may stand over a node; not over a bend.
 * An opening that would come within {@link MARGIN} of a corner or the wall's top is left out.
 *
 * @example
 * ```ts
 * geometryWalls(fp, 0, () => 9, mesh, { ...facadeOf(params, 9), geometry: true }, 20);
 * ```
 */
export function geometryWalls(fp: Footprint, z0: number, topOf: (v: number) => number, mesh: MeshBuilder, facade: FacadeWalls, smoothAngle: number): void {
  const c = fp.coords;
  const cosSmooth = Math.cos((smoothAngle * Math.PI) / 180);
  const wall = mesh.material;
  const materials = new OpeningMaterials();
  for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
    const a = fp.ringStarts[r];
    const n = fp.ringStarts[r + 1] - a;
    const L = wallLayout(c, a, n, facade, cosSmooth);
    // a shop front on the ground storey where every wall of the ring rises a storey and a half (as the texture)
    let low = Infinity;
    for (let k = 0; k < n; k++) low = Math.min(low, topOf(a + k));
    const ground = facade.ground && low - z0 >= 1.5 * facade.storey ? FACADE_LOOKS[facade.ground] : null;
    const doors = r === 0 && !ground ? entrancesOf(fp, facade, smoothAngle, L) : [];
    // walls: runs of edges between sharp corners (a curved or kinked facade is one wall, its bays laid out along
    // it as the texture's)
    let first = 0;
    while (first < n && L.smooth[first]) first++;
    if (first === n) first = 0;
    for (let e = 0; e < n; ) {
      const k0 = (first + e) % n;
      let m = 1;
      while (e + m < n && L.smooth[(k0 + m) % n]) m++;
      e += m;
      wallOf(c, a, n, k0, m, L, z0, topOf, mesh, facade, ground, doors, wall, materials);
    }
  }
  mesh.useMaterialIndex(wall);
}

/** Narrowest part (m) of an opening on either side of a bend it crosses. */
const MIN_PIECE = 0.1;

/** One straight run of a wall: edges in line, from wall s `s0` to `s1`, its nodes' s and tops, its direction and outward normal. */
interface Run {
  s0: number;
  s1: number;
  nodes: number[];
  tops: number[];
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  nx: number;
  ny: number;
}

/** An opening's part on one run: from `s0` to `s1` (wall s), whether each side is the opening's own (a reveal) or a bend (a mitre). */
interface Piece {
  o: Opening;
  s0: number;
  s1: number;
  ownLeft: boolean;
  ownRight: boolean;
}

/**
 * One wall (a run of `m` edges between sharp corners) from edge `k0` of ring `a` (n vertices): its openings laid out
 * along the whole wall, then each straight run of it one polygon with its openings as holes; an opening across a
 * bend between two runs is cut there, a notch in each, its reveals and pane meeting on the mitre.
 */
function wallOf(c: ArrayLike<number>, a: number, n: number, k0: number, m: number, L: WallLayout, z0: number, topOf: (v: number) => number, mesh: MeshBuilder, facade: FacadeWalls, ground: FacadeLook | null, doors: Entrance[], wall: number, materials: OpeningMaterials): void {
  // the wall's nodes: s along it, and the wall's top there
  const s = [0], top = [topOf(a + k0)];
  for (let q = 0; q < m; q++) {
    const k = (k0 + q) % n;
    s.push(s[q] + L.len[k]);
    top.push(topOf(a + ((k + 1) % n)));
  }
  const len = s[m];
  if (!(len > 0)) return;
  const topAt = (x: number) => {
    let q = 0;
    while (q < m - 1 && x > s[q + 1]) q++;
    return top[q] + ((x - s[q]) / (s[q + 1] - s[q] || 1)) * (top[q + 1] - top[q]);
  };
  const u0 = L.uOut[k0], u1 = L.uIn[(k0 + m) % n];
  const wallDoors: RunDoor[] = [];
  for (const d of doors) {
    const q = (d.edge - k0 + n) % n;
    if (q < m) wallDoors.push({ s0: s[q] + d.t0 * L.len[d.edge], s1: s[q] + d.t1 * L.len[d.edge], u0: d.u0, u1: d.u1 });
  }
  const openings = L.windowless[k0] ? [] : openingsOf(u0, u1, len, z0, Math.max(...top), facade, ground, wallDoors);
  // how high the terrain stands at wall s `x` above the building's foot (a building on a slope), if known
  const buried = facade.buried;
  const groundAt = buried
    ? (x: number) => {
        let q = 0;
        while (q < m - 1 && x > s[q + 1]) q++;
        const k = (k0 + q) % n;
        return buried(...edgePoint(c, a, n, k, L.len[k] > 0 ? Math.min(1, Math.max(0, (x - s[q]) / L.len[k])) : 0));
      }
    : null;
  const fits = (o: Opening) => {
    if (!(o.s0 >= MARGIN && o.s1 <= len - MARGIN && o.z0 > z0)) return false;
    if (groundAt && !aboveGround(o.leaf, o.z0, Math.max(groundAt(o.s0), groundAt((o.s0 + o.s1) / 2), groundAt(o.s1)))) return false;
    let under = Math.min(topAt(o.s0), topAt(o.s1));
    for (let q = 1; q < m; q++) if (s[q] > o.s0 && s[q] < o.s1) under = Math.min(under, top[q]);
    return o.z1 <= under - MARGIN;
  };
  // each opening moved by under 2 mm, by its index (a rigid shift: still a rectangle), so no two openings'
  // sills, heads or sides line up exactly: earcut, given collinear holes, leaves zero-area slivers whose
  // edges do not meet their neighbours' (open seams)
  const kept = openings.filter(fits).map((o, h) => {
    const ds = JITTER * ((h * 0.618034) % 1), dz = JITTER * ((h * 0.381966 + 0.5) % 1);
    return { ...o, s0: o.s0 + ds, s1: o.s1 + ds, z0: o.z0 + dz, z1: o.z1 + dz };
  });
  // straight runs: edges exactly in line (a gable's peak node, a roof's outline nodes)
  const runs: Run[] = [];
  for (let q = 0; q < m; q++) {
    const k = (k0 + q) % n;
    const last = runs[runs.length - 1];
    if (last && L.enx[k] * last.nx + L.eny[k] * last.ny > 1 - 1e-12) {
      last.s1 = s[q + 1];
      last.nodes.push(s[q + 1]);
      last.tops.push(top[q + 1]);
      continue;
    }
    if (!(L.len[k] > 0)) continue;
    runs.push({ s0: s[q], s1: s[q + 1], nodes: [s[q], s[q + 1]], tops: [top[q], top[q + 1]], x0: c[2 * (a + k)], y0: c[2 * (a + k) + 1], dx: -L.eny[k], dy: L.enx[k], nx: L.enx[k], ny: L.eny[k] });
  }
  // each opening on one run (clear of its bends by the margin), or across one bend (each part at least MIN_PIECE)
  const pieces: Piece[][] = runs.map(() => []);
  for (const o of kept) {
    const i = runs.findIndex((r) => o.s0 >= r.s0 && o.s0 < r.s1);
    if (i < 0) continue;
    const r = runs[i], lo = i > 0 ? MARGIN : 0, hi = i < runs.length - 1 ? MARGIN : 0;
    if (o.s0 < r.s0 + lo) continue;
    if (o.s1 <= r.s1 - hi) pieces[i].push({ o, s0: o.s0, s1: o.s1, ownLeft: true, ownRight: true });
    else if (i + 1 < runs.length && o.s1 <= runs[i + 1].s1 - (i + 1 < runs.length - 1 ? MARGIN : 0) && r.s1 - o.s0 >= MIN_PIECE && o.s1 - r.s1 >= MIN_PIECE) {
      pieces[i].push({ o, s0: o.s0, s1: r.s1, ownLeft: true, ownRight: false });
      pieces[i + 1].push({ o, s0: r.s1, s1: o.s1, ownLeft: false, ownRight: true });
    }
  }
  runs.forEach((r, i) => runWall(r, pieces[i], runs[i - 1] ?? null, runs[i + 1] ?? null, z0, mesh, wall, materials));
}

/** The point on run `r` at wall s `x`, height z, `depth` behind its face. */
const onRun = (r: Run, x: number, z: number, depth = 0): Point => [r.x0 + (x - r.s0) * r.dx - depth * r.nx, r.y0 + (x - r.s0) * r.dy - depth * r.ny, z];

/** The point `depth` behind a bend between runs `p` and `q` (at wall s `x`), on both their recessed faces: the mitre. */
function mitre(p: Run, q: Run, x: number, z: number, depth: number): Point {
  const [bx, by] = onRun(p, x, z);
  const k = depth / (1 + p.nx * q.nx + p.ny * q.ny);
  return [bx - k * (p.nx + q.nx), by - k * (p.ny + q.ny), z];
}

/** One straight run's wall: its outline (foot and top through every node, a notch where an opening crosses a bend) with its openings as holes, their reveals and panes. */
function runWall(r: Run, pieces: Piece[], prev: Run | null, next: Run | null, z0: number, mesh: MeshBuilder, wall: number, materials: OpeningMaterials): void {
  mesh.useMaterialIndex(wall);
  const flat: number[] = [];
  const m = r.nodes.length - 1;
  for (let q = 0; q <= m; q++) flat.push(r.nodes[q], z0);
  // up the run's end: notches for the openings that go on round the bend
  for (const p of pieces.filter((x) => !x.ownRight).sort((x, y) => x.o.z0 - y.o.z0)) flat.push(r.s1, p.o.z0, p.s0, p.o.z0, p.s0, p.o.z1, r.s1, p.o.z1);
  for (let q = m; q >= 0; q--) flat.push(r.nodes[q], r.tops[q]);
  // down its start: notches for the openings that come round the bend
  for (const p of pieces.filter((x) => !x.ownLeft).sort((x, y) => y.o.z0 - x.o.z0)) flat.push(r.s0, p.o.z1, p.s1, p.o.z1, p.s1, p.o.z0, r.s0, p.o.z0);
  const outer = flat.length / 2;
  const holes: number[] = [];
  for (const p of pieces.filter((x) => x.ownLeft && x.ownRight)) {
    holes.push(flat.length / 2);
    flat.push(p.s0, p.o.z0, p.s0, p.o.z1, p.s1, p.o.z1, p.s1, p.o.z0);
  }
  const tris = restoreDropped(flat, outer, earcut(flat, holes, 2));
  const base = mesh.vertexCount;
  for (let v = 0; v < flat.length / 2; v++) mesh.vertex(...onRun(r, flat[2 * v], flat[2 * v + 1]), r.nx, r.ny, 0);
  // counter-clockwise in (s, z) faces out of the solid; earcut winds every triangle alike
  let area = 0;
  for (let t = 0; t < tris.length; t += 3) {
    const p = tris[t], q = tris[t + 1], w = tris[t + 2];
    area += (flat[2 * q] - flat[2 * p]) * (flat[2 * w + 1] - flat[2 * p + 1]) - (flat[2 * q + 1] - flat[2 * p + 1]) * (flat[2 * w] - flat[2 * p]);
  }
  for (let t = 0; t < tris.length; t += 3) {
    if (area >= 0) mesh.triangle(base + tris[t], base + tris[t + 1], base + tris[t + 2]);
    else mesh.triangle(base + tris[t], base + tris[t + 2], base + tris[t + 1]);
  }
  // each piece: its reveals in the frame's colour (a side at a bend has none: the next run's piece goes on from
  // the mitre), the pane or leaf at the back
  for (const p of pieces) {
    const { o } = p;
    const back = (x: number, z: number, own: boolean, other: Run | null, left: boolean) =>
      own || !other ? onRun(r, x, z, REVEAL_DEPTH) : left ? mitre(other, r, x, z, REVEAL_DEPTH) : mitre(r, other, x, z, REVEAL_DEPTH);
    const A = onRun(r, p.s0, o.z0), B = onRun(r, p.s1, o.z0), C = onRun(r, p.s1, o.z1), D = onRun(r, p.s0, o.z1);
    const A2 = back(p.s0, o.z0, p.ownLeft, prev, true), D2 = back(p.s0, o.z1, p.ownLeft, prev, true);
    const B2 = back(p.s1, o.z0, p.ownRight, next, false), C2 = back(p.s1, o.z1, p.ownRight, next, false);
    mesh.useMaterialIndex(materials.of(mesh, 'frame', o.look));
    quad(mesh, A, B, B2, A2, 0, 0, 1);
    quad(mesh, C, D, D2, C2, 0, 0, -1);
    if (p.ownLeft) quad(mesh, D, A, A2, D2, r.dx, r.dy, 0);
    if (p.ownRight) quad(mesh, B, C, C2, B2, -r.dx, -r.dy, 0);
    mesh.useMaterialIndex(materials.of(mesh, o.leaf, o.look));
    quad(mesh, A2, B2, C2, D2, r.nx, r.ny, 0);
  }
}

/** The materials of openings, registered on first use: a frame, glass or door leaf per look. */
class OpeningMaterials {
  private readonly ids = new Map<string, number>();
  of(mesh: MeshBuilder, part: 'frame' | 'glass' | 'door', look: FacadeLook): number {
    const key = `${part}:${look.name}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      if (part === 'frame') mesh.useMaterial('frame', hex(look.frame), 0.6);
      else if (part === 'glass') mesh.useMaterial('glass', hex(look.glass), 0.15, 0.4);
      else mesh.useMaterial('door', hex(FACADE_LOOKS.entrance.glass), 0.7);
      this.ids.set(key, (id = mesh.material));
    }
    return id;
  }
}

/**
 * Earcut leaves out outline vertices that lie in line with their neighbours (a run's nodes along its foot):
 * put each back by splitting the triangle whose edge passes over it, so the wall meets the floor and the next
 * run node for node.
 */
function restoreDropped(flat: number[], outer: number, tris: number[]): number[] {
  const used = new Uint8Array(flat.length / 2);
  for (const v of tris) used[v] = 1;
  const out = tris.slice();
  for (let v = 0; v < outer; v++) {
    if (used[v]) continue;
    const x = flat[2 * v], y = flat[2 * v + 1];
    search: for (let t = 0; t < out.length; t += 3)
      for (let e = 0; e < 3; e++) {
        const p = out[t + e], q = out[t + ((e + 1) % 3)], w = out[t + ((e + 2) % 3)];
        const ex = flat[2 * q] - flat[2 * p], ey = flat[2 * q + 1] - flat[2 * p + 1];
        const l2 = ex * ex + ey * ey;
        const along = ((x - flat[2 * p]) * ex + (y - flat[2 * p + 1]) * ey) / l2;
        const off = Math.abs((x - flat[2 * p]) * ey - (y - flat[2 * p + 1]) * ex) / Math.sqrt(l2);
        if (along <= 1e-9 || along >= 1 - 1e-9 || off > 1e-7) continue;
        out[t] = p;
        out[t + 1] = v;
        out[t + 2] = w;
        out.push(v, q, w);
        break search;
      }
  }
  return out;
}

/** A door on a run: from `s0` to `s1` along it, its texture's u at those sides (see `Entrance`). */
interface RunDoor {
  s0: number;
  s1: number;
  u0: number;
  u1: number;
}

/** A quad p0 … p3 (a rectangle) facing (nx, ny, nz): its own four vertices, two triangles wound to face it. */
function quad(mesh: MeshBuilder, p0: Point, p1: Point, p2: Point, p3: Point, nx: number, ny: number, nz: number): void {
  const v0 = mesh.vertex(p0[0], p0[1], p0[2], nx, ny, nz), v1 = mesh.vertex(p1[0], p1[1], p1[2], nx, ny, nz);
  const v2 = mesh.vertex(p2[0], p2[1], p2[2], nx, ny, nz), v3 = mesh.vertex(p3[0], p3[1], p3[2], nx, ny, nz);
  const ux = p1[0] - p0[0], uy = p1[1] - p0[1], uz = p1[2] - p0[2], wx = p2[0] - p0[0], wy = p2[1] - p0[1], wz = p2[2] - p0[2];
  const dot = (uy * wz - uz * wy) * nx + (uz * wx - ux * wz) * ny + (ux * wy - uy * wx) * nz;
  if (dot >= 0) {
    mesh.triangle(v0, v1, v2);
    mesh.triangle(v0, v2, v3);
  } else {
    mesh.triangle(v0, v2, v1);
    mesh.triangle(v0, v3, v2);
  }
}

type Point = readonly [number, number, number];

/**
 * The openings of one straight run, whose u (window bays) runs from `u0` to `u1` over `len` metres: in every
 * bay it overlaps and every storey up to `top`, the look's window where its texture has one (a shop front's door and
 * display window on the ground storey); the run's doors in their bays instead of the ground storey's window.
 */
function openingsOf(u0: number, u1: number, len: number, z0: number, top: number, facade: FacadeWalls, ground: FacadeLook | null, doors: RunDoor[]): Opening[] {
  const out: Opening[] = [];
  const du = u1 - u0;
  if (!(du > 0)) return out;
  const storey = facade.storey;
  const look = FACADE_LOOKS[facade.look];
  // every bay the run overlaps: a bay across a bend of its wall (a wall of several straight runs) keeps the
  // windows that still lie on this run (the caller drops the others)
  for (let b = Math.floor(u0 + 1e-9); b < u1 - 1e-9; b++) {
    const sa = ((b - u0) / du) * len, sb = ((b + 1 - u0) / du) * len, bw = sb - sa;
    for (let st = 0; z0 + st * storey < top; st++) {
      const zs = z0 + st * storey;
      const l = st === 0 && ground ? ground : look;
      if (st === 0 && doors.some((d) => d.s0 < sb - 1e-6 && d.s1 > sa + 1e-6)) continue;
      const win = l.window;
      if (l.door && win.width > 0) {
        // a shop front: the glazed door from the ground at the bay's left, the display window after it (as its texture)
        const gap = 2 / 32;
        const d0 = Math.max(1 / 32, (1 - l.door.width - win.width - gap) / 2);
        out.push({ s0: sa + d0 * bw, s1: sa + (d0 + l.door.width) * bw, z0: zs + THRESHOLD, z1: zs + l.door.height * storey, leaf: 'glass', look: l });
        const w0 = d0 + l.door.width + gap;
        out.push({ s0: sa + w0 * bw, s1: sa + Math.min(1 - 1 / 32, w0 + win.width) * bw, z0: zs + win.sill * storey, z1: zs + (win.sill + win.height) * storey, leaf: 'glass', look: l });
      } else if (win.width > 0) {
        const w = win.width * bw, c = (sa + sb) / 2;
        out.push({ s0: c - w / 2, s1: c + w / 2, z0: zs + win.sill * storey, z1: zs + (win.sill + win.height) * storey, leaf: 'glass', look: l });
      }
    }
  }
  // the doors: the entrance look's door in the middle of the door's texture (u0 … u1 over t0 … t1)
  const door = FACADE_LOOKS.entrance.door!;
  for (const d of doors) {
    const { s0, s1 } = d, metresPerU = (s1 - s0) / (d.u1 - d.u0);
    const centre = s0 + (0.5 - d.u0) * metresPerU, w = door.width * metresPerU;
    const h = Math.min(door.height * storey, 0.8 * (top - z0));
    out.push({ s0: Math.max(s0, centre - w / 2), s1: Math.min(s1, centre + w / 2), z0: z0 + THRESHOLD, z1: z0 + h, leaf: 'door', look: FACADE_LOOKS[facade.look] });
  }
  return out;
}
