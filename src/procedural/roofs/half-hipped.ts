import { finish, gabledBase } from './gable-family.js';
import { hipGable } from './model.js';
import type { RoofBuilder } from './types.js';

/** `roof:shape=half-hipped`: gables that stop half way up, under a small hip. */
export const halfHippedRoof: RoofBuilder = {
  shapes: ['half-hipped', 'half_hipped'],
  build(input) {
    const base = gabledBase(input);
    if (!base) return null;
    for (const g of base.gables) hipGable(base.model, g, 0.5);
    return finish(input, base.model, base.run, 35);
  },
};
