import { finish, oneHippedEnd } from './gable-family.js';
import { hipGable } from './model.js';
import type { RoofBuilder } from './types.js';

/** `roof:shape=side_half-hipped`: half-hipped at one end, gabled at the other; `roof:direction` names the hipped end (see {@link oneHippedEnd}). */
export const sideHalfHippedRoof: RoofBuilder = {
  shapes: ['side_half-hipped', 'side_half_hipped', 'side-half-hipped'],
  build(input) {
    const base = oneHippedEnd(input);
    if (!base) return null;
    if (base.gable) hipGable(base.model, base.gable, 0.5);
    return finish(input, base.model, base.run, 35);
  },
};
