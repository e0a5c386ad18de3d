import path from 'node:path';
import gdal from '../ingest/gdal.js';
import { OutputError, UsageError } from '../core/errors.js';
import type { FeatureBatch } from '../core/types.js';

/** A column of a vector output: its name and kind. */
export interface VectorColumn {
  name: string;
  type: 'real' | 'integer' | 'string';
}

/** The OGR driver for an output file by its extension: `.gpkg` (default), `.geojson`/`.json`, `.fgb`. */
export function vectorDriverOf(file: string): string {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.gpkg') return 'GPKG';
  if (ext === '.geojson' || ext === '.json') return 'GeoJSON';
  if (ext === '.fgb') return 'FlatGeobuf';
  throw new UsageError('output', `${file}: the output must be a .gpkg, .geojson or .fgb file`);
}

/**
 * The CRS an output is written in: the sources' one when they share a single CRS, else WGS84 lon/lat; GeoJSON
 * always in WGS84 lon/lat, as RFC 7946 has it (geojson-not-rfc-7946: Delft's went out in RD New with a `crs`
 * member most GeoJSON readers ignore).
 */
export function outputCrs(batch: FeatureBatch, driver = 'GPKG'): string {
  const crs = batch.frame.sourceCrs.filter((c) => c !== 'LOCAL');
  return crs.length === 1 && driver !== 'GeoJSON' ? crs[0] : 'EPSG:4326';
}

/** One polygon as flat x, y coordinates in the frame and ring starts (earcut-style, a final entry = vertex count). */
export interface VectorPolygon {
  coords: ArrayLike<number>;
  ringStarts: ArrayLike<number>;
}

/** A polygon as a GDAL geometry (same coordinates, rings closed). */
export function gdalPolygon(p: VectorPolygon): gdal.Polygon {
  const poly = new gdal.Polygon();
  for (let r = 0; r + 1 < p.ringStarts.length; r++) {
    const ring = new gdal.LinearRing();
    const v0 = p.ringStarts[r], v1 = p.ringStarts[r + 1];
    for (let v = v0; v < v1; v++) ring.points.add(p.coords[2 * v], p.coords[2 * v + 1]);
    ring.points.add(p.coords[2 * v0], p.coords[2 * v0 + 1]);
    poly.rings.add(ring);
  }
  return poly;
}

/** One output feature: its polygons (the frame's coordinates) and its values by column name. */
export interface VectorFeature {
  polygons: VectorPolygon[];
  values: Record<string, string | number | null>;
}

/**
 * The time a GeoPackage's tables say they last changed (`gpkg_contents.last_change`): `SOURCE_DATE_EPOCH`
 * (seconds) when set, as reproducible builds do, else 1970-01-01 — the run's own time made every file differ.
 */
const GPKG_DATE = new Date(1000 * (Number(process.env['SOURCE_DATE_EPOCH']) || 0)).toISOString();

/** A geometry as a MultiPolygon: a Polygon wrapped, a MultiPolygon as it is, a collection's polygons gathered. */
function asMultiPolygon(g: gdal.Geometry): gdal.MultiPolygon {
  if (g instanceof gdal.MultiPolygon) return g;
  const mp = new gdal.MultiPolygon();
  if (g instanceof gdal.Polygon) mp.children.add(g);
  else if (g instanceof gdal.GeometryCollection) for (const c of g.children) if (c instanceof gdal.Polygon) mp.children.add(c);
  return mp;
}

/**
 * Write features to a vector file's bytes (GeoPackage, GeoJSON or FlatGeobuf, by `driver`), their
 * geometries transformed from the frame (`frameProj`) to `crs`. Built in GDAL's memory file system;
 * the caller writes the bytes atomically. `credit` (who the data is by), when given, is the GeoPackage's
 * `ATTRIBUTION` metadata item (the other formats keep none).
 *
 * @example
 * ```ts
 * const bytes = writeVector(batch.frame.proj, columns, features, 'GPKG', 'EPSG:28992', 'buildings');
 * ```
 */
export function writeVector(frameProj: string, columns: VectorColumn[], features: Iterable<VectorFeature>, driver: string, crs: string, layerName: string, credit = ''): Uint8Array {
  const ext = driver === 'GPKG' ? 'gpkg' : driver === 'GeoJSON' ? 'geojson' : 'fgb';
  const vsi = `/vsimem/cityforge-vector-${process.pid}-${Math.random().toString(36).slice(2)}.${ext}`;
  const out = gdal.SpatialReference.fromUserInput(crs);
  const ct = new gdal.CoordinateTransformation(gdal.SpatialReference.fromProj4(frameProj), out);
  // (a GeoPackage records when its tables last changed: a fixed time, so that the same run gives the same bytes)
  const date = gdal.config.get('OGR_CURRENT_DATE');
  gdal.config.set('OGR_CURRENT_DATE', GPKG_DATE);
  try {
    const ds = gdal.drivers.get(driver).create(vsi);
    // (fgb-rows-reordered: FlatGeobuf's spatial index sorts the rows along a Hilbert curve, so a building's
    // parts no longer followed its outline row; without it the rows keep their order, as in the other formats.
    // geojson-layer-named-by-the-file: the layer's name is written, as GeoPackage and FlatGeobuf keep it)
    // (GeoJSON: RFC 7946, in WGS84 lon/lat to 9 decimals, 0.1 mm: at RFC 7946's default of 7, about 1 cm, a part's
    // outline with vertices a centimetre apart crossed itself once rounded (geojson-part-invalid-once-rounded);
    // see outputCrs)
    // the credit: a GeoPackage keeps it as the dataset's ATTRIBUTION metadata item, which cityforge reads back
    if (credit && driver === 'GPKG') ds.setMetadata({ ATTRIBUTION: credit });
    const layer = ds.layers.create(layerName, out, gdal.wkbMultiPolygon, driver === 'GeoJSON' ? ['RFC7946=YES', 'COORDINATE_PRECISION=9'] : driver === 'FlatGeobuf' ? ['SPATIAL_INDEX=NO'] : []);
    const kind = { real: gdal.OFTReal, integer: gdal.OFTInteger, string: gdal.OFTString };
    for (const c of columns) layer.fields.add(new gdal.FieldDefn(c.name, kind[c.type]));
    for (const f of features) {
      let mp = new gdal.MultiPolygon();
      for (const p of f.polygons) mp.children.add(gdalPolygon(p));
      // invalid-multipolygons-written: a feature's polygons that share an edge or overlap (each valid
      // alone) are no valid MultiPolygon; their union is
      if (f.polygons.length > 1 && !mp.isValid()) mp = asMultiPolygon(mp.unionCascaded());
      mp.transform(ct);
      const feat = new gdal.Feature(layer);
      for (const c of columns) {
        const v = f.values[c.name];
        if (v !== null && v !== undefined && !(typeof v === 'number' && !Number.isFinite(v))) feat.fields.set(c.name, v);
      }
      feat.setGeometry(mp);
      layer.features.add(feat);
    }
    ds.close();
    return new Uint8Array(gdal.vsimem.release(vsi));
  } catch (e) {
    try {
      gdal.vsimem.release(vsi);
    } catch {
      /* nothing was written */
    }
    throw new OutputError('output', `cannot write the ${driver} output (${(e as Error).message.trim()})`);
  } finally {
    gdal.config.set('OGR_CURRENT_DATE', date);
  }
}
