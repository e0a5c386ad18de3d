import earcut from 'earcut';
import type { RoofModel } from '../procedural/index.js';
import type { RoofSamples } from './samples.js';

/**
 * The roof model's height at every sample (the highest face over the cell's centre, as a surface
 * model sees it). Samples no face covers (a cell centre exactly on the outline) take the height of the
 * eaves, 0 in a unit model. Rasterises each face's triangles over the samples' window. With
 * `gradient`, also each sample's steepness |∇z| (rise per metre) there.
 *
 * @returns heights, one per sample
 */
export function modelField(m: RoofModel, s: RoofSamples, gradient?: Float64Array): Float64Array {
  const n = s.z.length;
  const out = new Float64Array(n).fill(-Infinity);
  const flat: number[] = [];
  for (const f of m.faces) {
    if (f.length < 3) continue;
    flat.length = 0;
    for (const v of f) flat.push(m.x[v], m.y[v]);
    const tris = f.length === 3 ? [0, 1, 2] : earcut(flat);
    for (let t = 0; t < tris.length; t += 3) triangle(m, f[tris[t]], f[tris[t + 1]], f[tris[t + 2]], s, out, gradient);
  }
  for (let k = 0; k < n; k++) if (out[k] === -Infinity) out[k] = 0;
  return out;
}

/** Rasterise one triangle: barycentric interpolation at every sample whose cell centre it covers. */
function triangle(m: RoofModel, a: number, b: number, c: number, s: RoofSamples, out: Float64Array, gradient?: Float64Array): void {
  const ax = m.x[a], ay = m.y[a], bx = m.x[b], by = m.y[b], cx = m.x[c], cy = m.y[c];
  const det = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  if (Math.abs(det) < 1e-12) return;
  // the plane's steepness |∇z|
  const dzb = m.z[b] - m.z[a], dzc = m.z[c] - m.z[a];
  const steep = Math.hypot((dzb * (cy - ay) - dzc * (by - ay)) / det, (dzc * (bx - ax) - dzb * (cx - ax)) / det);
  const eps = 1e-9;
  const i0 = Math.max(0, Math.floor((Math.min(ax, bx, cx) - s.x0) / s.cell - 0.5));
  const i1 = Math.min(s.w - 1, Math.ceil((Math.max(ax, bx, cx) - s.x0) / s.cell - 0.5));
  const j0 = Math.max(0, Math.floor((Math.min(ay, by, cy) - s.y0) / s.cell - 0.5));
  const j1 = Math.min(s.h - 1, Math.ceil((Math.max(ay, by, cy) - s.y0) / s.cell - 0.5));
  const za = m.z[a], zb = m.z[b], zc = m.z[c];
  for (let j = j0; j <= j1; j++) {
    const y = s.y0 + (j + 0.5) * s.cell;
    for (let i = i0; i <= i1; i++) {
      const k = s.index[j * s.w + i];
      if (k < 0) continue;
      const x = s.x0 + (i + 0.5) * s.cell;
      const u = ((bx - x) * (cy - y) - (by - y) * (cx - x)) / det;
      const v = ((cx - x) * (ay - y) - (cy - y) * (ax - x)) / det;
      const w = 1 - u - v;
      if (u < -eps || v < -eps || w < -eps) continue;
      const z = u * za + v * zb + w * zc;
      if (z > out[k]) {
        out[k] = z;
        if (gradient) gradient[k] = steep;
      }
    }
  }
}
