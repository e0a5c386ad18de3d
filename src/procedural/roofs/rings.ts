import { centroid, roofSpan, seesAll } from './common.js';
import { RoofModel } from './model.js';
import type { RoofInput } from './types.js';

/**
 * Rings of the outer ring scaled towards the centroid: `profile` lists (scale, height fraction) from
 * the eave (1, 0) upwards; the last ring closes on an apex above the centroid. For footprints not
 * star-shaped from the centroid, or with holes, the same profile is laid over the straight skeleton
 * instead (scale ↔ distance from the eaves). Smooth-shaded unless `smooth` is false.
 */
export function ringRoof(input: RoofInput, profile: [number, number][], defaultHeight: (run: number) => number, smooth = true): RoofModel | null {
  const fp = input.footprint;
  const [cx, cy] = centroid(fp);
  const n = fp.ringStarts[1];
  const spanFor = (run: number) => roofSpan(input, run, 45, { defaultHeight: defaultHeight(run) });
  if (!seesAll(fp, cx, cy)) {
    const sk = input.skeleton();
    if (!sk) return null;
    const m = RoofModel.fromSkeleton(sk);
    // d/D ↔ 1 - scale: cut where the profile breaks, then map distance → height fraction
    const D = sk.maxDistance;
    const pts = profile.filter(([s]) => s <= 1);
    m.cut(m.d.slice(), pts.slice(1).map(([s]) => (1 - s) * D).filter((l) => l > 0 && l < D));
    const frac = (t: number) => {
      const s = 1 - t;
      for (let k = 0; k + 1 < pts.length; k++) {
        const [s0, h0] = pts[k];
        const [s1, h1] = pts[k + 1];
        if (s <= s0 && s >= s1) return h0 + ((h1 - h0) * (s0 - s)) / (s0 - s1 || 1);
      }
      return 1;
    };
    const { base, height } = spanFor(D);
    m.setHeights(base, height, frac);
    m.smooth = smooth;
    input.warn('roof:ring-shape-on-skeleton');
    return m;
  }
  let run = 0;
  for (let i = 0; i < n; i++) run = Math.max(run, Math.hypot(fp.coords[2 * i] - cx, fp.coords[2 * i + 1] - cy));
  const { base, height: h } = spanFor(run);
  const m = new RoofModel();
  const rings: number[][] = [];
  profile.forEach(([s, f], k) => {
    if (k === profile.length - 1 && s === 0) return;
    const ring: number[] = [];
    for (let i = 0; i < n; i++) ring.push(m.node(cx + s * (fp.coords[2 * i] - cx), cy + s * (fp.coords[2 * i + 1] - cy), f));
    rings.push(ring);
  });
  const apex = m.node(cx, cy, 1);
  for (let k = 0; k + 1 < rings.length; k++)
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      m.faces.push([rings[k][i], rings[k][j], rings[k + 1][j], rings[k + 1][i]]);
    }
  const top = rings[rings.length - 1];
  for (let i = 0; i < n; i++) m.faces.push([top[i], top[(i + 1) % n], apex]);
  m.z = m.d.map((f) => base + f * h);
  m.smooth = smooth;
  return m;
}
