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

/** An outline's tallest part: its height, and whether any of its parts has a height of its own (not the default). */
export type TallestPart = [height: number, measured: boolean];

/**
 * Count `part`'s height towards its outline's tallest (in `tallest`, by outline index; see {@link tallestPart}).
 * A part of the default height counts too: it is drawn that tall (outline-lower-than-its-parts: Monaco's
 * w49209445 said 6 m, its parts drawn to 13 m).
 */
export function addPartHeight(tallest: Map<number, TallestPart>, outline: number, part: BuildingParams): void {
  const t = tallest.get(outline);
  const measured = part.heightFrom !== 'default';
  tallest.set(outline, t ? [Math.max(t[0], part.height), t[1] || measured] : [part.height, measured]);
}

/**
 * An outline drawn as its `building:part`s takes the tallest part's height, the one drawn:
 * outline-height-was-the-default (Monaco's Columbia Palace, parts of 94 and 105 m, was a "10 m, default"
 * building in the panel, the legend and the tables); outline-height-not-the-one-drawn (Monaco's w49209541 said
 * 12 m from its own building:levels, its one part drawn 6 m tall). Its height comes from its parts (`parts`) when
 * one of them has a height of its own; when all are of the default height, it is the default (`default`), as
 * tall as they are drawn. (The outline's own tags stay among its attributes: `building:levels`, `source_height`.)
 *
 * @example
 * ```ts
 * tallestPart(outline, Math.max(...parts.map((p) => p.height)), parts.some((p) => p.heightFrom !== 'default'));
 * ```
 */
export function tallestPart(outline: BuildingParams, height: number, measured = true): void {
  if (outline.base !== undefined || !(height > outline.minHeight)) return;
  outline.height = height;
  outline.heightFrom = measured ? 'parts' : 'default';
}

/**
 * A building as messages name it: `<file> layer <layer> feature <id>` (its `source` is `file#layer`), as
 * the ingest errors do (named-two-ways: `-v` said `sf-mvt#building feature 12` beside `sf-mvt layer building
 * feature 12`).
 *
 * @example
 * ```ts
 * featureName({ source: 'city.gpkg#buildings', id: '7' }); // 'city.gpkg layer buildings feature 7'
 * ```
 */
export function featureName(p: Pick<BuildingParams, 'source' | 'id'>): string {
  const at = p.source.lastIndexOf('#');
  const file = at < 0 ? p.source : `${p.source.slice(0, at)} layer ${p.source.slice(at + 1)}`;
  return `${file} feature ${p.id}`;
}
