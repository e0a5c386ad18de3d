import { roofSpan } from './common.js';
import { downhill, planarModel } from './skillion.js';
import type { RoofBuilder } from './types.js';

/** Width of one tooth, metres (the number of teeth follows from the footprint's depth). */
const TOOTH = 4;
/** Fraction of a tooth taken by its steep (glazed) face. */
const STEEP = 0.15;

/**
 * `roof:shape=sawtooth`: a row of teeth along `roof:direction` — each a long gentle slope and a
 * steep face — cut from the triangulated footprint, so any footprint (holes included) works.
 */
export const sawtoothRoof: RoofBuilder = {
  shapes: ['sawtooth'],
  build(input) {
    const dir = downhill(input);
    const pm = planarModel(input, dir);
    if (!pm || pm.hi - pm.lo <= 0) return null;
    const depth = pm.hi - pm.lo;
    const teeth = Math.max(1, Math.round(depth / TOOTH));
    const w = depth / teeth;
    const levels: number[] = [];
    for (let k = 0; k < teeth; k++) {
      if (k > 0) levels.push(pm.lo + k * w);
      levels.push(pm.lo + (k + 1 - STEEP) * w);
    }
    const field = pm.proj.slice();
    pm.m.cut(field, levels);
    const { base, height: h } = roofSpan(input, w, 20, { keepWall: true });
    pm.m.z = field.map((p) => {
      const u = Math.min(teeth - 1e-9, Math.max(0, (p - pm.lo) / w));
      const k = Math.floor(u + 1e-9 * teeth);
      let f = u - k;
      if (k >= teeth) f = 1;
      // gentle rise to the top over 1 - STEEP, steep drop after it
      const frac = f <= 1 - STEEP ? f / (1 - STEEP) : (1 - f) / STEEP;
      return base + h * Math.min(1, Math.max(0, frac));
    });
    return pm.m;
  },
};
