import type { RoofParams } from '../../core/types.js';
import type { Footprint } from '../footprint.js';
import { straightSkeleton, type StraightSkeleton } from '../skeleton.js';
import { roofBuilder } from './index.js';
import type { RoofModel } from './model.js';
import { closesOnFootprint } from './emit.js';
import { simplifyFootprint } from '../simplify.js';

/** The roof-shape tags that choose a shape's geometry (not its heights). */
export interface RoofVariant {
  direction?: number | null;
  orientation?: 'along' | 'across' | null;
}

/** A roof shape's geometry over one footprint: heights as fractions of the roof height, and its run. */
export interface UnitRoof {
  /** The roof model with z = 0 at the eaves and 1 at the top (a profile's fraction in between). */
  model: RoofModel;
  /**
   * The run (metres) over which the builder turns `roof:angle` into a height: `roof:height =
   * tan(roof:angle) × run`.
   */
  run: number;
}

/**
 * The geometry `build` gives roof shape `shape` (with `variant`'s direction / orientation) over a
 * footprint, normalised: eaves at 0, top at 1, and the run that turns an angle into a height. The
 * forward model for inverse modelling: every shape's roof is `eave + roofHeight × z(x, y)`, so fitting
 * the heights is linear once the shape and its variant are chosen. Null when the builder cannot build
 * this footprint (or the shape is unknown).
 *
 * `skeleton` lets callers trying several shapes compute the footprint's straight skeleton once;
 * `validate` false skips the check that `build` can emit the model (a search over many variants
 * checks only the one it keeps).
 *
 * @example
 * ```ts
 * const unit = unitRoof(footprint, 'gabled', { orientation: 'across' });
 * unit?.model.z; // 0 at the eaves, 1 on the ridge
 * ```
 */
export function unitRoof(fp: Footprint, shape: string, variant: RoofVariant = {}, skeleton?: () => StraightSkeleton | null, validate = true): UnitRoof | null {
  const builder = roofBuilder(shape);
  if (!builder) return null;
  let sk: StraightSkeleton | null | undefined;
  const roof: RoofParams = {
    shape, height: null, angle: 45, levels: null, direction: variant.direction ?? null, orientation: variant.orientation ?? null,
    colour: null, material: null, onTop: false,
  };
  const skeletonOf = skeleton ?? (() => (sk === undefined ? (sk = straightSkeleton(fp)) : sk));
  // apex 0 and a floor far below: the builder derives height = tan 45° × run = run, base = −run
  const make = (footprint: Footprint, sk: () => StraightSkeleton | null) => {
    const m = builder.build({ footprint, apex: 0, minHeight: -1e9, roof, skeleton: sk, warn: () => undefined });
    // what build could not emit (it falls back to another shape) is no forward model of this shape
    return !m || m.z.length === 0 || (validate && !closesOnFootprint(m, footprint)) ? null : m;
  };
  let model = make(fp, skeletonOf);
  // where the skeleton fails, build retries the shape on the footprint without its tiniest jogs:
  // so does its forward model
  if (!model && skeletonOf() === null) {
    const s = simplifiedOf(fp);
    if (s) model = make(s.footprint, s.skeleton);
  }
  if (!model) return null;
  let lo = Infinity;
  for (const z of model.z) lo = Math.min(lo, z);
  const run = -lo;
  if (!(run > 0)) return null;
  model.z = model.z.map((z) => (z + run) / run);
  return { model, run };
}

const simplified = new WeakMap<Footprint, { footprint: Footprint; skeleton: () => StraightSkeleton | null } | null>();

/** A footprint's simplified twin (as `build` retries it) with its skeleton, computed once per footprint. */
function simplifiedOf(fp: Footprint): { footprint: Footprint; skeleton: () => StraightSkeleton | null } | null {
  let s = simplified.get(fp);
  if (s === undefined) {
    const footprint = simplifyFootprint(fp);
    let sk: StraightSkeleton | null | undefined;
    s = footprint ? { footprint, skeleton: () => (sk === undefined ? (sk = straightSkeleton(footprint)) : sk) } : null;
    simplified.set(fp, s);
  }
  return s;
}
