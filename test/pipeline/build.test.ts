import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import { NULL_LOGGER } from '../../src/core/logger.js';
import { buildGlb } from '../../src/pipeline/build.js';
import { buildCityJson } from '../../src/pipeline/cityjson.js';
import { buildTileset } from '../../src/pipeline/tiles.js';
import { DATA, freshDir } from '../helpers/fixtures.js';
import { buildingTops, readGlb } from '../helpers/glb.js';

/** A logger that keeps what it is told to warn of. */
function keeping(): { logger: Logger; warned: string[] } {
  const warned: string[] = [];
  return { logger: { debug() {}, info() {}, warn: (m) => warned.push(m), error() {} }, warned };
}

describe('buildGlb', () => {
  it('glb-too-large-unsaid: a GLB over the size viewers load whole is warned of, pointing to tiles, and counted; one under it is not', async () => {
    const tile = path.join(DATA, 'sf-mvt', '15-5238-12666.mvt');
    const small = keeping();
    const ok = await buildGlb([tile], { logger: small.logger });
    expect(small.warned.filter((m) => /cityforge tiles/.test(m))).toEqual([]);
    // (a million buildings made a 1.4 GB GLB and 6 GB of memory, and nothing said `tiles`)
    const large = keeping();
    const r = await buildGlb([tile], { logger: large.logger, largeGlbBytes: ok.glb.byteLength - 1 });
    expect(large.warned).toContainEqual(expect.stringMatching(/^the GLB is \d+ MB \([\d,]+ buildings\): viewers load a GLB whole, .* `cityforge tiles` streams it/));
    expect(r.summary.runWarnings).toContainEqual(expect.stringMatching(/^the GLB is/));
  });
});

/** A square of `m` metres near Monaco's latitude, its south-west corner `east` metres east of 7.42°E. */
function square(east: number, m: number): number[][] {
  const dlon = 1 / (111320 * Math.cos((43.73 * Math.PI) / 180)), dlat = 1 / 110574;
  const x0 = 7.42 + east * dlon, y0 = 43.73;
  return [[x0, y0], [x0 + 1.6 * m * dlon, y0], [x0 + 1.6 * m * dlon, y0 + m * dlat], [x0, y0 + m * dlat], [x0, y0]];
}

describe('the table’s height is what was drawn', () => {
  it('levels-roof-height-unsaid: a roof derived on top of building:levels (and an outline drawn as such parts) is in the height column, GLB, tileset and CityJSON alike', async () => {
    const dir = freshDir('levels-roof-height');
    const feature = (id: string, props: Record<string, unknown>, ring: number[][]) => ({ type: 'Feature', properties: { id, ...props }, geometry: { type: 'Polygon', coordinates: [ring] } });
    const file = path.join(dir, 'levels.geojson');
    fs.writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: [
      feature('gabled', { building: 'house', 'building:levels': 2, 'roof:shape': 'gabled' }, square(0, 10)),
      feature('hipped', { building: 'house', 'building:levels': 3, 'roof:shape': 'hipped' }, square(30, 12)),
      // a tagged roof height (on top of the levels: 8 m) and a tagged height stay as the data says
      feature('tagged-roof', { building: 'house', 'building:levels': 2, 'roof:shape': 'gabled', 'roof:height': 2 }, square(60, 10)),
      feature('tagged-height', { building: 'house', height: 7, 'roof:shape': 'gabled' }, square(90, 10)),
      // an outline with no height of its own, drawn as its one part (levels 1, pyramidal)
      feature('outline', { building: 'yes' }, square(120, 10)),
      feature('part', { 'building:part': 'yes', 'building:levels': 1, 'roof:shape': 'pyramidal' }, square(120, 10)),
      // outline-height-under-its-parts: an outline of 2 levels (6 m), its west half a part of 6 levels drawn under its id
      feature('low-outline', { building: 'yes', 'building:levels': 2 }, square(150, 10)),
      feature('tall-part', { 'building:part': 'yes', 'building:levels': 6 }, square(150, 10).map(([x, y], k) => (k === 1 || k === 2 ? [x - (x - square(150, 10)[0][0]) / 2, y] : [x, y]))),
    ] }));
    const { glb } = await buildGlb([file], { logger: NULL_LOGGER });
    const { table } = await readGlb(glb, { accessors: false });
    const tops = await buildingTops(glb);
    const row = (id: string) => table['id'].indexOf(id);
    const height = (id: string) => table['height'][row(id)] as number;
    // the drawn top above the ground (no terrain: z 0), within the table's float32
    for (const id of ['gabled', 'hipped', 'outline', 'low-outline']) expect(height(id), id).toBeCloseTo(tops.get(id)!, 2);
    expect(height('low-outline')).toBe(18);
    // (on the old code: 6 and 9, the walls' top under roofs drawn ~2–3 m above them; the outline 3, its part's walls)
    expect(height('gabled')).toBeGreaterThan(6.5);
    expect(height('hipped')).toBeGreaterThan(9.5);
    expect(height('outline')).toBeGreaterThan(3.5);
    expect([height('tagged-roof'), height('tagged-height')]).toEqual([8, 7]);
    expect([table['height_from'][row('gabled')], table['height_from'][row('outline')]]).toEqual(['levels', 'parts']);
    // tiles: the leaf's table and its column statistics say the same
    const out = path.join(dir, 'tiles');
    await buildTileset([file], { output: out, logger: NULL_LOGGER });
    const leaves = (fs.readdirSync(path.join(out, 'tiles'), { recursive: true }) as string[]).filter((f) => f.endsWith('.glb'));
    expect(leaves.length).toBeGreaterThan(0);
    const heights = new Map<string, number>();
    for (const leaf of leaves) {
      const t = (await readGlb(new Uint8Array(fs.readFileSync(path.join(out, 'tiles', leaf))), { accessors: false })).table;
      t['id'].forEach((id, k) => { if (t['height_from'][k] !== 'merged') heights.set(String(id), t['height'][k] as number); });
    }
    expect(heights.get('gabled')).toBeCloseTo(height('gabled'), 3);
    expect(heights.get('outline')).toBeCloseTo(height('outline'), 3);
    const tileset = JSON.parse(fs.readFileSync(path.join(out, 'tileset.json'), 'utf8'));
    const stats = tileset.asset.extras.cityforge.columns.height;
    expect(stats.max).toBeCloseTo(Math.max(...['gabled', 'hipped', 'tagged-roof', 'tagged-height', 'outline', 'part', 'low-outline'].map(height)), 2);
    // CityJSON: the building's height attribute
    const cj = JSON.parse(new TextDecoder().decode((await buildCityJson([file], { logger: NULL_LOGGER })).bytes));
    const attrs = (id: string) => Object.values<{ attributes?: Record<string, unknown> }>(cj.CityObjects).find((o) => o.attributes?.['id'] === id)?.attributes;
    expect(attrs('gabled')?.['height'], JSON.stringify(Object.keys(cj.CityObjects))).toBeCloseTo(height('gabled'), 2);
    // roof-shape-flat-when-untagged, in CityJSON too: no roof:shape where none was tagged; its roofType what was built
    expect(attrs('low-outline')).not.toHaveProperty('roof:shape');
    expect(attrs('low-outline')?.['roofType']).toBe('flat');
  });
});
