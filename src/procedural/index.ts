import type { Logger } from '../core/logger.js';
import type { Summary } from '../core/summary.js';
import type { FeatureBatch, MeshBatch } from '../core/types.js';
import { featurePolygons } from './footprint.js';
import { MeshBuilder } from './mesh-builder.js';
import { buildFloor, buildWalls, WALL_DEFAULTS, type WallOptions } from './prism.js';
import { straightSkeleton, type StraightSkeleton } from './skeleton.js';
import { materialLook } from './materials.js';
import { simplifyFootprint } from './simplify.js';
import type { Footprint } from './footprint.js';
import { emitRoofModel } from './roofs/emit.js';
import { flatRoofFast } from './roofs/flat-fast.js';
import { FALLBACK, flatRoof, hippedRoof, roofBuilder } from './roofs/index.js';
import type { RoofBuilder, RoofInput } from './roofs/types.js';

export { MeshBuilder } from './mesh-builder.js';
export { hexToLinear } from '../core/colour.js';
export { featurePolygons, triangulate, type Footprint } from './footprint.js';
export type { RoofBuilder, RoofInput } from './roofs/types.js';
export { ROOF_SHAPES, ROOF_BUILDERS } from './roofs/index.js';
export { RoofModel } from './roofs/model.js';
export { straightSkeleton, type StraightSkeleton } from './skeleton.js';
export { terrainMesh, rtinErrors, TERRAIN_DEFAULTS, type TerrainOptions } from './terrain.js';
export type { TerrainMesh } from '../core/types.js';
export { groundElevations, type BaseMode } from './seat.js';
export { BlockGrid, boxedBatch } from './lod.js';
export { MATERIAL_LOOKS, materialLook, type SurfaceLook } from './materials.js';

/** Options for {@link buildMeshes}. */
export interface ProceduralOptions extends WallOptions {
  /** Wall colour when a building has none. */
  wallColour: string;
  /** Roof colour when a building has none. */
  roofColour: string;
  /** Ground elevation per building (added to every height; from {@link groundElevations}), or none: flat ground at 0. */
  ground?: Float64Array;
}

/** Defaults for {@link ProceduralOptions}. */
export const PROCEDURAL_DEFAULTS: ProceduralOptions = { ...WALL_DEFAULTS, wallColour: '#e3ddd3', roofColour: '#a39a8f' };

/**
 * Turn footprints into closed building shells: walls from `minHeight` to the wall top, a floor,
 * and a roof. Feature ids in the mesh are the building's index in `batch.params`.
 */
export function buildMeshes(batch: FeatureBatch, options: Partial<ProceduralOptions>, summary: Summary, logger?: Logger): MeshBatch {
  const opts = { ...PROCEDURAL_DEFAULTS, ...options };
  const t0 = performance.now();
  const mesh = new MeshBuilder();
  let skeletonMs = 0;
  for (let f = 0; f < batch.params.length; f++) {
    const p = batch.params[f];
    mesh.beginFeature(p.drawAs);
    const vStart = mesh.vertexCount;
    if (p.drawAs < 0) {
      // an outline drawn as its parts (S3DB): no geometry of its own
      mesh.endFeature();
      continue;
    }
    const wallLook = materialLook(p.material);
    const roofLook = materialLook(p.roof.material);
    const wallColour = p.colour ?? wallLook?.colour ?? opts.wallColour;
    const roofColour = p.roof.colour ?? roofLook?.colour ?? (p.roof.shape === 'flat' ? p.colour : null) ?? opts.roofColour;
    const wallMaterial = () => mesh.useMaterial('wall', wallColour, wallLook?.roughness, wallLook?.metallic);
    const roofMaterial = () => mesh.useMaterial('roof', roofColour, roofLook?.roughness, roofLook?.metallic);
    let shape = p.roof.shape;
    let builder = roofBuilder(shape);
    if (!builder) {
      summary.warn(`roof:unknown-shape-built-flat`, `${p.source} feature ${p.id}: roof:shape=${shape}`);
      builder = flatRoof;
      shape = 'flat';
    }
    for (const fp of featurePolygons(batch, f)) {
      if (builder === flatRoof) {
        wallMaterial();
        buildWalls(fp, p.minHeight, p.height, mesh, opts);
        buildFloor(fp, p.minHeight, mesh);
        roofMaterial();
        if (!flatRoofFast(fp, p.height, mesh)) summary.warn('roof:flat-not-triangulated');
        continue;
      }
      const inputFor = (footprint: Footprint): RoofInput => {
        let sk: StraightSkeleton | null | undefined;
        return {
          footprint,
          apex: p.height,
          minHeight: p.minHeight,
          roof: p.roof,
          skeleton: () => {
            if (sk === undefined) {
              const t = performance.now();
              sk = straightSkeleton(footprint);
              skeletonMs += performance.now() - t;
            }
            return sk;
          },
          warn: (kind) => summary.warn(kind),
        };
      };
      const input = inputFor(fp);
      let b: RoofBuilder | undefined = builder;
      let name = shape;
      let simplified: RoofInput | null | undefined;
      while (b) {
        const model = b.build(input);
        if (model && emitRoofModel(model, fp, p.minHeight, mesh, opts, wallMaterial, roofMaterial)) break;
        // the skeleton library failed on this footprint: retry the shape on it without its tiniest jogs
        if (input.skeleton() === null && simplified === undefined) {
          const fp2 = simplifyFootprint(fp);
          simplified = fp2 ? inputFor(fp2) : null;
          const m2 = simplified && b.build(simplified);
          if (m2 && fp2 && emitRoofModel(m2, fp2, p.minHeight, mesh, opts, wallMaterial, roofMaterial)) {
            summary.warn('roof:footprint-simplified-for-skeleton');
            break;
          }
        }
        const next: RoofBuilder | undefined = b === flatRoof ? undefined : (FALLBACK[b.shapes[0]] ?? hippedRoof);
        const nextName = next?.shapes[0] ?? 'none';
        summary.warn(`roof:fallback:${name}->${nextName}`, `${p.source} feature ${p.id}`);
        b = next;
        name = nextName;
      }
      if (!b) {
        // even flat failed (cannot triangulate): walls only would leave the shell open; draw the prism
        wallMaterial();
        buildWalls(fp, p.minHeight, p.height, mesh, opts);
        buildFloor(fp, p.minHeight, mesh);
      }
    }
    if (opts.ground) {
      const g = opts.ground[f];
      const arr = mesh.positions.array;
      for (let v = vStart; v < mesh.vertexCount; v++) arr[3 * v + 2] += g;
    }
    mesh.endFeature();
  }
  summary.time('skeleton', skeletonMs / 1000);
  const out = mesh.finish();
  summary.triangles += out.indices.length / 3;
  summary.time('mesh', (performance.now() - t0) / 1000);
  logger?.debug(`meshes: ${out.positions.length / 3} vertices, ${out.indices.length / 3} triangles, ${out.materials.length} materials`);
  return out;
}
