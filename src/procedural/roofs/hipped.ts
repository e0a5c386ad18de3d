import { roofSpan } from './common.js';
import { RoofModel } from './model.js';
import type { RoofBuilder } from './types.js';

/** `roof:shape=hipped`: every eave slopes up to the straight skeleton (holes included). */
export const hippedRoof: RoofBuilder = {
  shapes: ['hipped'],
  build(input) {
    const sk = input.skeleton();
    if (!sk) return null;
    const m = RoofModel.fromSkeleton(sk);
    const { base, height } = roofSpan(input, sk.maxDistance, 30);
    m.setHeights(base, height);
    return m;
  },
};
