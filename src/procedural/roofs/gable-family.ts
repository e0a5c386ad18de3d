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

/**
 * The base of a roof hipped at one end (`side_hipped`, `side_half-hipped`) and the end to hip. As
 * the OSM wiki has it, `roof:direction` names the hipped side: the ridge runs along it and the hip is
 * at the end it faces (downhill of the hip face). A rectangle's ridge runs along the side nearest that
 * way; on any other footprint the ridge is straight along the direction, half way across, and the hip
 * rises from the footprint's far end at the slopes' pitch. Without a direction: the gabled roof's
 * ridge, hipped at its first gable end.
 */
export function oneHippedEnd(input: RoofInput): { model: RoofModel; gable: Gable | null; run: number } | null {
  const d = input.roof.direction;
  if (d === null) {
    const base = gabledBase(input);
    return base && { model: base.model, gable: base.gables[0] ?? null, run: base.run };
  }
  const [dx, dy] = compass(d);
  // the slopes face across the ridge: a gable whose roof:direction is a quarter turn from the hip's
  const rect = rectangleGable({ ...input, roof: { ...input.roof, direction: d + 90 } });
  if (rect) {
    let gable: Gable | null = null;
    let best = Infinity;
    // the hip face looks out of the footprint: against the gable's inward vector
    for (const g of rect.gables) {
      const dot = g.inward[0] * dx + g.inward[1] * dy;
      if (dot < best) [best, gable] = [dot, g];
    }
    return { model: rect.model, gable, run: rect.run };
  }
  const pm = planarModel(input, [-dy, dx]);
  if (!pm || pm.hi - pm.lo <= 0) return null;
  const m = pm.m;
  const mid = (pm.lo + pm.hi) / 2;
  const half = (pm.hi - pm.lo) / 2;
  let far = -Infinity;
  for (let v = 0; v < m.x.length; v++) far = Math.max(far, m.x[v] * dx + m.y[v] * dy);
  m.cut(pm.proj.slice(), [mid]);
  const slopeD = (v: number) => half - Math.abs(m.x[v] * -dy + m.y[v] * dx - mid);
  const hipD = (v: number) => far - (m.x[v] * dx + m.y[v] * dy);
  // the crease where the hip meets each slope: both distances linear on either side of the ridge
  m.cut(m.x.map((_, v) => slopeD(v) - hipD(v)), [0]);
  m.d = m.x.map((_, v) => Math.max(0, Math.min(slopeD(v), hipD(v))));
  return { model: m, gable: null, run: half };
}

/** Set heights with a profile (fraction of the roof height over fraction of the run). */
export function finish(input: RoofInput, model: RoofModel, run: number, defaultAngle: number, profile?: (t: number) => number): RoofModel {
  const { base, height } = roofSpan(input, run, defaultAngle);
  model.setHeights(base, height, profile);
  return model;
}
