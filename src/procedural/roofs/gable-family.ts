import { compass, rectangleGable, roofSpan } from './common.js';
import { planarModel } from './skillion.js';
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
  if (input.roof.direction !== null) return directionalGable(input, compass(input.roof.direction));
  const sk = input.skeleton();
  if (!sk) return null;
  const model = RoofModel.fromSkeleton(sk);
  const n = input.footprint.coords.length / 2;
  const gables = gableEnds(model, n);
  return { model, gables, run: sk.maxDistance };
}

/**
 * A gable on any footprint with `roof:direction`: two planes facing the direction and its opposite,
 * meeting at a straight ridge across the whole footprint, half way along the direction (as a row
 * house's roof runs along its street whatever the notches of its outline). The footprint is
 * triangulated and cut along the ridge; its ends are gable walls. `d` = distance from the eaves line.
 */
export function directionalGable(input: RoofInput, dir: [number, number]): { model: RoofModel; gables: Gable[]; run: number } | null {
  const pm = planarModel(input, dir);
  if (!pm || pm.hi - pm.lo <= 0) return null;
  const mid = (pm.lo + pm.hi) / 2;
  const half = (pm.hi - pm.lo) / 2;
  const field = pm.proj.slice();
  pm.m.cut(field, [mid]);
  pm.m.d = field.map((p) => half - Math.abs(p - mid));
  return { model: pm.m, gables: [], run: half };
}

/** Set heights with a profile (fraction of the roof height over fraction of the run). */
export function finish(input: RoofInput, model: RoofModel, run: number, defaultAngle: number, profile?: (t: number) => number): RoofModel {
  const { base, height } = roofSpan(input, run, defaultAngle);
  model.setHeights(base, height, profile);
  return model;
}
