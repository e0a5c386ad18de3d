import { finish, oneHippedEnd } from './gable-family.js';
import { hipGable } from './model.js';
import type { RoofBuilder } from './types.js';

/** `roof:shape=side_hipped`: hipped at one end, gabled at the other; `roof:direction` names the hipped end (see {@link oneHippedEnd}). */
export const sideHippedRoof: RoofBuilder = {
  shapes: ['side_hipped', 'side-hipped'],
  build(input) {
    const base = oneHippedEnd(input);
    if (!base) return null;
    if (base.gable) hipGable(base.model, base.gable, 0);
    return finish(input, base.model, base.run, 30);
  },
};
