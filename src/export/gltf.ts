import { Document, NodeIO, TextureInfo, type Accessor, type Node as GNode, type Primitive, type Texture } from '@gltf-transform/core';
import { FACADE_LOOKS, facadeTexture } from '../procedural/index.js';
import { encodePng } from './png.js';
import type { BuildingParams, FrameInfo, GroundTexture, MeshBatch, TerrainMesh } from '../core/types.js';
import { box3Of, type Box3 } from '../core/extent.js';
import { hexToLinear } from '../core/colour.js';
import { EXTMeshoptCompression, KHRMeshQuantization } from '@gltf-transform/extensions';
import { MeshoptEncoder } from 'meshoptimizer';
import { MeshFeatures, StructuralMetadata } from './metadata.js';
import { DirectBinary, writeGlbBinary } from './glb-binary.js';

/** Options for {@link writeGlb}. */
export interface GltfOptions {
  /** Maximum vertices per primitive; 65535 keeps indices 16-bit. */
  maxChunkVertices: number;
  /** Attribution carried in `asset.copyright` (none when empty). */
  copyright: string;
  /**
   * Store positions as 16-bit integers (per-chunk node translation and uniform scale) and normals as
   * 8-bit (KHR_mesh_quantization): about half the bytes; the position step is reported in the georeference.
   */
  quantize: boolean;
  /**
   * Largest position step a quantized chunk may have (metres): chunks are cut so that their extent
   * keeps to it, and a building too large for it alone is written as floats.
   */
  maxQuantizationStep: number;
  /** Compress vertex and index buffers with EXT_meshopt_compression (needs quantize; readers need the meshopt decoder). */
  compress: boolean;
  /** A terrain mesh, written as its own node and mesh ("terrain") with its own material. */
  terrain?: TerrainMesh;
  /** Terrain base colour (#rrggbb). */
  terrainColour: string;
  /** Imagery draped on the terrain (texture coordinates from its box); without a terrain, on a ground plane over the box. */
  imagery?: GroundTexture;
  /**
   * Drape the imagery down the terrain's skirts too (each skirt takes its top edge's colour): all of them,
   * or those whose top edge (from a to b, frame metres) the function picks. Tiles drape the skirts on edges
   * shared with a neighbouring tile, where a plain-coloured one showed through as a dashed line; the
   * terrain's outer sides, as a single model's, stay plain (a texture streaks down them).
   */
  texturedSkirts: boolean | ((ax: number, ay: number, bx: number, by: number) => boolean);
  /** Called as the buildings are encoded: done of total (the GLB's last assembly follows `total`). */
  onProgress?: (done: number, total: number) => void;
}

/** Defaults for {@link GltfOptions}. */
export const GLTF_DEFAULTS: GltfOptions = { maxChunkVertices: 65535, maxQuantizationStep: 0.02, copyright: '', quantize: true, compress: false, terrainColour: '#a7ae96', texturedSkirts: false };

/** What {@link writeGlb} records in `asset.extras.cityforge` so a viewer can place the model. */
export interface GlbGeoreference {
  /** Frame origin and its ENU→ECEF matrix. */
  frame: FrameInfo;
  /** glTF is y-up: the file's (x, y, z) is the frame's (east, up, −north). */
  axes: 'x=east,y=up,z=-north';
  /** The buildings, building parts not counted. */
  buildings: number;
  /** The building parts (each drawn for its building's outline), when there are any. */
  parts?: number;
  /** Largest position quantization step (metres); 0 when positions are float. */
  quantizationStep: number;
}

/** A chunk's vertices in glTF axes: quantized (int16 positions + node transform, int8 normals) or float. */
interface ChunkVertices {
  position: Int16Array | Float32Array;
  normal: Int8Array | Float32Array;
  /** Node translation and uniform scale (quantized only). */
  centre?: [number, number, number];
  step?: number;
}

/** Vertices v0..v1 as int16 positions on a per-chunk grid (glTF (x, y, z) = frame (x, z, −y)) and int8 normals. */
function quantizeChunk(mesh: MeshBatch, v0: number, v1: number): ChunkVertices {
  const P = mesh.positions;
  const N = mesh.normals;
  const nv = v1 - v0;
  // the extent in glTF axes (x, z, −y), in scalars (this runs over every vertex of every tile)
  let lx = Infinity, ly = Infinity, lz = Infinity, hx = -Infinity, hy = -Infinity, hz = -Infinity;
  for (let i = v0; i < v1; i++) {
    const gx = P[3 * i], gy = P[3 * i + 2], gz = -P[3 * i + 1];
    if (gx < lx) lx = gx;
    if (gx > hx) hx = gx;
    if (gy < ly) ly = gy;
    if (gy > hy) hy = gy;
    if (gz < lz) lz = gz;
    if (gz > hz) hz = gz;
  }
  const cx = (lx + hx) / 2, cy = (ly + hy) / 2, cz = (lz + hz) / 2;
  const centre: [number, number, number] = [cx, cy, cz];
  const step = Math.max(hx - lx, hy - ly, hz - lz, 1e-6) / 65534;
  const position = new Int16Array(nv * 3);
  const normal = new Int8Array(nv * 3);
  for (let i = 0; i < nv; i++) {
    const s = 3 * (v0 + i);
    position[3 * i] = Math.round((P[s] - cx) / step);
    position[3 * i + 1] = Math.round((P[s + 2] - cy) / step);
    position[3 * i + 2] = Math.round((-P[s + 1] - cz) / step);
    normal[3 * i] = Math.round(N[s] * 127);
    normal[3 * i + 1] = Math.round(N[s + 2] * 127);
    normal[3 * i + 2] = Math.round(-N[s + 1] * 127);
  }
  return { position, normal, centre, step };
}

/** Frame (x east, y north, z up) positions and normals → float glTF axes (x, z, −y). */
function toGltfAxes(P: Float32Array, N: Float32Array, v0: number, v1: number): { position: Float32Array; normal: Float32Array } {
  const nv = v1 - v0;
  const position = new Float32Array(nv * 3);
  const normal = new Float32Array(nv * 3);
  for (let i = 0; i < nv; i++) {
    const s = 3 * (v0 + i);
    position[3 * i] = P[s];
    position[3 * i + 1] = P[s + 2];
    position[3 * i + 2] = -P[s + 1];
    normal[3 * i] = N[s];
    normal[3 * i + 1] = N[s + 2];
    normal[3 * i + 2] = -N[s + 1];
  }
  return { position, normal };
}

/**
 * The triangles of buildings b0..b1 split by material (a triangle's material is its first vertex's),
 * as chunk-local index lists (null for a material with none): counted, then filled.
 */
function trianglesByMaterial(mesh: MeshBatch, b0: number, b1: number, v0: number, nv: number): (Uint16Array | Uint32Array | null)[] {
  const t0 = mesh.triangleOffsets[b0];
  const t1 = mesh.triangleOffsets[b1];
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
  return lists;
}

/**
 * Consecutive building ranges [b0, b1) of at most `maxVertices` vertices each and at most `maxExtent`
 * metres across (so a quantized chunk keeps its step; a building larger alone is a chunk).
 */
function chunkRanges(mesh: MeshBatch, nb: number, maxVertices: number, maxExtent: number): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  let box = box3Of([]);
  for (let b = 0; b < nb; b++) {
    const own = box3Of(mesh.positions.subarray(3 * mesh.vertexOffsets[b], 3 * mesh.vertexOffsets[b + 1]));
    const grown = own[0] <= own[3] ? box3Of([own[0], own[1], own[2], own[3], own[4], own[5]], [...box] as Box3) : box;
    const size = mesh.vertexOffsets[b + 1] - mesh.vertexOffsets[start];
    const extent = Math.max(grown[3] - grown[0], grown[4] - grown[1], grown[5] - grown[2]);
    if ((size > maxVertices || extent > maxExtent) && b > start) {
      out.push([start, b]);
      start = b;
      box = own;
    } else box = grown;
  }
  if (start < nb) out.push([start, nb]);
  return out;
}

/** A flat ground (z 0) over an imagery's box, for imagery without a terrain. */
function groundPlane(b: GroundTexture): TerrainMesh {
  const positions = new Float32Array([b.minX, b.minY, 0, b.maxX, b.minY, 0, b.maxX, b.maxY, 0, b.minX, b.maxY, 0]);
  const normals = new Float32Array([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
  return { positions, normals, indices: new Uint32Array([0, 1, 2, 0, 2, 3]), surfaceTriangles: 2 };
}

/** The terrain as its own node and mesh ("terrain") with its own material, under `root`. */
function addTerrain(doc: Document, root: GNode, t: TerrainMesh, colour: string, imagery?: GroundTexture, texturedSkirts: GltfOptions['texturedSkirts'] = false): void {
  const buffer = doc.getRoot().listBuffers()[0];
  const nv = t.positions.length / 3;
  const { position, normal } = toGltfAxes(t.positions, t.normals, 0, nv);
  const plain = (name: string) => doc.createMaterial(name).setBaseColorFactor([...hexToLinear(colour), 1]).setRoughnessFactor(1).setMetallicFactor(0);
  const material = plain('terrain');
  const indices = (a: Uint32Array) => doc.createAccessor().setType('SCALAR').setArray(nv <= 65535 ? Uint16Array.from(a) : a).setBuffer(buffer);
  const positionAccessor = doc.createAccessor().setType('VEC3').setArray(position).setBuffer(buffer);
  const normalAccessor = doc.createAccessor().setType('VEC3').setArray(normal).setBuffer(buffer);
  // with imagery, the skirts (the triangles after the surface's) keep the plain colour unless asked: a texture streaks down them
  let draped = t.indices, sides: Uint32Array | null = null;
  if (imagery && texturedSkirts !== true && t.surfaceTriangles * 3 < t.indices.length) {
    const skirts = t.indices.subarray(3 * t.surfaceTriangles);
    const keep: number[] = [], plainOnes: number[] = [];
    const p = t.positions;
    for (let k = 0; k < skirts.length; k += 3) {
      // (a skirt triangle's corners stand over its top edge: its two ends are the first two)
      const a = skirts[k], b = skirts[k + 1];
      const textured = typeof texturedSkirts === 'function' && texturedSkirts(p[3 * a], p[3 * a + 1], p[3 * b], p[3 * b + 1]);
      (textured ? keep : plainOnes).push(skirts[k], skirts[k + 1], skirts[k + 2]);
    }
    draped = Uint32Array.from([...t.indices.subarray(0, 3 * t.surfaceTriangles), ...keep]);
    if (plainOnes.length) sides = Uint32Array.from(plainOnes);
  }
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', positionAccessor)
    .setAttribute('NORMAL', normalAccessor)
    .setIndices(indices(draped))
    .setMaterial(material);
  const mesh = doc.createMesh('terrain').addPrimitive(prim);
  if (sides)
    mesh.addPrimitive(
      doc
        .createPrimitive()
        .setAttribute('POSITION', positionAccessor)
        .setAttribute('NORMAL', normalAccessor)
        .setIndices(indices(sides))
        .setMaterial(plain('terrain-skirt')),
    );
  if (imagery) {
    // texture coordinates from the frame position: the image is north up over its box
    const uv = new Float32Array(2 * nv);
    const w = imagery.maxX - imagery.minX, h = imagery.maxY - imagery.minY;
    for (let v = 0; v < nv; v++) {
      uv[2 * v] = (t.positions[3 * v] - imagery.minX) / w;
      uv[2 * v + 1] = (imagery.maxY - t.positions[3 * v + 1]) / h;
    }
    prim.setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(uv).setBuffer(buffer));
    const texture = doc.createTexture('imagery').setImage(imagery.image).setMimeType(imagery.mimeType);
    material.setBaseColorTexture(texture).setBaseColorFactor([1, 1, 1, 1]);
    material.getBaseColorTextureInfo()!.setWrapS(TextureInfo.WrapMode.CLAMP_TO_EDGE).setWrapT(TextureInfo.WrapMode.CLAMP_TO_EDGE);
  }
  root.addChild(doc.createNode('terrain').setMesh(mesh));
}

/** Serialize: glTF-Transform's writer with cityforge's extensions (and the meshopt encoder when compressing). */
async function encode(doc: Document, compress: boolean): Promise<Uint8Array> {
  const io = new NodeIO().registerExtensions([MeshFeatures, StructuralMetadata, KHRMeshQuantization, EXTMeshoptCompression, DirectBinary]);
  // (the vertex attributes and indices laid out by cityforge; meshopt claims them itself when compressing)
  if (!compress) doc.createExtension(DirectBinary);
  if (compress) {
    await MeshoptEncoder.ready;
    io.registerDependencies({ 'meshopt.encoder': MeshoptEncoder });
    doc.createExtension(EXTMeshoptCompression).setRequired(true).setEncoderOptions({ method: EXTMeshoptCompression.EncoderMethod.QUANTIZE });
  }
  return writeGlbBinary(io, doc);
}

/**
 * Encode buildings as a GLB: positions and normals in the local frame (y up), 16-bit indices in
 * chunks, one primitive per chunk and material, per-vertex `_FEATURE_ID_0` (EXT_mesh_features)
 * into a property table of buildings (EXT_structural_metadata).
 *
 * @example
 * ```ts
 * const glb = await writeGlb(buildMeshes(batch, {}, summary), batch.params, batch.frame, { compress: true });
 * ```
 */
export async function writeGlb(mesh: MeshBatch, params: readonly BuildingParams[], frame: FrameInfo, options: Partial<GltfOptions> = {}): Promise<Uint8Array> {
  const opts = { ...GLTF_DEFAULTS, ...options };
  const doc = new Document();
  doc.setLogger({ debug() {}, info() {}, warn() {}, error() {} } as never);
  const buffer = doc.createBuffer();
  // no buildings (a terrain-only file): no feature ids, no property table
  const features = params.length ? doc.createExtension(MeshFeatures) : new MeshFeatures(doc);
  if (params.length) doc.createExtension(StructuralMetadata).rows = params;
  const materials = mesh.materials.map((m) => doc.createMaterial(m.name).setBaseColorFactor(m.baseColor).setRoughnessFactor(m.roughness).setMetallicFactor(m.metallic));
  // facades: one small texture per look, shared by its materials, repeating over the walls (bays × storeys)
  const facadeTextures = new Map<string, Texture>();
  mesh.materials.forEach((m, k) => {
    if (!m.facade) return;
    let tex = facadeTextures.get(m.facade);
    if (!tex) {
      const t = facadeTexture(FACADE_LOOKS[m.facade] ?? FACADE_LOOKS.residential);
      tex = doc.createTexture(`facade:${m.facade}`).setImage(encodePng(t.width, t.height, t.rgba)).setMimeType('image/png');
      facadeTextures.set(m.facade, tex);
    }
    materials[k].setBaseColorTexture(tex);
    materials[k].getBaseColorTextureInfo()!.setWrapS(TextureInfo.WrapMode.REPEAT).setWrapT(TextureInfo.WrapMode.REPEAT);
  });
  const featureCounts: number[][] = [];
  const nb = params.length;
  const root = doc.createNode('city');
  let maxStep = 0;
  if (opts.quantize) doc.createExtension(KHRMeshQuantization).setRequired(true);

  for (const [b0, b1] of chunkRanges(mesh, nb, opts.maxChunkVertices, opts.maxQuantizationStep * 65534)) {
    const v0 = mesh.vertexOffsets[b0];
    const v1 = mesh.vertexOffsets[b1];
    const nv = v1 - v0;
    if (nv === 0) continue;
    opts.onProgress?.(b0, nb);
    const gmesh = doc.createMesh(`buildings ${b0}-${b1 - 1}`);
    const node = doc.createNode(`buildings ${b0}-${b1 - 1}`).setMesh(gmesh);
    root.addChild(node);
    const q = opts.quantize ? quantizeChunk(mesh, v0, v1) : null;
    // a chunk too large for its step (one huge building) keeps float positions
    const v = q && q.step! <= opts.maxQuantizationStep ? q : toGltfAxes(mesh.positions, mesh.normals, v0, v1);
    if ('step' in v && v.step !== undefined) {
      maxStep = Math.max(maxStep, v.step);
      node.setTranslation(v.centre!).setScale([v.step, v.step, v.step]);
    }
    const position = doc.createAccessor().setType('VEC3').setArray(v.position).setBuffer(buffer);
    const normal = doc.createAccessor().setType('VEC3').setArray(v.normal).setNormalized(v.normal instanceof Int8Array).setBuffer(buffer);
    const fid = nb > 65535 ? new Float32Array(nv) : new Uint16Array(nv);
    for (let i = 0; i < nv; i++) fid[i] = mesh.featureIds[v0 + i];
    const distinct = new Set(fid).size;
    const featureId = doc.createAccessor().setType('SCALAR').setArray(fid).setBuffer(buffer);
    const counts: number[] = [];
    featureCounts.push(counts);
    let texcoord: Accessor | null = null;
    trianglesByMaterial(mesh, b0, b1, v0, nv).forEach((idx, m) => {
      if (!idx) return;
      const prim: Primitive = doc
        .createPrimitive()
        .setAttribute('POSITION', position)
        .setAttribute('NORMAL', normal)
        .setAttribute('_FEATURE_ID_0', featureId)
        .setIndices(doc.createAccessor().setType('SCALAR').setArray(idx).setBuffer(buffer))
        .setMaterial(materials[m]);
      if (mesh.materials[m].facade && mesh.uvs) {
        texcoord ??= doc.createAccessor().setType('VEC2').setArray(mesh.uvs.slice(2 * v0, 2 * v1)).setBuffer(buffer);
        prim.setAttribute('TEXCOORD_0', texcoord);
      }
      gmesh.addPrimitive(prim);
      counts.push(distinct);
    });
  }
  features.featureCounts = featureCounts;
  opts.onProgress?.(nb, nb);
  const ground = opts.terrain && opts.terrain.indices.length ? opts.terrain : opts.imagery ? groundPlane(opts.imagery) : undefined;
  if (ground) {
    addTerrain(doc, root, ground, opts.terrainColour, opts.imagery, opts.texturedSkirts);
    featureCounts.push([]);
  }
  const scene = doc.createScene('city').addChild(root);
  doc.getRoot().setDefaultScene(scene);
  const parts = params.reduce((n, q) => n + (q.partOf ? 1 : 0), 0);
  const geo: GlbGeoreference = { frame, axes: 'x=east,y=up,z=-north', buildings: nb - parts, ...(parts ? { parts } : {}), quantizationStep: maxStep };
  const asset = doc.getRoot().getAsset();
  asset.generator = 'cityforge';
  if (opts.copyright) asset.copyright = opts.copyright;
  asset.extras = { cityforge: geo };
  return encode(doc, opts.compress);
}
