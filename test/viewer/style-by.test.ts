import { describe, expect, it } from 'vitest';
import { HIGHLIGHT_255, binEdges, styleColumns, stylingFor } from '../../src/viewer/style-by.js';

const table = (column: string, values: (number | string | null)[]) => ({ table: { [column]: values } });

describe('colour by a column: the legend', () => {
  it('legend-integer-bins-were-fractional: whole numbers get whole-number bins, one per value when few', () => {
    const s = stylingFor(table('levels', [1, 2, 2, 3, 3, 3, 4, 5, 5, 2, 1, 4]), 'levels');
    expect(s.legend.map((e) => e.label)).toEqual(['≥ 5', '4', '3', '2', '≤ 1']);
    const many = stylingFor(table('levels', Array.from({ length: 200 }, (_, i) => 1 + (i % 40))), 'levels');
    for (const e of many.legend) expect(e.label).not.toMatch(/\.\d/);
    expect(binEdges(1, 40, true).every(Number.isInteger)).toBe(true);
  });

  it('legend-labels-were-single-values: each entry names the range it holds, and a building falls in the entry of its colour', () => {
    const heights = Array.from({ length: 101 }, (_, i) => i * 0.5); // 0 … 50 m
    const s = stylingFor(table('height', heights), 'height');
    expect(s.legend).toHaveLength(5);
    expect(s.legend[0].label).toMatch(/^≥ \d/);
    expect(s.legend[1].label).toMatch(/^\d+(\.\d)?–\d+(\.\d)? m$/);
    expect(s.legend[4].label).toMatch(/^< \d/);
    heights.forEach((_, id) => expect(s.colourOf(id)).toEqual(s.legend[s.binOf(id)].colour));
    // bins are ordered: a taller building is never in a lower entry
    for (let id = 1; id < heights.length; id++) expect(s.binOf(id)).toBeLessThanOrEqual(s.binOf(id - 1));
  });

  it('legend-bins-were-odd-numbers: the bins step by round numbers ("15–20 m", not "14.1–19.2 m"), four to six of them', () => {
    // heights from 6.3 to 34.8 m, as a city's (Monaco's legend read ≥ 29.4 / 24.3–29.4 / 19.2–24.3 / 14.1–19.2 / < 14.1 m)
    const heights = Array.from({ length: 200 }, (_, i) => 6.3 + (i * 28.5) / 199);
    const labels = stylingFor(table('height', heights), 'height').legend.map((e) => e.label);
    expect(labels).toEqual(['≥ 30 m', '25–30 m', '20–25 m', '15–20 m', '10–15 m', '< 10 m']);
    expect(binEdges(0.02, 0.24, false)).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25]);
    expect(binEdges(1, 40, true)).toEqual([0, 10, 20, 30, 40]);
    // whole heights of 3 to 14 m (the SF tile of the browser tests): steps of 2 m
    expect(binEdges(3, 14, true)).toEqual([2, 4, 6, 8, 10, 12, 14]);
    for (const [lo, hi] of [[0.3, 0.9], [2, 300], [-5, 12], [100, 2500], [0.5, 0.55]]) {
      const e = binEdges(lo, hi, false);
      expect(e.length - 1).toBeGreaterThanOrEqual(3);
      expect(e.length - 1).toBeLessThanOrEqual(6);
      // the lowest bin "<" its top above lo, the highest "≥" its bottom below hi
      expect(e[1]).toBeGreaterThan(lo);
      expect(e[e.length - 2]).toBeLessThan(hi);
    }
  });

  it('a column of one value is one entry; legend-hid-the-grey: buildings without a value have an entry of their own', () => {
    const s = stylingFor(table('height', [12, 12, 12, null]), 'height');
    expect(s.legend.map((e) => e.label)).toEqual(['12 m', 'no value']);
    expect(s.binOf(3)).toBe(1);
    expect(s.colourOf(3)).toEqual(s.legend[1].colour);
    expect(stylingFor(table('height', [12, 13]), 'height').legend.map((e) => e.label)).not.toContain('no value');
  });

  it('legend-labels-collapsed: small values get the decimals their bins need, and a unit', () => {
    const rmse = Array.from({ length: 60 }, (_, i) => 0.02 + (i % 12) * 0.02); // 0.02 … 0.24 m
    const labels = stylingFor(table('fit_rmse', rmse), 'fit_rmse').legend.map((e) => e.label);
    expect(new Set(labels).size).toBe(labels.length);
    for (const l of labels) expect(l).toMatch(/ m$/);
    for (const l of labels.filter((x) => x.includes('–'))) {
      const [a, b] = l.replace(' m', '').split('–');
      expect(a).not.toBe(b);
    }
  });

  it('highlight-was-the-top-colour: the highlight is far from every legend colour', () => {
    const dist = (c: number[]) => Math.hypot(...c.map((v, k) => 255 * v - HIGHLIGHT_255[k]));
    const num = stylingFor(table('height', Array.from({ length: 50 }, (_, i) => i)), 'height');
    const cat = stylingFor(table('building', 'abcdefghij'.split('')), 'building');
    for (const e of [...num.legend, ...cat.legend]) expect(dist(e.colour)).toBeGreaterThan(100);
  });
});

describe('colour by: the columns offered', () => {
  it('colour-by-was-cluttered: numbers and real categories, not names, links or one-per-building text', () => {
    const n = 60;
    const table = {
      id: Array.from({ length: n }, (_, i) => `w${i}`),
      height: Array.from({ length: n }, (_, i) => 5 + (i % 9)),
      building: Array.from({ length: n }, (_, i) => ['house', 'apartments', 'retail'][i % 3]),
      name_ko: Array.from({ length: n }, (_, i) => (i % 4 ? null : `이름 ${i}`)),
      website: Array.from({ length: n }, (_, i) => (i % 5 ? null : 'https://example.org')),
      addr_street: Array.from({ length: n }, (_, i) => `Street ${i}`),
      roof_shape: Array.from({ length: n }, (_, i) => (i % 2 ? 'flat' : 'gabled')),
    };
    expect(styleColumns({ table })).toEqual(['height', 'building', 'roof_shape']);
  });
});

describe('colour by height: default heights apart', () => {
  it('height-default-looked-measured: buildings whose data gives no height have an entry of their own, off the ramp; in a tileset too', async () => {
    const { stylingForStats } = await import('../../src/viewer/style-by.js');
    // 30 measured heights of 20–49 m, 70 buildings at the default 10 m (as most of Monaco's)
    const height = [...Array.from({ length: 30 }, (_, i) => 20 + i), ...Array.from({ length: 70 }, () => 10)];
    const from = [...Array.from({ length: 30 }, () => 'data'), ...Array.from({ length: 70 }, () => 'default')];
    const s = stylingFor({ table: { height, height_from: from } }, 'height');
    const last = s.legend.length - 1;
    expect(s.legend[last].label).toBe('no height in the data (default)');
    for (let id = 30; id < 100; id++) expect(s.binOf(id)).toBe(last);
    for (let id = 0; id < 30; id++) expect(s.binOf(id)).toBeLessThan(last);
    // the ramp spans the measured heights only: the lowest entry starts above the default 10 m
    expect(s.legend[last - 1].label).toMatch(/^< (2[0-9]|3[0-9]) m$/);
    // without height_from (or no default among them) as before: no such entry
    expect(stylingFor({ table: { height } }, 'height').legend.map((e) => e.label)).not.toContain('no height in the data (default)');
    // a tileset: the entry from height_from's statistics, each tile's defaults in it
    const stats = { type: 'number', count: 100, min: 10, max: 49, sum: height.reduce((a, b) => a + b, 0), sumSquares: height.reduce((a, b) => a + b * b, 0), integers: true } as const;
    const t = stylingForStats('height', stats as never, { type: 'string', count: 100, values: { data: 30, default: 70 } } as never)!;
    expect(t.legend[t.legend.length - 1].label).toBe('no height in the data (default)');
    const tile = t.forTable({ height: [10, 35], height_from: ['default', 'data'] });
    expect(tile.binOf(0)).toBe(t.legend.length - 1);
    expect(tile.binOf(1)).toBeLessThan(t.legend.length - 1);
    expect(t.counts).toBeNull();
  });
});

describe('colour by a column some buildings have', () => {
  it('legend-left-out-the-rest: in a tileset, the rows without a value of a numeric column have an entry of their own, with its count, and each tile\'s such rows in it', async () => {
    const { stylingForStats } = await import('../../src/viewer/style-by.js');
    // 10 of 100 buildings have a source height of 5–14 m (SF: 1,073 of 13,148)
    const values = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(5 + i), 1]));
    const stats = { type: 'number', count: 10, min: 5, max: 14, sum: 95, sumSquares: 985, integers: true, values } as const;
    const t = stylingForStats('source_height', stats as never, undefined, 100)!;
    const last = t.legend.length - 1;
    expect(t.legend[last].label).toBe('no value');
    expect(t.counts![last]).toBe(90);
    expect(t.counts!.reduce((a, n) => a + n, 0)).toBe(100);
    const tile = t.forTable({ source_height: [null, 7] });
    expect(tile.legend.length).toBe(t.legend.length);
    expect(tile.binOf(0)).toBe(last);
    expect(tile.binOf(1)).toBeLessThan(last);
    // every building has one: no such entry
    expect(stylingForStats('source_height', stats as never, undefined, 10)!.legend.map((e) => e.label)).not.toContain('no value');
  });
});
