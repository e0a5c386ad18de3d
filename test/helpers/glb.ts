import validator from 'gltf-validator';
import { parse } from '@loaders.gl/core';
import { GLTFLoader } from '@loaders.gl/gltf';
import { expect } from 'vitest';

/** Run the Khronos validator; fail the test on any error or warning. Returns the report. */
export async function expectValidGlb(bytes: Uint8Array): Promise<{ info: Record<string, unknown> }> {
  const report = await validator.validateBytes(bytes, { maxIssues: 100 });
  const problems = report.issues.messages.filter((m: { severity: number }) => m.severity <= 1);
  expect(problems, JSON.stringify(problems.slice(0, 5))).toEqual([]);
  expect(report.issues.numErrors).toBe(0);
  expect(report.issues.numWarnings).toBe(0);
  return report;
}

/** A GLB read back with loaders.gl, plus its decoded property table. */
export interface ReadBack {
  json: Record<string, any>;
  /** Column name → values (strings or numbers), decoded from EXT_structural_metadata. */
  table: Record<string, (string | number)[]>;
  /** Every feature id found in the primitives' _FEATURE_ID_0 attributes. */
  featureIds: Set<number>;
  /** World-space bounds (node translation/scale applied) in glTF axes. */
  bounds: [number, number, number, number, number, number];
  /** The embedded images' bytes (PNG, JPEG), in `json.images` order. */
  images: Uint8Array[];
}

/**
 * Read a GLB with loaders.gl (an independent reader) and decode the building table; with
 * `accessors: false` skip feature ids and bounds (meshopt-compressed buffers are not decoded here).
 */
export async function readGlb(bytes: Uint8Array, { accessors = true } = {}): Promise<ReadBack> {
  const gltf = await parse(bytes.slice().buffer, GLTFLoader, { gltf: { postProcess: false, loadBuffers: true, loadImages: false } } as never);
  const json = gltf.json as Record<string, any>;
  const bin = gltf.buffers[0] as { arrayBuffer: ArrayBuffer; byteOffset: number };
  const view = (bv: number) => {
    const b = json.bufferViews[bv];
    return new Uint8Array(bin.arrayBuffer, bin.byteOffset + (b.byteOffset ?? 0), b.byteLength);
  };
  const meta = json.extensions?.EXT_structural_metadata;
  const cls = meta?.schema.classes[meta.propertyTables[0].class];
  const table: ReadBack['table'] = {};
  const count = meta?.propertyTables[0].count ?? 0;
  for (const [name, prop] of Object.entries<any>(meta?.propertyTables[0].properties ?? {})) {
    const def = cls.properties[name];
    if (def.type === 'STRING') {
      const values = view(prop.values);
      const offs = new Uint32Array(view(prop.stringOffsets).slice().buffer);
      const dec = new TextDecoder();
      table[name] = Array.from({ length: count }, (_, i) => dec.decode(values.subarray(offs[i], offs[i + 1])));
    } else {
      const raw = view(prop.values).slice().buffer;
      const arr = def.componentType === 'FLOAT32' ? new Float32Array(raw) : def.componentType === 'FLOAT64' ? new Float64Array(raw) : def.componentType === 'UINT16' ? new Uint16Array(raw) : new Uint32Array(raw);
      table[name] = Array.from(arr);
    }
  }
  const featureIds = new Set<number>();
  const bounds: ReadBack['bounds'] = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
  const accessorArray = (i: number) => {
    const a = json.accessors[i];
    const b = json.bufferViews[a.bufferView];
    const C = ({ 5120: Int8Array, 5121: Uint8Array, 5122: Int16Array, 5123: Uint16Array, 5125: Uint32Array, 5126: Float32Array } as const)[a.componentType as 5126]!;
    const n = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4 }[a.type as 'VEC3'];
    const stride = (b.byteStride ?? n * C.BYTES_PER_ELEMENT) / C.BYTES_PER_ELEMENT;
    const all = new C(bin.arrayBuffer, bin.byteOffset + (b.byteOffset ?? 0) + (a.byteOffset ?? 0), (a.count - 1) * stride + n);
    return { get: (k: number, c: number) => all[k * stride + c], count: a.count as number };
  };
  for (const node of accessors ? json.nodes : []) {
    if (node.mesh === undefined) continue;
    const s = node.scale ?? [1, 1, 1];
    const t = node.translation ?? [0, 0, 0];
    for (const prim of json.meshes[node.mesh].primitives) {
      if (prim.attributes._FEATURE_ID_0 !== undefined) {
        const fid = accessorArray(prim.attributes._FEATURE_ID_0);
        for (let k = 0; k < fid.count; k++) featureIds.add(fid.get(k, 0));
      }
      const pos = accessorArray(prim.attributes.POSITION);
      for (let k = 0; k < pos.count; k++)
        for (let c = 0; c < 3; c++) {
          const v = pos.get(k, c) * s[c] + t[c];
          bounds[c] = Math.min(bounds[c], v);
          bounds[c + 3] = Math.max(bounds[c + 3], v);
        }
    }
  }
  const images = (json.images ?? []).map((im: { bufferView?: number }) => (im.bufferView !== undefined ? view(im.bufferView).slice() : new Uint8Array()));
  return { json, table, featureIds, bounds, images };
}

/** The lowest vertex (z up, frame metres) of every building of a tile, by its id. */
export async function buildingBases(glb: Uint8Array): Promise<Map<string, number>> {
  return buildingExtremes(glb, 'lowest');
}

/** The highest vertex (z up, frame metres) of every building of a tile, by its id. */
export async function buildingTops(glb: Uint8Array): Promise<Map<string, number>> {
  return buildingExtremes(glb, 'highest');
}

async function buildingExtremes(glb: Uint8Array, which: 'lowest' | 'highest'): Promise<Map<string, number>> {
  const { NodeIO } = await import('@gltf-transform/core');
  const { ALL_EXTENSIONS } = await import('@gltf-transform/extensions');
  const doc = await new NodeIO().registerExtensions(ALL_EXTENSIONS).readBinary(glb);
  const { table } = await readGlb(glb, { accessors: false });
  const out = new Map<string, number>();
  const v = [0, 0, 0];
  for (const node of doc.getRoot().listNodes()) {
    if (node.getName() === 'terrain' || !node.getMesh()) continue;
    const m = node.getWorldMatrix();
    for (const prim of node.getMesh()!.listPrimitives()) {
      const pos = prim.getAttribute('POSITION')!, fid = prim.getAttribute('_FEATURE_ID_0');
      if (!fid) continue;
      for (let i = 0; i < pos.getCount(); i++) {
        pos.getElement(i, v);
        // glTF y up → frame z: world y
        const y = m[1] * v[0] + m[5] * v[1] + m[9] * v[2] + m[13];
        const id = String(table['id'][fid.getScalar(i)]);
        out.set(id, which === 'lowest' ? Math.min(out.get(id) ?? Infinity, y) : Math.max(out.get(id) ?? -Infinity, y));
      }
    }
  }
  return out;
}
