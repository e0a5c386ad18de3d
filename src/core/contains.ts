import type { FeatureBatch } from './types.js';

/**
 * Whether (x, y) lies inside feature f of a batch: inside any of its polygons (even-odd over each
 * polygon's rings, holes included). Polygons of one feature may overlap (a CityJSON building's outline
 * is its parts' footprints, and a part on columns stands over another); a point under two of them is inside.
 */
export function featureContains(b: FeatureBatch, f: number, x: number, y: number): boolean {
  const P = b.positions;
  for (let p = b.featureOffsets[f]; p < b.featureOffsets[f + 1]; p++) {
    let inside = false;
    for (let r = b.polygonOffsets[p]; r < b.polygonOffsets[p + 1]; r++) {
      const a = b.ringOffsets[r];
      const e = b.ringOffsets[r + 1];
      for (let i = a, j = e - 1; i < e; j = i++) {
        const yi = P[2 * i + 1], yj = P[2 * j + 1];
        if (yi > y !== yj > y && x < ((P[2 * j] - P[2 * i]) * (y - yi)) / (yj - yi) + P[2 * i]) inside = !inside;
      }
    }
    if (inside) return true;
  }
  return false;
}
