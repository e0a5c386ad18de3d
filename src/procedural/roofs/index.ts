import type { RoofBuilder } from './types.js';
import { flatRoof } from './flat.js';
import { skillionRoof } from './skillion.js';
import { gabledRoof } from './gabled.js';
import { halfHippedRoof } from './half-hipped.js';
import { sideHippedRoof } from './side-hipped.js';
import { sideHalfHippedRoof } from './side-half-hipped.js';
import { hippedRoof } from './hipped.js';
import { pyramidalRoof } from './pyramidal.js';
import { gambrelRoof } from './gambrel.js';
import { mansardRoof } from './mansard.js';
import { saltboxRoof } from './saltbox.js';
import { roundRoof } from './round.js';
import { domeRoof } from './dome.js';
import { onionRoof } from './onion.js';
import { coneRoof } from './cone.js';
import { sawtoothRoof } from './sawtooth.js';

/** Every roof builder, one per file. */
export const ROOF_BUILDERS: readonly RoofBuilder[] = [
  flatRoof, skillionRoof, gabledRoof, halfHippedRoof, sideHippedRoof, sideHalfHippedRoof, hippedRoof, pyramidalRoof,
  gambrelRoof, mansardRoof, saltboxRoof, roundRoof, domeRoof, onionRoof, coneRoof, sawtoothRoof,
];

/** The S3DB `roof:shape` values cityforge builds (aliases included). */
export const ROOF_SHAPES: readonly string[] = ROOF_BUILDERS.flatMap((b) => b.shapes);

/** The builder for a `roof:shape` value, or undefined. */
export function roofBuilder(shape: string): RoofBuilder | undefined {
  return BY_SHAPE.get(shape);
}

const BY_SHAPE = new Map<string, RoofBuilder>();
for (const b of ROOF_BUILDERS) for (const s of b.shapes) BY_SHAPE.set(s, b);

/** The fallback after a failed shape: hipped → pyramidal → flat. */
export const FALLBACK: Readonly<Record<string, RoofBuilder>> = { hipped: pyramidalRoof, pyramidal: flatRoof };
export { flatRoof, hippedRoof, pyramidalRoof };
