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
