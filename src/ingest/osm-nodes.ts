import gdal from './gdal.js';
import { extentOf } from '../core/extent.js';
import { parsePolygonalWKB } from './wkb.js';
import { parseOtherTags } from './raw.js';
import { segmentDistance2 } from './repair.js';

/**
 * Tagged OpenStreetMap nodes, indexed on a grid, to be matched against the buildings they belong to:
 * shops (most are a node inside the building, not a tag on its outline) and entrances (a node of the
 * building's outline, `entrance=*`).
 *
 * @example
 * ```ts
 * const { shops, entrances } = readOsmNodes('monaco.osm.pbf');
 * shops?.inside(wkb);       // 'bakery;florist' for a building holding those shop nodes
 * entrances?.onOutline(wkb); // [x, y, x, y…] of the entrance nodes on its rings (main entrances first)
 * ```
 */
export class TaggedPoints {
  /** x, y (the source CRS) and the value's index, per point. */
  private readonly xy: number[] = [];
  private readonly value: number[] = [];
  private readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  private readonly cells = new Map<string, number[]>();

  /** Grid cell (source CRS units: degrees for OSM) of the point index. */
  private static readonly CELL = 0.002;

  /** Add a point with its tag value. */
  add(x: number, y: number, v: string): void {
    let k = this.index.get(v);
    if (k === undefined) this.index.set(v, (k = this.values.push(v) - 1));
    const i = this.value.push(k) - 1;
    this.xy.push(x, y);
    const key = `${Math.floor(x / TaggedPoints.CELL)},${Math.floor(y / TaggedPoints.CELL)}`;
    const list = this.cells.get(key);
    if (list) list.push(i);
    else this.cells.set(key, [i]);
  }

  /** How many points were read. */
  get size(): number {
    return this.value.length;
  }

  /** Indices of the points in a box grown by `margin`, in the order they were read. */
  private near(c: Float64Array, margin: number): number[] {
    const { minX, minY, maxX, maxY } = extentOf(c);
    const C = TaggedPoints.CELL;
    const out: number[] = [];
    for (let cx = Math.floor((minX - margin) / C); cx <= Math.floor((maxX + margin) / C); cx++)
      for (let cy = Math.floor((minY - margin) / C); cy <= Math.floor((maxY + margin) / C); cy++)
        for (const i of this.cells.get(`${cx},${cy}`) ?? []) {
          const x = this.xy[2 * i], y = this.xy[2 * i + 1];
          if (x >= minX - margin && x <= maxX + margin && y >= minY - margin && y <= maxY + margin) out.push(i);
        }
    return out.sort((a, b) => a - b);
  }

  /** The values of the points inside a polygonal WKB geometry (same CRS), `;`-joined and sorted, or null. */
  inside(wkb: Uint8Array): string | null {
    const p = polygonsOf(wkb);
    if (!p) return null;
    const c = p.coords;
    const found = new Set<string>();
    for (const i of this.near(c, 0)) {
      const x = this.xy[2 * i], y = this.xy[2 * i + 1];
      // even-odd over every ring of every polygon: inside an outer ring and outside its holes
      let inside = false;
      for (let r = 0; r + 1 < p.ringOffsets.length; r++)
        for (let a = p.ringOffsets[r], e = p.ringOffsets[r + 1], j = e - 1, k = a; k < e; j = k++) {
          const yi = c[2 * k + 1], yj = c[2 * j + 1];
          if (yi > y !== yj > y && x < ((c[2 * j] - c[2 * k]) * (y - yi)) / (yj - yi) + c[2 * k]) inside = !inside;
        }
      if (inside) found.add(this.values[this.value[i]]);
    }
    return found.size ? [...found].sort().join(';') : null;
  }

  /**
   * The points lying on a ring of a polygonal WKB geometry (same CRS) within `tolerance`, as x, y pairs:
   * those whose value is `first` (a main entrance) before the others, each group in the order read; null
   * for none.
   */
  onOutline(wkb: Uint8Array, tolerance: number, first = 'main'): Float64Array | null {
    const p = polygonsOf(wkb);
    if (!p) return null;
    const c = p.coords;
    const hits: number[] = [];
    for (const i of this.near(c, tolerance)) {
      const x = this.xy[2 * i], y = this.xy[2 * i + 1];
      let on = false;
      for (let r = 0; r + 1 < p.ringOffsets.length && !on; r++)
        for (let a = p.ringOffsets[r], e = p.ringOffsets[r + 1], j = e - 1, k = a; k < e && !on; j = k++)
          on = segmentDistance2(x, y, c[2 * j], c[2 * j + 1], c[2 * k], c[2 * k + 1]) <= tolerance * tolerance;
      if (on) hits.push(i);
    }
    if (!hits.length) return null;
    const main = hits.filter((i) => this.values[this.value[i]] === first), rest = hits.filter((i) => this.values[this.value[i]] !== first);
    return Float64Array.from([...main, ...rest].flatMap((i) => [this.xy[2 * i], this.xy[2 * i + 1]]));
  }
}

/** A feature's polygons, or null for WKB that does not parse (the reader reports it; no node matches it). */
function polygonsOf(wkb: Uint8Array): ReturnType<typeof parsePolygonalWKB> | null {
  try {
    return parsePolygonalWKB(wkb);
  } catch {
    return null;
  }
}

/** How far (degrees) an entrance node may lie off its building's outline: about 0.5 m. */
export const ENTRANCE_TOLERANCE = 5e-6;

/**
 * The shop and entrance nodes of an OSM file (its `points` layer, one pass), each null when it has none;
 * null for a file that is not OSM.
 */
export function readOsmNodes(file: string): { shops: TaggedPoints | null; entrances: TaggedPoints | null } | null {
  let ds: gdal.Dataset;
  try {
    ds = gdal.open(file);
  } catch {
    return null;
  }
  try {
    if (ds.driver.description !== 'OSM') return null;
    const layer = ds.layers.get('points');
    layer.setAttributeFilter(`other_tags LIKE '%"shop"=>%' OR other_tags LIKE '%"entrance"=>%'`);
    const shops = new TaggedPoints(), entrances = new TaggedPoints();
    // the OSM driver reads its layers in one pass: the other layers' features are skipped here
    for (let f = layer.features.first(); f; f = layer.features.next()) {
      const other = f.fields.get('other_tags');
      const tags = typeof other === 'string' ? parseOtherTags(other) : {};
      const g = f.getGeometry() as gdal.Point | null;
      if (!g || g.isEmpty()) continue;
      const shop = tags['shop'], entrance = tags['entrance'];
      if (typeof shop === 'string' && shop) shops.add(g.x, g.y, shop);
      if (typeof entrance === 'string' && entrance && entrance !== 'no') entrances.add(g.x, g.y, entrance);
    }
    return { shops: shops.size ? shops : null, entrances: entrances.size ? entrances : null };
  } finally {
    ds.close();
  }
}
