import { finish, gabledBase } from './gable-family.js';
import { hipGable } from './model.js';
import type { RoofBuilder } from './types.js';

/** `roof:shape=side_hipped`: hipped at one end, gabled at the other. */
export const sideHippedRoof: RoofBuilder = {
  shapes: ['side_hipped', 'side-hipped'],
  build(input) {
    const base = gabledBase(input);
    if (!base) return null;
    if (base.gables.length) hipGable(base.model, base.gables[0], 0);
    return finish(input, base.model, base.run, 30);
  },
};
