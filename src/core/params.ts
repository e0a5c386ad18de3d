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

/**
 * Count `part`'s height towards its outline's tallest (in `tallest`, by outline index); a part of the default
 * height says nothing about the outline's (see {@link tallestPart}).
 */
export function addPartHeight(tallest: Map<number, number>, outline: number, part: BuildingParams): void {
  if (part.heightFrom !== 'default') tallest.set(outline, Math.max(tallest.get(outline) ?? -Infinity, part.height));
}

/**
 * An outline drawn as its `building:part`s that has no height of its own (the default) takes the
 * tallest part's: outline-height-was-the-default (Monaco's Columbia Palace, parts of 94 and 105 m, was a
 * "10 m, default" building in the panel, the legend and the tables).
 *
 * @example
 * ```ts
 * tallestPart(outline, Math.max(...parts.map((p) => p.height)));
 * ```
 */
export function tallestPart(outline: BuildingParams, height: number): void {
  if (outline.heightFrom !== 'default' || outline.base !== undefined || !(height > outline.minHeight)) return;
  outline.height = height;
  outline.heightFrom = 'parts';
}
