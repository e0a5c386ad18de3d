import type { RoofParams } from '../../core/types.js';
import type { Footprint } from '../footprint.js';
import type { StraightSkeleton } from '../skeleton.js';
import type { RoofModel } from './model.js';

/** What a roof builder is given: one footprint polygon, the building's heights and roof tags. */
export interface RoofInput {
  footprint: Footprint;
  /** Apex height in the frame (the building's `height`), metres. */
  apex: number;
  /** Bottom of the building (`min_height`): the roof may not reach below it. */
  minHeight: number;
  roof: RoofParams;
  /** The footprint's straight skeleton, computed once on first use (null when it failed). */
  skeleton(): StraightSkeleton | null;
  /** Count a warning (e.g. a roof height clamped to the building), with what was done (`said`, words). */
  warn(kind: string, said?: string): void;
}

/**
 * Builds one family of roof shapes as a {@link RoofModel}: faces over the footprint whose outline is
 * the footprint (plus gable nodes), with heights set. Returns null when it cannot build this
 * footprint; the caller then falls back (hipped → pyramidal → flat) and counts it.
 */
export interface RoofBuilder {
  /** The `roof:shape` values it builds. */
  readonly shapes: readonly string[];
  build(input: RoofInput): RoofModel | null;
}
