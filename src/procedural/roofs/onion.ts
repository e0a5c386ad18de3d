import { ringRoof } from './rings.js';
import type { RoofBuilder } from './types.js';

/** An onion: bulging past the eaves, then drawing in to a point. (scale, height fraction) pairs. */
const PROFILE: [number, number][] = [
  [1, 0], [1.18, 0.08], [1.27, 0.18], [1.25, 0.3], [1.12, 0.42], [0.85, 0.55], [0.55, 0.68], [0.3, 0.8], [0.12, 0.9], [0.04, 0.96], [0, 1],
];

/** `roof:shape=onion`: an onion dome (height 1.5 × the footprint's radius unless tagged). */
export const onionRoof: RoofBuilder = {
  shapes: ['onion'],
  build: (input) => ringRoof(input, PROFILE, (run) => 1.5 * run),
};
