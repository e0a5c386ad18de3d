import { finish, gabledBase } from './gable-family.js';
import type { RoofBuilder } from './types.js';

/** `roof:shape=gabled`: two slopes and vertical gable walls; ridges follow the skeleton on complex footprints. */
export const gabledRoof: RoofBuilder = {
  shapes: ['gabled'],
  build(input) {
    const base = gabledBase(input);
    return base && finish(input, base.model, base.run, 30);
  },
};
