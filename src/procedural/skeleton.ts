import { SkeletonBuilder } from 'straight-skeleton';
import type { Footprint } from './footprint.js';
import { extentOf } from '../core/extent.js';
import { wavefrontSkeleton } from './wavefront.js';

/**
 * The straight skeleton of a footprint (holes included) as flat arrays: nodes 0..n-1 are the
 * footprint's own vertices (in ring order), later nodes are skeleton nodes; `d` is each node's
 * distance to the edges of the faces it bounds (0 on the footprint).
 */
export interface StraightSkeleton {
  x: number[];
  y: number[];
  d: number[];
  /** One face per footprint edge (edge k runs from vertex k to the next vertex of its ring), counter-clockwise. */
  faces: number[][];
  /** Largest node distance. */
  maxDistance: number;
}

const key = (x: number, y: number) => `${x},${y}`;

/**
 * Compute the straight skeleton: cityforge's own wavefront kernel ({@link wavefrontSkeleton}, exact to
 * rounding but where a spike sharper than 0.001° zips: every node of a face within 0.1 mm of its distance
 * from the face's edge line), checked to tile the footprint
 * (one face per edge, each counter-clockwise, areas summing to the footprint's within 1e-9, every node
 * inside and no nearer the outline than its distance). Where it does not close, the square-cornered
 * rectangle shortcut, then the `straight-skeleton` 1.x library (checked alike, within 1e-3). Null when
 * none gives a skeleton that tiles the footprint — the caller falls back.
 */
export function straightSkeleton(fp: Footprint): StraightSkeleton | null {
  const own = wavefrontSkeleton(fp);
  if (own && tilesFootprint(fp, own, 1e-9) && facesPlanar(fp, own, 1e-4)) return own;
  return snappedSkeleton(fp) ?? rectangleSkeleton(fp) ?? librarySkeleton(fp);
}

/** The grid (m) {@link snappedSkeleton} puts a footprint's vertices on. */
const SNAP = 1e-4;

/**
 * part-fell-back-to-flat-off-the-origin: walls collinear to within a fraction of a millimetre are a
 * degenerate case the kernel decides by rounding, so the same footprint closed at one place in the frame
 * and not 180 m away (a Vienna part: gabled → hipped → pyramidal → flat). Its vertices snapped to a
 * 0.1 mm grid in a frame centred on it are collinear or clearly not; the skeleton of the snapped footprint,
 * with the footprint's own vertices put back, is kept when it still tiles the footprint (1e-6) with planar
 * faces (1 cm, as the library's). Null otherwise.
 */
function snappedSkeleton(fp: Footprint): StraightSkeleton | null {
  const c0 = fp.coords;
  const { minX, minY, maxX, maxY } = extentOf(c0);
  const cx = Math.round((minX + maxX) / 2 / SNAP) * SNAP, cy = Math.round((minY + maxY) / 2 / SNAP) * SNAP;
  const snapped = new Float64Array(c0.length);
  let moved = false;
  for (let i = 0; i < c0.length; i += 2) {
    snapped[i] = Math.round((c0[i] - cx) / SNAP) * SNAP + cx;
    snapped[i + 1] = Math.round((c0[i + 1] - cy) / SNAP) * SNAP + cy;
    moved ||= snapped[i] !== c0[i] || snapped[i + 1] !== c0[i + 1];
  }
  if (!moved) return null;
  const sfp: Footprint = { coords: snapped, ringStarts: fp.ringStarts };
  const sk = wavefrontSkeleton(sfp);
  if (!sk || !tilesFootprint(sfp, sk, 1e-9) || !facesPlanar(sfp, sk, 1e-4)) return null;
  const n = c0.length / 2;
  for (let i = 0; i < n; i++) (sk.x[i] = c0[2 * i]), (sk.y[i] = c0[2 * i + 1]);
  // (planar within 1 cm, the library's bar: a 0.05 mm move turns the line of a 6 cm wall enough to shift a
  // node of its face 6 m away by millimetres)
  return tilesFootprint(fp, sk, 1e-6) && facesPlanar(fp, sk, 1e-2) ? sk : null;
}

/**
 * Whether every node of each face lies at its distance `d` from the line of the face's footprint edge
 * (within `tolerance` metres): each face is then one plane of the roof. A skeleton can tile its footprint
 * and still be wrong — an event missed leaves a node where two faces cross.
 */
export function facesPlanar(fp: Footprint, sk: StraightSkeleton, tolerance: number): boolean {
  const c = fp.coords;
  for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
    const s = fp.ringStarts[r], e = fp.ringStarts[r + 1];
    for (let i = s; i < e; i++) {
      const j = i + 1 < e ? i + 1 : s;
      const dx = c[2 * j] - c[2 * i], dy = c[2 * j + 1] - c[2 * i + 1];
      const L = Math.hypot(dx, dy);
      for (const v of sk.faces[i]) if (!(Math.abs(((sk.x[v] - c[2 * i]) * -dy + (sk.y[v] - c[2 * i + 1]) * dx) / L - sk.d[v]) <= tolerance)) return false;
    }
  }
  return true;
}

/**
 * Whether a skeleton tiles its footprint: a face per edge, each counter-clockwise, their areas summing
 * to the footprint's within `tolerance` (relative), and every skeleton node inside the footprint and no
 * nearer its outline than its distance (within 1 cm).
 */
export function tilesFootprint(fp: Footprint, sk: StraightSkeleton, tolerance: number): boolean {
  const c = fp.coords;
  const n = c.length / 2;
  let area = 0;
  for (let e = 0; e < n; e++) {
    const f = sk.faces[e];
    if (!f || f.length < 3) return false;
    let a = 0;
    for (let i = 0, j = f.length - 1; i < f.length; j = i++) a += (sk.x[f[j]] - sk.x[f[i]]) * (sk.y[f[j]] + sk.y[f[i]]);
    if (a <= 0) return false;
    area += a / 2;
  }
  let fpArea = 0;
  for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
    const s = fp.ringStarts[r], e = fp.ringStarts[r + 1];
    for (let i = s, j = e - 1; i < e; j = i++) fpArea += (c[2 * j] - c[2 * i]) * (c[2 * j + 1] + c[2 * i + 1]);
  }
  fpArea /= 2;
  if (!(Math.abs(area - fpArea) <= tolerance * fpArea + 1e-9) || !(sk.maxDistance > 0)) return false;
  for (let v = n; v < sk.x.length; v++) if (!withinReach(fp, sk.x[v], sk.y[v], sk.d[v])) return false;
  return true;
}

/**
 * The skeleton of a footprint with 4 vertices, no hole and corners within 2° of square, built
 * directly (the commonest footprint; no library call): a ridge along the longer side whose ends are
 * half the width in from the short sides.
 */
export function rectangleSkeleton(fp: Footprint): StraightSkeleton | null {
  if (fp.ringStarts.length !== 2 || fp.ringStarts[1] !== 4) return null;
  const c = fp.coords;
  const ex = (k: number) => c[2 * ((k + 1) % 4)] - c[2 * k];
  const ey = (k: number) => c[2 * ((k + 1) % 4) + 1] - c[2 * k + 1];
  const len = [0, 1, 2, 3].map((k) => Math.hypot(ex(k), ey(k)));
  for (let k = 0; k < 4; k++) {
    const j = (k + 1) % 4;
    if (Math.abs(ex(k) * ex(j) + ey(k) * ey(j)) > Math.sin((2 * Math.PI) / 180) * len[k] * len[j]) return null;
  }
  // s: the corner where a long side starts
  const s = len[0] + len[2] >= len[1] + len[3] ? 0 : 1;
  const L = (len[s] + len[s + 2]) / 2;
  const W = (len[s + 1] + len[(s + 3) % 4]) / 2;
  const ux = ex(s) / len[s], uy = ey(s) / len[s];
  const vx = -uy, vy = ux; // inward normal of the long side (ring is counter-clockwise)
  const ax = c[2 * s], ay = c[2 * s + 1];
  const h = W / 2;
  const x = [c[0], c[2], c[4], c[6]];
  const y = [c[1], c[3], c[5], c[7]];
  const d = [0, 0, 0, 0];
  const p1 = 4, p2 = L - W > 1e-9 ? 5 : 4;
  x.push(ax + h * ux + h * vx);
  y.push(ay + h * uy + h * vy);
  d.push(h);
  if (p2 === 5) {
    x.push(ax + (L - h) * ux + h * vx);
    y.push(ay + (L - h) * uy + h * vy);
    d.push(h);
  }
  const a = s, b = (s + 1) % 4, cc = (s + 2) % 4, dd = (s + 3) % 4;
  const faces: number[][] = [];
  const dedupe = (f: number[]) => f.filter((v, i) => v !== f[(i + 1) % f.length]);
  faces[a] = dedupe([a, b, p2, p1]);
  faces[b] = [b, cc, p2];
  faces[cc] = dedupe([cc, dd, p1, p2]);
  faces[dd] = [dd, a, p1];
  return { x, y, d, faces, maxDistance: h };
}

/**
 * The library's skeleton, computed in a frame centred on the footprint (the library loses precision
 * far from the origin: a footprint 1 km from it got nodes 16 m away where 3.4 m is right) and
 * moved back.
 */
export function librarySkeleton(fp: Footprint): StraightSkeleton | null {
  const c0 = fp.coords;
  const { minX, minY, maxX, maxY } = extentOf(c0);
  const cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
  const local = new Float64Array(c0.length);
  for (let i = 0; i < c0.length; i += 2) {
    local[i] = c0[i] - cx;
    local[i + 1] = c0[i + 1] - cy;
  }
  const sk = localSkeleton({ coords: local, ringStarts: fp.ringStarts });
  if (!sk) return null;
  // the footprint's own vertices exactly as given; skeleton nodes moved back
  const n = c0.length / 2;
  for (let i = 0; i < sk.x.length; i++) {
    sk.x[i] = i < n ? c0[2 * i] : sk.x[i] + cx;
    sk.y[i] = i < n ? c0[2 * i + 1] : sk.y[i] + cy;
  }
  return sk;
}

function localSkeleton(fp: Footprint): StraightSkeleton | null {
  const c = fp.coords;
  const n = c.length / 2;
  const rings: [number, number][][] = [];
  for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
    const ring: [number, number][] = [];
    for (let i = fp.ringStarts[r]; i < fp.ringStarts[r + 1]; i++) ring.push([c[2 * i], c[2 * i + 1]]);
    rings.push(ring);
  }
  let sk;
  try {
    sk = SkeletonBuilder.BuildFromGeoJSON([rings]);
  } catch {
    return null;
  }
  const out: StraightSkeleton = { x: [], y: [], d: [], faces: new Array(n), maxDistance: 0 };
  const ids = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    ids.set(key(c[2 * i], c[2 * i + 1]), i);
    out.x.push(c[2 * i]);
    out.y.push(c[2 * i + 1]);
    out.d.push(0);
  }
  const nextOf = new Int32Array(n);
  for (let r = 0; r + 1 < fp.ringStarts.length; r++)
    for (let i = fp.ringStarts[r]; i < fp.ringStarts[r + 1]; i++) nextOf[i] = i + 1 < fp.ringStarts[r + 1] ? i + 1 : fp.ringStarts[r];
  let area = 0;
  for (const e of sk.Edges) {
    const b = ids.get(key(e.Edge.Begin.X, e.Edge.Begin.Y));
    if (b === undefined || out.faces[b]) return null;
    const face: number[] = [];
    for (const p of e.Polygon) {
      const k = key(p.X, p.Y);
      let id = ids.get(k);
      if (id === undefined) {
        const dist = sk.Distances.get(p);
        if (dist === undefined || !Number.isFinite(dist) || dist < 0) return null;
        // a wavefront point at time d is inside the footprint and at least d from its outline (a
        // mitred offset never comes closer): the library sometimes returns nodes far outside
        if (!withinReach(fp, p.X, p.Y, dist)) return null;
        id = out.x.length;
        ids.set(k, id);
        out.x.push(p.X);
        out.y.push(p.Y);
        out.d.push(dist);
        if (dist > out.maxDistance) out.maxDistance = dist;
      }
      if (face[face.length - 1] !== id && face[0] !== id) face.push(id);
    }
    if (face.length < 3) return null;
    // rotate so the face starts at its edge: [begin, end, ...]
    const s = face.indexOf(b);
    const rot = face.slice(s).concat(face.slice(0, s));
    if (rot[1] !== nextOf[b]) {
      rot.reverse();
      rot.unshift(rot.pop()!);
      if (rot[0] !== b || rot[1] !== nextOf[b]) return null;
    }
    let a = 0;
    for (let i = 0, j = rot.length - 1; i < rot.length; j = i++) a += (out.x[rot[j]] - out.x[rot[i]]) * (out.y[rot[j]] + out.y[rot[i]]);
    if (a <= 0) return null;
    area += a / 2;
    out.faces[b] = rot;
  }
  let fpArea = 0;
  for (let r = 0; r + 1 < fp.ringStarts.length; r++)
    for (let i = fp.ringStarts[r]; i < fp.ringStarts[r + 1]; i++) {
      const j = nextOf[i];
      fpArea += (c[2 * i] - c[2 * j]) * (c[2 * i + 1] + c[2 * j + 1]);
    }
  fpArea /= 2;
  for (let i = 0; i < n; i++) if (!out.faces[i]) return null;
  if (Math.abs(area - fpArea) > 1e-3 * fpArea + 1e-6 || out.maxDistance <= 0) return null;
  return out;
}

/**
 * Whether a skeleton node at (x, y) with offset distance `d` can be one: inside the footprint (even-odd
 * over its rings) and no nearer to its outline than `d` (within 1 cm: rounding, not a wrong node).
 */
function withinReach(fp: Footprint, x: number, y: number, d: number): boolean {
  const c = fp.coords;
  let inside = false;
  let near = Infinity;
  for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
    const s = fp.ringStarts[r], e = fp.ringStarts[r + 1];
    for (let i = s, j = e - 1; i < e; j = i++) {
      const ax = c[2 * j], ay = c[2 * j + 1], bx = c[2 * i], by = c[2 * i + 1];
      if ((ay > y) !== (by > y) && x < ax + ((y - ay) / (by - ay)) * (bx - ax)) inside = !inside;
      const dx = bx - ax, dy = by - ay;
      const l2 = dx * dx + dy * dy;
      const t = l2 > 0 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / l2)) : 0;
      near = Math.min(near, Math.hypot(x - ax - t * dx, y - ay - t * dy));
    }
  }
  const tol = 0.01 + 1e-6 * (d + Math.abs(x) + Math.abs(y));
  return (inside || near <= tol) && d <= near + tol;
}
