import { finish, gabledBase } from './gable-family.js';
import { hipGable } from './model.js';
import type { RoofBuilder } from './types.js';

/** `roof:shape=side_half-hipped`: half-hipped at one end, gabled at the other. */
export const sideHalfHippedRoof: RoofBuilder = {
  shapes: ['side_half-hipped', 'side_half_hipped', 'side-half-hipped'],
  build(input) {
    const base = gabledBase(input);
    if (!base) return null;
    if (base.gables.length) hipGable(base.model, base.gables[0], 0.5);
    return finish(input, base.model, base.run, 35);
  },
};
