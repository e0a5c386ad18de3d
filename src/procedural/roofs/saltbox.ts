import { compass, rectangleGable } from './common.js';
import { finish, gabledBase } from './gable-family.js';
import type { RoofBuilder } from './types.js';

/** How far the ridge moves towards the back, as a fraction of the half-width. */
const SHIFT = 0.5;

/**
 * `roof:shape=saltbox`: a gabled roof whose ridge sits off-centre, towards the back, so the front
 * slope (facing `roof:direction`) is long and low. Off-centre ridges are built on near-rectangles;
 * other footprints get the gabled base (counted).
 */
export const saltboxRoof: RoofBuilder = {
  shapes: ['saltbox'],
  build(input) {
    const rect = rectangleGable(input);
    if (!rect) {
      input.warn('roof:saltbox-built-as-gabled');
      const base = gabledBase(input);
      return base && finish(input, base.model, base.run, 30);
    }
    const m = rect.model;
    const [g1, g2] = rect.gables;
    // the gable edges run across the ridge; move both ridge ends along them, away from the front
    const ax = m.x[g1.b] - m.x[g1.a];
    const ay = m.y[g1.b] - m.y[g1.a];
    const len = Math.hypot(ax, ay);
    let ux = ax / len, uy = ay / len;
    if (input.roof.direction !== null) {
      const [dx, dy] = compass(input.roof.direction);
      if (ux * dx + uy * dy > 0) [ux, uy] = [-ux, -uy];
    }
    const shift = (SHIFT * len) / 2;
    m.x[g1.g] += ux * shift;
    m.y[g1.g] += uy * shift;
    // the other gable edge runs the opposite way round the footprint, so the same world vector applies
    m.x[g2.g] += ux * shift;
    m.y[g2.g] += uy * shift;
    return finish(input, m, rect.run, 35);
  },
};
