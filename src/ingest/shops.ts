import gdal from './gdal.js';
import { extentOf } from '../core/extent.js';
import { parsePolygonalWKB } from './wkb.js';
import { parseOtherTags } from './raw.js';

/**
 * Shops mapped as points inside buildings: OpenStreetMap puts most shops on a node within the building
 * (`shop=bakery` on a point), not on the building's outline. A building that holds shop nodes gets their
 * values as its `shops` attribute (`;`-separated, sorted), which the facades read as a shop front on the
 * ground floor.
 */
export class ShopPoints {
  /** x, y (the source CRS) and the value's index, per point. */
  private readonly xy: number[] = [];
  private readonly value: number[] = [];
  private readonly values: string[] = [];
  private readonly cells = new Map<string, number[]>();

  /** Grid cell (source CRS units: degrees for OSM) of the point index. */
  private static readonly CELL = 0.002;

  /** The shop nodes of an OSM file (its `points` layer), or null when it has none. */
  static read(file: string): ShopPoints | null {
    let ds: gdal.Dataset;
    try {
      ds = gdal.open(file);
    } catch {
      return null;
    }
    try {
      if (ds.driver.description !== 'OSM') return null;
      const layer = ds.layers.get('points');
      layer.setAttributeFilter(`other_tags LIKE '%"shop"=>%'`);
      const out = new ShopPoints();
      const index = new Map<string, number>();
      // the OSM driver reads its layers in one pass: the other layers' features are skipped here
      for (let f = layer.features.first(); f; f = layer.features.next()) {
        const other = f.fields.get('other_tags');
        const shop = typeof other === 'string' ? parseOtherTags(other)['shop'] : undefined;
        const g = f.getGeometry() as gdal.Point | null;
        if (typeof shop !== 'string' || !shop || !g || g.isEmpty()) continue;
        let k = index.get(shop);
        if (k === undefined) index.set(shop, (k = out.values.push(shop) - 1));
        out.add(g.x, g.y, k);
      }
      return out.value.length ? out : null;
    } finally {
      ds.close();
    }
  }

  private add(x: number, y: number, k: number): void {
    const i = this.value.push(k) - 1;
    this.xy.push(x, y);
    const key = `${Math.floor(x / ShopPoints.CELL)},${Math.floor(y / ShopPoints.CELL)}`;
    const list = this.cells.get(key);
    if (list) list.push(i);
    else this.cells.set(key, [i]);
  }

  /** How many shop points were read. */
  get size(): number {
    return this.value.length;
  }

  /** The shop values of the points inside a polygonal WKB geometry (same CRS), `;`-joined and sorted, or null. */
  inside(wkb: Uint8Array): string | null {
    let p;
    try {
      p = parsePolygonalWKB(wkb);
    } catch {
      return null;
    }
    const c = p.coords;
    const { minX, minY, maxX, maxY } = extentOf(c);
    const C = ShopPoints.CELL;
    const found = new Set<string>();
    for (let cx = Math.floor(minX / C); cx <= Math.floor(maxX / C); cx++)
      for (let cy = Math.floor(minY / C); cy <= Math.floor(maxY / C); cy++)
        for (const i of this.cells.get(`${cx},${cy}`) ?? []) {
          const x = this.xy[2 * i], y = this.xy[2 * i + 1];
          if (x < minX || x > maxX || y < minY || y > maxY) continue;
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
}
