import { roofSpan } from './common.js';
import { RoofModel } from './model.js';
import type { RoofBuilder } from './types.js';

/** Break at 30 % of the run: the steep lower part rises 70 % of the height. */
const BREAK = 0.3;
const LOWER = 0.7;

/** `roof:shape=mansard`: a hipped roof with a steep lower slope and a shallow upper one on every side. */
export const mansardRoof: RoofBuilder = {
  shapes: ['mansard'],
  build(input) {
    const sk = input.skeleton();
    if (!sk) return null;
    const m = RoofModel.fromSkeleton(sk);
    m.cut(m.d.slice(), [BREAK * sk.maxDistance]);
    const { base, height } = roofSpan(input, sk.maxDistance, 45);
    m.setHeights(base, height, (t) => (t <= BREAK ? (LOWER * t) / BREAK : LOWER + ((1 - LOWER) * (t - BREAK)) / (1 - BREAK)));
    return m;
  },
};
