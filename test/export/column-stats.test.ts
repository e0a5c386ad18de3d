import { describe, expect, it } from 'vitest';
import { columnStats, mergeColumnStats } from '../../src/export/metadata.js';
import type { BuildingParams } from '../../src/core/types.js';
import { testParams } from '../helpers/batch.js';

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
