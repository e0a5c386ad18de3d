import fs from 'node:fs';
import path from 'node:path';
import gdal, { horizontalSrs } from './gdal.js';
import { InputError } from '../core/errors.js';
import { emptyExtent, growByPoint, isEmptyExtent } from '../core/extent.js';
import { SURFACE_TYPES } from '../core/types.js';
import type { FlatPolygons } from '../core/types.js';
import { crsName, overrideSrs } from './ogr.js';
import type { RawFeature, RawModel, ReadContext } from './raw.js';
import type { Source, SourceBox, SourceFeature, SourceFormat, SourceOptions } from './source.js';
import type { TagValue } from './tags.js';
import { parsePolygonalWKB, writePolygonalWKB } from './wkb.js';
import { geoJsonSeqTexts } from './integrity.js';
import { Growable } from '../core/growable.js';
import parserStream from 'stream-json';
import Assembler from 'stream-json/assembler.js';

/**
 * CityJSON 1.0 / 1.1 / 2.0 (`.city.json`, or a `.json` whose first bytes say `"CityJSON"`) and
 * CityJSONSeq (`.city.jsonl`, `.jsonl`: a header line, then one `CityJSONFeature` per line, read a line
 * at a time). Each top-level city object of the selected types (`Building` by default) becomes one
 * building: its parts' (`BuildingPart`) surfaces, or its own, at the highest level of detail present
 * (or `lod`), kept as they are — triangulated later, not re-extruded — with their semantics
 * (RoofSurface, WallSurface, GroundSurface…). Its footprint (for tiling, picking and coarse levels) is
 * its ground surfaces seen from above. An object with only a 2D footprint (LoD0) is built like any
 * footprint. The CRS is `metadata.referenceSystem` (a compound CRS's horizontal part) or `--s-srs`.
 */

/**
 * Above this size a CityJSON document (not Seq) is read streamed, in two passes — its header and
 * vertices, then its city objects one at a time — so memory holds its vertices (24 bytes each) and the
 * objects waiting for their parts, not the text.
 */
export const STREAM_ABOVE_BYTES = 256 * 2 ** 20;

/** What a CityJSON object's geometry holds, as parsed. */
interface CjGeometry {
  type: string;
  lod?: string | number;
  boundaries?: unknown;
  semantics?: { surfaces?: ({ type?: string } & Record<string, unknown>)[]; values?: unknown };
}

interface CjObject {
  type?: string;
  attributes?: Record<string, unknown>;
  geometry?: CjGeometry[];
  children?: string[];
  parents?: string[];
}

interface CjTransform {
  scale: [number, number, number];
  translate: [number, number, number];
}

/** A city model's CRS and vertex transform (a file's, or a CityJSONSeq header's). */
interface CjHeader {
  version: string;
  transform: CjTransform | null;
  referenceSystem: string | null;
  geographicalExtent: number[] | null;
  /** Who the data is by, from its metadata (see {@link creditOf}), or null. */
  credit: string | null;
}

/** The semantic code of a CityJSON surface type. */
function surfaceCode(type: string | undefined): number {
  if (!type) return 0;
  const k = (SURFACE_TYPES as readonly string[]).indexOf(type);
  return k > 0 ? k : SURFACE_TYPES.indexOf('Other');
}

const GROUND = SURFACE_TYPES.indexOf('GroundSurface');
const OUTER_FLOOR = SURFACE_TYPES.indexOf('OuterFloorSurface');

/** Whether a name is a CityJSON file by its name. */
const CITYJSON_NAME = /\.city\.json$/i;
const CITYJSONSEQ_NAME = /\.(city\.jsonl|jsonl)$/i;

/** Whether `input` is CityJSON: by its name, or, for a `.json`, by its first bytes. */
export function isCityJson(input: string): boolean {
  if (CITYJSON_NAME.test(input) || CITYJSONSEQ_NAME.test(input)) return true;
  if (!/\.json$/i.test(input)) return false;
  try {
    if (!fs.statSync(input).isFile()) return false;
    const fd = fs.openSync(input, 'r');
    try {
      const b = Buffer.alloc(4096);
      const n = fs.readSync(fd, b, 0, b.length, 0);
      return /"type"\s*:\s*"CityJSON"/.test(b.toString('utf8', 0, n));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** A {@link FeatureDefect} unless `i` indexes one of the model's `nv` vertices. */
function checkIndex(i: number, nv: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= nv) throw new FeatureDefect('cityjson:index-out-of-range', `vertex index ${i} is out of range (the model has ${nv} vertices)`);
}

/** What makes a geometry unreadable (its boundaries' shape, a vertex index out of range), or null. */
function unreadable(g: CjGeometry, nv: number): string | null {
  try {
    for (const s of surfacesOf(g)) for (const r of s.rings) for (const i of r) checkIndex(i, nv);
    return null;
  } catch (e) {
    if (e instanceof FeatureDefect) return e.message;
    throw e;
  }
}

/** Child objects drawn as part of the building or part they belong to (its outside: installations, constructive elements). */
const DRAWN_WITH_PARENT = new Set(['BuildingInstallation', 'BuildingConstructiveElement', 'BridgeInstallation', 'BridgeConstructiveElement', 'TunnelInstallation', 'TunnelConstructiveElement']);

/** The CityJSON versions cityforge reads (a patch number allowed: "1.0.3"). */
const KNOWN_VERSION = /^(1\.0|1\.1|2\.0)(\.\d+)?$/;

/** A header's fields, checked. */
function headerOf(file: string, j: unknown, what: string): CjHeader {
  const o = j as { type?: unknown; version?: unknown; transform?: unknown; metadata?: { referenceSystem?: unknown; geographicalExtent?: unknown } & CjCredit };
  if (!o || typeof o !== 'object' || o.type !== 'CityJSON') throw new InputError('ingest', `${file}: ${what} is not a CityJSON object ("type": "CityJSON")`);
  let transform: CjTransform | null = null;
  if (o.transform !== undefined) {
    const t = o.transform as { scale?: unknown; translate?: unknown };
    const ok = (a: unknown) => Array.isArray(a) && a.length === 3 && a.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!ok(t.scale) || !ok(t.translate)) throw new InputError('ingest', `${file}: "transform" needs "scale" and "translate", three numbers each`);
    transform = { scale: t.scale as [number, number, number], translate: t.translate as [number, number, number] };
  }
  const rs = o.metadata?.referenceSystem;
  const ge = o.metadata?.geographicalExtent;
  return {
    version: String(o.version ?? ''),
    transform,
    referenceSystem: typeof rs === 'string' && rs ? rs : null,
    geographicalExtent: Array.isArray(ge) && ge.length === 6 && ge.every((v) => typeof v === 'number' && Number.isFinite(v)) ? (ge as number[]) : null,
    credit: creditOf(o.metadata),
  };
}

/** The metadata fields a credit is taken from (CityJSON 2.0 and 1.x names). */
interface CjCredit {
  title?: unknown;
  datasetTitle?: unknown;
  pointOfContact?: { contactName?: unknown };
  datasetPointOfContact?: { contactName?: unknown };
}

/**
 * Who a model's data is by, for the outputs' `asset.copyright`: what follows "from data by" in a title
 * cityforge wrote (round-trip-lost-the-credit), else a title's "©" notice, else the point of contact's
 * name (3DBAG: "3D Geoinformation Group"); null when the metadata names no one.
 */
export function creditOf(m: CjCredit | undefined): string | null {
  if (!m || typeof m !== 'object') return null;
  const title = typeof m.title === 'string' ? m.title : typeof m.datasetTitle === 'string' ? m.datasetTitle : '';
  const by = /from data by (.+)$/.exec(title);
  if (by) return by[1].trim();
  const notice = title.indexOf('©');
  if (notice >= 0) return title.slice(notice).trim();
  const contact = m.pointOfContact?.contactName ?? m.datasetPointOfContact?.contactName;
  return typeof contact === 'string' && contact.trim() ? contact.trim() : null;
}

/**
 * The CRS a model declares (`urn:ogc:def:crs:EPSG::7415`, `https://www.opengis.net/def/crs/EPSG/0/7415`)
 * or `--s-srs`: its horizontal part to transform with (a compound CRS's heights are kept as they are),
 * and its own name (`EPSG:7415`), which the outputs record.
 */
export function cityJsonSrs(file: string, declared: string | null, sSrs?: string): { srs: gdal.SpatialReference; name: string } {
  let srs: gdal.SpatialReference;
  if (sSrs) srs = overrideSrs(sSrs);
  else {
    if (!declared) throw new InputError('ingest', `${file}: the city model declares no CRS (metadata.referenceSystem); name the CRS its coordinates are in with --s-srs (e.g. --s-srs EPSG:31256 for Vienna's GK East, EPSG:28992 for RD New)`);
    const m = /EPSG(?:::|\/\d+\/|:)(\d+)\s*$/i.exec(declared);
    try {
      srs = m ? gdal.SpatialReference.fromEPSG(Number(m[1])) : gdal.SpatialReference.fromUserInput(declared);
    } catch {
      throw new InputError('ingest', `${file}: its referenceSystem '${declared}' is not a CRS GDAL knows; name one with --s-srs`);
    }
  }
  return { srs: horizontalSrs(srs), name: crsName(srs) };
}

/** A feature-level defect: the feature is skipped with this reason. */
class FeatureDefect extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

/** A surface of a geometry: rings of vertex indices, its semantic code and object's own attributes, and in a solid its shell (`[solid, shell]`; inner shells' shell > 0). */
interface CjSurface {
  rings: number[][];
  code: number;
  shell?: [number, number];
  attributes?: Record<string, unknown>;
}

/** The surfaces of a geometry. */
function surfacesOf(g: CjGeometry): CjSurface[] {
  const out: CjSurface[] = [];
  const sem = g.semantics;
  const codes = (sem?.surfaces ?? []).map((s) => surfaceCode(s?.type));
  // (surface-attributes-lost: a semantic surface's own attributes, a roof's slope, Vienna's Dachneigung; not its
  // type, nor its parent and children, indices into this geometry's list)
  const own = (sem?.surfaces ?? []).map((s) => {
    if (!s || typeof s !== 'object') return undefined;
    const rest = Object.entries(s).filter(([k]) => k !== 'type' && k !== 'parent' && k !== 'children');
    return rest.length ? Object.fromEntries(rest) : undefined;
  });
  const code = (v: unknown) => (typeof v === 'number' && v >= 0 && v < codes.length ? codes[v] : 0);
  const surface = (s: unknown, v: unknown, shell?: [number, number]) => {
    if (!Array.isArray(s)) throw new FeatureDefect('cityjson:bad-boundaries', `a ${g.type}'s surface is not a list of rings`);
    const rings = s.map((r) => {
      if (!Array.isArray(r)) throw new FeatureDefect('cityjson:bad-boundaries', `a ${g.type}'s ring is not a list of vertex indices`);
      return r as number[];
    });
    const attributes = typeof v === 'number' ? own[v] : undefined;
    out.push({ rings, code: code(v), ...(shell ? { shell } : {}), ...(attributes ? { attributes } : {}) });
  };
  const list = (a: unknown, what: string): unknown[] => {
    if (!Array.isArray(a)) throw new FeatureDefect('cityjson:bad-boundaries', `a ${g.type}'s ${what} is not a list`);
    return a;
  };
  const at = (v: unknown, i: number): unknown => (Array.isArray(v) ? v[i] : null);
  const b = g.boundaries;
  switch (g.type) {
    case 'MultiSurface':
    case 'CompositeSurface':
      list(b, 'boundaries').forEach((s, i) => surface(s, at(sem?.values, i)));
      break;
    case 'Solid':
      list(b, 'boundaries').forEach((shell, k) => list(shell, 'shell').forEach((s, i) => surface(s, at(at(sem?.values, k), i), [0, k])));
      break;
    case 'MultiSolid':
    case 'CompositeSolid':
      list(b, 'boundaries').forEach((solid, m) => list(solid, 'solid').forEach((shell, k) => list(shell, 'shell').forEach((s, i) => surface(s, at(at(at(sem?.values, m), k), i), [m, k]))));
      break;
    default:
      throw new FeatureDefect('cityjson:unsupported-geometry', `geometry type ${g.type} is not read (MultiSurface, CompositeSurface, Solid, MultiSolid, CompositeSolid are)`);
  }
  return out;
}

const POLYGONAL = new Set(['MultiSurface', 'CompositeSurface', 'Solid', 'MultiSolid', 'CompositeSolid']);

/** An object's geometry to read: at `lod`, or the highest present (or the lowest above LoD0); ties go to one with semantics, then a solid. */
function chooseGeometry(o: CjObject, lod: string | undefined, prefer: 'highest' | 'lowest' = 'highest'): CjGeometry | null {
  return rankedGeometries(o, lod, prefer)[0] ?? null;
}

/** An object's geometries that can be read, best first ({@link chooseGeometry}'s order; the model's order among equals). */
function rankedGeometries(o: CjObject, lod: string | undefined, prefer: 'highest' | 'lowest' = 'highest'): CjGeometry[] {
  const gs = (o.geometry ?? []).filter((g) => g && POLYGONAL.has(g.type) && (lod === undefined || Number(g.lod) === Number(lod)));
  // (lowest: the coarsest above LoD0, a block model's height)
  const level = (g: CjGeometry) => (prefer === 'lowest' ? (Number(g.lod ?? 0) >= 1 ? 10 - Number(g.lod) : -10) : Number(g.lod ?? 0));
  const rank = (g: CjGeometry) => level(g) * 4 + (g.semantics ? 2 : 0) + (g.type.endsWith('Solid') ? 1 : 0);
  return gs.map((g, k) => ({ g, k, r: rank(g) })).sort((a, b) => b.r - a.r || a.k - b.k).map((x) => x.g);
}

/**
 * One object read by {@link modelFeature} from its best geometry, else the next that can be read
 * (broken-lod-lost-the-building: a vertex index out of range in a part's LoD 2.2 dropped its building
 * though its LoD 1.3 and 1.2 were whole), said as `cityjson:geometry-fallback`. Throws the best one's
 * {@link FeatureDefect} when none can be read.
 */
function firstReadable(id: string, geometries: readonly CjGeometry[], read: (g: CjGeometry, warn: (kind: string, what?: string) => void) => RawFeature, warn: (kind: string, what?: string) => void): RawFeature {
  let first: FeatureDefect | null = null;
  for (const g of geometries) {
    // (the warnings of the geometry drawn only)
    const said: [string, string | undefined][] = [];
    try {
      const f = read(g, (kind, what) => said.push([kind, what]));
      for (const [kind, what] of said) warn(kind, what);
      if (first) warn('cityjson:geometry-fallback', `${id}: its ${geometries[0].type} at LoD ${geometries[0].lod} cannot be read (${first.message}): its ${g.type} at LoD ${g.lod} is drawn`);
      return f;
    } catch (e) {
      if (!(e instanceof FeatureDefect)) throw e;
      first ??= e;
    }
  }
  throw first ?? new FeatureDefect('cityjson:no-geometry', 'no surfaces to read');
}

/** Newell's normal's z over a ring (x, y of vertices `ring` in `v`): positive when counter-clockwise from above. */
function ringArea2(v: Float64Array, ring: number[]): number {
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i], b = ring[(i + 1) % ring.length];
    s += v[3 * a] * v[3 * b + 1] - v[3 * b] * v[3 * a + 1];
  }
  return s;
}

/** Flatten an attribute value (nested objects and lists as JSON text); null and absent values are left out. */
function attributeValue(v: unknown): TagValue {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  return JSON.stringify(v);
}

/** What one city model (a file, or one CityJSONSeq line) is read with. */
interface ModelContext {
  file: string;
  where: string;
  source: string;
  vertices: Float64Array;
  types: Set<string>;
  lod: string | undefined;
  /** Which level when `lod` is not given: the highest (to draw), or the lowest above LoD0 (a height to join). */
  prefer: 'highest' | 'lowest';
}

/** The vertices of a model, transformed: x, y, z triples. Throws a {@link FeatureDefect} for a bad list. */
function verticesOf(raw: unknown, transform: CjTransform | null): Float64Array {
  if (!Array.isArray(raw)) throw new FeatureDefect('cityjson:bad-vertices', '"vertices" is not a list');
  const out = new Float64Array(3 * raw.length);
  for (let i = 0; i < raw.length; i++) {
    const p = raw[i] as number[];
    if (!Array.isArray(p) || p.length < 3 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || typeof p[2] !== 'number' || !Number.isFinite(p[0] + p[1] + p[2]))
      throw new FeatureDefect('cityjson:bad-vertices', `vertex ${i} is not three numbers`);
    out[3 * i] = p[0];
    out[3 * i + 1] = p[1];
    out[3 * i + 2] = p[2];
  }
  return applyTransform(out, transform);
}

/** Apply a model's `transform` to its vertices (x, y, z triples), in place. */
function applyTransform(v: Float64Array, transform: CjTransform | null): Float64Array {
  const [sx, sy, sz] = transform?.scale ?? [1, 1, 1];
  const [tx, ty, tz] = transform?.translate ?? [0, 0, 0];
  for (let i = 0; i < v.length; i += 3) {
    v[i] = v[i] * sx + tx;
    v[i + 1] = v[i + 1] * sy + ty;
    v[i + 2] = v[i + 2] * sz + tz;
  }
  return v;
}

/** An object's attributes, flattened (nested values as JSON text, null and absent ones left out). */
function attributesOf(o: CjObject): Record<string, TagValue> {
  const out: Record<string, TagValue> = {};
  for (const [k, v] of Object.entries(o.attributes ?? {})) {
    const a = attributeValue(v);
    if (a !== undefined) out[k] = a;
  }
  return out;
}

/**
 * One building of a model as raw features: the object `id` and, when it has parts (`BuildingPart`)
 * with surfaces, each part as a feature of its own (`building:part`, with its own attributes and
 * surfaces) and the building as their outline (its footprint theirs, no surfaces of its own: it is
 * drawn as its parts, S3DB-style); else the building alone with its own surfaces. A part that cannot
 * be read goes to `skip`; a building that cannot be read throws a {@link FeatureDefect}.
 */
function familyOf(id: string, objects: Record<string, CjObject> | Map<string, CjObject>, m: ModelContext, warn: (kind: string, what?: string) => void, skip: (id: string, e: FeatureDefect) => void): RawFeature[] {
  const get = (k: string) => (objects instanceof Map ? objects.get(k) : objects[k]);
  const o = get(id)!;
  // its parts (recursively), in the order the model lists them
  const parts: [string, CjObject][] = [];
  // installation-dropped-in-silence: a chimney, a dormer, a balcony (BuildingInstallation) drawn with the
  // building or part it belongs to; interior objects (rooms, storeys, units, furniture) are not drawn
  const installations = new Map<string, CjGeometry[]>();
  const visit = (c: string, depth: number, owner: string) => {
    const child = get(c);
    if (!child) {
      warn('cityjson:missing-child');
      return;
    }
    const isPart = child.type === 'BuildingPart' || child.type === 'BridgePart' || child.type === 'TunnelPart';
    if (isPart) parts.push([c, child]);
    else if (child.type && DRAWN_WITH_PARENT.has(child.type)) {
      const g = chooseGeometry(child, m.lod, m.prefer) ?? (m.lod !== undefined ? chooseGeometry(child, undefined, m.prefer) : null);
      // (a broken installation is left out, not its building with it)
      const broken = g ? unreadable(g, m.vertices.length / 3) : null;
      if (g && !broken) {
        installations.set(owner, [...(installations.get(owner) ?? []), g]);
        warn('cityjson:installation-drawn-with-its-building', `${c}: a ${child.type} of ${owner}, drawn as part of it (its own attributes are not kept)`);
      } else if (broken) warn('cityjson:installation-unreadable', `${c}: a ${child.type} of ${owner}: ${broken}; left out`);
    } else if (child.type && (child.geometry ?? []).length) warn('cityjson:interior-not-drawn', `${c}: a ${child.type} of ${owner} (inside the building): not drawn`);
    if (depth < 8) for (const cc of child.children ?? []) visit(cc, depth + 1, isPart ? c : owner);
  };
  for (const c of o.children ?? []) visit(c, 0, id);
  const withSurfaces = parts.map(([pid, p]) => ({ pid, p, gs: rankedGeometries(p, m.lod, m.prefer) })).filter((x) => x.gs.length);
  if (!withSurfaces.length) {
    const own = rankedGeometries(o, m.lod, m.prefer);
    if (!own.length) {
      const other = [o, ...parts.map(([, p]) => p)].flatMap((x) => (x.geometry ?? []).map((g) => String(g?.type)).filter((t) => !POLYGONAL.has(t)));
      if (other.length) throw new FeatureDefect('cityjson:unsupported-geometry', `its geometry (${[...new Set(other)].join(', ')}) is not read (MultiSurface, CompositeSurface, Solid, MultiSolid, CompositeSolid are)`);
      throw new FeatureDefect('cityjson:no-geometry', `no surfaces${m.lod !== undefined ? ` at LoD ${m.lod}` : ''} on it or its parts`);
    }
    return [firstReadable(id, own, (g, w) => modelFeature(id, o, g, o, 'building', m, w, installations.get(id)), warn)];
  }
  const partFeatures: RawFeature[] = [];
  // main-part-lost-on-the-round-trip: a building with parts and surfaces of its own at their level of detail
  // (CityGML's main part, as cityforge's own CityJSON writes an outline drawn as the rest of its parts) is drawn
  // too, as one more part of it, `<id>:main`; it was left out (Monaco's w49209541 read back: 7,491 → 379 m³)
  const partsLod = withSurfaces[0].gs[0].lod;
  const own = partsLod !== undefined && Number(partsLod) >= 1 ? rankedGeometries(o, String(partsLod), m.prefer) : [];
  if (own.length) {
    const mainId = `${id}:main`;
    // (its look only: the building's name and the rest are its outline's, not repeated on a row of their own)
    const looks = Object.fromEntries(LOOK_TAGS.filter((k) => o.attributes?.[k] !== undefined).map((k) => [k, o.attributes![k]]));
    const main: CjObject = { ...o, attributes: looks };
    try {
      partFeatures.push(firstReadable(mainId, own, (g, w) => modelFeature(mainId, main, g, o, 'part', m, w, installations.get(id)), warn));
    } catch (e) {
      if (!(e instanceof FeatureDefect)) throw e;
      skip(mainId, e);
    }
  }
  const mainDrawn = partFeatures.length > 0;
  for (const [k, { pid, p, gs }] of withSurfaces.entries()) {
    try {
      // (the building's own installations, where it is drawn as its parts, go with its first part, or its main one)
      const installed = [...(installations.get(pid) ?? []), ...(k === 0 && !mainDrawn ? (installations.get(id) ?? []) : [])];
      partFeatures.push(firstReadable(pid, gs, (g, w) => modelFeature(pid, p, g, o, 'part', m, w, installed), warn));
    } catch (e) {
      if (!(e instanceof FeatureDefect)) throw e;
      skip(pid, e);
    }
  }
  if (!partFeatures.length) throw new FeatureDefect('cityjson:no-geometry', 'none of its parts could be read');
  // raised-part-stood-on-its-own-floor: a part with no ground surface of its own (a storey over a passage,
  // on columns) is measured from its building's ground (its parts' ground surfaces, else their lowest point):
  // its floor is its min_height
  const grounds = partFeatures.filter((f) => f.model!.grounded).map((f) => f.model!.ground);
  const buildingGround = grounds.length ? Math.min(...grounds) : Math.min(...partFeatures.map((f) => f.model!.zMin));
  for (const f of partFeatures) if (!f.model!.grounded) f.model!.ground = Math.min(buildingGround, f.model!.zMin);
  // the outline: its parts' footprints, their z range, no surfaces of its own
  const fc: number[] = [];
  const fr = [0];
  const fp = [0];
  let zMin = Infinity, zMax = -Infinity, ground = Infinity;
  for (const f of partFeatures) {
    const poly = parsePolygonalWKB(f.wkb);
    const v0 = fc.length / 2, r0 = fr.length - 1;
    for (let i = 0; i < poly.coords.length; i++) fc.push(poly.coords[i]);
    for (let r = 1; r < poly.ringOffsets.length; r++) fr.push(v0 + poly.ringOffsets[r]);
    for (let k = 1; k < poly.polygonOffsets.length; k++) fp.push(r0 + poly.polygonOffsets[k]);
    zMin = Math.min(zMin, f.model!.zMin);
    zMax = Math.max(zMax, f.model!.zMax);
    ground = Math.min(ground, f.model!.ground);
  }
  const model: RawModel = { coords: new Float64Array(0), ringOffsets: new Uint32Array([0]), surfaceOffsets: new Uint32Array([0]), types: new Uint8Array(0), zMin, zMax, ground, lod: partFeatures[0].model!.lod };
  const attributes = attributesOf(o);
  const outline: RawFeature = { id, source: m.source, where: m.where, tags: tagsOf(o, attributes, 'building', zMax - zMin), attributes, wkb: writePolygonalWKB({ coords: Float64Array.from(fc), ringOffsets: fr, polygonOffsets: fp }), pieces: 1, osm: false, model };
  return [outline, ...partFeatures];
}

/** The attributes of a city object that say how it looks (S3DB's colour and material tags). */
const LOOK_TAGS = ['building:colour', 'building:material', 'roof:colour', 'roof:material'] as const;

/** The tags a city object is parsed from (role, name, and a height so the parser does not warn of a missing one). */
function tagsOf(o: CjObject, attributes: Record<string, TagValue>, role: 'building' | 'part', height: number | null): Record<string, TagValue> {
  const tags: Record<string, TagValue> = role === 'part' ? { 'building:part': 'yes' } : { building: 'yes' };
  // lod0-built-1-cm-tall: a footprint alone (LoD0) has no height of its own: CityJSON's measuredHeight
  // where the object has one, else none (build's default height, counted as missing)
  const measured = attributes['measuredHeight'];
  if (height !== null) tags['height'] = Math.max(height, 0.01);
  else if (typeof measured === 'number' && measured > 0) tags['height'] = measured;
  if (typeof attributes['name'] === 'string') tags['name'] = attributes['name'];
  if (typeof attributes['height_from'] === 'string') tags['height_from'] = attributes['height_from'];
  // its storeys (S3DB's building:levels, CityGML's storeysAboveGround): levels-lost-on-the-round-trip
  const storeys = attributes['building:levels'] ?? attributes['storeysAboveGround'];
  if (typeof storeys === 'number' && Number.isInteger(storeys) && storeys > 0) tags['building:levels'] = storeys;
  // its look, where the model says (a model cityforge wrote carries the S3DB tags it was built with)
  for (const k of LOOK_TAGS) if (typeof attributes[k] === 'string' && attributes[k]) tags[k] = attributes[k];
  return tags;
}

/**
 * One city object with surfaces as a raw feature: its surfaces kept (`model`), its footprint its
 * ground surfaces seen from above (else its downward-facing ones, else the LoD0 footprint of it or of
 * `lod0From`, its building). Throws a {@link FeatureDefect} when it cannot be read.
 */
function modelFeature(id: string, o: CjObject, g: CjGeometry, lod0From: CjObject, role: 'building' | 'part', m: ModelContext, warn: (kind: string, what?: string) => void, installed: readonly CjGeometry[] = []): RawFeature {
  const V = m.vertices;
  const nv = V.length / 3;
  const coords: number[] = [];
  const ringOffsets = [0];
  const surfaceOffsets = [0];
  const types: number[] = [];
  let zMin = Infinity, zMax = -Infinity, ground = Infinity;
  let droppedRings = 0;
  const grounds: number[][][] = [];
  const downward: number[][][] = [];
  // each surface with the geometry it is from (0: the object's own; n > 0: its n-th installation's)
  const kept: (CjSurface & { from: number })[] = [];
  const surfaceAttributes: (Record<string, unknown> | null)[] = [];
  // (its installations' surfaces after its own: drawn, never its footprint)
  const surfaces = [g, ...installed].flatMap((x, from) => surfacesOf(x).map((q) => ({ ...q, from })));
  for (const s of surfaces) {
    const rings: number[][] = [];
    for (const [k, r] of s.rings.entries()) {
      for (const i of r)
        checkIndex(i, nv);
      // repeated closing vertex and repeated neighbours (by position: models repeat vertices under other indices) out
      const same = (a: number, b: number) => a === b || (V[3 * a] === V[3 * b] && V[3 * a + 1] === V[3 * b + 1] && V[3 * a + 2] === V[3 * b + 2]);
      const ring = r.filter((v, k) => !same(v, r[(k + 1) % r.length]));
      if (ring.length < 3) {
        droppedRings++;
        // a surface whose outer ring is degenerate is dropped with its holes
        if (k === 0) break;
        continue;
      }
      rings.push(ring);
    }
    if (rings.length) kept.push({ ...s, rings });
  }
  // solid-wound-inward: a solid's shell whose faces turn inward (negative volume) drew inside out and was
  // written back an invalid Solid; its rings are turned (an inner shell, a cavity, faces inward)
  const turned = turnInwardShells(V, kept);
  if (turned) warn('cityjson:solid-turned-outward', `${id}: ${turned} ${turned === 1 ? 'shell' : 'shells'} of its solid faced inward (negative volume): turned to face outward`);
  for (const s of kept) {
    const rings = s.rings;
    for (const ring of rings) {
      for (const i of ring) {
        coords.push(V[3 * i], V[3 * i + 1], V[3 * i + 2]);
        zMin = Math.min(zMin, V[3 * i + 2]);
        zMax = Math.max(zMax, V[3 * i + 2]);
        if (s.code === GROUND && !s.from) ground = Math.min(ground, V[3 * i + 2]);
      }
      ringOffsets.push(coords.length / 3);
    }
    surfaceOffsets.push(ringOffsets.length - 1);
    types.push(s.code);
    surfaceAttributes.push(s.attributes ?? null);
    if (s.from) continue;
    if (s.code === GROUND) grounds.push(rings);
    // (a raised part's floor, over a passage, is its footprint)
    else if ((s.code === 0 || s.code === OUTER_FLOOR) && ringArea2(V, rings[0]) < 0 && horizontalish(V, rings[0])) downward.push(rings);
  }
  // (the count said: a building's warning stood for all its rings, and 11 rings went with 7 warnings)
  if (droppedRings) warn('cityjson:degenerate-ring-dropped', `${id}: ${droppedRings} ${droppedRings === 1 ? 'ring' : 'rings'} of fewer than three distinct points dropped (with the surface whose outer ring it is)`);
  if (!types.length) throw new FeatureDefect('cityjson:no-geometry', 'no surface with three distinct vertices');
  // the footprint: its ground surfaces, else its downward-facing ones, else an LoD0 footprint
  let foot = grounds.length ? grounds : downward;
  for (const x of [o, lod0From]) {
    if (foot.length) break;
    const lod0 = (x.geometry ?? []).find((g) => g && POLYGONAL.has(g.type) && Number(g.lod) === 0);
    if (lod0) foot = surfacesOf(lod0).map((s) => s.rings.filter((r) => r.length >= 3));
  }
  if (!foot.length) throw new FeatureDefect('cityjson:no-footprint', 'no GroundSurface, downward-facing surface or LoD0 footprint to stand on');
  const fc: number[] = [];
  const fr = [0];
  const fp = [0];
  for (const rings of foot) {
    for (const r of rings) {
      for (const i of r) {
        checkIndex(i, nv);
        fc.push(V[3 * i], V[3 * i + 1]);
      }
      fr.push(fc.length / 2);
    }
    fp.push(fr.length - 1);
  }
  const footprint: FlatPolygons = { coords: Float64Array.from(fc), ringOffsets: fr, polygonOffsets: fp };
  const attributes = attributesOf(o);
  // a building on no ground surface of its own that says how high its floor is (S3DB's min_height, as
  // cityforge writes a raised building) stands that far below its floor
  const raised = attributes['min_height'];
  const floorAbove = role === 'building' && !Number.isFinite(ground) && typeof raised === 'number' && raised > 0 ? raised : 0;
  // surfaces all flat on one level (an LoD0 footprint read as the model) are a footprint: built, not kept
  const model: RawModel | undefined =
    zMax > zMin ? { coords: Float64Array.from(coords), ringOffsets: Uint32Array.from(ringOffsets), surfaceOffsets: Uint32Array.from(surfaceOffsets), types: Uint8Array.from(types), zMin, zMax, ground: Number.isFinite(ground) ? ground : zMin - floorAbove, grounded: Number.isFinite(ground) || floorAbove > 0, lod: String(g.lod ?? ''), ...(surfaceAttributes.some((a) => a) ? { surfaceAttributes } : {}) } : undefined;
  return { id, source: m.source, where: m.where, tags: tagsOf(o, attributes, role, model ? zMax - zMin : null), attributes, wkb: writePolygonalWKB(footprint), pieces: 1, osm: false, ...(model ? { model } : {}) };
}

/**
 * Turn (reverse the rings of) each closed shell of a solid whose signed volume has the wrong sign: an outer
 * shell's must be positive (faces outward), an inner shell's (a cavity) negative. A shell that does not close
 * (its faces' areas, as vectors, do not sum to zero) is left as it is. Returns how many were turned.
 */
function turnInwardShells(V: Float64Array, surfaces: readonly (CjSurface & { from: number })[]): number {
  // (the volume, and the shell's vector area: zero when the shell is closed, where the volume's sign means something)
  const volumes = new Map<string, { v: number; rings: number[][]; inner: boolean; x: number; y: number; z: number; nx: number; ny: number; nz: number; area: number }>();
  for (const s of surfaces) {
    if (!s.shell) continue;
    const key = `${s.from}/${s.shell[0]}/${s.shell[1]}`;
    let e = volumes.get(key);
    // (about the shell's first vertex: the volume of a city's coordinates is a difference of huge numbers)
    if (!e) volumes.set(key, (e = { v: 0, rings: [], inner: s.shell[1] > 0, x: V[3 * s.rings[0][0]], y: V[3 * s.rings[0][0] + 1], z: V[3 * s.rings[0][0] + 2], nx: 0, ny: 0, nz: 0, area: 0 }));
    for (const r of s.rings) {
      e.rings.push(r);
      const a = 3 * r[0];
      const ax = V[a] - e.x, ay = V[a + 1] - e.y, az = V[a + 2] - e.z;
      for (let i = 1; i + 1 < r.length; i++) {
        const b = 3 * r[i], c = 3 * r[i + 1];
        const bx = V[b] - e.x, by = V[b + 1] - e.y, bz = V[b + 2] - e.z;
        const cx = V[c] - e.x, cy = V[c + 1] - e.y, cz = V[c + 2] - e.z;
        e.v += ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx);
        const ux = bx - ax, uy = by - ay, uz = bz - az, wx = cx - ax, wy = cy - ay, wz = cz - az;
        const tx = uy * wz - uz * wy, ty = uz * wx - ux * wz, tz = ux * wy - uy * wx;
        (e.nx += tx), (e.ny += ty), (e.nz += tz), (e.area += Math.hypot(tx, ty, tz));
      }
    }
  }
  let turned = 0;
  for (const e of volumes.values())
    if (Math.hypot(e.nx, e.ny, e.nz) <= 1e-3 * e.area && (e.inner ? e.v > 0 : e.v < 0)) {
      for (const r of e.rings) r.reverse();
      turned++;
    }
  return turned;
}

/** Whether a ring lies roughly flat (its projection keeps most of its area): a floor, not a wall. */
function horizontalish(v: Float64Array, ring: number[]): boolean {
  let nx = 0, ny = 0, nz = 0;
  for (let k = 0; k < ring.length; k++) {
    const a = 3 * ring[k], b = 3 * ring[(k + 1) % ring.length];
    nx += (v[a + 1] - v[b + 1]) * (v[a + 2] + v[b + 2]);
    ny += (v[a + 2] - v[b + 2]) * (v[a] + v[b]);
    nz += (v[a] - v[b]) * (v[a + 1] + v[b + 1]);
  }
  return Math.abs(nz) > 0.7 * Math.hypot(nx, ny, nz);
}

/** The ids of a model's top-level objects of the selected types (no parent in the model), in its order. */
function topLevel(objects: Record<string, CjObject>, types: Set<string>): string[] {
  const ids: string[] = [];
  for (const [id, o] of Object.entries(objects)) {
    if (!o || typeof o !== 'object' || !types.has(o.type ?? '')) continue;
    if ((o.parents ?? []).some((p) => objects[p])) continue;
    ids.push(id);
  }
  return ids;
}

/** A stream-json token. */
interface Token {
  name: string;
  value?: string | number | boolean | null;
}

/** The JSON tokens of a file (packed values only). */
function tokens(file: string): AsyncIterable<Token> {
  return fs.createReadStream(file).pipe(parserStream({ streamValues: false })) as AsyncIterable<Token>;
}

/**
 * Pass one over a large CityJSON document: its header fields (assembled) and its vertices (into one
 * typed array, transformed), skipping the city objects.
 */
async function scanHeaderAndVertices(file: string): Promise<{ header: CjHeader; vertices: Float64Array }> {
  const top: Record<string, unknown> = {};
  const raw = new Growable(Float64Array, 1 << 16);
  let depth = 0;
  let key: string | null = null;
  let asm: Assembler | null = null;
  let asmKey = '';
  let inVertices = false;
  let perVertex = 0;
  let count = 0;
  try {
    for await (const t of tokens(file)) {
      if (asm) {
        asm.consume(t as never);
        if (asm.done) (top[asmKey] = asm.current), (asm = null);
        continue;
      }
      if (inVertices) {
        if (t.name === 'numberValue' && depth === 3) {
          raw.push(Number(t.value));
          perVertex++;
        } else if (t.name === 'startArray') {
          depth++;
          perVertex = 0;
        } else if (t.name === 'endArray') {
          if (depth === 3 && perVertex !== 3) throw new InputError('ingest', `${file}: vertex ${count} is not three numbers`);
          if (depth === 3) count++;
          if (--depth === 1) inVertices = false;
        } else throw new InputError('ingest', `${file}: vertex ${count} is not three numbers`);
        continue;
      }
      if (depth === 1 && key !== null && t.name !== 'keyValue') {
        const k = key;
        key = null;
        if (k === 'vertices' && t.name === 'startArray') {
          inVertices = true;
          depth = 2;
          continue;
        }
        if (k === 'type' || k === 'version' || k === 'transform' || k === 'metadata') {
          asm = new Assembler();
          asmKey = k;
          asm.consume(t as never);
          if (asm.done) (top[asmKey] = asm.current), (asm = null);
          continue;
        }
      }
      if (t.name === 'startObject' || t.name === 'startArray') depth++;
      else if (t.name === 'endObject' || t.name === 'endArray') depth--;
      else if (t.name === 'keyValue' && depth === 1) key = String(t.value);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError('ingest', `${file}: not valid JSON (${(e as Error).message})`);
  }
  const header = headerOf(file, top, 'the file');
  return { header, vertices: applyTransform(raw.toArray(), header.transform) };
}

/** Pass two over a large CityJSON document: its city objects, one at a time, in file order. */
async function* scanObjects(file: string): AsyncGenerator<[string, CjObject]> {
  let depth = 0;
  let key: string | null = null;
  let inObjects = false;
  let id: string | null = null;
  let asm: Assembler | null = null;
  const it = tokens(file)[Symbol.asyncIterator]();
  for (;;) {
    let r: IteratorResult<Token>;
    try {
      r = await it.next();
    } catch (e) {
      throw new InputError('ingest', `${file}: not valid JSON (${(e as Error).message})`);
    }
    if (r.done) return;
    const t = r.value;
    if (asm) {
      asm.consume(t as never);
      if (asm.done) {
        const o = asm.current as CjObject;
        asm = null;
        yield [id!, o];
      }
      continue;
    }
    if (inObjects) {
      if (t.name === 'keyValue') {
        id = String(t.value);
        continue;
      }
      if (t.name === 'endObject') {
        inObjects = false;
        depth = 1;
        continue;
      }
      asm = new Assembler();
      asm.consume(t as never);
      if (asm.done) asm = null;
      continue;
    }
    if (depth === 1 && key === 'CityObjects' && t.name === 'startObject') {
      key = null;
      inObjects = true;
      depth = 2;
      continue;
    }
    if (depth === 1 && t.name !== 'keyValue') key = null;
    if (t.name === 'startObject' || t.name === 'startArray') depth++;
    else if (t.name === 'endObject' || t.name === 'endArray') depth--;
    else if (t.name === 'keyValue' && depth === 1) key = String(t.value);
  }
}

/** A CityJSON or CityJSONSeq file as a source. */
export class CityJsonSource implements Source {
  readonly inputs: readonly string[];
  readonly label: string;
  private readonly seq: boolean;
  private srsCache: { srs: gdal.SpatialReference; name: string } | null = null;

  constructor(file: string, private readonly options: SourceOptions, private readonly prefer: 'highest' | 'lowest' = 'highest') {
    this.inputs = [file];
    this.label = file;
    this.seq = CITYJSONSEQ_NAME.test(file);
  }

  attributions(): string[] {
    return this.credit ? [this.credit] : [];
  }

  /** Who the data is by, from the header read (see {@link creditOf}). */
  private credit: string | null = null;

  private get types(): Set<string> {
    return new Set(this.options.cityObjectTypes?.length ? this.options.cityObjectTypes : ['Building']);
  }

  /** The whole file as one model (CityJSON, not Seq). */
  private readWhole(): { header: CjHeader; json: { CityObjects?: unknown; vertices?: unknown } } {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(this.label, 'utf8'));
    } catch (e) {
      throw new InputError('ingest', `${this.label}: not valid JSON (${(e as Error).message})`);
    }
    const header = headerOf(this.label, json, 'the file');
    return { header, json: json as { CityObjects?: unknown; vertices?: unknown } };
  }

  /** The header line of a CityJSONSeq file. */
  private async readSeqHeader(): Promise<CjHeader> {
    for await (const { line } of this.lines()) {
      let j: unknown;
      try {
        j = JSON.parse(line);
      } catch (e) {
        throw new InputError('ingest', `${this.label} line 1: not valid JSON (${(e as Error).message})`);
      }
      return headerOf(this.label, j, 'its first line');
    }
    throw new InputError('ingest', `${this.label}: empty (a CityJSONSeq file starts with a CityJSON header line)`);
  }

  /** The sequence's non-blank lines (read as GeoJSONSeq's are); the last is `unterminated` when the file does not end with an end of line. */
  private *lines(): Generator<{ line: string; n: number; unterminated: boolean; latin1: boolean }> {
    for (const { line, text, unterminated, latin1 } of geoJsonSeqTexts(this.label)) yield { line: text, n: line, unterminated: !!unterminated, latin1: !!latin1 };
  }

  private srs(header: CjHeader): { srs: gdal.SpatialReference; crs: string } {
    this.srsCache ??= cityJsonSrs(this.label, header.referenceSystem, this.options.sSrs);
    return { srs: this.srsCache.srs, crs: this.srsCache.name };
  }

  async extent(): Promise<SourceBox[]> {
    const streamed = !this.seq && fs.statSync(this.label).size > (this.options.streamAboveBytes ?? STREAM_ABOVE_BYTES);
    const scanned = streamed ? await scanHeaderAndVertices(this.label) : null;
    const header = scanned?.header ?? (this.seq ? await this.readSeqHeader() : this.readWhole().header);
    const { srs, crs } = this.srs(header);
    const g = header.geographicalExtent;
    if (g && !this.options.sSrs) return [{ srs, crs, extent: { minX: g[0], minY: g[1], maxX: g[3], maxY: g[4] } }];
    const e = emptyExtent();
    if (scanned) {
      // (every vertex: a model's vertices are its objects')
      const v = scanned.vertices;
      for (let i = 0; i < v.length; i += 3) growByPoint(e, v[i], v[i + 1]);
      return isEmptyExtent(e) ? [] : [{ srs, crs, extent: e }];
    }
    const quiet: ReadContext = { skip() {}, warn() {}, tick() {} };
    for await (const f of this.read(quiet)) {
      const b = f.feature.model?.coords;
      if (b) for (let i = 0; i < b.length; i += 3) growByPoint(e, b[i], b[i + 1]);
    }
    return isEmptyExtent(e) ? [] : [{ srs, crs, extent: e }];
  }

  async *read(ctx: ReadContext): AsyncGenerator<SourceFeature> {
    let versionSaid = false;
    for await (const { header, feature } of this.features(ctx)) {
      // (unknown-version-read-in-silence: a "3.7" read with nothing said)
      if (!versionSaid && !KNOWN_VERSION.test(header.version)) ctx.warn('cityjson:unknown-version', `${this.label}: declares CityJSON version "${header.version}"; cityforge reads 1.0, 1.1 and 2.0: read as 2.0 (look at what it draws)`);
      versionSaid = true;
      this.credit = header.credit;
      yield { ...this.srs(header), feature };
    }
  }

  /** Its buildings (outlines, then their parts), each with the header of its model (the CRS is not looked at). */
  async *features(ctx: ReadContext): AsyncGenerator<{ header: CjHeader; feature: RawFeature }> {
    const types = this.types;
    const lod = this.options.lod;
    const prefer = this.prefer;
    const source = path.basename(this.label);
    // what the file holds, for the message when nothing in it can be read
    const seenTypes = new Map<string, number>();
    const seenLods = new Set<string>();
    let produced = 0;
    const note = (o: CjObject) => {
      seenTypes.set(String(o?.type), (seenTypes.get(String(o?.type)) ?? 0) + 1);
      for (const g of o?.geometry ?? []) if (g && POLYGONAL.has(g.type)) seenLods.add(String(g.lod));
    };
    /** A family read: its features, or none (skipped, counted and named). */
    const family = (id: string, objects: Record<string, CjObject> | Map<string, CjObject>, m: ModelContext): RawFeature[] => {
      const label = (k: string) => `${m.where} feature ${k}`;
      try {
        const out = familyOf(id, objects, m, (kind, what) => ctx.warn(kind, what ? `${label(id)}, object ${what}` : label(id)), (pid, e) => {
          ctx.tick();
          ctx.skip(e.reason, `${label(pid)}: ${e.message}`);
        });
        for (let k = 0; k < out.length; k++) ctx.tick();
        produced += out.length;
        return out;
      } catch (e) {
        if (!(e instanceof FeatureDefect)) throw e;
        ctx.tick();
        ctx.skip(e.reason, `${label(id)}: ${e.message}`);
        return [];
      }
    };
    const model = (where: string, vertices: Float64Array): ModelContext => ({ file: this.label, where, source, vertices, types, lod, prefer });
    if (!this.seq && fs.statSync(this.label).size > (this.options.streamAboveBytes ?? STREAM_ABOVE_BYTES)) {
      const { header, vertices } = await scanHeaderAndVertices(this.label);
      const m = model(this.label, vertices);
      const pending = new Map<string, CjObject>();
      /** Whether an object and all its parts (to 8 levels) have arrived. */
      const complete = (id: string, depth = 0): boolean => {
        const o = pending.get(id);
        return !!o && (depth > 8 || (o.children ?? []).every((c) => complete(c, depth + 1)));
      };
      const drop = (id: string, depth = 0) => {
        const o = pending.get(id);
        pending.delete(id);
        if (o && depth <= 8) for (const c of o.children ?? []) drop(c, depth + 1);
      };
      /** The top of an object's family (following parents that have arrived), or null while a parent is missing. */
      const rootOf = (id: string): string | null => {
        let at = id;
        for (let k = 0; k < 8; k++) {
          const parent = pending.get(at)?.parents?.[0];
          if (parent === undefined) return at;
          if (!pending.has(parent)) return null;
          at = parent;
        }
        return at;
      };
      for await (const [id, o] of scanObjects(this.label)) {
        if (!o || typeof o !== 'object') continue;
        note(o);
        pending.set(id, o);
        const root = rootOf(id);
        if (root === null || !complete(root)) continue;
        if (types.has(pending.get(root)?.type ?? '')) for (const feature of family(root, pending, m)) yield { header, feature };
        drop(root);
      }
      // what is left: families missing a part, and parts whose parent never came
      for (const id of topLevel(Object.fromEntries(pending), types)) {
        if (!pending.has(id)) continue;
        for (const feature of family(id, pending, m)) yield { header, feature };
        drop(id);
      }
      this.nothingRead(produced, seenTypes, seenLods);
      return;
    }
    if (!this.seq) {
      const { header, json } = this.readWhole();
      const objects = json.CityObjects;
      if (!objects || typeof objects !== 'object') throw new InputError('ingest', `${this.label}: no "CityObjects"`);
      let vertices: Float64Array;
      try {
        vertices = verticesOf(json.vertices, header.transform);
      } catch (e) {
        throw new InputError('ingest', `${this.label}: ${(e as Error).message}`);
      }
      const all = objects as Record<string, CjObject>;
      for (const o of Object.values(all)) note(o);
      const m = model(this.label, vertices);
      for (const id of topLevel(all, types)) for (const feature of family(id, all, m)) yield { header, feature };
      this.nothingRead(produced, seenTypes, seenLods);
      return;
    }
    let header: CjHeader | null = null;
    let latin1 = 0;
    for await (const { line, n, unterminated, latin1: notUtf8 } of this.lines()) {
      // (not-utf8-replaced-unsaid: CityJSON is UTF-8; a line that is not is read as Latin-1, and said once)
      if (notUtf8 && latin1++ === 0) ctx.warn('attributes:read-as-latin1', `${this.label} line ${n} (and any other such line): its text is not UTF-8, as CityJSON must be: read as ISO-8859-1 (Latin-1)`);
      let j: { type?: unknown; id?: unknown; CityObjects?: unknown; vertices?: unknown };
      try {
        j = JSON.parse(line);
      } catch (e) {
        if (!header) throw new InputError('ingest', `${this.label} line ${n}: not valid JSON (${(e as Error).message})`);
        // seq-cut-short-built-with-exit-0: a last line that is no whole JSON text and has no end of line is a
        // file cut short (a download, a copy): stop, as for any damaged file (GeoJSONSeq's rule)
        if (unterminated) throw new InputError('ingest', `${this.label} line ${n}: cut short (its last line is not a whole CityJSONFeature and has no end of line: ${(e as Error).message})`);
        ctx.tick();
        ctx.skip('cityjson:invalid-json', `${this.label} line ${n}: not valid JSON (${(e as Error).message})`);
        continue;
      }
      if (!header) {
        header = headerOf(this.label, j, 'its first line');
        continue;
      }
      const where = `${this.label} line ${n}`;
      if (!j || typeof j !== 'object' || j.type !== 'CityJSONFeature' || !j.CityObjects || typeof j.CityObjects !== 'object') {
        ctx.tick();
        ctx.skip('cityjson:not-a-feature', `${where}: not a CityJSONFeature with CityObjects`);
        continue;
      }
      let vertices: Float64Array;
      try {
        vertices = verticesOf(j.vertices, header.transform);
      } catch (e) {
        ctx.tick();
        ctx.skip((e as FeatureDefect).reason ?? 'cityjson:bad-vertices', `${where} feature ${String(j.id ?? '?')}: ${(e as Error).message}`);
        continue;
      }
      const objects = j.CityObjects as Record<string, CjObject>;
      for (const o of Object.values(objects)) note(o);
      const m = model(where, vertices);
      for (const id of topLevel(objects, types)) for (const feature of family(id, objects, m)) yield { header, feature };
    }
    if (!header) throw new InputError('ingest', `${this.label}: empty (a CityJSONSeq file starts with a CityJSON header line)`);
    this.nothingRead(produced, seenTypes, seenLods);
  }

  /** When nothing could be read: say what the file holds (its object types and levels of detail) against what was asked; name the types asked for that it has none of. */
  private nothingRead(produced: number, seenTypes: Map<string, number>, seenLods: Set<string>): void {
    const types = [...this.types];
    if (produced > 0) {
      for (const t of types) if (!seenTypes.has(t)) this.options.logger.warn(`${this.label}: no city object of type ${t} (--types)`);
      return;
    }
    if (types.every((t) => /Part$/.test(t)))
      throw new InputError('ingest', `${this.label}: ${types.join(', ')} objects are read with the object they are part of: --types ${types.map((t) => t.replace(/Part$/, '')).join(' ')}`);
    const has = [...seenTypes].map(([t, n]) => `${t} ${n}`).join(', ') || 'no city objects';
    if (![...seenTypes.keys()].some((t) => this.types.has(t)))
      throw new InputError('ingest', `${this.label}: no city object of type ${types.join(' or ')} (it has ${has}); --types takes CityJSON type names, case as written, separated by spaces (e.g. --types Building Bridge)`);
    const lods = [...seenLods].sort((a, b) => Number(a) - Number(b)).join(', ');
    if (this.options.lod !== undefined && !seenLods.has(this.options.lod) && ![...seenLods].some((l) => Number(l) === Number(this.options.lod)))
      throw new InputError('ingest', `${this.label}: no surfaces at LoD ${this.options.lod} (its levels of detail: ${lods || 'none'})`);
  }
}

/** Heights from a city model, to join to footprints by an attribute: its objects' keys → their height (m). */
export interface HeightJoin {
  /** The model file, for messages. */
  file: string;
  /** The footprints' attribute holding the key. */
  key: string;
  /** Key → height (its top above its ground surfaces). */
  heights: Map<string, number>;
  /** A few of its keys, and the footprints' attribute names met, for the message when nothing matches. */
  sampleKeys: string[];
  footprintKeys: Set<string>;
}

/**
 * Read the heights of a city model's buildings and parts (`--heights-from`): from their ground surfaces to
 * their top, at `options.lod` or the coarsest level above LoD0; keyed by object id and by the value of
 * their attribute `key` where they have one (3dfier writes the footprint's id as the object's). Any
 * CityJSON or CityJSONSeq file; its CRS is not needed.
 *
 * @example
 * ```ts
 * const join = await readHeightJoin('3dfier.city.json', 'lokaalid', { logger });
 * join.heights.get('G0503.032e68f0452549dbe0532d0d...'); // 9.8
 * ```
 */
export async function readHeightJoin(file: string, key: string, options: SourceOptions): Promise<HeightJoin> {
  if (!fs.existsSync(file)) throw new InputError('ingest', `${file} (--heights-from): no such file`);
  if (!isCityJson(file)) throw new InputError('ingest', `${file} (--heights-from): not a CityJSON or CityJSONSeq file`);
  const heights = new Map<string, number>();
  const quiet: ReadContext = { skip() {}, warn() {}, tick() {} };
  // at --lod, else the coarsest level above LoD0 (a block model's top: 3DBAG's LoD 1.2, not its ridges)
  const source = new CityJsonSource(file, { ...options, cityObjectTypes: undefined }, 'lowest');
  for await (const { feature: f } of source.features(quiet)) {
    if (!f.model) continue;
    // from its ground surfaces (else its lowest point) to its top
    const h = f.model.zMax - f.model.ground;
    heights.set(f.id, h);
    const v = f.attributes?.[key];
    if (v !== undefined && v !== null && v !== '') heights.set(String(v), h);
  }
  if (!heights.size) throw new InputError('ingest', `${file} (--heights-from): no building with 3D surfaces to take a height from`);
  return { file, key, heights, sampleKeys: [...heights.keys()].slice(0, 3), footprintKeys: new Set() };
}

/** CityJSON and CityJSONSeq files (one source each). */
export const CITYJSON_FORMAT: SourceFormat = {
  name: 'cityjson',
  test: isCityJson,
  grouped: false,
  open: (inputs, options) => new CityJsonSource(inputs[0], options),
};
