import { finish, gabledBase } from './gable-family.js';
import type { RoofBuilder } from './types.js';

const STEPS = 6;

/** `roof:shape=round`: a barrel roof — the gabled base with a quarter-circle profile on each side, smooth-shaded. */
export const roundRoof: RoofBuilder = {
  shapes: ['round'],
  build(input) {
    const base = gabledBase(input);
    if (!base) return null;
    const m = base.model;
    const D = m.maxD;
    // levels where the circle's slope changes by equal angles
    const levels = Array.from({ length: STEPS - 1 }, (_, k) => D * (1 - Math.cos((((k + 1) / STEPS) * Math.PI) / 2)));
    m.cut(m.d.slice(), levels);
    m.smooth = true;
    const r = finish(input, m, base.run, 45, (t) => Math.sqrt(Math.max(0, 1 - (1 - t) * (1 - t))));
    return r;
  },
};
