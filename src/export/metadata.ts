import { Extension, type ReaderContext, type WriterContext } from '@gltf-transform/core';
import { tailOf, type GlbTail, type TailWriter } from './glb-binary.js';
import { COLUMN_STATS_MAX_VALUES, type BuildingParams, type ColumnStats, type NumberStats } from '../core/types.js';

/** A property-table column type this writer emits. */
type ColumnType = 'STRING' | 'FLOAT32' | 'FLOAT64' | 'UINT16';

/** One column of the building class. */
export interface Column {
  /** The property's id (an identifier: `^[a-zA-Z_][a-zA-Z0-9_]*$`). */
  name: string;
  /** Its display name, where the id had to differ from the source's name (`addr:street` → `addr_street`). */
  title?: string;
  type: ColumnType;
  description: string;
  noData?: string | number;
  get(p: BuildingParams): string | number;
}

/** The building class's own columns, in order. */
export const BUILDING_COLUMNS: readonly Column[] = [
  { name: 'id', type: 'STRING', description: 'Source feature id (unique in this file)', get: (p) => p.id },
  { name: 'source', type: 'STRING', description: 'Source file#layer', get: (p) => p.source },
  { name: 'height', type: 'FLOAT32', description: 'Height of the top above the base, metres', get: (p) => p.height },
  { name: 'min_height', type: 'FLOAT32', description: 'Height of the bottom above the base, metres', get: (p) => p.minHeight },
  { name: 'height_from', type: 'STRING', description: "Where height comes from: data (the source's height), levels (building:levels × the level height, with the roof drawn on top of them where its height is not tagged: the top drawn), parts (an outline drawn as its building:parts, with no height of its own: its tallest part's drawn top), default (none in the data: the default height), merged (a block of a coarse tile: its buildings' mean height, by area)", noData: '', get: (p) => p.heightFrom ?? 'data' },
  { name: 'levels', type: 'FLOAT32', description: 'building:levels', noData: -1, get: (p) => p.levels ?? -1 },
  { name: 'building', type: 'STRING', description: 'Building type (OSM building=*, MVT type)', noData: '', get: (p) => p.kind ?? '' },
  { name: 'name', type: 'STRING', description: 'Name', noData: '', get: (p) => p.name ?? '' },
  // (roof-shape-flat-when-untagged: an untagged roof read "flat", as if tagged so; colouring by roof shape could
  // not tell the two apart)
  { name: 'roof_shape', type: 'STRING', description: "roof:shape as tagged (empty: none tagged, built flat; or a city model's own roof, kept as modelled)", noData: '', get: (p) => (p.base === undefined && !p.roof.untagged ? p.roof.shape : '') },
  { name: 'colour', type: 'STRING', description: 'building:colour as #rrggbb', noData: '', get: (p) => p.colour ?? '' },
  { name: 'part_of', type: 'STRING', description: 'For a building:part: the id of the building outline it belongs to (its geometry carries that feature id)', noData: '', get: (p) => p.partOf ?? '' },
  { name: 'pieces', type: 'UINT16', description: 'Source pieces joined into this building (tile re-joining)', get: (p) => Math.min(65535, p.pieces) },
];

/** The no-data value of the `ground` column (the lowest float32: no elevation is). */
const GROUND_NO_DATA = -3.4028234663852886e38;

/** The `ground` column, where the buildings stand on a terrain (after `min_height`). */
const GROUND_COLUMN: Column = { name: 'ground', type: 'FLOAT32', description: "Elevation of the building's base where it stands on the terrain (--terrain), metres in the terrain's heights: its height is above this (no data for one outside the terrain's data, seated on the data nearest it)", noData: GROUND_NO_DATA, get: (p) => p.ground ?? GROUND_NO_DATA };

/** The building columns of `rows`: {@link BUILDING_COLUMNS}, and `ground` where any row stands on a terrain. */
export function ownColumns(rows: readonly BuildingParams[]): readonly Column[] {
  if (!rows.some((r) => r.ground !== undefined)) return BUILDING_COLUMNS;
  const at = BUILDING_COLUMNS.findIndex((c) => c.name === 'min_height') + 1;
  return [...BUILDING_COLUMNS.slice(0, at), GROUND_COLUMN, ...BUILDING_COLUMNS.slice(at)];
}

/** The no-data value of a FLOAT64 source-attribute column (the lowest float64: no attribute has it). */
export const FLOAT64_NO_DATA = -Number.MAX_VALUE;

/**
 * The columns of the source attributes the rows carry (`BuildingParams.attributes`), sorted by name:
 * FLOAT64 where every value is a number, else STRING (numbers and booleans written as text). Ids are
 * the source names made identifiers (`addr:street` → `addr_street`); a name taken by a building
 * column or another attribute gets `source_` in front (and a number after, if need be).
 */
export function attributeColumns(rows: readonly BuildingParams[]): Column[] {
  const kinds = new Map<string, boolean>(); // name → every value a number
  for (const r of rows)
    for (const [k, v] of Object.entries(r.attributes ?? {})) kinds.set(k, (kinds.get(k) ?? true) && typeof v === 'number');
  const taken = new Set([...BUILDING_COLUMNS.map((c) => c.name), GROUND_COLUMN.name]);
  const out: Column[] = [];
  for (const key of [...kinds.keys()].sort()) {
    let id = key.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(id)) id = `_${id}`;
    // (source-column-repeated: `--attributes name` gave source_name, every value the name column's)
    const own = BUILDING_COLUMNS.find((c) => c.name === id);
    if (own && rows.every((r) => r.attributes?.[key] === undefined || String(r.attributes[key]) === String(own.get(r)))) continue;
    if (taken.has(id)) id = `source_${id}`;
    for (let n = 2; taken.has(id); n++) id = `${id.replace(/_\d+$/, '')}_${n}`;
    taken.add(id);
    const numeric = kinds.get(key)!;
    const get = (p: BuildingParams) => {
      const v = p.attributes?.[key];
      if (v === undefined) return numeric ? FLOAT64_NO_DATA : '';
      return numeric ? (v as number) : String(v);
    };
    out.push({ name: id, ...(id !== key ? { title: taken.has(key) && id.startsWith('source_') ? `${key} (source)` : key } : {}), type: numeric ? 'FLOAT64' : 'STRING', description: `Source attribute ${key}`, noData: numeric ? FLOAT64_NO_DATA : '', get });
  }
  return out;
}

const ASCII = /^[\x00-\x7f]*$/;

/** Encode the property table's columns as binary buffer views (each padded to 8 bytes). */
function encodeColumns(columns: readonly Column[], rows: readonly BuildingParams[]): { column: Column; views: Uint8Array[] }[] {
  const enc = new TextEncoder();
  return columns.map((column) => {
    if (column.type === 'STRING') {
      // one encode per column; offsets from per-string UTF-8 lengths (ASCII fast path)
      const strings = rows.map((r) => String(column.get(r)));
      const offsets = new Uint32Array(rows.length + 1);
      for (let i = 0; i < strings.length; i++) {
        const str = strings[i];
        offsets[i + 1] = offsets[i] + (ASCII.test(str) ? str.length : enc.encode(str).length);
      }
      const values = enc.encode(strings.join(''));
      return { column, views: [values, new Uint8Array(offsets.buffer)] };
    }
    const Arr = column.type === 'FLOAT32' ? Float32Array : column.type === 'FLOAT64' ? Float64Array : Uint16Array;
    const arr = new Arr(rows.length);
    rows.forEach((r, i) => (arr[i] = Number(column.get(r))));
    return { column, views: [new Uint8Array(arr.buffer)] };
  });
}

/** The class definition of a column. */
function propertyOf(c: Column): Record<string, unknown> {
  return {
    ...(c.title ? { name: c.title } : {}),
    description: c.description,
    type: c.type === 'STRING' ? 'STRING' : 'SCALAR',
    ...(c.type !== 'STRING' ? { componentType: c.type } : {}),
    ...(c.noData !== undefined ? { noData: c.noData } : {}),
  };
}

/**
 * `EXT_structural_metadata` for glTF-Transform (write only): one property table of buildings,
 * whose rows are the feature ids of `EXT_mesh_features`. Binary columns are written into the GLB
 * buffer with 8-byte alignment, as the extension requires.
 */
export class StructuralMetadata extends Extension implements TailWriter {
  static override readonly EXTENSION_NAME = 'EXT_structural_metadata';
  override readonly extensionName = 'EXT_structural_metadata';
  /** Rows of the property table. */
  rows: readonly BuildingParams[] = [];
  tail: GlbTail | null = null;

  override read(_context: ReaderContext): this {
    return this;
  }

  override write(context: WriterContext): this {
    const json = context.jsonDoc.json;
    const tail = tailOf(this, 'EXT_structural_metadata');
    // the class defines exactly the properties the table holds (readers, Cesium's validator among
    // them, stumble on a property the class defines and the table leaves out): every column, numeric
    // ones all no-data included — except a string column with no text at all, which a table cannot
    // hold (its values would be an empty buffer view, which glTF forbids)
    const rows = this.rows;
    const columns = [...ownColumns(rows), ...attributeColumns(rows)].filter((c) => c.type !== 'STRING' || rows.some((r) => c.get(r) !== ''));
    const properties: Record<string, Record<string, number | string>> = {};
    for (const c of encodeColumns(columns, rows)) {
      // (each view from an 8-byte boundary of the GLB buffer, as the extension requires)
      const idx = c.views.map((view) => tail.add(json, view.byteLength, 8, (dst) => dst.set(view)));
      properties[c.column.name] = idx.length === 2 ? { values: idx[0], stringOffsets: idx[1], stringOffsetType: 'UINT32' } : { values: idx[0] };
    }
    json.extensions ??= {};
    const classes = { building: { name: 'Building', properties: Object.fromEntries(columns.map((c) => [c.name, propertyOf(c)])) } };
    json.extensions[this.extensionName] = {
      // (schema-id-said-one-schema: every file's schema was `cityforge`, though its columns follow its
      // buildings' attributes and a coarse tile's blocks have others; a client caching schemas by id took one
      // for another. The id now names the definition: the same columns, the same id)
      schema: { id: `cityforge_${fnv1a(JSON.stringify(classes)).toString(16).padStart(8, '0')}`, classes },
      propertyTables: [{ name: 'buildings', class: 'building', count: this.rows.length, properties }],
    };
    return this;
  }
}

/** FNV-1a, 32 bits, of a string's UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * `EXT_mesh_features` for glTF-Transform (write only): every primitive with a `_FEATURE_ID_0`
 * attribute gets a feature-id set pointing at property table 0.
 */
export class MeshFeatures extends Extension {
  static override readonly EXTENSION_NAME = 'EXT_mesh_features';
  override readonly extensionName = 'EXT_mesh_features';
  /** Distinct feature count per primitive, in mesh/primitive order. */
  featureCounts: number[][] = [];

  override read(_context: ReaderContext): this {
    return this;
  }

  override write(context: WriterContext): this {
    const json = context.jsonDoc.json;
    (json.meshes ?? []).forEach((mesh, m) =>
      mesh.primitives.forEach((prim, p) => {
        if (prim.attributes['_FEATURE_ID_0'] === undefined) return;
        prim.extensions ??= {};
        prim.extensions[this.extensionName] = {
          featureIds: [{ featureCount: this.featureCounts[m]?.[p] ?? 0, attribute: 0, propertyTable: 0, label: 'building' }],
        };
      }),
    );
    return this;
  }
}

/** Columns no one colours by: ids, sources, links between rows, names. */
const UNSTYLED = new Set(['id', 'source', 'part_of', 'pieces', 'name']);

/**
 * The {@link ColumnStats} of the property table `rows` make (the columns {@link StructuralMetadata}
 * writes, ids and names aside); no-data values are not counted.
 *
 * @example
 * ```ts
 * const stats = columnStats(batch.params);
 * stats.height; // { type: 'number', count: 120, min: 3, max: 41.5, … }
 * ```
 */
export function columnStats(rows: readonly BuildingParams[]): Record<string, ColumnStats> {
  const out: Record<string, ColumnStats> = {};
  for (const c of [...ownColumns(rows), ...attributeColumns(rows)]) {
    if (UNSTYLED.has(c.name)) continue;
    if (c.type === 'STRING') {
      // (no prototype: a value named `constructor` or `__proto__` is a value like any other)
      let values: Record<string, number> | null = Object.create(null) as Record<string, number>;
      let count = 0, distinct = 0;
      for (const r of rows) {
        const v = String(c.get(r));
        if (v === '' || v === c.noData) continue;
        count++;
        if (!values) continue;
        if (!(v in values)) {
          if (++distinct > COLUMN_STATS_MAX_VALUES) values = null;
          else values[v] = 0;
        }
        if (values) values[v]++;
      }
      if (count) out[c.name] = { type: 'text', count, values, ...(c.title ? { title: c.title } : {}) };
    } else {
      const stats = numberStats(rows, c.get, c.noData);
      if (!stats) continue;
      // tileset-legend-ruled-by-default-heights: the heights the data gives, apart (Monaco's 1,102 default 10 m
      // heights of 1,208 set the tileset legend's span at 30 m, where the GLB's, of measured heights, reached 100 m)
      // (a table of default heights alone has measured statistics of none: merged, it adds nothing to them)
      const measured = c.name === 'height' && rows.some((r) => r.heightFrom === 'default') ? (numberStats(rows.filter((r) => r.heightFrom !== 'default'), c.get, c.noData) ?? noNumbers()) : null;
      out[c.name] = { ...stats, ...(measured ? { measured } : {}), ...(c.title ? { title: c.title } : {}) };
    }
  }
  return out;
}

/** The statistics of a numeric column over `rows` (null when none has a value). */
function numberStats(rows: readonly BuildingParams[], get: (r: BuildingParams) => unknown, noData: unknown): NumberStats | null {
  let count = 0, min = Infinity, max = -Infinity, sum = 0, sumSquares = 0, integers = true, distinct = 0;
  // legend-count-unknown: the values' counts too while there are few (heights in whole metres, levels),
  // so a viewer counts the buildings a legend entry hides without reading every tile
  let values: Record<string, number> | null = Object.create(null) as Record<string, number>;
  for (const r of rows) {
    const v = Number(get(r));
    if (!Number.isFinite(v) || v === noData) continue;
    count++;
    if (values) {
      const k = String(v);
      if (!(k in values)) {
        if (++distinct > COLUMN_STATS_MAX_VALUES) values = null;
        else values[k] = 0;
      }
      if (values) values[k]++;
    }
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
    sumSquares += v * v;
    integers &&= Number.isInteger(v);
  }
  return count ? { type: 'number', count, min, max, sum, sumSquares, integers, values } : null;
}

/** The statistics of no value (a count of 0; its range and sums mean nothing). */
const noNumbers = (): NumberStats => ({ type: 'number', count: 0, min: 0, max: 0, sum: 0, sumSquares: 0, integers: true, values: {} });

/** Two numeric statistics as one. */
function mergeNumbers(o: NumberStats, s: NumberStats): NumberStats {
  if (!s.count) return o;
  if (!o.count) return ownNumbers(s);
  return { type: 'number', count: o.count + s.count, min: Math.min(o.min, s.min), max: Math.max(o.max, s.max), sum: o.sum + s.sum, sumSquares: o.sumSquares + s.sumSquares, integers: o.integers && s.integers, values: mergeValues(o.values, s.values) };
}

/** A copy of a column's numeric statistics alone (no title, no measured part), whose counts may be merged into. */
const ownNumbers = (s: NumberStats): NumberStats => ({ type: 'number', count: s.count, min: s.min, max: s.max, sum: s.sum, sumSquares: s.sumSquares, integers: s.integers, values: s.values ? (Object.assign(Object.create(null), s.values) as Record<string, number>) : null });

/** `a`'s counts with `b`'s added (into `a`); null past {@link COLUMN_STATS_MAX_VALUES} distinct values or where either is null or absent. */
function mergeValues(a: Record<string, number> | null | undefined, b: Record<string, number> | null | undefined): Record<string, number> | null {
  if (!a || !b) return null;
  for (const [v, n] of Object.entries(b)) a[v] = (a[v] ?? 0) + n;
  return Object.keys(a).length > COLUMN_STATS_MAX_VALUES ? null : a;
}

/** The first of two statistics' titles, if any. */
const title = (a: ColumnStats, b: ColumnStats) => (a.title ?? b.title ? { title: a.title ?? b.title } : {});

/**
 * Merge {@link columnStats} of several tables (in a fixed order: sums of floats depend on it). A column
 * that is a number in one table and text in another is dropped.
 */
export function mergeColumnStats(parts: readonly Record<string, ColumnStats>[]): Record<string, ColumnStats> {
  const out: Record<string, ColumnStats> = {};
  const dropped = new Set<string>();
  for (const part of parts)
    for (const [name, s] of Object.entries(part)) {
      if (dropped.has(name)) continue;
      const o = out[name];
      if (!o) {
        out[name] = { ...s, values: s.values ? (Object.assign(Object.create(null), s.values) as Record<string, number>) : null, ...(s.type === 'number' && s.measured ? { measured: ownNumbers(s.measured) } : {}) };
      } else if (o.type === 'number' && s.type === 'number') {
        // (measured heights: a table without defaults has all its heights measured)
        const measured = o.measured || s.measured ? mergeNumbers(o.measured ?? ownNumbers(o), s.measured ?? s) : null;
        out[name] = { ...mergeNumbers(o, s), ...(measured ? { measured } : {}), ...title(o, s) };
      } else if (o.type === 'text' && s.type === 'text') {
        out[name] = { type: 'text', count: o.count + s.count, values: mergeValues(o.values, s.values), ...title(o, s) };
      } else {
        delete out[name];
        dropped.add(name);
      }
    }
  // keys in a fixed order whatever the tables' order of first appearance
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}
