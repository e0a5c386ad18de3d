import { rectangleGable, roofSpan } from './common.js';
import { gableEnds, RoofModel, type Gable } from './model.js';
import type { RoofInput } from './types.js';

/**
 * The gabled base every gable-family shape starts from: on a near-rectangle, two slopes with the ridge
 * chosen by `roof:direction` / `roof:orientation`; on any other footprint, the straight skeleton with
 * its triangular end faces turned into vertical gables (the ridges follow the skeleton, as OSM2World
 * and Streets GL do). Heights are not set yet.
 */
export function gabledBase(input: RoofInput): { model: RoofModel; gables: Gable[]; run: number } | null {
  const rect = rectangleGable(input);
  if (rect) return rect;
  const sk = input.skeleton();
  if (!sk) return null;
  const model = RoofModel.fromSkeleton(sk);
  const n = input.footprint.coords.length / 2;
  const gables = gableEnds(model, n);
  return { model, gables, run: sk.maxDistance };
}

/** Set heights with a profile (fraction of the roof height over fraction of the run). */
export function finish(input: RoofInput, model: RoofModel, run: number, defaultAngle: number, profile?: (t: number) => number): RoofModel {
  const { base, height } = roofSpan(input, run, defaultAngle);
  model.setHeights(base, height, profile);
  return model;
}
