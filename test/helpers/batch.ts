import { makeFrame } from '../../src/core/frame.js';
import { makeParams } from '../../src/core/params.js';
import type { BuildingParams, FeatureBatch } from '../../src/core/types.js';
import { BatchBuilder, flatPolygons } from '../../src/core/batch.js';
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
  const out = new BatchBuilder();
  fixtures.forEach((fx, i) => {
    const { polygons } = cleanPolygons(flatPolygons(fx.polygons), REPAIR_DEFAULTS);
    out.add(polygons, { ...testParams(`b${i}`, fx.height, fx.minHeight ?? 0), drawAs: i });
  });
  return out.toBatch(makeFrame(0, 0, 0, ['LOCAL']));
}
