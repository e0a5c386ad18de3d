/**
 * The find index of a tileset: buildings by id and by name, in 256 bucket files (`find/<hh>.json`, a
 * bucket a JSON object from each key to its buildings), so a viewer fetches one small file to find a
 * building in a city of millions without a table of every building. Keys are ids and names, trimmed,
 * lower-cased, accents dropped ({@link findKey}); a key's bucket is the low byte of its FNV-1a hash (UTF-16 code units).
 */

/**
 * One building a key finds: its id, the leaf tile holding it, the centre of its top in the frame (east, north, up;
 * metres), then its height and the diagonal of its box (metres; absent from indexes written before).
 */
export type FindEntry = [id: string, tile: string, x: number, y: number, z: number, height?: number, size?: number];

/**
 * The source attributes that are a building's own reference, found like its id (find-by-ref): `ref`,
 * `gml_id`, `osm_id`, `identificatie`, `uuid`, and names ending so (`bag:ref`, `building_id`); not `id` itself.
 */
export const REFERENCE_ATTRIBUTE = /(^|[_:])(ref|id|gml_id|identificatie|uuid)$/i;

/**
 * The form of an id or a name that finds it: trimmed, lower case, its accents dropped (find-needed-the-accents:
 * "hotel de paris" finds "Hôtel de Paris").
 */
export function findKey(s: string): string {
  return s.trim().normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC').toLowerCase();
}

/** The key of the indexes written before accents were dropped (trimmed, NFC, lower case): a viewer tries it second. */
export function findKeyWithAccents(s: string): string {
  return s.trim().normalize('NFC').toLowerCase();
}

/**
 * The bucket of a key: two hex digits.
 *
 * @example
 * ```ts
 * findBucket(findKey('W94399444')); // e.g. '3f': the entries are in find/3f.json
 * ```
 */
export function findBucket(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h & 0xff).toString(16).padStart(2, '0');
}
