import { planarModel } from './skillion.js';
import type { RoofBuilder } from './types.js';

/**
 * `roof:shape=flat`: the footprint triangulated (holes included) at the building's height.
 * (buildMeshes draws flat roofs through a faster path that gives the same mesh; this builder is the
 * last fallback of every other shape.)
 */
export const flatRoof: RoofBuilder = {
  shapes: ['flat'],
  build(input) {
    const pm = planarModel(input, [1, 0]);
    if (!pm) return null;
    pm.m.z = pm.proj.map(() => input.apex);
    return pm.m;
  },
};

/** Write the flat roof straight into a mesh: the fast path for the commonest roof. */
export { flatRoofFast } from './flat-fast.js';
