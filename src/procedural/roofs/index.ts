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

/**
 * The distinct roof shapes, one per builder, by their S3DB name (an alias such as `lean_to` or `half_hipped` is
 * the shape of its builder): the roof-shape classes of `rasterize --labels`, class k + 1 being `ROOF_CLASSES[k]`.
 */
export const ROOF_CLASSES: readonly string[] = ROOF_BUILDERS.map((b) => b.shapes[0]);

/**
 * The class of a `roof:shape` value (k + 1 for {@link ROOF_CLASSES}[k], its aliases alike), or −1 for a shape
 * no builder draws.
 *
 * @example
 * ```ts
 * roofClass('lean_to') === roofClass('skillion'); // true
 * ```
 */
export function roofClass(shape: string | null): number {
  const b = shape === null ? undefined : BY_SHAPE.get(shape);
  return b ? ROOF_BUILDERS.indexOf(b) + 1 : -1;
}

/** The builder for a `roof:shape` value, or undefined. */
export function roofBuilder(shape: string): RoofBuilder | undefined {
  return BY_SHAPE.get(shape);
}

const BY_SHAPE = new Map<string, RoofBuilder>();
for (const b of ROOF_BUILDERS) for (const s of b.shapes) BY_SHAPE.set(s, b);

/** The fallback after a failed shape: hipped → pyramidal → flat. */
export const FALLBACK: Readonly<Record<string, RoofBuilder>> = { hipped: pyramidalRoof, pyramidal: flatRoof };
export { flatRoof, hippedRoof, pyramidalRoof };
