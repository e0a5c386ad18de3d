import { SURFACE_TYPES, type AttributeValue, type BuildingParams, type FeatureBatch, type MeshBatch, type TerrainMesh } from '../core/types.js';
import { planarFaces, ringsClosed } from './planar.js';

/** Options of {@link encodeCityJson}. */
export interface CityJsonOptions {
  /** Frame x, y pairs → the output CRS's x, y pairs (a new array). */
  project: (xy: Float64Array) => Float64Array;
  /** The output CRS, `EPSG:code` (its `metadata.referenceSystem`). */
  crs: string;
  /** CityJSONSeq: a header line, then one `CityJSONFeature` per building (with its parts). Default: one CityJSON document. */
  seq: boolean;
  /** Coordinate precision: the `transform`'s scale (metres; default 0.001). */
  scale: number;
  /** Who the data is by (metadata `title` note), if known. */
  attribution?: string;
  /** The ground the buildings stand on, written as a `TINRelief` (its surface triangles; the skirts left out). */
  terrain?: TerrainMesh;
}

/** Defaults for {@link CityJsonOptions}. */
export const CITYJSON_DEFAULTS: Pick<CityJsonOptions, 'seq' | 'scale'> = { seq: false, scale: 0.001 };

/** What {@link encodeCityJson} returns. */
export interface CityJsonResult {
  bytes: Uint8Array;
  /** City objects written: buildings and building parts (a building's own and those its solid is split into). */
  buildings: number;
  parts: number;
  /** Buildings written as closed solids: a Solid, or a Solid per part where the shell falls apart (the rest as a MultiSurface). */
  solids: number;
  /** Triangles of the `TINRelief` written (0: none). */
  terrainTriangles: number;
}

/** One surface of a building: rings of indices into its own vertex list, and its semantic type ('' none). */
interface Surface {
  rings: number[][];
  type: string;
  /** Its semantic object's own attributes (a city model's, as read). */
  attributes?: Record<string, unknown> | null;
}

/** A building's geometry ready to encode: its vertices in the output CRS and its surfaces. */
interface Shape {
  coords: Float64Array;
  surfaces: Surface[];
  solid: boolean;
  lod: string;
}

/** The semantic type of a face built by cityforge: by material (roof) and facing (floor, roof). */
function semanticOf(materialName: string, nz: number, lowest: boolean): string {
  if (nz < -0.95) return lowest ? 'GroundSurface' : 'OuterFloorSurface';
  if (materialName.startsWith('roof:')) return 'RoofSurface';
  if (nz > 0.95) return 'RoofSurface';
  return 'WallSurface';
}

/** A building's shape: its kept surfaces (a city model's, as read), or its mesh's triangles merged into planar faces. */
function shapeOf(batch: FeatureBatch, mesh: MeshBatch, f: number, project: CityJsonOptions['project'], inSourceCrs: boolean): Shape | null {
  const kept = batch.surfaces?.[f];
  let coords3: ArrayLike<number>;
  let surfaces: Surface[];
  let solid: boolean;
  const t0 = mesh.triangleOffsets[f], t1 = mesh.triangleOffsets[f + 1];
  const p = batch.params[f];
  if (t1 <= t0) return null;
  if (kept) {
    coords3 = kept.coords;
    surfaces = [];
    for (let s = 0; s + 1 < kept.surfaceOffsets.length; s++) {
      const rings: number[][] = [];
      for (let r = kept.surfaceOffsets[s]; r < kept.surfaceOffsets[s + 1]; r++) {
        const ring: number[] = [];
        for (let v = kept.ringOffsets[r]; v < kept.ringOffsets[r + 1]; v++) ring.push(v);
        rings.push(ring);
      }
      surfaces.push({ rings, type: SURFACE_TYPES[kept.types[s]] ?? '', attributes: kept.surfaceAttributes?.[s] ?? null });
    }
    solid = ringsClosed(kept.coords, surfaces.flatMap((x) => x.rings));
  } else {
    const planar = planarFaces(mesh.positions, mesh.indices, mesh.materialIds, t0, t1);
    coords3 = planar.coords;
    let zMin = Infinity;
    for (let i = 2; i < planar.coords.length; i += 3) zMin = Math.min(zMin, planar.coords[i]);
    surfaces = planar.faces.map((face) => {
      // (a raised building or part, min_height over 0, stands on no ground: its floor is an OuterFloorSurface)
      let lowest = p.minHeight <= 0;
      for (const v of face.rings[0]) if (planar.coords[3 * v + 2] > zMin + 0.01) lowest = false;
      return { rings: face.rings, type: semanticOf(mesh.materials[face.material]?.name ?? '', face.normal[2], lowest) };
    });
    solid = planar.closed;
  }
  const n = coords3.length / 3;
  const xy = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    xy[2 * i] = coords3[3 * i];
    xy[2 * i + 1] = coords3[3 * i + 1];
  }
  // a city model written back in its own CRS: its own x, y (not there and back through the frame)
  const out = kept?.sourceXY && inSourceCrs && kept.sourceXY.length === xy.length ? kept.sourceXY : project(xy);
  const coords = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    coords[3 * i] = out[2 * i];
    coords[3 * i + 1] = out[2 * i + 1];
    coords[3 * i + 2] = coords3[3 * i + 2];
  }
  const lod = kept ? p.lod || '2' : p.roof.shape === 'flat' ? '1.2' : '2.2';
  return { coords, surfaces, solid, lod };
}

/** The attributes a building carries: its source's, then the parameters it was built from (S3DB keys), then CityGML's names for them. */
function attributesOf(p: BuildingParams): Record<string, AttributeValue> {
  const a: Record<string, AttributeValue> = { ...p.attributes };
  const set = (k: string, v: AttributeValue | null | undefined) => {
    if (v !== null && v !== undefined && v !== '') a[k] = v;
  };
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  // (a city model's own measuredHeight stays as it was; default-height-written-as-measured: a height that
  // is the default or from building:levels is no measurement, and says where it comes from, as the GLB's
  // height_from does)
  if (!('measuredHeight' in a) && (p.heightFrom ?? 'data') === 'data') set('measuredHeight', r3(p.height));
  // (a city model read in keeps the word it came with: height-from-lost-in-a-round-trip)
  if (p.heightFrom && p.heightFrom !== 'data') set('height_from', p.heightFrom);
  if (p.base === undefined) {
    // the parameters `cityforge build` reads back (a city model's own surfaces have none)
    set('height', r3(p.height));
    if (p.minHeight > 0) set('min_height', r3(p.minHeight));
    set('building:levels', p.levels);
    set('building:min_level', p.minLevel);
    // (roof-shape-flat-when-untagged: the S3DB tag as tagged, none where none was, as the GLB's roof_shape; roofType
    // below says what was built)
    if (!p.roof.untagged) set('roof:shape', p.roof.shape);
    set('roof:height', p.roof.height === null ? null : r3(p.roof.height));
    set('roof:angle', p.roof.angle);
    set('roof:levels', p.roof.levels);
    set('roof:direction', p.roof.direction);
    set('roof:orientation', p.roof.orientation);
    set('roof:colour', p.roof.colour);
    set('roof:material', p.roof.material);
    set('building:colour', p.colour);
    set('building:material', p.material);
    set('roofType', p.roof.shape);
    if (p.levels !== null) set('storeysAboveGround', p.levels);
  }
  set('building', p.kind);
  set('name', p.name);
  return a;
}

/**
 * A closed shell's connected parts: its surfaces grouped by shared edges, in order of first surface.
 * One group: the shell is one solid.
 */
function shellsOf(surfaces: number[][][]): number[][] {
  const parent = surfaces.map((_, k) => k);
  const find = (k: number): number => {
    while (parent[k] !== k) k = parent[k] = parent[parent[k]];
    return k;
  };
  const edgeOwner = new Map<string, number>();
  surfaces.forEach((rings, k) => {
    for (const ring of rings) {
      for (let i = 0; i < ring.length; i++) {
        const a = ring[i], b = ring[(i + 1) % ring.length];
        const key = a < b ? `${a},${b}` : `${b},${a}`;
        const other = edgeOwner.get(key);
        if (other === undefined) edgeOwner.set(key, k);
        else parent[find(other)] = find(k);
      }
    }
  });
  const groups = new Map<number, number[]>();
  surfaces.forEach((_, k) => {
    const root = find(k);
    const g = groups.get(root);
    if (g) g.push(k);
    else groups.set(root, [k]);
  });
  return [...groups.values()];
}

/** A CRS as CityJSON 2.0 names it (`https://www.opengis.net/def/crs/EPSG/0/<code>`). */
export function referenceSystemOf(crs: string): string | null {
  const m = /^EPSG:(\d+)$/i.exec(crs);
  return m ? `https://www.opengis.net/def/crs/EPSG/0/${m[1]}` : null;
}

/**
 * Encode a built city as CityJSON 2.0 (one document) or CityJSONSeq: per building a `Building` (its
 * parts `BuildingPart`s, children of their outline), its geometry a `Solid` when its shell is closed
 * (where that shell falls apart, as a footprint of several polygons does, a `BuildingPart` per piece,
 * `<id>.1`, `<id>.2` …; else a `MultiSurface`) with RoofSurface / WallSurface / GroundSurface semantics, its source
 * attributes and the S3DB parameters it was built from (what `cityforge build` reads back) as
 * attributes; vertices as integers under a `transform` (scale {@link CityJsonOptions.scale}) in the
 * output CRS. A city model read in (CityJSON) keeps its own surfaces and their semantics (with their own attributes).
 *
 * @example
 * ```ts
 * const { bytes } = encodeCityJson(batch, mesh, { ...CITYJSON_DEFAULTS, crs: 'EPSG:28992', project: (xy) => toRd(xy) });
 * fs.writeFileSync('city.city.json', bytes);
 * ```
 */
export function encodeCityJson(batch: FeatureBatch, mesh: MeshBatch, options: Partial<CityJsonOptions> & Pick<CityJsonOptions, 'project' | 'crs'>): CityJsonResult {
  const o: CityJsonOptions = { ...CITYJSON_DEFAULTS, ...options };
  const n = batch.params.length;
  const shapes: (Shape | null)[] = [];
  const inSourceCrs = batch.frame.sourceCrs.length === 1 && batch.frame.sourceCrs[0] === o.crs;
  let minX = Infinity, minY = Infinity, minZ = Infinity, maxX = -Infinity, maxY = -Infinity, maxZ = -Infinity;
  for (let f = 0; f < n; f++) {
    const s = batch.params[f].drawAs < 0 ? null : shapeOf(batch, mesh, f, o.project, inSourceCrs);
    shapes.push(s);
    if (!s) continue;
    for (let i = 0; i < s.coords.length; i += 3) {
      minX = Math.min(minX, s.coords[i]); maxX = Math.max(maxX, s.coords[i]);
      minY = Math.min(minY, s.coords[i + 1]); maxY = Math.max(maxY, s.coords[i + 1]);
      minZ = Math.min(minZ, s.coords[i + 2]); maxZ = Math.max(maxZ, s.coords[i + 2]);
    }
  }
  // the terrain's surface vertices in the output CRS
  let ground: Float64Array | null = null;
  const tin = o.terrain && o.terrain.surfaceTriangles > 0 ? o.terrain : null;
  if (tin) {
    const nv = tin.positions.length / 3;
    const xy = new Float64Array(2 * nv);
    for (let i = 0; i < nv; i++) [xy[2 * i], xy[2 * i + 1]] = [tin.positions[3 * i], tin.positions[3 * i + 1]];
    const out = o.project(xy);
    ground = new Float64Array(3 * nv);
    for (let t = 0; t < 3 * tin.surfaceTriangles; t++) {
      const v = tin.indices[t];
      const [x, y, z] = [out[2 * v], out[2 * v + 1], tin.positions[3 * v + 2]];
      [ground[3 * v], ground[3 * v + 1], ground[3 * v + 2]] = [x, y, z];
      minX = Math.min(minX, x); maxX = Math.max(maxX, x);
      minY = Math.min(minY, y); maxY = Math.max(maxY, y);
      minZ = Math.min(minZ, z); maxZ = Math.max(maxZ, z);
    }
  }
  if (!Number.isFinite(minX)) minX = minY = minZ = maxX = maxY = maxZ = 0;
  const translate: [number, number, number] = [Math.floor(minX), Math.floor(minY), Math.floor(minZ)];
  const scale = o.scale;
  const q = (v: number, k: number) => Math.round((v - translate[k]) / scale);
  // parts under their outline (S3DB: partOf is the outline's id)
  const indexOf = new Map(batch.params.map((p, f) => [p.id, f]));
  const children = new Map<number, number[]>();
  const parentOf = new Int32Array(n).fill(-1);
  for (let f = 0; f < n; f++) {
    const p = batch.params[f];
    const o2 = p.role === 'part' && p.partOf !== null ? indexOf.get(p.partOf) : undefined;
    if (o2 === undefined || o2 === f) continue;
    parentOf[f] = o2;
    const list = children.get(o2);
    if (list) list.push(f);
    else children.set(o2, [f]);
  }
  // main-part-became-a-part: a building's main part read from a city model (`<id>:main`, see the CityJSON reader)
  // is written back as the building's own geometry, as it was read (the building, drawn as its parts, has none)
  const folded = new Uint8Array(n);
  for (const [f, kids] of children) {
    const k = kids.find((x) => batch.params[x].id === `${batch.params[f].id}:main`);
    if (k === undefined || shapes[f] || !shapes[k]) continue;
    shapes[f] = shapes[k];
    shapes[k] = null;
    folded[k] = 1;
    parentOf[k] = -1;
    children.set(f, kids.filter((x) => x !== k));
  }
  // main-part-at-another-lod: an outline drawn as the rest of its parts is written at its roofed parts' level of
  // detail (a flat prism is an LoD 2.2 solid too): at 1.2 beside parts at 2.2 it read back as another level, not drawn
  for (const [f, kids] of children) {
    const s = shapes[f];
    if (s?.lod === '1.2' && kids.some((k) => shapes[k]?.lod === '2.2')) s.lod = '2.2';
  }
  // ids taken: a solid split into parts names them after its building, on ids no object has
  const taken = new Set(indexOf.keys());
  const splitIds = (f: number, count: number): string[] => {
    const ids: string[] = [];
    for (let k = 1; ids.length < count; k++) {
      const id = `${batch.params[f].id}.${k}`;
      if (!taken.has(id)) ids.push(id), taken.add(id);
    }
    return ids;
  };
  let splitParts = 0;
  /** One city object (and the parts its solid falls apart into), its vertices appended through `vertex`. */
  const cityObject = (f: number, vertex: (x: number, y: number, z: number) => number): [string, Record<string, unknown>][] => {
    const p = batch.params[f];
    const obj: Record<string, unknown> = { type: parentOf[f] >= 0 ? 'BuildingPart' : 'Building', attributes: attributesOf(p) };
    const out: [string, Record<string, unknown>][] = [[p.id, obj]];
    const s = shapes[f];
    const kids = (children.get(f) ?? []).map((k) => batch.params[k].id);
    if (s) {
      const local = new Int32Array(s.coords.length / 3).fill(-1);
      const at = (v: number) => (local[v] >= 0 ? local[v] : (local[v] = vertex(s.coords[3 * v], s.coords[3 * v + 1], s.coords[3 * v + 2])));
      const boundaries: number[][][] = [];
      const types: string[] = [];
      const own: (Record<string, unknown> | null)[] = [];
      for (const surface of s.surfaces) {
        // vertices equal once quantized: a ring keeps one of them (CityJSON rings repeat no vertex)
        const rings = surface.rings.map((r) => r.map(at).filter((v, k, a) => v !== a[(k + 1) % a.length])).filter((r) => r.length >= 3);
        if (!rings.length) continue;
        boundaries.push(rings);
        types.push(surface.type);
        own.push(surface.attributes ?? null);
      }
      /** The geometry of some of the surfaces, with their semantics. */
      const geometry = (type: 'Solid' | 'MultiSurface', which: number[]) => {
        const typeIndex = new Map<string, number>();
        const semanticSurfaces: Record<string, unknown>[] = [];
        const values = which.map((k) => {
          if (!types[k]) return null;
          // (surface-attributes-lost: one semantic object per type and attributes, a model's own kept)
          const key = own[k] ? `${types[k]}\u0000${JSON.stringify(own[k])}` : types[k];
          let i = typeIndex.get(key);
          if (i === undefined) typeIndex.set(key, (i = semanticSurfaces.push({ type: types[k], ...(own[k] ?? {}) }) - 1));
          return i;
        });
        const b = which.map((k) => boundaries[k]);
        const semantics = semanticSurfaces.length ? { semantics: { surfaces: semanticSurfaces, values: type === 'Solid' ? [values] : values } } : {};
        return [{ type, lod: s.lod, boundaries: type === 'Solid' ? [b] : b, ...semantics }];
      };
      const shells = s.solid && boundaries.length ? shellsOf(boundaries) : [];
      if (shells.length > 1) {
        // solid-with-disconnected-shells (val3dity 305): a footprint of several polygons makes a solid
        // each, a BuildingPart each (CityJSON 2.0 has no MultiSolid for buildings, and a CompositeSolid's
        // solids must touch)
        const ids = splitIds(f, shells.length);
        shells.forEach((shell, k) => {
          out.push([ids[k], { type: 'BuildingPart', geometry: geometry('Solid', shell), parents: [p.id] }]);
          kids.push(ids[k]);
        });
        splitParts += shells.length;
      } else if (boundaries.length) obj.geometry = geometry(s.solid ? 'Solid' : 'MultiSurface', boundaries.map((_, k) => k));
    }
    if (kids.length) obj.children = kids;
    if (parentOf[f] >= 0) obj.parents = [batch.params[parentOf[f]].id];
    return out;
  };
  const referenceSystem = referenceSystemOf(o.crs);
  const metadata: Record<string, unknown> = {
    ...(referenceSystem ? { referenceSystem } : {}),
    geographicalExtent: [minX, minY, minZ, maxX, maxY, maxZ].map((v) => Math.round(v * 1000) / 1000),
    title: `Buildings made by cityforge${o.attribution ? ` from data by ${o.attribution}` : ''}`,
  };
  const transform = { scale: [scale, scale, scale], translate };
  // (main parts folded into their buildings are neither buildings nor parts of the output)
  let parts = 0, solids = 0;
  const foldedParts = folded.reduce((a, b) => a + b, 0);
  for (let f = 0; f < n; f++) {
    if (parentOf[f] >= 0) parts++;
    if (shapes[f]?.solid) solids++;
  }
  /** A vertex list: quantized vertices, each once; `vertex` appends one (or finds it) and returns its index. */
  const vertexList = () => {
    const vertices: number[][] = [];
    const seen = new Map<string, number>();
    const vertex = (x: number, y: number, z: number) => {
      const v = [q(x, 0), q(y, 1), q(z, 2)];
      const key = v.join(',');
      let i = seen.get(key);
      if (i === undefined) seen.set(key, (i = vertices.push(v) - 1));
      return i;
    };
    return { vertices, vertex };
  };
  // the terrain: a TINRelief of its surface triangles (those still a triangle at the transform's precision),
  // under an id no building has
  let terrainId = 'terrain';
  for (let k = 1; indexOf.has(terrainId); k++) terrainId = `terrain-${k}`;
  let terrainTriangles = 0;
  const relief = (vertex: (x: number, y: number, z: number) => number): Record<string, unknown> | null => {
    if (!tin || !ground) return null;
    const at = new Int32Array(tin.positions.length / 3).fill(-1);
    const id = (v: number) => (at[v] >= 0 ? at[v] : (at[v] = vertex(ground![3 * v], ground![3 * v + 1], ground![3 * v + 2])));
    const boundaries: number[][][] = [];
    for (let t = 0; t < 3 * tin.surfaceTriangles; t += 3) {
      const [a, b, c] = [id(tin.indices[t]), id(tin.indices[t + 1]), id(tin.indices[t + 2])];
      if (a !== b && b !== c && a !== c) boundaries.push([[a, b, c]]);
    }
    terrainTriangles = boundaries.length;
    return boundaries.length ? { type: 'TINRelief', geometry: [{ type: 'CompositeSurface', lod: '1', boundaries }] } : null;
  };
  const enc = new TextEncoder();
  if (!o.seq) {
    const { vertices, vertex } = vertexList();
    const objects: Record<string, unknown> = {};
    for (let f = 0; f < n; f++) if (!folded[f]) for (const [id, obj] of cityObject(f, vertex)) objects[id] = obj;
    const r = relief(vertex);
    if (r) objects[terrainId] = r;
    const doc = { type: 'CityJSON', version: '2.0', transform, metadata, CityObjects: objects, vertices };
    return { bytes: enc.encode(JSON.stringify(doc) + '\n'), buildings: n - parts - foldedParts, parts: parts + splitParts, solids, terrainTriangles };
  }
  const lines = [JSON.stringify({ type: 'CityJSON', version: '2.0', transform, metadata, CityObjects: {}, vertices: [] })];
  for (let f = 0; f < n; f++) {
    if (parentOf[f] >= 0 || folded[f]) continue;
    const { vertices, vertex } = vertexList();
    const objects: Record<string, unknown> = {};
    for (const k of [f, ...(children.get(f) ?? [])]) for (const [id, obj] of cityObject(k, vertex)) objects[id] = obj;
    lines.push(JSON.stringify({ type: 'CityJSONFeature', id: batch.params[f].id, CityObjects: objects, vertices }));
  }
  const { vertices, vertex } = vertexList();
  const r = relief(vertex);
  if (r) lines.push(JSON.stringify({ type: 'CityJSONFeature', id: terrainId, CityObjects: { [terrainId]: r }, vertices }));
  return { bytes: enc.encode(lines.join('\n') + '\n'), buildings: n - parts - foldedParts, parts: parts + splitParts, solids, terrainTriangles };
}
