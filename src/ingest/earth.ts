import gdal from './gdal.js';
import { emptyExtent, extentOf, growByExtent, isEmptyExtent, type Extent } from '../core/extent.js';
import { parsePolygonalWKB } from './wkb.js';

const WGS84 = gdal.SpatialReference.fromEPSG(4326);

/** What is known of one CRS: whether it is geographic, its transformation to WGS84 and a box already checked. */
interface CrsCheck {
  geographic: boolean;
  ct: gdal.CoordinateTransformation | null;
  back: gdal.CoordinateTransformation | null;
  /** A box (source units) whose corners were transformed to places on Earth: features inside need no transformation. */
  good: Extent;
}

/**
 * Projected coordinates beyond this (metres, feet…) are refused before PROJ sees them: no projected
 * CRS reaches it (the largest eastings and northings are a few 1e7), and PROJ can loop for ever on
 * values such as 1e308.
 */
const MAX_PROJECTED = 1e9;

/** Whether a lon/lat is a place on Earth. */
const onEarth = (lon: number, lat: number) => Number.isFinite(lon) && Number.isFinite(lat) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 + 1e-9;

/**
 * Checks that features' coordinates are places on Earth in their CRS (finite; latitude within ±90°,
 * longitude within ±180°; projected coordinates that transform to such a place). A feature at lat 95
 * or at 1e308 is a *feature* error, skipped and named, so it never moves the frame's origin.
 * Transformations are cached per CRS and skipped for features inside a box already checked.
 *
 * @example
 * ```ts
 * const earth = new EarthCheck();
 * const box = earth.check(srs, 'EPSG:4326', wkb); // the feature's box, or "coordinates (7.4, 95) are not …"
 * ```
 */
export class EarthCheck {
  private readonly crs = new Map<string, CrsCheck>();

  private of(srs: gdal.SpatialReference, name: string): CrsCheck {
    let c = this.crs.get(name);
    if (!c) {
      const geographic = srs.isGeographic();
      let ct: gdal.CoordinateTransformation | null = null;
      let back: gdal.CoordinateTransformation | null = null;
      if (!geographic)
        try {
          ct = new gdal.CoordinateTransformation(srs, WGS84);
          back = new gdal.CoordinateTransformation(WGS84, srs);
        } catch {
          ct = back = null;
        }
      this.crs.set(name, (c = { geographic, ct, back, good: emptyExtent() }));
    }
    return c;
  }

  /**
   * Whether every corner of `e` (source units) transforms to a place on Earth and back to itself
   * (within a metre: a projection saturates beyond its domain — Web Mercator's y = 9e15 is "lat 90").
   */
  private cornersOk(c: CrsCheck, e: Extent): boolean {
    if (!c.ct || !c.back) return false;
    for (const [x, y] of [[e.minX, e.minY], [e.maxX, e.minY], [e.maxX, e.maxY], [e.minX, e.maxY]]) {
      try {
        const p = c.ct.transformPoint(x, y);
        if (!onEarth(p.x, p.y)) return false;
        const q = c.back.transformPoint(p.x, p.y);
        if (!(Math.hypot(q.x - x, q.y - y) <= 1 + 1e-9 * Math.hypot(x, y))) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  /** The box of a feature's coordinates, or a reason it has none that is usable. */
  static boxOf(wkb: Uint8Array): Extent | string {
    const c = parsePolygonalWKB(wkb).coords;
    for (let i = 0; i < c.length; i++) if (!Number.isFinite(c[i])) return 'coordinates that are not finite numbers';
    const e = extentOf(c);
    return isEmptyExtent(e) ? 'no coordinates' : e;
  }

  /** The feature's box when its coordinates are places on Earth in CRS `name`; otherwise what is wrong. */
  check(srs: gdal.SpatialReference, name: string, wkb: Uint8Array): Extent | string {
    const e = EarthCheck.boxOf(wkb);
    return typeof e === 'string' ? e : (this.checkBox(srs, name, e) ?? e);
  }

  /** Null when every point of box `e` (source units) is a place on Earth in CRS `name`; otherwise what is wrong. */
  checkBox(srs: gdal.SpatialReference, name: string, e: Extent): string | null {
    if (!(Number.isFinite(e.minX) && Number.isFinite(e.minY) && Number.isFinite(e.maxX) && Number.isFinite(e.maxY))) return 'coordinates that are not finite numbers';
    const c = this.of(srs, name);
    // (the message is made only when it is needed: this runs for every feature)
    const bad = () => `coordinates (${e.minX}, ${e.minY})–(${e.maxX}, ${e.maxY}) are not a place on Earth in ${name}; is the CRS right? (--s-srs)`;
    // (axes-swapped-unsaid: latitude first, where longitude belongs, is said when swapping the axes would fit)
    if (c.geographic) return onEarth(e.minX, e.minY) && onEarth(e.maxX, e.maxY) ? null : onEarth(e.minY, e.minX) && onEarth(e.maxY, e.maxX) ? `${bad()}; or are x and y latitude and longitude, swapped? (as (y, x) they are a place on Earth)` : bad();
    if (Math.max(Math.abs(e.minX), Math.abs(e.maxX), Math.abs(e.minY), Math.abs(e.maxY)) > MAX_PROJECTED) return bad();
    const g = c.good;
    if (e.minX >= g.minX && e.maxX <= g.maxX && e.minY >= g.minY && e.maxY <= g.maxY) return null;
    if (!this.cornersOk(c, e)) return bad();
    // remember a larger checked box where its own corners are places too
    const grown = growByExtent({ ...g }, e);
    c.good = isEmptyExtent(g) || this.cornersOk(c, grown) ? grown : g;
    return null;
  }
}
