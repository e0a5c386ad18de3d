import type { Logger } from '../core/logger.js';
import { featureName } from '../core/params.js';
import type { Summary } from '../core/summary.js';
import type { AttributeValue, BuildingParams, FeatureBatch, MeshBatch } from '../core/types.js';
import { sampleGrid, type ElevationGrid } from '../core/grid.js';
import { featurePolygons } from './footprint.js';
import { MeshBuilder } from './mesh-builder.js';
import { buildFloor, buildWalls, WALL_DEFAULTS, type WallOptions } from './prism.js';
import { straightSkeleton, type StraightSkeleton } from './skeleton.js';
import { materialLook } from './materials.js';
import { facadeOf, PartyWalls } from './facade.js';
import { simplifyFootprint, SKELETON_MAX_VERTICES } from './simplify.js';
import { meshKeptSurfaces } from './kept.js';
import { pointCount, type Footprint } from './footprint.js';
import { emitRoofModel } from './roofs/emit.js';
import { flatRoofFast } from './roofs/flat-fast.js';
import { FALLBACK, flatRoof, hippedRoof, roofBuilder } from './roofs/index.js';
import type { RoofBuilder, RoofInput } from './roofs/types.js';
import type { RoofModel } from './roofs/model.js';

export { MeshBuilder } from './mesh-builder.js';
export { hexToLinear } from '../core/colour.js';
export { featurePolygons, projectionRange, triangulate, type Footprint } from './footprint.js';
export type { RoofBuilder, RoofInput } from './roofs/types.js';
export { ROOF_SHAPES, ROOF_BUILDERS, ROOF_CLASSES, roofClass } from './roofs/index.js';
export { RoofModel } from './roofs/model.js';
export { compass, rectangle } from './roofs/common.js';
export { unitRoof, type UnitRoof, type RoofVariant } from './roofs/unit.js';
export { straightSkeleton, type StraightSkeleton } from './skeleton.js';
export { removeNotches } from './simplify.js';
export { terrainMesh, rtinErrors, TERRAIN_DEFAULTS, type TerrainOptions } from './terrain.js';
export type { TerrainMesh } from '../core/types.js';
export { countClimbedOver, countOffData, groundElevations, type BaseMode } from './seat.js';
export { BlockGrid, boxedBatch } from './lod.js';
export { meshKeptSurfaces, type KeptReport } from './kept.js';
export { MATERIAL_LOOKS, materialLook, type SurfaceLook } from './materials.js';
export { FACADE_LOOKS, DEFAULT_STOREY, facadeOf, facadeTexture, PartyWalls, type FacadeLook, type FacadeWalls } from './facade.js';

/** Options for {@link buildMeshes}. */
export interface ProceduralOptions extends WallOptions {
  /** Wall colour when a building has none. */
  wallColour: string;
  /** Roof colour when a building has none. */
  roofColour: string;
  /** Ground elevation per building (added to every height; from {@link groundElevations}), or none: flat ground at 0. A city model's building (`base` set) stands at its own base instead. */
  ground?: Float64Array;
  /**
   * The terrain the buildings stand on (with `ground`): a facade leaves out the windows and doors it covers
   * (the uphill walls of a building on a slope, seated on its lowest ground, stand in it).
   */
  terrain?: ElevationGrid;
  /**
   * Facades: `texture` lays storeys and windows out on every wall as texture coordinates over a small
   * texture per look ({@link facadeOf}); `geometry` cuts the same windows and doors into the walls as real
   * openings with reveals and recessed panes (`geometryWalls`); `none` keeps plain walls.
   */
  facades: 'none' | 'texture' | 'geometry';
  /** Called every so often with the buildings meshed so far, of all (build-silent-for-long: a million took 48 s with nothing said). */
  onProgress?: (done: number, total: number) => void;
}

/** Defaults for {@link ProceduralOptions}. */
export const PROCEDURAL_DEFAULTS: ProceduralOptions = { ...WALL_DEFAULTS, wallColour: '#e3ddd3', roofColour: '#a39a8f', facades: 'none' };

/** The roof colour of a city model's RoofSurfaces that carry none. */
export const KEPT_ROOF_COLOUR = '#b06a55';

/** The material switches of one building: its walls' and its roof's look. */
interface Looks {
  wall(): void;
  roof(): void;
}

/** A building's wall and roof materials (tagged colour, else the material's look, else the defaults). */
function looksOf(p: BuildingParams, mesh: MeshBuilder, opts: ProceduralOptions, facade: string | null): Looks {
  const wallLook = materialLook(p.material);
  const roofLook = materialLook(p.roof.material);
  const wallColour = p.colour ?? wallLook?.colour ?? opts.wallColour;
  const roofColour = p.roof.colour ?? roofLook?.colour ?? (p.roof.shape === 'flat' ? p.colour : null) ?? opts.roofColour;
  return {
    wall: () => (facade ? mesh.useFacade(facade, wallColour, wallLook?.roughness, wallLook?.metallic) : mesh.useMaterial('wall', wallColour, wallLook?.roughness, wallLook?.metallic)),
    roof: () => mesh.useMaterial('roof', roofColour, roofLook?.roughness, roofLook?.metallic),
  };
}

/** Times the straight skeleton (the expensive kernel) across a run. */
interface SkeletonClock {
  ms: number;
}

/** What a roof builder is given for one footprint polygon of a building; the skeleton computed once, on first use. */
function roofInput(footprint: Footprint, p: BuildingParams, summary: Summary, clock: SkeletonClock): RoofInput {
  let sk: StraightSkeleton | null | undefined;
  return {
    footprint,
    apex: p.height,
    minHeight: p.minHeight,
    roof: p.roof,
    skeleton: () => {
      if (sk === undefined) {
        const t = performance.now();
        // (too many vertices: none here, and the footprint is simplified for it; see simplifyFootprint)
        sk = pointCount(footprint) > SKELETON_MAX_VERTICES ? null : straightSkeleton(footprint);
        clock.ms += performance.now() - t;
      }
      return sk;
    },
    warn: (kind, said) => summary.warn(kind, `${featureName(p)}${said ? `: ${said}` : ''}`),
  };
}

/**
 * One footprint polygon with its roof, walls and floor, through the fallback chain: the tagged shape;
 * where the skeleton library fails, the same shape on the footprint without its tiniest jogs; then
 * hipped → pyramidal → flat, every step counted; a plain prism when even flat cannot be triangulated.
 */
function buildRoofed(fp: Footprint, p: BuildingParams, builder: RoofBuilder, shape: string, mesh: MeshBuilder, opts: ProceduralOptions, looks: Looks, summary: Summary, clock: SkeletonClock): void {
  if (builder === flatRoof) {
    looks.wall();
    buildWalls(fp, p.minHeight, p.height, mesh, opts);
    buildFloor(fp, p.minHeight, mesh, opts);
    looks.roof();
    if (!flatRoofFast(fp, p.height, mesh)) summary.warn('roof:flat-not-triangulated', featureName(p));
    return;
  }
  const emit = (model: RoofModel | null, footprint: Footprint) => !!model && emitRoofModel(model, footprint, p.minHeight, mesh, opts, looks.wall, looks.roof);
  const input = roofInput(fp, p, summary, clock);
  let simplified: RoofInput | null | undefined;
  let b: RoofBuilder | undefined = builder;
  let name = shape;
  while (b) {
    if (emit(b.build(input), fp)) return;
    // the skeleton library failed on this footprint: retry the shape on it without its tiniest jogs
    if (input.skeleton() === null && simplified === undefined) {
      const fp2 = simplifyFootprint(fp);
      simplified = fp2 ? roofInput(fp2, p, summary, clock) : null;
      if (simplified && emit(b.build(simplified), simplified.footprint)) {
        summary.warn('roof:footprint-simplified-for-skeleton', featureName(p));
        return;
      }
    }
    const next: RoofBuilder | undefined = b === flatRoof ? undefined : (FALLBACK[b.shapes[0]] ?? hippedRoof);
    const nextName = next?.shapes[0] ?? 'none';
    summary.warn(`roof:fallback:${name}->${nextName}`, featureName(p));
    b = next;
    name = nextName;
  }
  // even flat failed (cannot triangulate): walls only would leave the shell open; draw the prism
  looks.wall();
  buildWalls(fp, p.minHeight, p.height, mesh, opts);
  buildFloor(fp, p.minHeight, mesh, opts);
}

/**
 * About how many vertices and triangles `batch`'s buildings make (SF and Monaco: a flat prism 5.7–5.9
 * vertices and 3.5 triangles per footprint point, a pitched or round roof 15.6–16.8 and 8.2–9), so that
 * {@link MeshBuilder} makes room once.
 */
function expectedMesh(batch: FeatureBatch): { vertices: number; triangles: number; buildings: number } {
  let vertices = 0, triangles = 0;
  const nb = batch.params.length;
  for (let f = 0; f < nb; f++) {
    const points = batch.ringOffsets[batch.polygonOffsets[batch.featureOffsets[f + 1]]] - batch.ringOffsets[batch.polygonOffsets[batch.featureOffsets[f]]];
    const flat = batch.params[f].roof.shape === 'flat';
    vertices += points * (flat ? 6 : 17);
    triangles += points * (flat ? 3.5 : 9);
  }
  return { vertices: Math.ceil(vertices), triangles: Math.ceil(triangles), buildings: nb };
}

/**
 * Turn footprints into closed building shells: walls from `minHeight` to the wall top, a floor,
 * and a roof. Feature ids in the mesh are the building's index in `batch.params`.
 *
 * @example
 * ```ts
 * const mesh = buildMeshes(batch, { ground }, summary);
 * mesh.indices.length / 3; // triangles
 * ```
 */
export function buildMeshes(batch: FeatureBatch, options: Partial<ProceduralOptions>, summary: Summary, logger?: Logger): MeshBatch {
  const opts = { ...PROCEDURAL_DEFAULTS, ...options };
  const t0 = performance.now();
  const mesh = new MeshBuilder(expectedMesh(batch));
  const clock: SkeletonClock = { ms: 0 };
  const party = opts.facades !== 'none' ? new PartyWalls(batch) : null;
  const geometry = opts.facades === 'geometry' ? { geometry: true } : {};
  const middles = party?.blockMiddles(batch);
  const tops = new Float32Array(batch.params.length).fill(NaN);
  // an outline drawn as its parts passes its shop (a `shop` tag, or shop nodes inside it) to its parts
  const outlineShops = new Map<string, AttributeValue>();
  if (party)
    for (const q of batch.params) {
      const v = q.attributes['shop'] ?? q.attributes['shops'];
      if (q.role === 'building' && q.drawAs < 0 && v != null) outlineShops.set(q.id, v);
    }
  for (let f = 0; f < batch.params.length; f++) {
    if (opts.onProgress && (f & 4095) === 0 && f) opts.onProgress(f, batch.params.length);
    const p = batch.params[f];
    mesh.beginFeature(p.drawAs);
    const vStart = mesh.vertexCount;
    if (p.drawAs < 0) {
      // an outline drawn as its parts (S3DB): no geometry of its own
      mesh.endFeature();
      continue;
    }
    const kept = batch.surfaces?.[f];
    if (kept) {
      // a city model's own surfaces, kept as they are (its z are the frame's: not seated)
      // (roofs in the city-model viewers' red where the model gives no colour or material: its semantics are what it shows;
      // a model cityforge wrote carries the S3DB colour and material tags it was built with: roof-colours-lost-on-the-round-trip)
      const looks = looksOf(p.roof.colour || materialLook(p.roof.material) ? p : { ...p, roof: { ...p.roof, colour: KEPT_ROOF_COLOUR } }, mesh, opts, null);
      const r = meshKeptSurfaces(kept, mesh, looks.wall, looks.roof);
      if (r.degenerate) summary.warn('surface:degenerate-left-out', `${featureName(p)}: ${r.degenerate} surfaces`);
      mesh.endFeature();
      continue;
    }
    // facades: storeys from the walls' height (up to the eaves, where the roof's height is known)
    const inherited = p.partOf !== null && p.attributes['shop'] == null && p.attributes['shops'] == null ? outlineShops.get(p.partOf) : undefined;
    const fp0 = inherited === undefined ? p : { ...p, attributes: { ...p.attributes, shops: inherited } };
    // (doors-under-the-hill: the uphill walls of a building seated on its lowest ground stood in the terrain,
    // their ground-floor windows and front door half buried)
    const foot = opts.ground?.[f];
    const terrain = opts.terrain;
    const buried = terrain && foot !== undefined && p.base === undefined ? { buried: (x: number, y: number) => sampleGrid(terrain, x, y) - foot } : {};
    const facade = party ? { ...facadeOf(fp0, p.roof.shape === 'flat' ? p.height : p.height - (p.roof.height ?? 0)), party: (x0: number, y0: number, x1: number, y1: number) => party.shared(f, x0, y0, x1, y1), clearance: (x: number, y: number, nx: number, ny: number, reach: number) => party.clearance(f, x, y, nx, ny, reach), ...geometry, ...buried, ...(middles && Number.isFinite(middles[2 * f]) ? { away: [middles[2 * f], middles[2 * f + 1]] as const } : {}) } : null;
    // (geometry facades: plain walls with openings; the texture's look is for textured walls only)
    const looks = looksOf(p, mesh, opts, facade && !facade.geometry ? facade.look : null);
    const bopts = facade ? { ...opts, facade } : opts;
    let shape = p.roof.shape;
    let builder = roofBuilder(shape);
    if (!builder) {
      summary.warn(`roof:unknown-shape-built-flat`, `${featureName(p)}: roof:shape=${shape}`);
      builder = flatRoof;
      shape = 'flat';
    }
    for (const fp of featurePolygons(batch, f)) buildRoofed(fp, p, builder, shape, mesh, bopts, looks, summary, clock);
    const arr = mesh.positions.array;
    let top = -Infinity;
    for (let v = vStart; v < mesh.vertexCount; v++) if (arr[3 * v + 2] > top) top = arr[3 * v + 2];
    if (top > -Infinity) tops[f] = top;
    // a city model's building (drawn here as a box, at a coarse level) stands where its model does
    const lift = p.base ?? opts.ground?.[f];
    if (lift) {
      const g = lift;
      for (let v = vStart; v < mesh.vertexCount; v++) arr[3 * v + 2] += g;
    }
    mesh.endFeature();
  }
  summary.time('skeleton', clock.ms / 1000);
  const out = { ...mesh.finish(), tops };
  summary.triangles += out.indices.length / 3;
  summary.time('mesh', (performance.now() - t0) / 1000);
  logger?.debug(`meshes: ${out.positions.length / 3} vertices, ${out.indices.length / 3} triangles, ${out.materials.length} materials`);
  return out;
}

/**
 * The buildings' rows as the table gives them, set to what was drawn: the height where the data did not
 * say it — a building whose height came from `building:levels` with a derived roof on top of its storeys
 * (levels 2 + gabled: 6 m of walls, drawn to 8.88 m), an outline drawn as its parts (its tallest part's
 * drawn top, and so a building of levels the parts drawn as it rise above); a height from the data stays as
 * given — and, with `ground` (the elevations the buildings were seated at, as given to {@link buildMeshes}),
 * the elevation each stands at, but for those `outside` the DEM's data ({@link countOffData}): seated on the
 * nearest data, they have none. Rows unchanged are returned as they are.
 *
 * (levels-roof-height-unsaid: the table's height was the walls' top where the roof stood on them;
 * elevation-not-in-the-table: built on a terrain, no row said where its building stands)
 *
 * @example
 * ```ts
 * const mesh = buildMeshes(batch, { ground }, summary);
 * const rows = drawnRows(batch.params, mesh.tops!, ground);
 * rows[0].height; // 8.88 for `building:levels=2 roof:shape=gabled`
 * rows[0].ground; // 63.2: its base's elevation on the terrain
 * ```
 */
export function drawnRows(params: readonly BuildingParams[], tops: Float32Array, ground?: Float64Array, outside?: Uint8Array): BuildingParams[] {
  // each drawn feature id's highest point (an outline drawn as its parts: theirs)
  const byId = new Map<number, number>();
  for (let f = 0; f < params.length; f++) {
    const id = params[f].drawAs, t = tops[f];
    if (id >= 0 && t === t && !(byId.get(id)! >= t)) byId.set(id, t);
  }
  return params.map((p, f) => {
    // (a city model's building stands at its own base; one outside the DEM's data, seated on the nearest data,
    // has no elevation of its own: ground-made-up-off-the-dem)
    const at = ground && !outside?.[f] ? (p.base ?? ground[f]) : undefined;
    const q = at !== undefined && Number.isFinite(at) ? { ...p, ground: Math.round(at * 1000) / 1000 } : p;
    if (p.base !== undefined) return q;
    // (a height from levels: the building's own top, or what its parts draw under its id above it —
    // outline-height-under-its-parts: an outline of 5 levels said 15 m over a 20 m part drawn as it)
    const own = tops[f] === tops[f] ? tops[f] : -Infinity;
    const top = p.heightFrom === 'levels' ? Math.max(own, byId.get(f) ?? -Infinity) : p.heightFrom === 'parts' ? byId.get(f) : undefined;
    // (float32 tops: a top within a millimetre of the height is the height)
    return top !== undefined && top > p.height + 1e-3 ? { ...q, height: Math.round(top * 1000) / 1000 } : q;
  });
}
