// (first: it makes gdal-async's start-up requires cheap; see there)
import './gdal-preload.js';
import gdal from 'gdal-async';
import fs from 'node:fs';

/**
 * gdal-async, configured once for cityforge before any CRS is made: coordinates in the traditional
 * GIS order (x = easting / longitude, y = northing / latitude) for every CRS, whatever its
 * authority's axis order. Every module of ingest imports GDAL from here.
 */
gdal.config.set('OSR_DEFAULT_AXIS_MAPPING_STRATEGY', 'TRADITIONAL_GIS_ORDER');

export default gdal;

/**
 * x, y pairs (in `from`) through a coordinate transformation: one GDAL call for all of them, as one
 * line string, not one per point. Throws when GDAL cannot transform them.
 *
 * @example
 * ```ts
 * const out = transformPairs(Float64Array.of(85000, 447000), rd, toFrame); // [x, y] in the frame
 * ```
 */
export function transformPairs(xy: Float64Array, from: gdal.SpatialReference, ct: gdal.CoordinateTransformation): Float64Array {
  const n = xy.length / 2;
  if (n === 0) return new Float64Array(0);
  // a line string's WKB whose coordinates start 8-byte aligned (a 7-byte pad before its header), so
  // that they are copied in and out as one Float64Array (WKB is little-endian, as is every platform Node runs on)
  const mem = new ArrayBuffer(16 + 16 * n);
  const head = new DataView(mem, 7, 9);
  head.setUint8(0, 1);
  head.setUint32(1, 2, true);
  head.setUint32(5, n, true);
  new Float64Array(mem, 16, 2 * n).set(xy);
  const g = gdal.Geometry.fromWKB(Buffer.from(mem, 7), from);
  g.transform(ct);
  const b = g.toWKB('LSB');
  const out = new Float64Array(2 * n);
  new Uint8Array(out.buffer).set(b.subarray(9, 9 + 16 * n));
  return out;
}

/**
 * A CRS's unit of x and y: its name ('metre', 'US survey foot'), metres per unit, and whether that is
 * the metre (where not: CityJSON's z in metres, a DEM's heights, a cell size, differ from x and y).
 */
export function linearUnit(srs: gdal.SpatialReference): { name: string; metres: number; isMetre: boolean } {
  const u = srs.getLinearUnits();
  return { name: u.units, metres: u.value, isMetre: Math.abs(u.value - 1) < 1e-9 };
}

/**
 * The horizontal part of a compound CRS (EPSG:7415 → EPSG:28992), to transform x, y with while the
 * heights stay as they are; any other CRS as it is.
 */
export function horizontalSrs(srs: gdal.SpatialReference): gdal.SpatialReference {
  const code = srs.getAuthorityCode('PROJCS') ?? srs.getAuthorityCode('GEOGCS');
  const auth = srs.getAuthorityName('PROJCS') ?? srs.getAuthorityName('GEOGCS');
  return code && auth === 'EPSG' && code !== srs.getAuthorityCode(null) ? gdal.SpatialReference.fromEPSG(Number(code)) : srs;
}

/**
 * A VRT of `src` (`gdal.translate` to `-of VRT` with `args`, written at `path`, a /vsimem name) that
 * opens its source itself. The VRT `gdal.translate` returns references `src`'s own GDAL handle; a worker
 * thread stopped while both were open (Ctrl-C during `--ground-map` or `--imagery`) had gdal-async close
 * `src` first and then the VRT, which flushed into the freed source: a segmentation fault instead of
 * exit 130/143. Reopened from its file, the VRT holds a handle of its own, and any closing order is safe.
 */
export function vrtOf(path: string, src: gdal.Dataset, args: string[]): gdal.Dataset {
  gdal.translate(path, src, ['-of', 'VRT', ...args]).close();
  return gdal.open(path);
}

/** Where a CRS is meant to be used (PROJ's database): its name and its box in degrees. */
export interface AreaOfUse {
  name: string;
  west: number;
  south: number;
  east: number;
  north: number;
}

/** PROJ's database: where PROJ_DATA (or PROJ_LIB) says, else where Debian and a source build put it. */
function projDb(): string | null {
  const dirs = [gdal.config.get('PROJ_DATA'), gdal.config.get('PROJ_LIB'), process.env['PROJ_DATA'], process.env['PROJ_LIB'], '/usr/share/proj', '/usr/local/share/proj'];
  for (const d of dirs) for (const dir of (d ?? '').split(/[:;]/)) if (dir && fs.existsSync(`${dir}/proj.db`)) return `${dir}/proj.db`;
  return null;
}

/**
 * The areas of use of an EPSG CRS (a CRS may have several), read from PROJ's database; empty when the
 * CRS has no EPSG code or the database cannot be read.
 *
 * @example
 * ```ts
 * areasOfUse('EPSG', '28992'); // [{ name: 'Netherlands - onshore', west: 3.2, south: 50.75, east: 7.22, north: 53.7 }]
 * ```
 */
export function areasOfUse(authority: string, code: string): AreaOfUse[] {
  if (authority !== 'EPSG' || !/^\d+$/.test(code)) return [];
  const db = projDb();
  if (!db) return [];
  let ds: gdal.Dataset | null = null;
  try {
    ds = gdal.open(db, 'r', ['SQLite']);
    const rows = ds.executeSQL(
      `SELECT e.name AS name, e.west_lon AS west, e.south_lat AS south, e.east_lon AS east, e.north_lat AS north FROM usage u JOIN extent e ON u.extent_auth_name = e.auth_name AND u.extent_code = e.code WHERE u.object_table_name IN ('projected_crs', 'geodetic_crs', 'compound_crs') AND u.object_auth_name = 'EPSG' AND u.object_code = '${code}'`,
    );
    return rows.features.map((f) => {
      const o = f.fields.toObject() as Record<string, unknown>;
      return { name: String(o['name']), west: Number(o['west']), south: Number(o['south']), east: Number(o['east']), north: Number(o['north']) };
    });
  } catch {
    return [];
  } finally {
    ds?.close();
  }
}

/** Whether lon/lat lies in an area of use grown by `margin` degrees (an area across the antimeridian has west > east). */
export function inAreaOfUse(a: AreaOfUse, lon: number, lat: number, margin = 0): boolean {
  if (lat < a.south - margin || lat > a.north + margin) return false;
  const w = a.west - margin, e = a.east + margin;
  return a.west <= a.east ? lon >= w && lon <= e : lon >= w || lon <= e;
}
