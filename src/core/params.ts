import type { BuildingParams } from './types.js';

/** Building params with defaults (a flat-roofed 10 m building drawn as itself), overridden by `p`. */
export function makeParams(p: Partial<BuildingParams> & { id: string }): BuildingParams {
  return {
    source: '',
    height: 10,
    minHeight: 0,
    levels: null,
    minLevel: null,
    colour: null,
    material: null,
    kind: 'yes',
    name: null,
    role: 'building',
    partOf: null,
    drawAs: 0,
    pieces: 1,
    attributes: {},
    ...p,
    roof: { shape: 'flat', height: null, angle: null, levels: null, direction: null, orientation: null, colour: null, material: null, onTop: false, ...p.roof },
  };
}
