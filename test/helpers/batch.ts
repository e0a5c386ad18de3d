import { makeFrame } from '../../src/core/frame.js';
import { makeParams } from '../../src/core/params.js';
import type { BuildingParams, FeatureBatch } from '../../src/core/types.js';
import { cleanPolygons, REPAIR_DEFAULTS } from '../../src/ingest/repair.js';

/** A footprint fixture: polygons as rings of [x, y] in local metres, and the tags that matter. */
export interface FootprintFixture {
  description: string;
  height: number;
  minHeight?: number;
  /** polygons → rings → points */
  polygons: number[][][][];
}

/** Default params for a test building. */
export function testParams(id: string, height: number, minHeight = 0): BuildingParams {
  return makeParams({ id, source: 'test', height, minHeight });
}

/** Build a one-or-more-building batch from fixtures, through the same ring cleaning as ingest. */
export function batchFromFixtures(fixtures: FootprintFixture[]): FeatureBatch {
  const positions: number[] = [];
  const ringOffsets = [0];
  const polygonOffsets = [0];
  const featureOffsets = [0];
  const params: BuildingParams[] = [];
  fixtures.forEach((fx, i) => {
    const coords: number[] = [];
    const ro = [0];
    const po = [0];
    for (const poly of fx.polygons) {
      for (const ring of poly) {
        for (const [x, y] of ring) coords.push(x, y);
        ro.push(coords.length / 2);
      }
      po.push(ro.length - 1);
    }
    const { polygons } = cleanPolygons({ coords: Float64Array.from(coords), ringOffsets: ro, polygonOffsets: po }, REPAIR_DEFAULTS);
    const v0 = positions.length / 2;
    const r0 = ringOffsets.length - 1;
    positions.push(...polygons.coords);
    for (let r = 1; r < polygons.ringOffsets.length; r++) ringOffsets.push(v0 + polygons.ringOffsets[r]);
    for (let k = 1; k < polygons.polygonOffsets.length; k++) polygonOffsets.push(r0 + polygons.polygonOffsets[k]);
    featureOffsets.push(polygonOffsets.length - 1);
    params.push({ ...testParams(`b${i}`, fx.height, fx.minHeight ?? 0), drawAs: i });
  });
  return {
    frame: makeFrame(0, 0, 0, ['LOCAL']),
    positions: Float64Array.from(positions),
    ringOffsets: Uint32Array.from(ringOffsets),
    polygonOffsets: Uint32Array.from(polygonOffsets),
    featureOffsets: Uint32Array.from(featureOffsets),
    params,
  };
}
