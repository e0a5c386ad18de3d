import { describe, expect, it } from 'vitest';
import { columnStats, mergeColumnStats } from '../../src/export/metadata.js';
import type { BuildingParams } from '../../src/core/types.js';
import { testParams } from '../helpers/batch.js';
import { stylingFor, stylingForStats } from '../../src/viewer/style-by.js';

const row = (i: number, attributes: Record<string, string | number>, levels?: number): BuildingParams => ({ ...testParams(`b${i}`, 3 + (i % 7) * 1.5), levels, attributes });

describe('columnStats / mergeColumnStats (tileset.json colour-by scale)', () => {
  const rows = Array.from({ length: 40 }, (_, i) => row(i, { use: ['house', 'shop', 'office'][i % 3], floors: i % 5 }, i % 4 === 0 ? undefined : 1 + (i % 6)));
  it('numbers: count, range, sums and whether whole; no-data left out', () => {
    const s = columnStats(rows);
    expect(s.height).toEqual({ type: 'number', count: 40, min: 3, max: 12, sum: rows.reduce((a, r) => a + r.height, 0), sumSquares: rows.reduce((a, r) => a + r.height ** 2, 0), integers: false, values: { '3': 6, '4.5': 6, '6': 6, '7.5': 6, '9': 6, '10.5': 5, '12': 5 } });
    // building:levels missing on every fourth row: not counted as −1
    expect(s.levels).toMatchObject({ type: 'number', count: 30, min: 1, integers: true });
    expect(s.floors).toMatchObject({ type: 'number', count: 40, min: 0, max: 4 });
    expect(s.use).toEqual({ type: 'text', count: 40, values: { house: 14, shop: 13, office: 13 } });
    // ids, sources and names are no one's colour-by
    expect(s.id).toBeUndefined();
    expect(s.source).toBeUndefined();
  });
  it('merging the tables of any split gives the whole table\'s statistics (shards agree)', () => {
    const whole = mergeColumnStats([columnStats(rows)]);
    for (const cut of [1, 13, 39]) {
      const merged = mergeColumnStats([columnStats(rows.slice(0, cut)), columnStats(rows.slice(cut))]);
      expect(Object.keys(merged)).toEqual(Object.keys(whole));
      for (const k of Object.keys(whole)) {
        const a = whole[k], b = merged[k];
        if (a.type === 'number' && b.type === 'number') {
          expect([b.count, b.min, b.max, b.integers, b.values]).toEqual([a.count, a.min, a.max, a.integers, a.values]);
          expect(b.sum).toBeCloseTo(a.sum, 9);
        } else expect(b).toEqual(a);
      }
    }
  });
  it('text with more than 64 distinct values keeps its count but no values; a value named like a property of Object counts as a value', () => {
    const many = Array.from({ length: 70 }, (_, i) => row(i, { street: `Street ${i}`, tag: i % 2 ? 'constructor' : '__proto__' }));
    const s = columnStats(many);
    expect(s.street).toEqual({ type: 'text', count: 70, values: null });
    expect(s.tag.type === 'text' && Object.entries(s.tag.values!).sort()).toEqual([['__proto__', 35], ['constructor', 35]]);
    // (through JSON, as the tile records are read back)
    const back = JSON.parse(JSON.stringify(s));
    const m = mergeColumnStats([back, back]);
    expect(m.tag.type === 'text' && Object.entries(m.tag.values!).sort()).toEqual([['__proto__', 70], ['constructor', 70]]);
    // merged past 64 distinct values: no values either
    const a = columnStats(many.slice(0, 40)), b = columnStats(many.slice(40).map((r, i) => ({ ...r, attributes: { street: `Road ${i}` } })));
    expect(mergeColumnStats([a, b]).street).toMatchObject({ count: 70, values: null });
  });
  it('raw-labels-in-tilesets: a column whose id differs from the source\'s name keeps that name as its title', () => {
    const m = mergeColumnStats([columnStats([row(0, { 'addr:street': 'Rue Grimaldi' })]), columnStats([row(1, { 'addr:street': 'Quai Antoine' })])]);
    expect(m.addr_street).toMatchObject({ type: 'text', count: 2, title: 'addr:street' });
    expect(m.height.title).toBeUndefined();
  });
  it('legend-count-unknown: numbers keep their values\' counts while at most 64 are distinct (a viewer counts a legend entry\'s buildings), none past that or merged with a table that had none', () => {
    const few = columnStats(rows);
    expect(few.floors).toMatchObject({ values: { '0': 8, '1': 8, '2': 8, '3': 8, '4': 8 } });
    const many = columnStats(Array.from({ length: 70 }, (_, i) => row(i, { area: 10 + i })));
    expect(many.area).toMatchObject({ type: 'number', count: 70, values: null });
    // a tileset written before the counts (no values member) merged with one that has them: none
    const { values: _, ...old } = few.floors as Extract<typeof few.floors, { type: 'number' }>;
    expect(mergeColumnStats([{ floors: old }, { floors: few.floors }]).floors).toMatchObject({ count: 80, values: null });
  });
  it('a column that is a number in one table and text in another is dropped', () => {
    const m = mergeColumnStats([columnStats([row(0, { code: 3 })]), columnStats([row(1, { code: 'A' })]), columnStats([row(2, { code: 5 })])]);
    expect(m.code).toBeUndefined();
    expect(m.height).toMatchObject({ count: 3 });
  });
});

describe('one city, one legend: a tileset\'s colour-by as its GLB\'s', () => {
  // Monaco's kind of city: most heights the default 10 m, a few measured ones up to 170 m
  const rows: BuildingParams[] = Array.from({ length: 1200 }, (_, i) =>
    i % 12 === 0 ? { ...testParams(`m${i}`, 12 + ((i * 7) % 150)), heightFrom: 'data' } : { ...testParams(`d${i}`, 10), heightFrom: 'default' },
  );
  const table = { height: rows.map((r) => r.height), height_from: rows.map((r) => r.heightFrom ?? 'data') };

  it('tileset-legend-ruled-by-default-heights: the tileset legend spans the measured heights, as the GLB legend does (it stopped at 30 m, the GLB\'s at 150)', () => {
    // any split of the rows into tiles
    const stats = mergeColumnStats([columnStats(rows.slice(0, 500)), columnStats(rows.slice(500, 501)), columnStats(rows.slice(501))]);
    const h = stats.height;
    expect(h.type === 'number' && h.measured?.count).toBe(100);
    const tileset = stylingForStats('height', h, stats.height_from, h.count)!;
    const glb = stylingFor({ table }, 'height');
    expect(tileset.legend).toEqual(glb.legend);
    expect(tileset.legend[0].label).toMatch(/^≥ 1[2-5]0 m$/);
    expect(tileset.legend.at(-1)!.label).toBe('no height in the data (default)');
  });

  it('legend-hid-the-grey (categories): rows without a value have an entry of their own, in both, told from \'other\'', () => {
    const kinds = ['flat', 'gabled', 'hipped', 'skillion', 'pyramidal', 'dome', 'onion', 'mansard', 'gambrel', 'round'];
    const col = Array.from({ length: 60 }, (_, i) => (i % 6 === 0 ? null : kinds[i % kinds.length]));
    const glb = stylingFor({ table: { roof_shape: col } }, 'roof_shape');
    const labels = glb.legend.map((e) => e.label);
    expect(labels.slice(-2)).toEqual(['other', 'no value']);
    expect(glb.legend.at(-1)!.colour).not.toEqual(glb.legend.at(-2)!.colour);
    expect(glb.binOf(0)).toBe(labels.length - 1);
    expect(glb.colourOf(0)).toEqual(glb.legend.at(-1)!.colour);
    // the tileset: the rows past the column's count
    const counts: Record<string, number> = {};
    for (const v of col) if (v) counts[v] = (counts[v] ?? 0) + 1;
    const tileset = stylingForStats('roof_shape', { type: 'text', count: 50, values: counts }, undefined, 60)!;
    expect(tileset.legend).toEqual(glb.legend);
    expect(tileset.counts!.at(-1)).toBe(10);
    expect(tileset.counts!.reduce((a, n) => a + n, 0)).toBe(60);
    expect(tileset.forTable({ roof_shape: col }).binOf(0)).toBe(labels.length - 1);
  });
});

describe('a tileset of default heights alone', () => {
  it('has a legend all the same: the ramp over the heights as they are, the default entry', () => {
    const rows = Array.from({ length: 30 }, (_, i): BuildingParams => ({ ...testParams(`d${i}`, 10 + (i % 3)), heightFrom: 'default' }));
    const stats = mergeColumnStats([columnStats(rows.slice(0, 10)), columnStats(rows.slice(10))]);
    const h = stats.height;
    expect(h.type === 'number' && h.measured?.count).toBe(0);
    const s = stylingForStats('height', h, stats.height_from, h.count)!;
    expect(s.legend.every((e) => !/NaN/.test(e.label))).toBe(true);
    expect(s.legend.at(-1)!.label).toBe('no height in the data (default)');
  });
});
