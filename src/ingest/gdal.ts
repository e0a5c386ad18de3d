import gdal from 'gdal-async';

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
  const wkb = Buffer.alloc(9 + 16 * n);
  wkb.writeUInt8(1, 0);
  wkb.writeUInt32LE(2, 1);
  wkb.writeUInt32LE(n, 5);
  for (let i = 0; i < 2 * n; i++) wkb.writeDoubleLE(xy[i], 9 + 8 * i);
  const g = gdal.Geometry.fromWKB(wkb, from);
  g.transform(ct);
  const b = g.toWKB('LSB');
  const out = new Float64Array(2 * n);
  for (let i = 0; i < 2 * n; i++) out[i] = b.readDoubleLE(9 + 8 * i);
  return out;
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
