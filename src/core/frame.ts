import { Ellipsoid } from '@math.gl/geospatial';
import type { FrameInfo } from './types.js';

/**
 * The PROJ string of the local frame's horizontal CRS: an ellipsoidal orthographic projection centred
 * on (lon, lat). Its x/y are the east/north coordinates of a point's orthogonal projection on the
 * tangent plane, i.e. exactly the ENU x/y used by 3D Tiles and glTF consumers.
 *
 * It is defined on the WGS84 *datum* (`+datum=WGS84`), not merely its ellipsoid: with `+ellps` alone
 * the CRS has an unknown datum and PROJ skips the datum transformation from every source on another
 * datum (RD New landed ~110 m off, CH1903+ ~160 m, Tokyo ~460 m).
 */
export function frameProj(lon: number, lat: number): string {
  return `+proj=ortho +lat_0=${lat} +lon_0=${lon} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs +type=crs`;
}

/**
 * Build the frame record for an origin.
 * @param lon origin longitude (degrees)
 * @param lat origin latitude (degrees)
 * @param height origin ellipsoidal height (metres)
 * @param sourceCrs the CRSs of the inputs, for the record
 */
export function makeFrame(lon: number, lat: number, height: number, sourceCrs: string[]): FrameInfo {
  const origin = Ellipsoid.WGS84.cartographicToCartesian([lon, lat, height], [0, 0, 0]);
  const m = Ellipsoid.WGS84.eastNorthUpToFixedFrame(origin);
  return {
    lon,
    lat,
    height,
    proj: frameProj(lon, lat),
    enuToEcef: Array.from(m as ArrayLike<number>),
    sourceCrs: [...sourceCrs].sort(),
  };
}

/** Transform a local-frame point (x east, y north, z up) to ECEF with the frame's matrix. */
export function enuToEcef(frame: FrameInfo, x: number, y: number, z: number): [number, number, number] {
  const m = frame.enuToEcef;
  return [
    m[0] * x + m[4] * y + m[8] * z + m[12],
    m[1] * x + m[5] * y + m[9] * z + m[13],
    m[2] * x + m[6] * y + m[10] * z + m[14],
  ];
}
