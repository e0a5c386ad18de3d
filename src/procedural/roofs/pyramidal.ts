import { centroid, roofSpan, seesAll } from './common.js';
import { RoofModel } from './model.js';
import type { RoofBuilder } from './types.js';

/**
 * `roof:shape=pyramidal`: every edge rises to one apex above the centroid. On footprints not
 * star-shaped from the centroid (or with holes) the apex would poke through the slopes: the skeleton
 * roof (a hipped roof, the pyramid's generalisation) is built instead.
 */
export const pyramidalRoof: RoofBuilder = {
  shapes: ['pyramidal'],
  build(input) {
    const fp = input.footprint;
    const [cx, cy] = centroid(fp);
    if (!seesAll(fp, cx, cy)) {
      const sk = input.skeleton();
      if (!sk) return null;
      input.warn('roof:pyramidal-on-skeleton');
      const m = RoofModel.fromSkeleton(sk);
      const { base, height } = roofSpan(input, sk.maxDistance, 35);
      m.setHeights(base, height);
      return m;
    }
    const m = new RoofModel();
    const n = fp.ringStarts[1];
    let run = 0;
    for (let i = 0; i < n; i++) {
      m.node(fp.coords[2 * i], fp.coords[2 * i + 1], 0);
      run = Math.max(run, Math.hypot(fp.coords[2 * i] - cx, fp.coords[2 * i + 1] - cy));
    }
    const apex = m.node(cx, cy, 1);
    for (let i = 0; i < n; i++) m.faces.push([i, (i + 1) % n, apex]);
    const { base, height } = roofSpan(input, run, 35);
    m.setHeights(base, height);
    return m;
  },
};
