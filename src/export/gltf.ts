import { Document, NodeIO, type Primitive } from '@gltf-transform/core';
import type { BuildingParams, FrameInfo, MeshBatch } from '../core/types.js';
import { MeshFeatures, StructuralMetadata } from './metadata.js';

/** Options for {@link writeGlb}. */
export interface GltfOptions {
  /** Maximum vertices per primitive; 65535 keeps indices 16-bit. */
  maxChunkVertices: number;
  /** Attribution carried in `asset.copyright`. */
  copyright: string;
}

/** Defaults for {@link GltfOptions}. */
export const GLTF_DEFAULTS: GltfOptions = { maxChunkVertices: 65535, copyright: '© OpenStreetMap contributors' };

/** What {@link writeGlb} records in `asset.extras.cityforge` so a viewer can place the model. */
export interface GlbGeoreference {
  /** Frame origin and its ENU→ECEF matrix. */
  frame: FrameInfo;
  /** glTF is y-up: the file's (x, y, z) is the frame's (east, up, −north). */
  axes: 'x=east,y=up,z=-north';
  buildings: number;
}

/**
 * Encode buildings as a GLB: positions and normals in the local frame (y up), 16-bit indices in
 * chunks, one primitive per chunk and material, per-vertex `_FEATURE_ID_0` (EXT_mesh_features)
 * into a property table of buildings (EXT_structural_metadata).
 */
export async function writeGlb(mesh: MeshBatch, params: readonly BuildingParams[], frame: FrameInfo, options: Partial<GltfOptions> = {}): Promise<Uint8Array> {
  const opts = { ...GLTF_DEFAULTS, ...options };
  const doc = new Document();
  doc.setLogger({ debug() {}, info() {}, warn() {}, error() {} } as never);
  const buffer = doc.createBuffer();
  const features = doc.createExtension(MeshFeatures);
  const metadata = doc.createExtension(StructuralMetadata);
  metadata.rows = params;
  const materials = mesh.materials.map((m) =>
    doc.createMaterial(m.name).setBaseColorFactor(m.baseColor).setRoughnessFactor(m.roughness).setMetallicFactor(m.metallic),
  );
  const gmesh = doc.createMesh('buildings');
  const counts: number[] = [];
  const nb = params.length;
  const bigIds = nb > 65535;

  const emitChunk = (b0: number, b1: number) => {
    const v0 = mesh.vertexOffsets[b0];
    const v1 = mesh.vertexOffsets[b1];
    const nv = v1 - v0;
    if (nv === 0) return;
    const pos = new Float32Array(nv * 3);
    const nor = new Float32Array(nv * 3);
    for (let i = 0; i < nv; i++) {
      const s = 3 * (v0 + i);
      pos[3 * i] = mesh.positions[s];
      pos[3 * i + 1] = mesh.positions[s + 2];
      pos[3 * i + 2] = -mesh.positions[s + 1];
      nor[3 * i] = mesh.normals[s];
      nor[3 * i + 1] = mesh.normals[s + 2];
      nor[3 * i + 2] = -mesh.normals[s + 1];
    }
    const fid = bigIds ? new Float32Array(nv) : new Uint16Array(nv);
    for (let i = 0; i < nv; i++) fid[i] = mesh.featureIds[v0 + i];
    const distinct = b1 - b0;
    const position = doc.createAccessor().setType('VEC3').setArray(pos).setBuffer(buffer);
    const normal = doc.createAccessor().setType('VEC3').setArray(nor).setBuffer(buffer);
    const featureId = doc.createAccessor().setType('SCALAR').setArray(fid).setBuffer(buffer);
    // split triangles by material (a triangle's material is its first vertex's)
    const t0 = mesh.triangleOffsets[b0];
    const t1 = mesh.triangleOffsets[b1];
    const byMaterial = new Map<number, number[]>();
    for (let t = t0; t < t1; t++) {
      const a = mesh.indices[3 * t];
      const m = mesh.materialIds[a];
      let list = byMaterial.get(m);
      if (!list) byMaterial.set(m, (list = []));
      list.push(a - v0, mesh.indices[3 * t + 1] - v0, mesh.indices[3 * t + 2] - v0);
    }
    for (const m of [...byMaterial.keys()].sort((x, y) => x - y)) {
      const list = byMaterial.get(m)!;
      const idx = nv <= 65535 ? Uint16Array.from(list) : Uint32Array.from(list);
      const prim: Primitive = doc
        .createPrimitive()
        .setAttribute('POSITION', position)
        .setAttribute('NORMAL', normal)
        .setAttribute('_FEATURE_ID_0', featureId)
        .setIndices(doc.createAccessor().setType('SCALAR').setArray(idx).setBuffer(buffer))
        .setMaterial(materials[m]);
      gmesh.addPrimitive(prim);
      counts.push(distinct);
    }
  };

  let start = 0;
  for (let b = 0; b < nb; b++) {
    const size = mesh.vertexOffsets[b + 1] - mesh.vertexOffsets[start];
    if (size > opts.maxChunkVertices && b > start) {
      emitChunk(start, b);
      start = b;
    }
  }
  if (start < nb) emitChunk(start, nb);
  features.featureCounts = [counts];

  const node = doc.createNode('city').setMesh(gmesh);
  doc.createScene('city').addChild(node);
  const geo: GlbGeoreference = { frame, axes: 'x=east,y=up,z=-north', buildings: nb };
  const asset = doc.getRoot().getAsset();
  asset.generator = 'cityforge';
  asset.copyright = opts.copyright;
  asset.extras = { cityforge: geo };
  return new NodeIO().registerExtensions([MeshFeatures, StructuralMetadata]).writeBinary(doc);
}
