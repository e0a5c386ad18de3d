import gdal from '../ingest/gdal.js';
import { OutputError } from '../core/errors.js';

/** A raster to write: nx × ny cells of `cell` metres, row 0 the south edge, in `crs` (EPSG code, WKT or PROJ). */
export interface RasterOut {
  x0: number;
  y0: number;
  cell: number;
  nx: number;
  ny: number;
  crs: string;
  /** One array per band (nx × ny, south row first). */
  bands: (Float32Array | Int32Array)[];
  /** Band descriptions. */
  names?: string[];
  /** Value written where a Float32 band is NaN. */
  noData?: number;
}

/**
 * A GeoTIFF's bytes (Deflate, tiled), built in GDAL's memory file system; the caller writes them
 * atomically. Float32 bands' NaN become `noData` (−9999 by default).
 *
 * @example
 * ```ts
 * const bytes = writeGeoTiff({ x0, y0, cell: 0.5, nx, ny, crs: 'EPSG:28992', bands: [heights] });
 * ```
 */
export function writeGeoTiff(r: RasterOut): Uint8Array {
  const vsi = `/vsimem/cityforge-raster-${process.pid}-${Math.random().toString(36).slice(2)}.tif`;
  const float = r.bands[0] instanceof Float32Array;
  const noData = r.noData ?? -9999;
  try {
    const ds = gdal.drivers.get('GTiff').create(vsi, r.nx, r.ny, r.bands.length, float ? gdal.GDT_Float32 : gdal.GDT_Int32, ['COMPRESS=DEFLATE', 'TILED=YES', float ? 'PREDICTOR=3' : 'PREDICTOR=2']);
    ds.srs = gdal.SpatialReference.fromUserInput(r.crs);
    ds.geoTransform = [r.x0, r.cell, 0, r.y0 + r.ny * r.cell, 0, -r.cell];
    r.bands.forEach((values, b) => {
      const band = ds.bands.get(b + 1);
      if (float) band.noDataValue = noData;
      if (r.names?.[b]) band.setMetadata({ DESCRIPTION: r.names[b] });
      // GDAL rows run north → south
      const rows = float ? new Float32Array(r.nx * r.ny) : new Int32Array(r.nx * r.ny);
      for (let j = 0; j < r.ny; j++)
        for (let i = 0; i < r.nx; i++) {
          const v = values[j * r.nx + i];
          rows[(r.ny - 1 - j) * r.nx + i] = float && !Number.isFinite(v) ? noData : v;
        }
      band.pixels.write(0, 0, r.nx, r.ny, rows);
    });
    ds.close();
    return new Uint8Array(gdal.vsimem.release(vsi));
  } catch (e) {
    try {
      gdal.vsimem.release(vsi);
    } catch {
      /* nothing was written */
    }
    throw new OutputError('output', `cannot write the GeoTIFF (${(e as Error).message.trim()})`);
  }
}
