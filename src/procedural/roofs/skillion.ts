import { triangulate } from '../footprint.js';
import { compass, roofSpan } from './common.js';
import { RoofModel } from './model.js';
import type { RoofInput, RoofBuilder } from './types.js';

/**
 * Downhill direction for mono-pitch roofs: `roof:direction` when tagged, else facing out of the
 * footprint's longest outer edge.
 */
export function downhill(input: RoofInput): [number, number] {
  if (input.roof.direction !== null) return compass(input.roof.direction);
  const c = input.footprint.coords;
  const n = input.footprint.ringStarts[1];
  let best = -1, bx = 0, by = -1;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    const dx = c[2 * j] - c[2 * i], dy = c[2 * j + 1] - c[2 * i + 1];
    const l = Math.hypot(dx, dy);
    if (l > best) [best, bx, by] = [l, dy / l, -dx / l];
  }
  return [bx, by];
}

/** The footprint triangulated (holes included) as a roof model, plus each node's projection on `dir`. */
export function planarModel(input: RoofInput, dir: [number, number]): { m: RoofModel; proj: number[]; lo: number; hi: number } | null {
  const fp = input.footprint;
  const tris = triangulate(fp);
  if (tris.length === 0) return null;
  const m = new RoofModel();
  const proj: number[] = [];
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < fp.coords.length / 2; i++) {
    const x = fp.coords[2 * i], y = fp.coords[2 * i + 1];
    m.node(x, y, 0);
    const p = x * dir[0] + y * dir[1];
    proj.push(p);
    lo = Math.min(lo, p);
    hi = Math.max(hi, p);
  }
  for (let t = 0; t < tris.length; t += 3) m.faces.push([tris[t], tris[t + 1], tris[t + 2]]);
  return { m, proj, lo, hi };
}

/** `roof:shape=skillion`: one plane, high at the back, sloping down towards `roof:direction`. */
export const skillionRoof: RoofBuilder = {
  shapes: ['skillion', 'lean_to', 'shed'],
  build(input) {
    const dir = downhill(input);
    const pm = planarModel(input, dir);
    if (!pm || pm.hi - pm.lo <= 0) return null;
    const { base, height: h } = roofSpan(input, pm.hi - pm.lo, 15);
    pm.m.z = pm.proj.map((p) => base + h - (h * (p - pm.lo)) / (pm.hi - pm.lo));
    return pm.m;
  },
};
