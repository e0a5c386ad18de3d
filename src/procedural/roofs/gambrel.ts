import { finish, gabledBase } from './gable-family.js';
import type { RoofBuilder } from './types.js';

/** Break at half the run: the lower half rises 3/4 of the height (steep), the upper half 1/4. */
const BREAK = 0.5;
const LOWER = 0.75;

/** `roof:shape=gambrel`: a gabled roof with two slopes per side, steep below the break. */
export const gambrelRoof: RoofBuilder = {
  shapes: ['gambrel'],
  build(input) {
    const base = gabledBase(input);
    if (!base) return null;
    const m = base.model;
    m.cut(m.d.slice(), [BREAK * m.maxD]);
    return finish(input, m, base.run, 45, (t) => (t <= BREAK ? (LOWER * t) / BREAK : LOWER + ((1 - LOWER) * (t - BREAK)) / (1 - BREAK)));
  },
};
