import type { Footprint } from './footprint.js';

/**
 * A footprint with its least significant vertices removed (Visvalingam: repeatedly drop the vertex
 * whose triangle with its neighbours is smallest, while that area is under `maxArea` m² and under 2 %
 * of the ring's area, and the ring keeps at least 4 vertices). Gives the skeleton library a second chance on footprints it fails on
 * (near-collinear runs, tiny jogs). Null when nothing could be removed.
 */
export function simplifyFootprint(fp: Footprint, maxArea = 4): Footprint | null {
  const out: number[] = [];
  const starts = [0];
  let removed = 0;
  for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
    const ring: number[] = [];
    for (let i = fp.ringStarts[r]; i < fp.ringStarts[r + 1]; i++) ring.push(i);
    const c = fp.coords;
    const area = (k: number) => {
      const a = ring[(k + ring.length - 1) % ring.length], b = ring[k], d = ring[(k + 1) % ring.length];
      return Math.abs((c[2 * b] - c[2 * a]) * (c[2 * d + 1] - c[2 * a + 1]) - (c[2 * b + 1] - c[2 * a + 1]) * (c[2 * d] - c[2 * a])) / 2;
    };
    let ringArea = 0;
    for (let k = 0; k < ring.length; k++) {
      const a = ring[k], b = ring[(k + 1) % ring.length];
      ringArea += c[2 * a] * c[2 * b + 1] - c[2 * b] * c[2 * a + 1];
    }
    const limit = Math.min(maxArea, 0.02 * Math.abs(ringArea / 2));
    while (ring.length > 4) {
      let best = -1, bestArea = limit;
      for (let k = 0; k < ring.length; k++) {
        const a = area(k);
        if (a < bestArea) [best, bestArea] = [k, a];
      }
      if (best < 0) break;
      ring.splice(best, 1);
      removed++;
    }
    for (const i of ring) out.push(c[2 * i], c[2 * i + 1]);
    starts.push(out.length / 2);
  }
  return removed ? { coords: Float64Array.from(out), ringStarts: Uint32Array.from(starts) } : null;
}
