import { ringRoof } from './rings.js';
import type { RoofBuilder } from './types.js';

const STEPS = 8;
/** A quarter circle: scale cos θ at height sin θ. */
const PROFILE: [number, number][] = Array.from({ length: STEPS + 1 }, (_, k) => {
  const a = ((k / STEPS) * Math.PI) / 2;
  return [k === STEPS ? 0 : Math.cos(a), Math.sin(a)];
});

/** `roof:shape=dome`: a hemisphere-like dome (height = the footprint's radius unless tagged). */
export const domeRoof: RoofBuilder = {
  shapes: ['dome'],
  build: (input) => ringRoof(input, PROFILE, (run) => run),
};
