import { Document, NodeIO, type Accessor, type Primitive } from '@gltf-transform/core';
import type { BuildingParams, FrameInfo, MeshBatch } from '../core/types.js';
import type { TerrainMesh } from '../core/types.js';
import { hexToLinear } from '../core/colour.js';
import { EXTMeshoptCompression, KHRMeshQuantization } from '@gltf-transform/extensions';
import { MeshoptEncoder } from 'meshoptimizer';
import { MeshFeatures, StructuralMetadata } from './metadata.js';

/** Options for {@link writeGlb}. */
export interface GltfOptions {
  /** Maximum vertices per primitive; 65535 keeps indices 16-bit. */
  maxChunkVertices: number;
  /** Attribution carried in `asset.copyright`. */
  copyright: string;
  /**
   * Store positions as 16-bit integers (per-chunk node translation and uniform scale) and normals as
   * 8-bit (KHR_mesh_quantization): about half the bytes; the position step is reported in the georeference.
   */
  quantize: boolean;
  /** Compress vertex and index buffers with EXT_meshopt_compression (needs quantize; readers need the meshopt decoder). */
  compress: boolean;
  /** A terrain mesh, written as its own node and mesh ("terrain") with its own material. */
  terrain?: TerrainMesh;
  /** Terrain base colour (#rrggbb). */
  terrainColour: string;
}

/** Defaults for {@link GltfOptions}. */
export const GLTF_DEFAULTS: GltfOptions = { maxChunkVertices: 65535, copyright: '© OpenStreetMap contributors', quantize: true, compress: false, terrainColour: '#a7ae96' };

/** What {@link writeGlb} records in `asset.extras.cityforge` so a viewer can place the model. */
export interface GlbGeoreference {
  /** Frame origin and its ENU→ECEF matrix. */
  frame: FrameInfo;
  /** glTF is y-up: the file's (x, y, z) is the frame's (east, up, −north). */
  axes: 'x=east,y=up,z=-north';
  buildings: number;
  /** Largest position quantization step (metres); 0 when positions are float. */
  quantizationStep: number;
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
  // no buildings (a terrain-only file): no feature ids, no property table
  const features = params.length ? doc.createExtension(MeshFeatures) : new MeshFeatures(doc);
  if (params.length) doc.createExtension(StructuralMetadata).rows = params;
  const materials = mesh.materials.map((m) =>
    doc.createMaterial(m.name).setBaseColorFactor(m.baseColor).setRoughnessFactor(m.roughness).setMetallicFactor(m.metallic),
  );
  const featureCounts: number[][] = [];
  const nb = params.length;
  const bigIds = nb > 65535;

  const root = doc.createNode('city');
  let maxStep = 0;
  if (opts.quantize) doc.createExtension(KHRMeshQuantization).setRequired(true);

  const emitChunk = (b0: number, b1: number) => {
    const v0 = mesh.vertexOffsets[b0];
    const v1 = mesh.vertexOffsets[b1];
    const nv = v1 - v0;
    if (nv === 0) return;
    const gmesh = doc.createMesh(`buildings ${b0}-${b1 - 1}`);
    const node = doc.createNode(`buildings ${b0}-${b1 - 1}`).setMesh(gmesh);
    root.addChild(node);
    const P = mesh.positions;
    const N = mesh.normals;
    let position: Accessor;
    let normal: Accessor;
    if (opts.quantize) {
      // glTF (x, y, z) = frame (x, z, -y)
      const lo = [Infinity, Infinity, Infinity];
      const hi = [-Infinity, -Infinity, -Infinity];
      for (let i = v0; i < v1; i++) {
        const g = [P[3 * i], P[3 * i + 2], -P[3 * i + 1]];
        for (let k = 0; k < 3; k++) {
          if (g[k] < lo[k]) lo[k] = g[k];
          if (g[k] > hi[k]) hi[k] = g[k];
        }
      }
      const centre = [0, 1, 2].map((k) => (lo[k] + hi[k]) / 2);
      const step = Math.max(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-6) / 65534;
      maxStep = Math.max(maxStep, step);
      const pos = new Int16Array(nv * 3);
      const nor = new Int8Array(nv * 3);
      for (let i = 0; i < nv; i++) {
        const s = 3 * (v0 + i);
        pos[3 * i] = Math.round((P[s] - centre[0]) / step);
        pos[3 * i + 1] = Math.round((P[s + 2] - centre[1]) / step);
        pos[3 * i + 2] = Math.round((-P[s + 1] - centre[2]) / step);
        nor[3 * i] = Math.round(N[s] * 127);
        nor[3 * i + 1] = Math.round(N[s + 2] * 127);
        nor[3 * i + 2] = Math.round(-N[s + 1] * 127);
      }
      node.setTranslation(centre as [number, number, number]).setScale([step, step, step]);
      position = doc.createAccessor().setType('VEC3').setArray(pos).setBuffer(buffer);
      normal = doc.createAccessor().setType('VEC3').setArray(nor).setNormalized(true).setBuffer(buffer);
    } else {
      const pos = new Float32Array(nv * 3);
      const nor = new Float32Array(nv * 3);
      for (let i = 0; i < nv; i++) {
        const s = 3 * (v0 + i);
        pos[3 * i] = P[s];
        pos[3 * i + 1] = P[s + 2];
        pos[3 * i + 2] = -P[s + 1];
        nor[3 * i] = N[s];
        nor[3 * i + 1] = N[s + 2];
        nor[3 * i + 2] = -N[s + 1];
      }
      position = doc.createAccessor().setType('VEC3').setArray(pos).setBuffer(buffer);
      normal = doc.createAccessor().setType('VEC3').setArray(nor).setBuffer(buffer);
    }
    const fid = bigIds ? new Float32Array(nv) : new Uint16Array(nv);
    for (let i = 0; i < nv; i++) fid[i] = mesh.featureIds[v0 + i];
    const seen = new Set<number>();
    for (let i = 0; i < nv; i++) seen.add(fid[i]);
    const distinct = seen.size;
    const featureId = doc.createAccessor().setType('SCALAR').setArray(fid).setBuffer(buffer);
    const counts: number[] = [];
    featureCounts.push(counts);
    // split triangles by material (a triangle's material is its first vertex's)
    const t0 = mesh.triangleOffsets[b0];
    const t1 = mesh.triangleOffsets[b1];
    // split triangles by material (a triangle's material is its first vertex's): count, then fill
    const nm = mesh.materials.length;
    const perMaterial = new Uint32Array(nm);
    for (let t = t0; t < t1; t++) perMaterial[mesh.materialIds[mesh.indices[3 * t]]]++;
    const Index = nv <= 65535 ? Uint16Array : Uint32Array;
    const lists = Array.from(perMaterial, (n) => (n ? new Index(3 * n) : null));
    const fill = new Uint32Array(nm);
    for (let t = t0; t < t1; t++) {
      const a = mesh.indices[3 * t];
      const m = mesh.materialIds[a];
      const list = lists[m]!;
      const k = fill[m];
      list[k] = a - v0;
      list[k + 1] = mesh.indices[3 * t + 1] - v0;
      list[k + 2] = mesh.indices[3 * t + 2] - v0;
      fill[m] = k + 3;
    }
    for (let m = 0; m < nm; m++) {
      const idx = lists[m];
      if (!idx) continue;
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
  features.featureCounts = featureCounts;

  if (opts.terrain && opts.terrain.indices.length) {
    const t = opts.terrain;
    const nv = t.positions.length / 3;
    const pos = new Float32Array(3 * nv);
    const nor = new Float32Array(3 * nv);
    for (let i = 0; i < nv; i++) {
      pos[3 * i] = t.positions[3 * i];
      pos[3 * i + 1] = t.positions[3 * i + 2];
      pos[3 * i + 2] = -t.positions[3 * i + 1];
      nor[3 * i] = t.normals[3 * i];
      nor[3 * i + 1] = t.normals[3 * i + 2];
      nor[3 * i + 2] = -t.normals[3 * i + 1];
    }
    const material = doc.createMaterial('terrain').setBaseColorFactor([...hexToLinear(opts.terrainColour), 1]).setRoughnessFactor(1).setMetallicFactor(0);
    const prim = doc
      .createPrimitive()
      .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(pos).setBuffer(buffer))
      .setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(nor).setBuffer(buffer))
      .setIndices(doc.createAccessor().setType('SCALAR').setArray(nv <= 65535 ? Uint16Array.from(t.indices) : t.indices).setBuffer(buffer))
      .setMaterial(material);
    const tmesh = doc.createMesh('terrain').addPrimitive(prim);
    featureCounts.push([]);
    root.addChild(doc.createNode('terrain').setMesh(tmesh));
  }

  const scene = doc.createScene('city').addChild(root);
  doc.getRoot().setDefaultScene(scene);
  const geo: GlbGeoreference = { frame, axes: 'x=east,y=up,z=-north', buildings: nb, quantizationStep: maxStep };
  const asset = doc.getRoot().getAsset();
  asset.generator = 'cityforge';
  asset.copyright = opts.copyright;
  asset.extras = { cityforge: geo };
  const io = new NodeIO().registerExtensions([MeshFeatures, StructuralMetadata, KHRMeshQuantization, EXTMeshoptCompression]);
  if (opts.compress) {
    await MeshoptEncoder.ready;
    io.registerDependencies({ 'meshopt.encoder': MeshoptEncoder });
    doc.createExtension(EXTMeshoptCompression).setRequired(true).setEncoderOptions({ method: EXTMeshoptCompression.EncoderMethod.QUANTIZE });
  }
  return io.writeBinary(doc);
}
