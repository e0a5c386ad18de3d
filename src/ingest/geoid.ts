import { InputError } from '../core/errors.js';
import gdal from './gdal.js';

/**
 * The EGM96 geoid's height above the WGS84 ellipsoid at (lon, lat), in metres: a point's height above the
 * ellipsoid is its height above sea level plus this (−32.3 m in San Francisco, +43.5 m in Delft). Through
 * PROJ and its `egm96_15.gtx` grid (Debian's `proj-data`, installed with GDAL).
 *
 * Throws an `InputError` when PROJ has no such grid (it would then leave the heights as they are).
 *
 * @example
 * ```ts
 * geoidHeight(-122.448, 37.766); // ≈ -32.28
 * ```
 */
export function geoidHeight(lon: number, lat: number): number {
  // (geoid-error-named-the-command: `plan` said "cityforge tiles:"; it is the ingest's frame, as every ingest error)
  const stage = 'ingest';
  let z: number;
  try {
    const ellipsoidal = gdal.SpatialReference.fromUserInput('EPSG:4979');
    const aboveSeaLevel = gdal.SpatialReference.fromUserInput('EPSG:4326+5773');
    // the ellipsoid's own surface there, as a height above sea level: minus the geoid's height
    z = new gdal.CoordinateTransformation(ellipsoidal, aboveSeaLevel).transformPoint(lon, lat, 0).z ?? NaN;
  } catch (e) {
    throw new InputError(stage, `--ellipsoidal-heights: PROJ cannot give the EGM96 geoid's height at ${lon.toFixed(4)}, ${lat.toFixed(4)} (${(e as Error).message})`, { cause: e });
  }
  // (without the grid PROJ falls back to no vertical shift at all: exactly 0, which no place on Earth has)
  if (!Number.isFinite(z) || z === 0)
    throw new InputError(stage, `--ellipsoidal-heights: PROJ has no EGM96 geoid grid (egm96_15.gtx; on Debian: apt-get install proj-data)`);
  return -z;
}
