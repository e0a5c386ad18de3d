import type { Logger } from '../core/logger.js';
import type { Summary } from '../core/summary.js';
import type { FeatureBatch, MeshBatch } from '../core/types.js';
import { featurePolygons } from './footprint.js';
import { MeshBuilder } from './mesh-builder.js';
import { buildFloor, buildWalls, WALL_DEFAULTS, type WallOptions } from './prism.js';
import { flatRoof } from './roofs/flat.js';
import type { RoofBuilder } from './roofs/types.js';

export { MeshBuilder, hexToLinear } from './mesh-builder.js';
export { featurePolygons, triangulate, type Footprint } from './footprint.js';
export type { RoofBuilder, RoofInput } from './roofs/types.js';

/** Options for {@link buildMeshes}. */
export interface ProceduralOptions extends WallOptions {
  /** Wall colour when a building has none. */
  wallColour: string;
  /** Roof colour when a building has none. */
  roofColour: string;
}

/** Defaults for {@link ProceduralOptions}. */
export const PROCEDURAL_DEFAULTS: ProceduralOptions = { ...WALL_DEFAULTS, wallColour: '#e3ddd3', roofColour: '#a39a8f' };

const ROOF_BUILDERS: RoofBuilder[] = [flatRoof];
const BY_SHAPE = new Map<string, RoofBuilder>();
for (const b of ROOF_BUILDERS) for (const s of b.shapes) BY_SHAPE.set(s, b);

/**
 * Turn footprints into closed building shells: walls from `minHeight` to the wall top, a floor,
 * and a roof. Feature ids in the mesh are the building's index in `batch.params`.
 */
export function buildMeshes(batch: FeatureBatch, options: Partial<ProceduralOptions>, summary: Summary, logger?: Logger): MeshBatch {
  const opts = { ...PROCEDURAL_DEFAULTS, ...options };
  const t0 = performance.now();
  const mesh = new MeshBuilder();
  for (let f = 0; f < batch.params.length; f++) {
    const p = batch.params[f];
    mesh.beginFeature(f);
    let builder = BY_SHAPE.get(p.roof.shape);
    if (!builder) {
      summary.warn(`roof:shape-not-built:${p.roof.shape}`);
      builder = flatRoof;
    }
    const flat = builder === flatRoof;
    const z0 = p.minHeight;
    const wallTop = flat ? p.height : p.height - p.roof.height;
    for (const fp of featurePolygons(batch, f)) {
      mesh.useMaterial('wall', p.colour ?? opts.wallColour);
      buildWalls(fp, z0, wallTop, mesh, opts);
      buildFloor(fp, z0, mesh);
      mesh.useMaterial('roof', p.roof.colour ?? p.colour ?? opts.roofColour);
      if (!builder.build({ footprint: fp, wallTop, apex: p.height, roof: p.roof }, mesh)) {
        summary.warn('roof:fallback-flat');
        flatRoof.build({ footprint: fp, wallTop, apex: p.height, roof: p.roof }, mesh);
      }
    }
    mesh.endFeature();
  }
  const out = mesh.finish();
  summary.triangles += out.indices.length / 3;
  summary.time('mesh', (performance.now() - t0) / 1000);
  logger?.debug(`meshes: ${out.positions.length / 3} vertices, ${out.indices.length / 3} triangles, ${out.materials.length} materials`);
  return out;
}
