import fs from 'node:fs';
import gdal from 'gdal-async';

/** The rows of a vector file's first layer (GDAL reads it), by the value of `key`. */
export function rowsBy<T>(file: string, key = 'ref'): Map<string, T> {
  const ds = gdal.open(file);
  const out = new Map<string, T>();
  for (const f of ds.layers.get(0).features) {
    const r = f.fields.toObject() as Record<string, unknown>;
    out.set(String(r[key]), r as T);
  }
  ds.close();
  return out;
}

/**
 * Write footprints as a GeoJSON FeatureCollection in the Dutch RD New CRS (EPSG:28992, named by a `crs`
 * member): each ring with its tags and a `ref` of `prefix` + its index. Returns the file.
 */
export function writeRdFootprints(file: string, features: { ring: number[][]; tags: Record<string, unknown> }[], prefix = 'w'): string {
  fs.writeFileSync(file, JSON.stringify({
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::28992' } },
    features: features.map((b, i) => ({ type: 'Feature', properties: { ref: `${prefix}${i}`, ...b.tags }, geometry: { type: 'Polygon', coordinates: [b.ring] } })),
  }));
  return file;
}
