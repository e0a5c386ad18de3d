import fs from 'node:fs';
import { Logger, NodeIO, type JSONDocument } from '@gltf-transform/core';
import { EXTMeshoptCompression, KHRMeshQuantization } from '@gltf-transform/extensions';
import { MeshoptDecoder } from 'meshoptimizer';
import { InputError, inputErrorOf } from '../core/errors.js';
import type { FrameInfo } from '../core/types.js';

/** A georeferenced GLB's triangles in its frame (x east, y north, z up, metres). */
export interface GlbTriangles {
  frame: FrameInfo;
  /** Building triangles: positions (x, y, z per vertex), indices, and each vertex's building (the property table row). */
  positions: Float64Array;
  indices: Uint32Array;
  featureIds: Int32Array;
  /** Terrain / ground triangles (primitives without feature ids). */
  ground: { positions: Float64Array; indices: Uint32Array } | null;
  /** Buildings in the property table (rows), and each one's `roof_shape` when the table has it. */
  buildings: number;
  roofShapes: string[] | null;
  /** Each row's `id` and `part_of` (empty: a building) when the table has them. */
  ids: string[] | null;
  partOf: string[] | null;
  /** Rows that are building parts (a `part_of` value): the rest are buildings. */
  parts: number;
}

/** The strings of an EXT_structural_metadata STRING property (UTF-8 values, UINT32 offsets by default). */
function stringColumn(doc: JSONDocument, prop: { values: number; stringOffsets?: number; stringOffsetType?: string }, count: number): string[] | null {
  const view = (i: number): Uint8Array | null => {
    const bv = doc.json.bufferViews?.[i];
    if (!bv) return null;
    const buffer = doc.json.buffers?.[bv.buffer];
    const data = buffer && (buffer.uri ? doc.resources[buffer.uri] : doc.resources['@glb.bin']);
    return data ? data.subarray(bv.byteOffset ?? 0, (bv.byteOffset ?? 0) + bv.byteLength) : null;
  };
  const values = view(prop.values);
  const offs = prop.stringOffsets !== undefined ? view(prop.stringOffsets) : null;
  if (!values || !offs) return null;
  const width = prop.stringOffsetType === 'UINT16' ? 2 : prop.stringOffsetType === 'UINT8' ? 1 : prop.stringOffsetType === 'UINT64' ? 8 : 4;
  const dv = new DataView(offs.buffer, offs.byteOffset, offs.byteLength);
  const at = (k: number) => (width === 1 ? dv.getUint8(k) : width === 2 ? dv.getUint16(2 * k, true) : width === 4 ? dv.getUint32(4 * k, true) : Number(dv.getBigUint64(8 * k, true)));
  if (offs.byteLength < (count + 1) * width) return null;
  const dec = new TextDecoder();
  return Array.from({ length: count }, (_, k) => dec.decode(values.subarray(at(k), at(k + 1))));
}

/**
 * Read a GLB that cityforge wrote (its georeference is in `asset.extras.cityforge`) back into triangles in
 * its frame: every primitive with `_FEATURE_ID_0` is a building's (the id is its property-table row), the
 * rest ground; node transforms (quantization) and EXT_meshopt_compression are undone. A GLB without the
 * georeference, or one that cannot be read, stops with an {@link InputError} naming the file.
 *
 * @example
 * ```ts
 * const t = await readGlbTriangles('city.glb');
 * t.frame.lon; t.indices.length / 3; // triangles
 * ```
 */
export async function readGlbTriangles(file: string): Promise<GlbTriangles> {
  await MeshoptDecoder.ready;
  // (its own extensions, EXT_mesh_features and EXT_structural_metadata, are read from the JSON below:
  // glTF-Transform's notes about them stay quiet)
  const io = new NodeIO()
    .setLogger(new Logger(Logger.Verbosity.SILENT))
    .registerExtensions([KHRMeshQuantization, EXTMeshoptCompression])
    .registerDependencies({ 'meshopt.decoder': MeshoptDecoder });
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    throw inputErrorOf('ingest', `${file}: cannot read`, e);
  }
  // (glb-cut-short-said-typed-array: a GLB cut short reached the user as `Invalid typed array length: 142952`)
  const head = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || head.getUint32(0, true) !== 0x46546c67) throw new InputError('ingest', `${file}: not a glTF 2.0 binary (GLB) file`);
  if (head.getUint32(8, true) !== bytes.length) throw new InputError('ingest', `${file}: cut short or damaged: its header says ${head.getUint32(8, true).toLocaleString('en-US')} bytes, the file has ${bytes.length.toLocaleString('en-US')}`);
  let json: JSONDocument;
  let doc;
  try {
    json = await io.binaryToJSON(bytes);
    doc = await io.readBinary(bytes);
  } catch (e) {
    throw inputErrorOf('ingest', `${file}: not a GLB this reader can open`, e);
  }
  const geo = (doc.getRoot().getAsset().extras as { cityforge?: { frame?: FrameInfo } } | undefined)?.cityforge;
  if (!geo?.frame?.proj) throw new InputError('ingest', `${file}: no georeference (asset.extras.cityforge): only GLBs cityforge wrote can be placed; rasterize the footprints it was built from`);
  const b: number[] = [], bi: number[] = [], bf: number[] = [];
  const g: number[] = [], gi: number[] = [];
  const el = [0, 0, 0];
  for (const scene of doc.getRoot().listScenes())
    scene.traverse((node) => {
      const mesh = node.getMesh();
      if (!mesh) return;
      const m = node.getWorldMatrix();
      for (const prim of mesh.listPrimitives()) {
        if (prim.getMode() !== 4) continue;
        const pos = prim.getAttribute('POSITION');
        if (!pos) continue;
        const fid = prim.getAttribute('_FEATURE_ID_0');
        const [P, I, F] = fid ? [b, bi, bf] : [g, gi, null];
        const base = P.length / 3;
        for (let v = 0; v < pos.getCount(); v++) {
          pos.getElement(v, el);
          const x = m[0] * el[0] + m[4] * el[1] + m[8] * el[2] + m[12];
          const y = m[1] * el[0] + m[5] * el[1] + m[9] * el[2] + m[13];
          const z = m[2] * el[0] + m[6] * el[1] + m[10] * el[2] + m[14];
          // glTF (x, y, z) = frame (east, up, −north)
          P.push(x, -z, y);
          if (F) F.push(Math.round(fid!.getScalar(v)));
        }
        const idx = prim.getIndices();
        if (idx) for (let k = 0; k < idx.getCount(); k++) I.push(base + idx.getScalar(k));
        else for (let k = 0; k < pos.getCount(); k++) I.push(base + k);
      }
    });
  // the property table: its row count and roof shapes
  const meta = (json.json.extensions as { EXT_structural_metadata?: { propertyTables?: { count: number; properties?: Record<string, { values: number; stringOffsets?: number; stringOffsetType?: string }> }[] } } | undefined)?.EXT_structural_metadata;
  const table = meta?.propertyTables?.[0];
  const buildings = table?.count ?? (bf.length ? Math.max(...bf) + 1 : 0);
  const roofShapes = table?.properties?.roof_shape ? stringColumn(json, table.properties.roof_shape, table.count) : null;
  const partOf = table?.properties?.part_of ? stringColumn(json, table.properties.part_of, table.count) : null;
  return {
    frame: geo.frame,
    positions: Float64Array.from(b),
    indices: Uint32Array.from(bi),
    featureIds: Int32Array.from(bf),
    ground: gi.length ? { positions: Float64Array.from(g), indices: Uint32Array.from(gi) } : null,
    buildings,
    roofShapes,
    ids: table?.properties?.id ? stringColumn(json, table.properties.id, table.count) : null,
    partOf,
    parts: partOf ? partOf.filter((p) => p !== '').length : 0,
  };
}
