import type { CityModel } from './model.js';
import type { ColumnStats, NumberStats } from '../core/types.js';

/** An sRGB colour, components 0–1. */
export type Rgb = [number, number, number];

/** Buildings coloured by one column of the property table: each row's colour and the legend that explains it. */
export interface Styling {
  column: string;
  /** The colour of row `id` (null: no value, drawn grey). */
  colourOf(id: number): Rgb;
  /** Legend entries, top to bottom. */
  legend: { label: string; colour: Rgb }[];
  /** The legend entry row `id` falls in (−1: no value, in none). */
  binOf(id: number): number;
}

/**
 * The highlight of the building selected (and, blended over its own colour, of the one under the pointer):
 * cyan (as ArcGIS selects), a colour neither the ramp (it ends in yellow) nor the categories use, so a
 * highlight never reads as a value.
 */
export const HIGHLIGHT = '#19d3ff';
/** {@link HIGHLIGHT} as 0–255 components (deck.gl). */
export const HIGHLIGHT_255: [number, number, number] = [0x19, 0xd3, 0xff];

/**
 * How much of {@link HIGHLIGHT} the building under the pointer takes over its own colour; the selected one
 * takes it all (hover-looked-selected: both lit alike, which was which could not be told).
 */
export const HOVER_MIX = 0.5;


/** Grey for buildings without a value. */
const NO_VALUE: Rgb = [0.62, 0.62, 0.62];
/** A darker grey for the values past the commonest categories ('other'). */
const OTHER: Rgb = [0.42, 0.42, 0.42];

/** A perceptually ordered ramp (viridis-like), low → high. */
const RAMP: Rgb[] = [
  [0.267, 0.005, 0.329],
  [0.231, 0.322, 0.545],
  [0.129, 0.569, 0.549],
  [0.369, 0.788, 0.384],
  [0.992, 0.906, 0.145],
];

/** Distinct colours for categories (Tableau 10, the first eight), then grey for the rest. */
const CATEGORIES: Rgb[] = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7'].map((h) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16) / 255) as Rgb);

/** The ramp's colour at t ∈ [0, 1]. */
export function rampAt(t: number): Rgb {
  const x = Math.max(0, Math.min(1, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((c) => RAMP[i][c] + f * (RAMP[i + 1][c] - RAMP[i][c])) as Rgb;
}

/** Columns offered first, when a table has them. */
const PREFERRED = ['height', 'levels', 'building', 'roof_shape', 'fit_confidence', 'fit:confidence', 'type', 'min_height'];
/** Text columns that are no categories (one value per building, or links). */
const NOT_CATEGORIES = /^(name|website|url|wikidata|wikipedia|description|note|image|phone|email)([_:].*)?$/;

/** The columns worth colouring by, in the order offered: numbers and short categories the table has. */
export function styleColumns(model: Pick<CityModel, 'table'>): string[] {
  const out: string[] = [];
  for (const k of [...PREFERRED, ...Object.keys(model.table)]) {
    const col = model.table[k];
    if (!col || out.includes(k) || k === 'id' || k === 'source' || k === 'part_of') continue;
    const values = col.filter((v) => v !== null && v !== '' && v !== -1);
    if (!values.length) continue;
    const numeric = values.every((v) => typeof v === 'number');
    const distinct = new Set(values).size;
    // colour-by-was-cluttered: names, websites, ids and descriptions (nearly one value per building) are
    // no categories; nor are links
    if (!numeric && (NOT_CATEGORIES.test(k) || (values.length >= 10 && distinct > 0.5 * values.length))) continue;
    if (numeric ? distinct > 1 : distinct <= 40) out.push(k);
  }
  return out;
}

/** A legend number: whole above 100 or when whole, else with `decimals` places. */
const fmtNumber = (v: number, decimals = 1) => (Math.abs(v) >= 100 || Number.isInteger(v) ? Math.round(v).toLocaleString('en-US') : v.toFixed(decimals));

/**
 * Bin edges over [lo, hi]: round numbers (legend-bins-were-odd-numbers: "19.2–24.3 m"), a step of 1, 2, 2.5
 * or 5 × a power of ten (whole numbers: 1, 2 or 5 ×) near a fifth of the range, so four to six bins; for
 * few whole numbers one bin per value; never two equal edges.
 *
 * @example
 * ```ts
 * binEdges(6, 34.5, false); // [5, 10, 15, 20, 25, 30, 35]
 * binEdges(1, 4, true);     // [1, 2, 3, 4, 5]
 * ```
 */
export function binEdges(lo: number, hi: number, integers: boolean): number[] {
  if (!(hi > lo)) return [lo, lo + (integers ? 1 : Number.EPSILON * Math.max(1, Math.abs(lo)))];
  if (integers && hi - lo + 1 <= 6) return Array.from({ length: hi - lo + 2 }, (_, k) => lo + k);
  const rough = (hi - lo) / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const steps = [0.5, 1, 2, 2.5, 5, 10, 20].map((m) => m * power).filter((s) => !integers || (Number.isInteger(s) && s >= 1 && s !== 2.5 * power));
  // (the round step nearest a fifth of the range that makes four to six bins, else three to seven: the lowest
  // bin is "<" the first multiple of the step above `lo`, the highest "≥" the last below `hi`; the outer edges
  // are a step beyond them)
  const edgesOf = (step: number) => {
    const inner: number[] = [];
    for (let k = Math.floor(lo / step) + 1; k * step < hi; k++) inner.push(Number((k * step).toPrecision(12)));
    if (!inner.length) return [];
    return [Number((inner[0] - step).toPrecision(12)), ...inner, Number((inner[inner.length - 1] + step).toPrecision(12))];
  };
  const byNearness = steps.filter((x) => x >= rough / 1.6).sort((a, b) => Math.abs(Math.log(a / rough)) - Math.abs(Math.log(b / rough)) || a - b);
  for (const [few, many] of [[4, 6], [3, 7]]) {
    for (const s of byNearness) {
      const e = edgesOf(s);
      if (e.length - 1 >= few && e.length - 1 <= many) return e;
    }
  }
  return [lo, hi];
}

/**
 * The styling of `column`: numbers on the ramp between their 2nd and 98th percentiles, in four to six round bins
 * (whole numbers: whole-number bins, one per value when few) labelled with the ranges they hold; text as
 * categories (the eight commonest in their own colours, the rest grey).
 *
 * @example
 * ```ts
 * const s = stylingFor(model, 'height');
 * s.colourOf(0); // [r, g, b]
 * s.legend[0].label; // '≥ 24 m'
 * ```
 */
export function stylingFor(model: Pick<CityModel, 'table'>, column: string): Styling {
  const defaulted = column === 'height' && (model.table['height_from'] ?? []).some((f) => f === 'default');
  const col = defaulted ? measuredHeights(model.table) : (model.table[column] ?? []);
  const values = col.filter((v): v is string | number => v !== null && v !== '' && v !== -1);
  if (values.length && values.every((v) => typeof v === 'number')) {
    const sorted = (values as number[]).slice().sort((a, b) => a - b);
    const integers = sorted.every((v) => Number.isInteger(v));
    const lo = sorted[Math.floor(0.02 * (sorted.length - 1))], hi = sorted[Math.ceil(0.98 * (sorted.length - 1))];
    return numericStyling(column, col, lo, hi, integers, defaulted ? DEFAULTED : undefined);
  }
  const counts = new Map<string, number>();
  for (const v of values) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  return categoryStyling(column, col, counts);
}

/**
 * Colour-by over a whole tileset from its columns' statistics (tileset.json's
 * `asset.extras.cityforge.columns`): one legend, and each tile's colours from its own table. Numbers
 * span their 2nd to 98th percentiles (see `spanOf`), text the eight commonest values; `rows`: the rows of
 * every table (a text column's rows past its count have no value). Null: the column cannot be coloured by.
 *
 * @example
 * ```ts
 * const s = stylingForStats('height', json.asset.extras.cityforge.columns.height);
 * s.legend; // four to six round bins
 * s.forTable(tile.table).colourOf(3); // row 3 of that tile
 * ```
 */
export function stylingForStats(column: string, stats: ColumnStats, heightFrom?: ColumnStats, rows = stats.count): TilesetStyling | null {
  if (stats.type === 'number') {
    // height-default-looked-measured: the default heights an entry of their own (`heightFrom`: the tileset's
    // statistics of height_from), and (tileset-legend-ruled-by-default-heights) the ramp spans the measured ones
    const defaults = column === 'height' ? (heightFrom?.values?.['default'] ?? 0) : 0;
    const span = spanOf(defaults && stats.measured?.count ? stats.measured : stats);
    const lo = span[0], hi = span[1];
    const round = (v: number) => (stats.integers ? Math.round(v) : v);
    // (legend-left-out-the-rest: a column some buildings have, SF's source height on 1,073 of 13,148, left the
    // others in the plain colour with no entry; the rows of the tileset without a value have one, as in a GLB)
    const missing = !defaults && rows > stats.count;
    const make = (col: (string | number | null)[]) => numericStyling(column, col, round(lo), round(hi), stats.integers, defaults ? DEFAULTED : missing ? 'no value' : undefined);
    const legend = make([]).legend;
    // each entry's buildings, where the statistics count the values
    let counts: number[] | null = null;
    if (stats.values && !defaults) {
      const entries = Object.entries(stats.values);
      const s = make(entries.map(([v]) => Number(v)));
      counts = legend.map(() => 0);
      entries.forEach(([, n], i) => {
        const bin = s.binOf(i);
        if (bin >= 0 && bin < counts!.length) counts![bin] += n;
      });
      if (missing) counts[counts.length - 1] = rows - stats.count;
    }
    // (with default heights, counted among the measured ones at a value the statistics do not name, the
    // entries' counts are not known)
    return { legend, counts, forTable: (t) => make(defaults ? measuredHeights(t) : (t[column] ?? [])) };
  }
  if (!stats.values) return null;
  const counts = new Map(Object.entries(stats.values));
  // (rows of the tileset without a value: the tables' rows the column's count leaves out)
  const missing = rows > stats.count;
  const legend = categoryStyling(column, [], counts, missing).legend;
  // the commonest values first, then (past them) 'other': the rest, then 'no value'
  const top = Math.min(counts.size, CATEGORIES.length);
  const byEntry = legend.map(({ label }, i) => (i < top ? (counts.get(label) ?? 0) : 0));
  if (counts.size > top) byEntry[top] = stats.count - byEntry.slice(0, top).reduce((a, n) => a + n, 0);
  if (missing) byEntry[byEntry.length - 1] = rows - stats.count;
  return { legend, counts: byEntry, forTable: (t) => categoryStyling(column, t[column] ?? [], counts, missing) };
}

/**
 * The span a numeric column's ramp covers: its 2nd to 98th percentile where the statistics count the values (as
 * {@link stylingFor} takes it from a GLB's table: one city, one legend, whichever the output), else the mean ± 2
 * standard deviations within its range (what those percentiles are for a bell).
 */
function spanOf(stats: NumberStats): [number, number] {
  if (stats.values) {
    const entries = Object.entries(stats.values).map(([v, n]) => [Number(v), n] as const).sort((a, b) => a[0] - b[0]);
    const total = entries.reduce((a, [, n]) => a + n, 0);
    // the value at sorted position k (0-based) of `total`
    const at = (k: number) => {
      let seen = 0;
      for (const [v, n] of entries) if ((seen += n) > k) return v;
      return entries[entries.length - 1][0];
    };
    if (total) return [at(Math.floor(0.02 * (total - 1))), at(Math.ceil(0.98 * (total - 1)))];
  }
  const mean = stats.sum / stats.count;
  const sd = Math.sqrt(Math.max(0, stats.sumSquares / stats.count - mean * mean));
  return [Math.max(stats.min, mean - 2 * sd), Math.min(stats.max, mean + 2 * sd)];
}

/** A tileset's colour-by ({@link stylingForStats}): one legend, each tile's colours from its own table. */
export interface TilesetStyling {
  legend: Styling['legend'];
  /** Buildings in each legend entry over the whole tileset (from its statistics); null where they do not say. */
  counts: number[] | null;
  forTable(table: Record<string, (string | number | null)[]>): Styling;
}

/** The columns of a tileset worth colouring by ({@link styleColumns}' rules over its statistics). */
export function styleColumnsOfStats(columns: Record<string, ColumnStats>): string[] {
  const out: string[] = [];
  for (const k of [...PREFERRED, ...Object.keys(columns).sort()]) {
    const s = columns[k];
    if (!s || out.includes(k)) continue;
    if (s.type === 'number') {
      if (s.max > s.min) out.push(k);
      continue;
    }
    const distinct = s.values ? Object.keys(s.values).length : Infinity;
    if (NOT_CATEGORIES.test(k) || (s.count >= 10 && distinct > 0.5 * s.count)) continue;
    if (distinct <= 40) out.push(k);
  }
  return out;
}

/**
 * height-default-looked-measured: colour by height shows buildings whose data gives no height (`height_from`
 * = default: 1,102 of Monaco's 1,208) as an entry of their own, not among the measured ones on the ramp.
 */
const DEFAULTED = 'no height in the data (default)';

/** A table's heights, null where the height is the default one (`height_from` = default). */
function measuredHeights(table: Record<string, (string | number | null)[]>): (string | number | null)[] {
  const from = table['height_from'] ?? [];
  return (table['height'] ?? []).map((v, i) => (from[i] === 'default' ? null : v));
}

/** Numbers on the ramp between `lo` and `hi` in round bins (see {@link stylingFor}); `missingLabel` names the entry of rows without a value, always there when given. */
function numericStyling(column: string, col: (string | number | null)[], lo: number, hi: number, integers: boolean, missingLabel?: string): Styling {
  const edges = binEdges(lo, hi, integers);
  const bins = edges.length - 1;
  const unit = /height|ground|eave|rmse/.test(column) ? ' m' : /angle|direction/.test(column) ? '°' : '';
  // legend-labels-collapsed: as many decimals as the bins' width needs (fit:rmse read "0.2–0.2", "0.1–0.1")
  // (the fewest, 1 to 4, that tell every edge apart to within a tenth of a bin)
  const width = bins > 0 ? (edges[bins] - edges[0]) / bins : 0;
  let decimals = 1;
  while (decimals < 4 && width > 0 && edges.some((e, i) => Math.abs(Number(e.toFixed(decimals)) - e) > width / 10 || (i > 0 && e.toFixed(decimals) === edges[i - 1].toFixed(decimals)))) decimals++;
  const fmt = (v: number) => fmtNumber(v, decimals);
  // bin k holds [edges[k], edges[k+1]); the lowest also what lies below, the highest what lies above
  const label = (k: number): string => {
    const a = edges[k], b = edges[k + 1];
    if (integers && b - a === 1) return `${k === bins - 1 && bins > 1 ? '≥ ' : k === 0 && bins > 1 ? '≤ ' : ''}${fmt(a)}${unit}`;
    if (bins === 1) return `${fmt(a)}${unit}`;
    if (k === bins - 1) return `≥ ${fmt(a)}${unit}`;
    if (k === 0) return `< ${fmt(b)}${unit}`;
    return integers ? `${fmt(a)}–${fmt(b - 1)}${unit}` : `${fmt(a)}–${fmt(b)}${unit}`;
  };
  const legend = Array.from({ length: bins }, (_, i) => {
    const k = bins - 1 - i; // highest first
    return { label: label(k), colour: rampAt(bins === 1 ? 0.5 : k / (bins - 1)) };
  });
  const binOfValue = (v: number): number => {
    let k = 0;
    while (k < bins - 1 && v >= edges[k + 1]) k++;
    return k;
  };
  // legend-hid-the-grey: buildings without a value have an entry of their own (an inferred building drawn as
  // its parts has no fit figures of its own)
  const missing = (v: string | number | null | undefined) => typeof v !== 'number' || v === -1;
  if (missingLabel || col.some(missing)) legend.push({ label: missingLabel ?? 'no value', colour: NO_VALUE });
  return {
    column,
    legend,
    // the bin's colour: the legend and the buildings agree
    colourOf: (id) => {
      const v = col[id];
      if (missing(v)) return NO_VALUE;
      return legend[bins - 1 - binOfValue(v as number)].colour;
    },
    binOf: (id) => {
      const v = col[id];
      if (missing(v)) return legend.length > bins ? bins : -1;
      return bins - 1 - binOfValue(v as number);
    },
  };
}

/** A text value that is none. */
const noText = (v: string | number | null | undefined) => v === null || v === undefined || v === '' || v === -1;

/**
 * Text as categories: the eight commonest of `counts` in their own colours, the rest a darker grey ('other'),
 * and rows without a value the grey of 'no value' (an entry of its own where `missing`; default: where `col` has such rows).
 */
function categoryStyling(column: string, col: (string | number | null)[], counts: Map<string, number>, missing = col.some(noText)): Styling {
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, CATEGORIES.length).map(([k]) => k);
  const index = new Map(top.map((k, i) => [k, i]));
  const legend = top.map((k, i) => ({ label: k, colour: CATEGORIES[i] }));
  const other = counts.size > top.length ? legend.push({ label: 'other', colour: OTHER }) - 1 : -1;
  // legend-hid-the-grey (categories): Vienna's outlines, whose roofType only their parts have, were grey with
  // no entry saying why
  const none = missing ? legend.push({ label: 'no value', colour: NO_VALUE }) - 1 : -1;
  return {
    column,
    legend,
    colourOf: (id) => {
      const v = col[id];
      if (noText(v)) return NO_VALUE;
      const i = index.get(String(v));
      return i === undefined ? OTHER : CATEGORIES[i];
    },
    binOf: (id) => {
      const v = col[id];
      if (noText(v)) return none;
      return index.get(String(v)) ?? other;
    },
  };
}
