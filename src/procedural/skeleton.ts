import { SkeletonBuilder } from 'straight-skeleton';
import type { Footprint } from './footprint.js';

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
 * Compute the straight skeleton with the pure-TypeScript `straight-skeleton` 1.x (measured about
 * 0.05 ms for a rectangle and 0.13 ms for an L on this machine, against about 1 ms for the CGAL/WASM
 * 3.x line). Returns null when the library fails or its result does not tile the footprint
 * (checked: one face per edge, faces' areas sum to the footprint's) — the caller falls back.
 */
export function straightSkeleton(fp: Footprint): StraightSkeleton | null {
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
