import { Document, NodeIO } from '@gltf-transform/core';
import { describe, expect, it } from 'vitest';
import { KHRMeshQuantization } from '@gltf-transform/extensions';
import { DirectBinary, writeGlbBinary } from '../../src/export/glb-binary.js';
import { expectValidGlb } from '../helpers/glb.js';

/** A document of two meshes with the attribute types cityforge writes (int16 positions, int8 normals, uint16 ids, float uvs), random values. */
function sample(): Document {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const doc = new Document();
  doc.createExtension(KHRMeshQuantization).setRequired(true);
  const buffer = doc.createBuffer();
  const scene = doc.createScene();
  for (const n of [5, 300]) {
    const pos = Int16Array.from({ length: 3 * n }, () => Math.round((rand() - 0.5) * 60000));
    // (unit normals along random axes: the validator checks their length)
    const nrm = new Int8Array(3 * n);
    for (let i = 0; i < n; i++) nrm[3 * i + Math.floor(rand() * 3)] = rand() < 0.5 ? -127 : 127;
    const fid = Uint16Array.from({ length: n }, (_, i) => i >> 2);
    const uv = Float32Array.from({ length: 2 * n }, () => rand() * 4);
    const idx = Uint16Array.from({ length: 3 * (n - 2) }, (_, i) => (i % 3 === 0 ? 0 : Math.floor(i / 3) + (i % 3)));
    const a = (t: 'VEC3' | 'VEC2' | 'SCALAR', arr: Int16Array | Int8Array | Uint16Array | Float32Array) => doc.createAccessor().setType(t).setArray(arr).setBuffer(buffer);
    const prim = doc.createPrimitive().setAttribute('POSITION', a('VEC3', pos)).setAttribute('NORMAL', a('VEC3', nrm).setNormalized(true)).setAttribute('_FEATURE_ID_0', a('SCALAR', fid)).setAttribute('TEXCOORD_0', a('VEC2', uv)).setIndices(a('SCALAR', idx));
    scene.addChild(doc.createNode().setMesh(doc.createMesh().addPrimitive(prim)));
  }
  return doc;
}

describe('DirectBinary (the GLB writer\'s vertex attributes and indices)', () => {
  it('interleave-was-slow: the same attribute values as glTF-Transform\'s own interleaving, one strided ARRAY_BUFFER view per mesh, one index view, no extension left in the file', async () => {
    const plainIo = new NodeIO().registerExtensions([KHRMeshQuantization]);
    const fastIo = new NodeIO().registerExtensions([KHRMeshQuantization, DirectBinary]);
    const plain = await plainIo.writeBinary(sample());
    const doc = sample();
    doc.createExtension(DirectBinary);
    const fast = await writeGlbBinary(fastIo, doc);
    await expectValidGlb(fast);
    const json = JSON.parse(new TextDecoder().decode(fast.subarray(20, 20 + new DataView(fast.buffer, fast.byteOffset).getUint32(12, true))));
    expect(json.extensionsUsed).toEqual(['KHR_mesh_quantization']);
    const strided = json.bufferViews.filter((v: { byteStride?: number }) => v.byteStride);
    expect(strided.map((v: { byteStride: number; target: number }) => [v.byteStride, v.target])).toEqual([[24, 34962], [24, 34962]]);
    // every index list in one ELEMENT_ARRAY_BUFFER view, each from a 4-byte boundary
    expect(json.bufferViews.filter((v: { target?: number }) => v.target === 34963)).toHaveLength(1);
    expect(json.accessors.filter((a: { byteOffset?: number }) => (a.byteOffset ?? 0) % 4).length).toBe(0);
    // read back by glTF-Transform's reader: every attribute of every primitive, value for value
    const [a, b] = await Promise.all([plainIo.readBinary(plain), plainIo.readBinary(fast)]);
    const prims = (d: Document) => d.getRoot().listMeshes().flatMap((m) => m.listPrimitives());
    const pa = prims(a), pb = prims(b);
    expect(pb).toHaveLength(2);
    for (let k = 0; k < pa.length; k++)
      for (const sem of ['POSITION', 'NORMAL', '_FEATURE_ID_0', 'TEXCOORD_0']) {
        const x = pa[k].getAttribute(sem)!, y = pb[k].getAttribute(sem)!;
        expect(y.getArray()!.constructor).toBe(x.getArray()!.constructor);
        expect(Array.from(y.getArray()!), `${sem} of mesh ${k}`).toEqual(Array.from(x.getArray()!));
        expect(y.getNormalized()).toBe(x.getNormalized());
      }
    expect(Array.from(pb[1].getIndices()!.getArray()!)).toEqual(Array.from(pa[1].getIndices()!.getArray()!));
  });
});
