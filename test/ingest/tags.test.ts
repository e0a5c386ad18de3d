import { describe, expect, it } from 'vitest';
import { parseBuilding, parseColour, parseDirection, parseLength, TAG_DEFAULTS, type TagValue } from '../../src/ingest/index.js';
import { ROOF_SLAB } from '../../src/ingest/tags.js';

describe('parseLength', () => {
  it.each<[TagValue, number]>([
    ['12', 12],
    ['12.5', 12.5],
    ['12 m', 12],
    ['12m', 12],
    ['1,5 m', 1.5],
    ["40'", 40 * 0.3048],
    ['40 ft', 40 * 0.3048],
    ['40ft', 40 * 0.3048],
    [`12'6"`, 12 * 0.3048 + 6 * 0.0254],
    ['350 cm', 3.5],
    ['0.1 km', 100],
    [' 7 ', 7],
    [9, 9],
  ])('%j → %f m', (v, m) => expect(parseLength(v)).toBeCloseTo(m, 9));

  it.each<TagValue>(['', 'tall', '12 storeys', 'NaN', null, undefined, NaN, '1.2.3'])('%j is not a length', (v) => expect(parseLength(v)).toBeNaN());
});

describe('parseColour', () => {
  it.each<[string, string | null]>([
    ['red', '#ff0000'],
    ['LightGrey', '#d3d3d3'],
    ['light_grey', '#d3d3d3'],
    ['#abc', '#aabbcc'],
    ['#A1B2C3', '#a1b2c3'],
    ['a1b2c3', '#a1b2c3'],
    ['not-a-colour', null],
    ['#12345', null],
  ])('%s → %s', (v, c) => expect(parseColour(v)).toBe(c));
});

describe('parseDirection', () => {
  it.each<[TagValue, number | null]>([
    ['N', 0],
    ['NNE', 22.5],
    ['E', 90],
    ['sw', 225],
    ['45', 45],
    ['-90', 270],
    ['400', 40],
    ['up', null],
  ])('%j → %j', (v, d) => expect(parseDirection(v)).toBe(d));
});

describe('parseBuilding heights', () => {
  const run = (tags: Record<string, TagValue>) => {
    const warnings: string[] = [];
    const r = parseBuilding(tags, 'x', 'test', TAG_DEFAULTS, (k) => warnings.push(k));
    return { r, warnings };
  };
  const params = (tags: Record<string, TagValue>) => {
    const { r, warnings } = run(tags);
    if ('skip' in r) throw new Error(`skipped: ${r.skip}`);
    return { p: r.params, warnings };
  };

  it('height tag wins over levels', () => {
    const { p, warnings } = params({ height: '21 m', 'building:levels': '3' });
    expect(p.height).toBe(21);
    expect(p.levels).toBe(3);
    expect(warnings).toEqual([]);
  });
  it('levels × level height + roof levels', () => {
    expect(params({ 'building:levels': '4', 'roof:levels': '1' }).p.height).toBe(15);
  });
  it('building:min_level raises the base', () => {
    const { p } = params({ 'building:levels': '6', 'building:min_level': '2' });
    expect(p.minHeight).toBe(6);
    expect(p.height).toBe(18);
  });
  it('min_height tag', () => {
    expect(params({ height: 30, min_height: 12 }).p.minHeight).toBe(12);
  });
  it('MVT render_height / render_min_height', () => {
    const { p } = params({ render_height: 40, render_min_height: 10 });
    expect([p.height, p.minHeight]).toEqual([40, 10]);
  });
  it('roof-only-built-as-a-box: building=roof, building:part=roof and wall=no are the roof alone (a slab at the top, or the tagged roof), not a box from the ground', () => {
    expect(params({ building: 'roof', height: 5 }).p.minHeight).toBeCloseTo(5 - ROOF_SLAB, 9);
    expect(params({ building: 'roof', height: 5, min_height: 3 }).p.minHeight).toBeCloseTo(5 - ROOF_SLAB, 9);
    expect(params({ 'building:part': 'roof', height: 10, 'roof:shape': 'gabled', 'roof:height': 2 }).p.minHeight).toBe(8);
    expect(params({ building: 'yes', wall: 'no', 'building:levels': 2 }).p.minHeight).toBeCloseTo(6 - ROOF_SLAB, 9);
    // a roof-only building whose bottom is tagged higher keeps it; other buildings stand on the ground
    expect(params({ building: 'roof', height: 5, min_height: 4.9 }).p.minHeight).toBe(4.9);
    expect(params({ building: 'yes', height: 5 }).p.minHeight).toBe(0);
  });
  it('missing height → default, counted', () => {
    const { p, warnings } = params({ building: 'yes' });
    expect(p.height).toBe(TAG_DEFAULTS.defaultHeight);
    expect(warnings).toEqual(['height:missing']);
  });
  it.each<[TagValue, string]>([
    ['-5', 'height:non-positive'],
    ['0', 'height:non-positive'],
    ['5000', 'height:absurd'],
    ['very tall', 'height:unparsed'],
  ])('height %j → default with warning %s', (h, kind) => {
    const { p, warnings } = params({ height: h });
    expect(p.height).toBe(TAG_DEFAULTS.defaultHeight);
    expect(warnings).toContain(kind);
  });
  it('default-height-looked-measured: each height says where it comes from (data, levels, default)', () => {
    expect(params({ height: '21 m', 'building:levels': '3' }).p.heightFrom).toBe('data');
    expect(params({ render_height: 40 }).p.heightFrom).toBe('data');
    expect(params({ 'building:levels': '4' }).p.heightFrom).toBe('levels');
    expect(params({ height: 'x', 'building:levels': '2' }).p.heightFrom).toBe('levels');
    expect(params({ building: 'yes' }).p.heightFrom).toBe('default');
    expect(params({ height: '-5' }).p.heightFrom).toBe('default');
  });
  it.each<[TagValue, string]>([
    ['0', 'levels:zero'],
    ['500', 'levels:absurd'],
  ])('levels-fell-back-unsaid: building:levels %j and no height → the default, counted as %s', (levels, kind) => {
    const { p, warnings } = params({ 'building:levels': levels });
    expect(p.height).toBe(TAG_DEFAULTS.defaultHeight);
    expect(p.heightFrom).toBe('default');
    // (before: no warning at all)
    expect(warnings).toEqual([kind]);
    // a height of its own needs no levels
    expect(params({ 'building:levels': levels, height: 12 }).warnings).toEqual([]);
  });
  it('bad height falls back to levels before the default', () => {
    expect(params({ height: 'x', 'building:levels': '2' }).p.height).toBe(6);
  });
  it('min_height not below height → 0, counted', () => {
    const { p, warnings } = params({ height: 10, min_height: 12 });
    expect(p.minHeight).toBe(0);
    expect(warnings).toContain('min_height:not-below-height');
  });
  it('min-height-without-height-reset-to-0 (Helsinki Cathedral’s corner domes): the part starts at min_height and takes the default above it', () => {
    const { p, warnings } = params({ 'building:part': 'yes', min_height: '18', 'roof:height': '5', 'roof:shape': 'dome' });
    expect(p.minHeight).toBe(18);
    expect(p.height).toBe(18 + TAG_DEFAULTS.defaultHeight);
    expect(p.roof.height).toBe(5);
    expect(warnings).toEqual(['height:missing']);
  });
  it('levels without a roof height: the roof’s derived height goes on top (roof.onTop); with one tagged, it is included', () => {
    expect(params({ 'building:levels': '1', 'roof:shape': 'hipped' }).p.roof.onTop).toBe(true);
    expect(params({ 'building:levels': '1', 'roof:shape': 'hipped', 'roof:height': '2' }).p).toMatchObject({ height: 5, roof: { onTop: false } });
    expect(params({ height: '8', 'roof:shape': 'hipped' }).p.roof.onTop).toBe(false);
  });
  it('extrude=false and underground are skipped with a reason', () => {
    expect(run({ extrude: 'false', height: 3 }).r).toEqual({ skip: 'extrude=false' });
    expect(run({ underground: 'true' }).r).toEqual({ skip: 'underground' });
    expect(run({ location: 'underground' }).r).toEqual({ skip: 'underground' });
  });
  it('roof and colour tags are parsed once', () => {
    const { p } = params({ height: 12, 'roof:shape': 'Gabled', 'roof:height': '3', 'roof:direction': 'NE', 'roof:orientation': 'across', 'building:colour': 'white', 'roof:colour': '#800' });
    expect(p.roof).toMatchObject({ shape: 'gabled', height: 3, direction: 45, orientation: 'across', colour: '#880000' });
    expect(p.colour).toBe('#ffffff');
  });
});

describe('absent values', () => {
  it('null and empty-string tags (OSM driver fields) count as untagged, not as unparsable', () => {
    const warnings: string[] = [];
    const r = parseBuilding({ height: '9', 'roof:height': null, 'roof:direction': '', 'building:colour': null, 'building:levels': null }, 'x', 't', TAG_DEFAULTS, (k) => warnings.push(k));
    expect('params' in r && r.params.height).toBe(9);
    expect(warnings).toEqual([]);
  });
});
