import type { MeshBatch } from '../../src/core/types.js';

/** Metrics of a triangle mesh, for golden comparisons (no raw floats). */
export interface MeshMetrics {
  triangles: number;
  vertices: number;
  bounds: [number, number, number, number, number, number];
  /** Signed volume (positive when the shell is closed and wound outward). */
  volume: number;
  /** Every undirected edge (positions welded) used by exactly two triangles, once in each direction. */
  watertight: boolean;
  /** Edges used by a number of triangles other than two, or twice in one direction. */
  badEdges: number;
}

const r6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** Metrics of triangles `t0..t1` of a mesh batch (default: all). */
export function meshMetrics(mesh: Pick<MeshBatch, 'positions' | 'indices'>, t0 = 0, t1 = mesh.indices.length / 3): MeshMetrics {
  const P = mesh.positions;
  const I = mesh.indices;
  const weld = new Map<string, number>();
  const id = (v: number) => {
    const k = `${P[3 * v].toFixed(4)},${P[3 * v + 1].toFixed(4)},${P[3 * v + 2].toFixed(4)}`;
    let i = weld.get(k);
    if (i === undefined) weld.set(k, (i = weld.size));
    return i;
  };
  const directed = new Map<string, number>();
  const bounds: MeshMetrics['bounds'] = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
  let volume = 0;
  const used = new Set<number>();
  for (let t = t0; t < t1; t++) {
    const [a, b, c] = [I[3 * t], I[3 * t + 1], I[3 * t + 2]];
    for (const v of [a, b, c]) {
      used.add(v);
      for (let k = 0; k < 3; k++) {
        bounds[k] = Math.min(bounds[k], P[3 * v + k]);
        bounds[k + 3] = Math.max(bounds[k + 3], P[3 * v + k]);
      }
    }
    const ax = P[3 * a], ay = P[3 * a + 1], az = P[3 * a + 2];
    const bx = P[3 * b], by = P[3 * b + 1], bz = P[3 * b + 2];
    const cx = P[3 * c], cy = P[3 * c + 1], cz = P[3 * c + 2];
    volume += (ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx)) / 6;
    const w = [id(a), id(b), id(c)];
    if (w[0] === w[1] || w[1] === w[2] || w[0] === w[2]) continue; // degenerate: no edges
    for (let e = 0; e < 3; e++) {
      const k = `${w[e]}>${w[(e + 1) % 3]}`;
      directed.set(k, (directed.get(k) ?? 0) + 1);
    }
  }
  let bad = 0;
  for (const [k, n] of directed) {
    const [p, q] = k.split('>');
    if (n !== 1 || directed.get(`${q}>${p}`) !== 1) bad++;
  }
  return { triangles: t1 - t0, vertices: used.size, bounds: bounds.map(r6) as MeshMetrics['bounds'], volume: r6(volume), watertight: bad === 0, badEdges: bad };
}
