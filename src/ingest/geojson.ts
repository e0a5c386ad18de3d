import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import gdal from './gdal.js';
import { InputError } from '../core/errors.js';
import { OTHER_TAGS_CUT, osmIdOf, unpackOtherTags, type ReadContext } from './raw.js';
import type { TagValue } from './tags.js';
import { isFile, type Source, type SourceBox, type SourceFeature, type SourceFormat, type SourceOptions } from './source.js';
import { OGR_FORMAT, GEOMETRY_REASONS, crsName, decodedFeature, layerSrs } from './ogr.js';
import { hasBuildingKeys, hasOsmKeys, isBuildingFeature } from './where.js';
import { OSM_ATTRIBUTION } from './options.js';
import type { FlatPolygons } from './wkb.js';
import { surelyValid } from './simple-polygons.js';
import { geoJsonSeqTexts, seqLinesHolding } from './integrity.js';
import { emptyExtent, growByExtent, extentOf, isEmptyExtent, type Extent } from '../core/extent.js';
import { counted } from '../core/words.js';

/**
 * A FeatureCollection larger than this (bytes) is left to GDAL's streaming GeoJSON reader: this
 * reader parses a whole document at once.
 */
export const GEOJSON_MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

/**
 * The warning for text that is not UTF-8 (GeoJSON must be, RFC 7946 and 8142): read as ISO-8859-1, as the
 * Shapefile reader reads a .dbf without a .cpg (the same warning kind).
 */
const LATIN1 = ['attributes:read-as-latin1', 'its text is not UTF-8, as GeoJSON must be: read as ISO-8859-1 (Latin-1); convert it to UTF-8 (iconv -f latin1 -t utf-8) if it is another encoding'] as const;

const SEQ = /\.(geojsons|geojsonl|geojsonseq|jsonl|ndjson)$/i;
const DOC = /\.(geojson|json)$/i;

interface GeoJsonGeometry {
  type?: unknown;
  coordinates?: unknown;
  geometries?: unknown;
}
interface GeoJsonFeature {
  type?: unknown;
  id?: unknown;
  properties?: unknown;
  geometry?: GeoJsonGeometry | null;
}

/** What a GeoJSON geometry is as flat polygons, or why it is none. */
function polygonsOf(g: GeoJsonGeometry | null | undefined): (FlatPolygons & { unclosed: number }) | 'geometry:empty' | 'geometry:not-polygonal' | 'geometry:unreadable' | 'geometry:out-of-range' {
  if (!g) return 'geometry:empty';
  const coords: number[] = [];
  const ringOffsets = [0];
  const polygonOffsets = [0];
  let bad = false, infinite = false;
  let other = false;
  let unclosed = 0;
  const polygon = (rings: unknown) => {
    if (!Array.isArray(rings)) return void (bad = true);
    if (rings.length === 0) return;
    for (const ring of rings) {
      if (!Array.isArray(ring)) return void (bad = true);
      const first = coords.length;
      for (const p of ring) {
        if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'number') return void (bad = true);
        // (infinite-said-invalid: 1e999 is read as Infinity, and GEOS called the polygon invalid)
        if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) return void (infinite = true);
        coords.push(p[0], p[1]);
      }
      // ring-not-closed: GeoJSON's rings end where they start; one that does not is closed (and counted)
      const last = coords.length - 2;
      if (last > first + 2 && (coords[last] !== coords[first] || coords[last + 1] !== coords[first + 1])) {
        coords.push(coords[first], coords[first + 1]);
        unclosed++;
      }
      ringOffsets.push(coords.length / 2);
    }
    polygonOffsets.push(ringOffsets.length - 1);
  };
  const visit = (g: GeoJsonGeometry, depth: number) => {
    if (!g || typeof g !== 'object' || depth > 8) return void (bad = true);
    if (g.type === 'Polygon') polygon(g.coordinates);
    else if (g.type === 'MultiPolygon') {
      if (!Array.isArray(g.coordinates)) return void (bad = true);
      for (const p of g.coordinates) polygon(p);
    } else if (g.type === 'GeometryCollection') {
      if (!Array.isArray(g.geometries)) return void (bad = true);
      for (const c of g.geometries) visit(c as GeoJsonGeometry, depth + 1);
    } else if (['Point', 'MultiPoint', 'LineString', 'MultiLineString'].includes(g.type as string)) other = true;
    else bad = true;
  };
  visit(g, 0);
  if (bad) return 'geometry:unreadable';
  if (infinite) return 'geometry:out-of-range';
  if (polygonOffsets.length === 1) return other ? 'geometry:not-polygonal' : 'geometry:empty';
  return { coords: Float64Array.from(coords), ringOffsets, polygonOffsets, unclosed };
}

/** A property value as a tag: strings, numbers and booleans as they are; objects and arrays as JSON text. */
const tagOf = (v: unknown): TagValue => (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : v === undefined ? undefined : JSON.stringify(v));

/** Whether the text names `building` or `building:part` as a key (an OSM-tagged layer: only its buildings are read). */
const BUILDING_KEY = /(?<!\\)"building(?::part)?"\s*:/;

/** The bytes every line naming `building` as a key holds (in UTF-8 and Latin-1 alike): lines without them are not decoded. */
const BUILDING_BYTES = Buffer.from('"building', 'latin1');

/** A key only OSM data has ({@link hasOsmKeys}) or an OSM id, in a line of a sequence. */
const OSM_KEY = /(?<!\\)"(?:osm_id|osm_way_id|other_tags|@id|osm_type)"\s*:|"id"\s*:\s*"(?:node|way|relation)\/\d+"/;

/** Lines of a sequence read for signs of OSM data. */
const OSM_LINES = 1000;

/** An OSM id as osmtogeojson and Overpass write a feature's id. */
const OSM_ID = /^(?:node|way|relation)\/\d+$/;

/**
 * GeoJSON and GeoJSONSeq read straight into flat arrays, without GDAL's feature-by-feature reading:
 * parsed with `JSON.parse`, geometry written as WKB, valid polygons recognised by
 * {@link surelyValid} (the rest checked and repaired by GEOS, as the GDAL reader does). Ids, layer
 * name, CRS and the OSM-tagged-layer rule are GDAL's; values are kept as they are (booleans stay
 * booleans, dates stay text). Anything else — a `--where`, a `--layer` other than its own, a document with a `crs`
 * member, TopoJSON or Esri JSON, a document over {@link GEOJSON_MAX_DOCUMENT_BYTES} — is read by GDAL.
 */
class GeoJsonSource implements Source {
  readonly inputs: string[];
  private readonly seq: boolean;
  private ogr: Source | null = null;
  private doc: { features: GeoJsonFeature[]; name: string } | null = null;

  constructor(
    readonly label: string,
    private readonly options: SourceOptions,
  ) {
    this.inputs = [label];
    this.seq = SEQ.test(label);
    if (options.where) this.ogr = OGR_FORMAT.open([label], options);
  }

  attributions(): string[] {
    return this.ogr ? this.ogr.attributions() : this.osmData ? [OSM_ATTRIBUTION] : [];
  }

  /** The features carry fields only OSM data has ({@link hasOsmKeys}), or OSM ids (`way/123`): set by a read. */
  private osmData = false;

  /** Whether the document's bytes are not UTF-8 (read as Latin-1). */
  private latin1 = false;

  /** Why the document is not JSON, when it is not (GDAL is given it, and may read it; if it cannot, this says why). */
  private parseError: string | null = null;

  /** What GDAL's failure to open a document that is not JSON says: the parser's reason, where it stopped. */
  private notJson(e: unknown): unknown {
    if (this.parseError === null || !(e instanceof InputError) || !/cannot open as a vector source/.test(e.message)) return e;
    return new InputError('ingest', `${this.label}: not valid JSON (${this.parseError})`);
  }

  /** The document (not a sequence), parsed once; null (and GDAL reads it) when this reader does not take it. */
  private document(): { features: GeoJsonFeature[]; name: string } | null {
    if (this.doc) return this.doc;
    let size = 0;
    try {
      size = fs.statSync(this.label).size;
    } catch (e) {
      throw new InputError('ingest', `${this.label}: cannot be read (${(e as Error).message})`);
    }
    if (size > GEOJSON_MAX_DOCUMENT_BYTES) return null;
    let o: unknown;
    // (not-utf8-replaced-unsaid: GeoJSON is UTF-8; a document that is not, is read as Latin-1 and said to be)
    const bytes = fs.readFileSync(this.label);
    this.latin1 = !isUtf8(bytes);
    const text = bytes.toString(this.latin1 ? 'latin1' : 'utf8').replace(/^\uFEFF/, '');
    try {
      o = JSON.parse(text);
    } catch (e) {
      // geojson-cut-short-said-failed-to-read: a document cut short (a download, a copy) read as GDAL's "Failed
      // to read GeoJSON data", not where or why; the parser stopping at its very end says it
      const message = (e as Error).message;
      const at = /at position (\d+)/.exec(message);
      if (/end of JSON input/.test(message) || (at && Number(at[1]) >= text.trimEnd().length)) throw new InputError('ingest', `${this.label}: cut short: its JSON ends before the document does (after ${text.length.toLocaleString('en-US')} characters: a download or copy that did not finish?)`);
      this.parseError = message;
      return null; // GDAL says what is wrong with it, or reads what it is
    }
    const d = o as { type?: unknown; features?: unknown; crs?: unknown; name?: unknown } | null;
    if (!d || typeof d !== 'object' || d.crs !== undefined) return null;
    const base = path.basename(this.label).replace(/\.[^.]*$/, '');
    if (d.type === 'FeatureCollection' && Array.isArray(d.features)) return (this.doc = { features: d.features as GeoJsonFeature[], name: typeof d.name === 'string' && d.name ? d.name : base });
    if (d.type === 'Feature') return (this.doc = { features: [d as GeoJsonFeature], name: base });
    return null;
  }

  /** Whether GDAL reads this input instead (decided once, by a look at it). */
  private delegated(): Source | null {
    if (this.ogr) return this.ogr;
    if (this.seq ? !this.seqLooksLikeFeatures() : !this.document()) this.ogr = OGR_FORMAT.open([this.label], this.options);
    // (--layer naming its one layer reads as without; any other name: GDAL says which layers there are)
    else if (this.options.layers?.length && !(this.options.layers.length === 1 && this.options.layers[0] === this.layerName())) this.ogr = OGR_FORMAT.open([this.label], this.options);
    return this.ogr;
  }

  /** Whether a sequence's first text is a GeoJSON feature without a `crs` member. */
  private seqLooksLikeFeatures(): boolean {
    let first: unknown = null;
    for (const { text } of this.lines()) {
      try {
        first = JSON.parse(text);
      } catch {
        return false;
      }
      break;
    }
    const f = first as { type?: unknown; crs?: unknown } | null;
    return !!f && (f.type === 'Feature' || f.type === 'FeatureCollection') && f.crs === undefined;
  }

  /** A sequence's non-empty texts (RS or newline delimited), streamed, with their line numbers. */
  private lines(): Generator<{ line: number; text: string; unterminated?: boolean; latin1?: boolean }> {
    return geoJsonSeqTexts(this.label);
  }

  /**
   * Whether any feature names `building` or `building:part`, and whether any is OSM data (fields only
   * OSM data has, or an OSM id: `way/123`); a sequence by a scan of its text.
   */
  private keysSeen(): { building: boolean; osm: boolean } {
    if (!this.seq) {
      const keys = new Set<string>();
      let osmId = false;
      for (const f of this.doc?.features ?? []) {
        if (f && typeof f.properties === 'object' && f.properties) for (const k of Object.keys(f.properties)) keys.add(k);
        if (f && typeof f.id === 'string' && OSM_ID.test(f.id)) osmId = true;
      }
      return { building: hasBuildingKeys(keys), osm: osmId || hasOsmKeys(keys) };
    }
    // (OSM data says so on every feature: its first lines tell, and a large sequence is not read to its end for it)
    // (seq-scanned-twice-as-text: every line of the file was decoded and searched before the read parsed them
    // again; now the file's bytes are searched, and only lines holding `"building` and the first OSM_LINES decoded)
    let building = false, osm = false, n = 0;
    for (const text of seqLinesHolding(this.label, BUILDING_BYTES)) if ((building = BUILDING_KEY.test(text))) break;
    for (const { text } of this.lines()) if ((osm = OSM_KEY.test(text)) || ++n >= OSM_LINES) break;
    return { building, osm };
  }

  /** The features as parsed objects, with where they are (a sequence's line). */
  private *features(ctx: ReadContext): Generator<{ f: GeoJsonFeature; at: string }> {
    if (!this.seq) {
      if (this.latin1) ctx.warn(LATIN1[0], `${this.label}: ${LATIN1[1]}`);
      for (const f of this.doc?.features ?? []) yield { f, at: '' };
      return;
    }
    let latin1 = 0;
    for (const { line, text, unterminated, latin1: notUtf8 } of this.lines()) {
      if (notUtf8 && latin1++ === 0) ctx.warn(LATIN1[0], `${this.label} line ${line} (and any other such line): ${LATIN1[1]}`);
      let o: unknown;
      try {
        o = JSON.parse(text);
      } catch (e) {
        // seq-cut-short-went-unnoticed: a last line that is no whole feature and has no end of line is
        // a file cut short (a download, a copy): stop, as for any damaged file
        if (unterminated) throw new InputError('ingest', `${this.label} line ${line}: cut short (its last line is not a whole GeoJSON text and has no end of line: ${(e as Error).message})`);
        ctx.tick();
        ctx.skip('feature:unreadable', `${this.label} line ${line}: not JSON (${(e as Error).message})`);
        continue;
      }
      const d = o as { type?: unknown; features?: unknown } | null;
      if (d?.type === 'Feature') yield { f: d as GeoJsonFeature, at: `line ${line}` };
      else if (d?.type === 'FeatureCollection' && Array.isArray(d.features)) for (const f of d.features) yield { f: f as GeoJsonFeature, at: `line ${line}` };
      else {
        ctx.tick();
        ctx.skip('feature:unreadable', `${this.label} line ${line}: not a GeoJSON feature (type ${JSON.stringify(d?.type)})`);
      }
    }
  }

  private layerName(): string {
    return this.doc?.name ?? path.basename(this.label).replace(/\.[^.]*$/, '');
  }

  async extent(): Promise<SourceBox[]> {
    const ogr = this.delegated();
    if (ogr)
      try {
        return await ogr.extent();
      } catch (e) {
        throw this.notJson(e);
      }
    const name = this.layerName();
    const srs = layerSrs(this.label, name, gdal.SpatialReference.fromEPSG(4326), this.options.sSrs);
    const e: Extent = emptyExtent();
    const ctx: ReadContext = { skip: () => {}, warn: () => {}, tick: () => {} };
    for (const { f } of this.features(ctx)) {
      const p = f && typeof f === 'object' ? polygonsOf(f.geometry) : null;
      if (p && typeof p === 'object') {
        const b = extentOf(p.coords);
        if (!isEmptyExtent(b) && Number.isFinite(b.minX + b.minY + b.maxX + b.maxY)) growByExtent(e, b);
      }
    }
    return isEmptyExtent(e) ? [] : [{ srs, crs: crsName(srs), extent: e }];
  }

  async *read(ctx: ReadContext): AsyncGenerator<SourceFeature> {
    const ogr = this.delegated();
    if (ogr) {
      try {
        yield* ogr.read(ctx);
      } catch (e) {
        throw this.notJson(e);
      }
      return;
    }
    const name = this.layerName();
    const srs = layerSrs(this.label, name, gdal.SpatialReference.fromEPSG(4326), this.options.sSrs);
    const crs = crsName(srs);
    const seen = this.keysSeen();
    const osmTags = seen.building;
    this.osmData = seen.osm;
    const source = `${path.basename(this.label)}#${name}`;
    const where = `${this.label} layer ${name}`;
    let index = -1;
    let read = 0;
    for (const { f, at } of this.features(ctx)) {
      index++;
      read++;
      ctx.tick();
      if (!f || typeof f !== 'object' || f.type !== 'Feature') {
        ctx.skip('feature:unreadable', `${where} ${at || `feature #${index}`}: not a GeoJSON feature`);
        continue;
      }
      const tags: Record<string, TagValue> = {};
      if (f.properties && typeof f.properties === 'object') for (const [k, v] of Object.entries(f.properties)) tags[k] = tagOf(v);
      // GDAL's ids: an integer id is the FID; a text id becomes the attribute `id`
      if (typeof f.id === 'string' && tags['id'] === undefined) tags['id'] = f.id;
      const fid = typeof f.id === 'number' && Number.isInteger(f.id) ? f.id : index;
      // (osm-export-lost-its-heights: an OSM layer exported by ogr2ogr keeps tags in other_tags, ids in osm_id / osm_way_id)
      const cut = osmTags && unpackOtherTags(tags);
      const own = (osmTags ? osmIdOf(tags) : null) ?? tags['id'] ?? tags['@id'];
      const id = own !== undefined && own !== null && own !== '' ? String(own) : String(fid);
      const detail = `${where} feature ${id}`;
      if (cut) ctx.warn(OTHER_TAGS_CUT[0], `${detail}: ${OTHER_TAGS_CUT[1]}`);
      if (osmTags && !isBuildingFeature(tags)) {
        ctx.skip('not-a-building', `${detail}: neither building nor building:part (a layer of every OSM tag; --where selects others)`);
        continue;
      }
      const p = polygonsOf(f.geometry);
      if (typeof p === 'string') {
        ctx.skip(p, `${detail}: ${p === 'geometry:unreadable' ? 'a geometry that is not GeoJSON (coordinates that are not pairs of numbers, or an unknown type)' : p === 'geometry:out-of-range' ? 'a coordinate too large for any number (1e999 or more in the text): not a place on Earth' : (GEOMETRY_REASONS[p] ?? p)}`);
        continue;
      }
      if (p.unclosed) ctx.warn('ring:not-closed', `${detail}: ${p.unclosed} ring(s) did not end where they start; closed`);
      const sf = decodedFeature({ id, source, where, tags, pieces: 1, osm: seen.osm }, { coords: p.coords, ringOffsets: p.ringOffsets, polygonOffsets: p.polygonOffsets }, srs, crs, ctx, detail);
      if (!sf) continue;
      yield sf;
      // (let the event loop turn now and then: a signal is heard, progress is printed)
      if (read % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    if (read === 0) throw new InputError('ingest', `${this.label} layer ${name}: no features`);
    this.options.logger.info(`${this.label}: ${counted(read, 'feature')} from layer(s) ${name}`);
  }
}

/**
 * GeoJSON (`.geojson`, `.json`) and GeoJSONSeq (`.geojsons`, `.geojsonl`, `.geojsonseq`, `.jsonl`,
 * `.ndjson`), read in JavaScript (see {@link GeoJsonSource}); GDAL still reads what this does not take.
 */
export const GEOJSON_FORMAT: SourceFormat = {
  name: 'geojson',
  grouped: false,
  test: (input) => (SEQ.test(input) || DOC.test(input)) && !/\.city\.jsonl?$/i.test(input) && isFile(input),
  open: (inputs, options) => new GeoJsonSource(inputs[0], options),
};
