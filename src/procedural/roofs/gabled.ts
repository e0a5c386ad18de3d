import { nearRectangleSlope } from './common.js';
import { directionalGable, finish, gabledBase } from './gable-family.js';
import type { RoofBuilder } from './types.js';

/** `roof:shape=gabled`: two slopes and vertical gable walls; ridges follow the skeleton on complex footprints. */
export const gabledRoof: RoofBuilder = {
  shapes: ['gabled'],
  build(input) {
    const base = gabledBase(input);
    // gable-drawn-hipped: a rectangle with a kink along a side has a skeleton without clean triangular
    // ends, so no gable was made and the roof stood hipped; its ridge runs straight along the long sides
    if (base && base.gables.length < 2 && input.roof.direction === null) {
      const slope = nearRectangleSlope(input.footprint, input.roof.orientation === 'across');
      const straight = slope && directionalGable(input, slope);
      if (straight) return finish(input, straight.model, straight.run, 30);
    }
    return base && finish(input, base.model, base.run, 30);
  },
};
