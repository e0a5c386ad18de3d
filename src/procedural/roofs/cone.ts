import { ringRoof } from './rings.js';
import type { RoofBuilder } from './types.js';

/** `roof:shape=cone`: straight sides to a point (height 1.5 × the footprint's radius unless tagged). */
export const coneRoof: RoofBuilder = {
  shapes: ['cone'],
  build: (input) => ringRoof(input, [[1, 0], [0, 1]], (run) => 1.5 * run, true),
};
