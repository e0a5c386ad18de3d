import gdal, { areasOfUse, horizontalSrs, inAreaOfUse, linearUnit, transformPairs } from '../ingest/gdal.js';
import { UsageError } from '../core/errors.js';
import { NULL_LOGGER, type Logger } from '../core/logger.js';
import { Summary } from '../core/summary.js';
import type { FrameInfo } from '../core/types.js';
import { encodeCityJson } from '../export/cityjson.js';
import { buildMeshes, drawnRows } from '../procedural/index.js';
import { prepareCity } from './build.js';
import { creditOf } from './common.js';
import { CITYJSON_RUN_DEFAULTS, type CityJsonRunOptions } from './options.js';

/** The WGS 84 UTM zone's CRS of a place ('EPSG:32631' for Delft). */
function utmCrs(lon: number, lat: number): string {
  const zone = Math.min(60, Math.max(1, Math.floor((lon + 180) / 6) + 1));
  return `EPSG:${lat >= 0 ? 32600 + zone : 32700 + zone}`;
}

/** What {@link buildCityJson} returns. */
export interface CityJsonRunResult {
  bytes: Uint8Array;
  summary: Summary;
  /** The CRS it is written in. */
  crs: string;
}

/**
 * The CRS a city model is written in: `tSrs`, else the sources' one when they share a single projected
 * CRS in metres other than Web Mercator, else the UTM zone of the frame's origin (CityJSON wants metres in
 * x, y and z: a CRS in feet would hold x, y in feet and z in metres).
 */
export function cityJsonCrs(frame: FrameInfo, tSrs?: string, logger: Logger = NULL_LOGGER): string {
  if (tSrs) {
    let srs: gdal.SpatialReference;
    try {
      srs = gdal.SpatialReference.fromUserInput(tSrs);
    } catch {
      throw new UsageError('build', `--t-srs '${tSrs}' is not a CRS GDAL knows`);
    }
    if (!srs.isProjected()) throw new UsageError('build', `--t-srs '${tSrs}' is not a projected CRS; a city model needs metres in x and y (e.g. a UTM zone or a national grid)`);
    const code = srs.getAuthorityCode(null);
    // t-srs-outside-its-area: a national grid far from the data (Monaco in the Dutch RD) writes coordinates
    // no other tool places right; a CRS is refused more than a degree (about 100 km) outside its area of use
    const areas = areasOfUse(srs.getAuthorityName(null) ?? '', code ?? '');
    if (areas.length && !areas.some((a) => inAreaOfUse(a, frame.lon, frame.lat, 1))) {
      const a = areas[0];
      const deg = (v: number) => `${Math.round(v * 100) / 100}°`;
      throw new UsageError('build', `--t-srs ${tSrs} is for ${a.name} (lon ${deg(a.west)} to ${deg(a.east)}, lat ${deg(a.south)} to ${deg(a.north)}); the buildings are at lon ${deg(frame.lon)}, lat ${deg(frame.lat)}: choose a CRS for that place (its UTM zone: ${utmCrs(frame.lon, frame.lat)})`);
    }
    if (srs.getAuthorityCode(null) === '3857') logger.warn(`--t-srs ${tSrs}: Web Mercator's x and y are not metres on the ground (here ×${(1 / Math.cos((frame.lat * Math.PI) / 180)).toFixed(2)}), its z are; a UTM zone or a national grid keeps the buildings' proportions`);
    // feet-crs-mixed-units: x, y in the CRS's unit, z in metres
    else {
      const unit = linearUnit(srs);
      if (!unit.isMetre) logger.warn(`--t-srs ${tSrs}: its x and y are in ${unit.name}, the heights (z) in metres; other tools read such a city ${(1 / unit.metres).toFixed(2)} times too flat: a CRS in metres (a UTM zone, a national grid) keeps the buildings' proportions`);
    }
    return code && srs.getAuthorityName(null) === 'EPSG' ? `EPSG:${code}` : tSrs;
  }
  const crs = frame.sourceCrs.filter((c) => c !== 'LOCAL');
  let feet = '';
  if (crs.length === 1 && crs[0] !== 'EPSG:3857' && /^EPSG:\d+$/.test(crs[0])) {
    try {
      const srs = gdal.SpatialReference.fromUserInput(crs[0]);
      const unit = linearUnit(srs);
      if (srs.isProjected() && unit.isMetre) return crs[0];
      if (srs.isProjected()) feet = `${crs[0]} (the sources') is in ${unit.name}`;
    } catch {
      // not one GDAL knows: the UTM zone below
    }
  }
  const utm = utmCrs(frame.lon, frame.lat);
  // feet-crs-mixed-units: the sources' CRS in feet gave x, y in feet and z in metres
  if (feet) logger.info(`${feet}, the heights in metres: the city model is written in ${utm} (UTM), all in metres; --t-srs chooses another`);
  return utm;
}

/** Frame x, y pairs → `crs` x, y pairs. */
function projector(frame: FrameInfo, crs: string): (xy: Float64Array) => Float64Array {
  const from = gdal.SpatialReference.fromProj4(frame.proj);
  // (a compound CRS: x, y in its horizontal part, the heights as they are)
  const to = horizontalSrs(gdal.SpatialReference.fromUserInput(crs));
  const ct = new gdal.CoordinateTransformation(from, to);
  return (xy) => transformPairs(xy, from, ct);
}

/**
 * Build GIS footprints (or a city model) into CityJSON 2.0 or CityJSONSeq: ingest → procedural →
 * planar faces with semantics → CityJSON, in memory. A city model read in keeps its own surfaces.
 *
 * @example
 * ```ts
 * const { bytes, summary } = await buildCityJson(['monaco.osm.pbf'], { seq: true });
 * fs.writeFileSync('monaco.city.jsonl', bytes);
 * ```
 */
export async function buildCityJson(inputs: string[], options: Partial<CityJsonRunOptions> = {}): Promise<CityJsonRunResult> {
  const o: CityJsonRunOptions = { ...CITYJSON_RUN_DEFAULTS, ...options };
  const summary = new Summary(o.logger);
  o.logger = summary.logger;
  const t0 = performance.now();
  const { batch, ground, terrain } = await prepareCity(inputs, { ...o, imagery: undefined, groundMap: false, compress: false, facades: 'none' }, summary);
  const crs = cityJsonCrs(batch.frame, o.tSrs, o.logger);
  o.progress.update('building meshes', 0, batch.params.length);
  const mesh = buildMeshes(batch, { ground, facades: 'none' }, summary, o.logger);
  o.progress.done();
  const t1 = performance.now();
  const r = encodeCityJson({ ...batch, params: drawnRows(batch.params, mesh.tops!) }, mesh, { project: projector(batch.frame, crs), crs, seq: o.seq, scale: o.precision, attribution: creditOf(o, summary) || undefined, terrain });
  summary.time('encode', (performance.now() - t1) / 1000);
  // (the terrain's skirts are the GLB's, not written here)
  if (terrain) summary.triangles -= terrain.indices.length / 3 - r.terrainTriangles;
  // city-json-heights-unsaid: where the buildings stand
  // (a city model read in keeps its own heights: only buildings made from footprints stand at z = 0)
  const drawn = batch.params.filter((p) => p.drawAs >= 0).length;
  const made = batch.params.filter((p, f) => p.drawAs >= 0 && !batch.surfaces?.[f]).length;
  const stand = terrain ? `, standing on the terrain, written as a TINRelief of ${r.terrainTriangles} triangles` : o.terrain || !made ? '' : `; no --terrain: ${made === drawn ? 'every building stands' : `the ${made} built from footprints stand`} at z = 0 (--terrain <DEM> seats them on the ground)`;
  o.logger.info(`CityJSON in ${crs}: ${r.buildings} buildings, ${r.parts} parts; ${r.solids} closed solids${stand}`);
  // (counts-went-negative: the parts a split solid makes are city objects written too)
  summary.buildingsWritten = r.buildings + r.parts;
  summary.partsWritten = r.parts;
  summary.bytes = r.bytes.byteLength;
  summary.time('total', (performance.now() - t0) / 1000);
  return { bytes: r.bytes, summary, crs };
}
