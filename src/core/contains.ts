import type { FeatureBatch } from './types.js';

/** Whether (x, y) lies inside feature f of a batch (even-odd rule over all its rings, holes included). */
export function featureContains(b: FeatureBatch, f: number, x: number, y: number): boolean {
  let inside = false;
  const P = b.positions;
  for (let r = b.polygonOffsets[b.featureOffsets[f]]; r < b.polygonOffsets[b.featureOffsets[f + 1]]; r++) {
    const a = b.ringOffsets[r];
    const e = b.ringOffsets[r + 1];
    for (let i = a, j = e - 1; i < e; j = i++) {
      const yi = P[2 * i + 1], yj = P[2 * j + 1];
      if (yi > y !== yj > y && x < ((P[2 * j] - P[2 * i]) * (y - yi)) / (yj - yi) + P[2 * i]) inside = !inside;
    }
  }
  return inside;
}
