import gdal from './gdal.js';
import { UsageError } from '../core/errors.js';
import type { TagValue } from './tags.js';

/**
 * Attribute filters and the default "buildings only" selection, the same for every source.
 */

const KEYWORDS = new Set(['and', 'or', 'not', 'is', 'null', 'like', 'ilike', 'in', 'between', 'true', 'false', 'cast', 'as', 'escape', 'integer', 'real', 'string', 'character', 'float', 'numeric', 'date', 'time', 'timestamp', 'boolean', 'smallint', 'bigint']);

/**
 * The field names an OGR SQL `WHERE` clause refers to: quoted identifiers and bare words that are
 * neither keywords, numbers nor function names; string literals skipped.
 *
 * @example
 * ```ts
 * referencedFields(`height > 20 AND "building:levels" IS NOT NULL`); // ['height', 'building:levels']
 * ```
 */
export function referencedFields(where: string): string[] {
  const out = new Set<string>();
  const re = /'(?:[^']|'')*'|"((?:[^"]|"")*)"|([A-Za-z_][A-Za-z0-9_]*)(\s*\()?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(where))) {
    if (m[1] !== undefined) out.add(m[1].replace(/""/g, '"'));
    else if (m[2] !== undefined && !m[3] && !KEYWORDS.has(m[2].toLowerCase())) out.add(m[2]);
  }
  return [...out];
}

/**
 * Apply `where` to a layer whose schema may lack fields the clause names (vector tiles: each tile has
 * its own schema). Where it does, the layer's features are copied into a memory layer with the missing
 * fields added, null — so a field missing from one tile is null there, as in any other source — and
 * the filter applies to the copy. Returns the layer to read (the given one, or the copy); a clause
 * that is wrong for every schema throws a {@link UsageError} naming `label` (a wrong option: exit 2).
 */
export function filteredLayer(layer: gdal.Layer, where: string, label: string): gdal.Layer {
  try {
    layer.setAttributeFilter(where);
    return layer;
  } catch (e) {
    const have = new Set(layer.fields.getNames());
    const missing = referencedFields(where).filter((f) => !have.has(f));
    // (where-exit-code-by-format: a bad clause is a wrong option, exit 2, whatever reads the layer)
    const bad = () => new UsageError('ingest', `${label}: bad --where '${where}' (${whereProblem(e, layer.fields.getNames())})`);
    if (!missing.length) throw bad();
    // the missing fields' types are unknown: the first that makes the clause valid
    for (const type of [gdal.OFTString, gdal.OFTReal, gdal.OFTInteger]) {
      const copy = copyWithFields(layer, missing, type);
      try {
        copy.setAttributeFilter(where);
        return copy;
      } catch {
        // try the next type
      }
    }
    throw bad();
  }
}

/** A memory copy of a layer (its features and fields) with null fields `extra` added. */
function copyWithFields(layer: gdal.Layer, extra: string[], type: string): gdal.Layer {
  const ds = gdal.drivers.get('Memory').create('');
  const out = ds.layers.create(layer.name, layer.srs, layer.geomType);
  layer.fields.forEach((f) => out.fields.add(new gdal.FieldDefn(f.name, f.type)));
  for (const name of extra) out.fields.add(new gdal.FieldDefn(name, type));
  for (let f = layer.features.first(); f; f = layer.features.next()) {
    const g = new gdal.Feature(out);
    g.fields.set(f.fields.toObject());
    const geom = f.getGeometry();
    if (geom) g.setGeometry(geom);
    out.features.add(g);
  }
  // keep the memory dataset alive as long as the layer
  (out as unknown as { _keep: gdal.Dataset })._keep = ds;
  return out;
}

/**
 * What GDAL says is wrong with an attribute filter: its last error message ("Type mismatch or improper
 * type of arguments to > operator", "\"x\" not recognised as an available field") where the thrown
 * error has only OGR's code name ("Corrupt Data"), with the layer's fields named when one is unknown
 * and the way out of a type mismatch.
 */
export function whereProblem(e: unknown, fields: string[]): string {
  const thrown = (e as Error).message.trim();
  const last = (gdal.lastError as { message?: string } | null)?.message?.trim();
  let why = last && thrown === 'Corrupt Data' ? last.replace(/\.$/, '') : thrown;
  if (/not recognised as an available field/.test(why)) why += `; the fields are: ${fields.join(', ') || 'none'}`;
  else if (/type mismatch/i.test(why)) why += '; a field of text compares with text (\'…\'), or CAST(field AS REAL) > 20';
  return why;
}

const isYes = (v: TagValue) => v !== null && v !== undefined && v !== '' && v !== 'no' && v !== false;

/**
 * Whether a layer holds every OSM tag rather than buildings only (OSM-QA tiles, an Overpass export):
 * it has a `building` or `building:part` field. Such a layer is read for its buildings only, unless a
 * `--where` says otherwise.
 */
export function hasBuildingKeys(fieldNames: Iterable<string>): boolean {
  for (const n of fieldNames) if (n === 'building' || n === 'building:part') return true;
  return false;
}

/**
 * Fields only OSM data carries: GDAL's OSM layers and ogr2ogr exports of them (`osm_id`, `osm_way_id`,
 * `other_tags`), Overpass and osmtogeojson output (`@id`, `osm_type`). A `building` column alone is no
 * sign of OSM: most building layers have one (building-column-dropped-the-attributes).
 */
export function hasOsmKeys(fieldNames: Iterable<string>): boolean {
  for (const n of fieldNames) if (OSM_ONLY_KEYS.has(n)) return true;
  return false;
}
const OSM_ONLY_KEYS = new Set(['osm_id', 'osm_way_id', 'other_tags', '@id', 'osm_type']);

/** Whether a feature of such a layer is a building or a building part (`building=*` / `building:part=*`, not `no`). */
export function isBuildingFeature(tags: Record<string, TagValue>): boolean {
  return isYes(tags['building']) || isYes(tags['building:part']);
}
