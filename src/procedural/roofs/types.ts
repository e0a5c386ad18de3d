import type { RoofParams } from '../../core/types.js';
import type { Footprint } from '../footprint.js';
import type { MeshBuilder } from '../mesh-builder.js';

/** What a roof builder is given: one footprint polygon and where the walls end. */
export interface RoofInput {
  footprint: Footprint;
  /** Height of the wall top (roof base) in the frame, metres. */
  wallTop: number;
  /** Apex height in the frame, metres. */
  apex: number;
  roof: RoofParams;
}

/**
 * Builds a roof that closes the prism's top: its boundary must be exactly the footprint's rings at
 * `wallTop`, so the shell stays watertight.
 */
export interface RoofBuilder {
  /** The `roof:shape` values it builds. */
  readonly shapes: readonly string[];
  /**
   * Append the roof to `mesh`. Return false when it cannot build this footprint (the caller then
   * falls back to another shape and counts it).
   */
  build(input: RoofInput, mesh: MeshBuilder): boolean;
}
