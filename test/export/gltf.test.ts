import path from 'node:path';
import { Matrix4 } from '@math.gl/core';
import { Ellipsoid } from '@math.gl/geospatial';
import { beforeAll, describe, expect, it } from 'vitest';
import { NULL_LOGGER } from '../../src/core/logger.js';
import { Summary } from '../../src/core/summary.js';
import type { FeatureBatch, MeshBatch } from '../../src/core/types.js';
import { writeGlb } from '../../src/export/gltf.js';
import { ingest } from '../../src/ingest/index.js';
import { buildMeshes } from '../../src/procedural/index.js';
import { DATA } from '../helpers/fixtures.js';
import { expectValidGlb, readGlb } from '../helpers/glb.js';

let batch: FeatureBatch;
let mesh: MeshBatch;

beforeAll(async () => {
  batch = await ingest([path.join(DATA, 'sf-mvt', '15-5238-12666.mvt')], {}, NULL_LOGGER, new Summary());
  mesh = buildMeshes(batch, {}, new Summary());
});

/** Bounds of the mesh in glTF axes (x east, y up, z south). */
const meshBoundsGltf = (m: MeshBatch) => {
  const b = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
  for (let i = 0; i < m.positions.length; i += 3) {
    const g = [m.positions[i], m.positions[i + 2], -m.positions[i + 1]];
    for (let k = 0; k < 3; k++) {
      b[k] = Math.min(b[k], g[k]);
      b[k + 3] = Math.max(b[k + 3], g[k]);
    }
  }
  return b;
};

describe.each([
  ['quantized (default)', true],
  ['float', false],
])('GLB export, %s', (_name, quantize) => {
  let glb: Uint8Array;
  beforeAll(async () => {
    glb = await writeGlb(mesh, batch.params, batch.frame, { quantize });
  });

  it('passes the Khronos validator with 0 errors and 0 warnings', async () => {
    const report = await expectValidGlb(glb);
    expect(report.info['totalTriangleCount']).toBe(mesh.indices.length / 3);
  });

  it('reads back (loaders.gl): one table row per building, ids unique and as ingested, every feature id used', async () => {
    const rb = await readGlb(glb);
    const n = batch.params.length;
    expect(rb.json.extensionsUsed).toEqual(expect.arrayContaining(['EXT_mesh_features', 'EXT_structural_metadata']));
    expect(rb.table['id']).toEqual(batch.params.map((p) => p.id));
    expect(new Set(rb.table['id']).size).toBe(n);
    expect(rb.table['height']).toEqual(batch.params.map((p) => Math.fround(p.height)));
    expect(rb.featureIds.size).toBe(n);
    expect(Math.max(...rb.featureIds)).toBe(n - 1);
    // property bufferViews are 8-byte aligned, as EXT_structural_metadata requires
    const meta = rb.json.extensions.EXT_structural_metadata;
    for (const prop of Object.values<Record<string, number>>(meta.propertyTables[0].properties))
      for (const k of ['values', 'stringOffsets']) if (prop[k] !== undefined) expect((rb.json.bufferViews[prop[k]].byteOffset ?? 0) % 8).toBe(0);
  });

  it('bounds match the input mesh (within the quantization step)', async () => {
    const rb = await readGlb(glb);
    const step = (rb.json.asset.extras.cityforge.quantizationStep as number) || 1e-4;
    expect(quantize ? step : 0).toBeLessThan(0.02);
    const want = meshBoundsGltf(mesh);
    for (let k = 0; k < 6; k++) expect(Math.abs(rb.bounds[k] - want[k])).toBeLessThanOrEqual(step);
  });

  it('is georeferenced: the frame in asset.extras places a vertex where the source says', async () => {
    const rb = await readGlb(glb);
    const geo = rb.json.asset.extras.cityforge;
    expect(geo.axes).toBe('x=east,y=up,z=-north');
    expect(geo.frame.sourceCrs).toEqual(['EPSG:3857']);
    // local frame origin → lon/lat through the recorded matrix
    const ecef = new Matrix4(geo.frame.enuToEcef).transformAsPoint([0, 0, 0]);
    const c = Ellipsoid.WGS84.cartesianToCartographic(ecef, [0, 0, 0]);
    expect(c[0]).toBeCloseTo(batch.frame.lon, 9);
    expect(c[1]).toBeCloseTo(batch.frame.lat, 9);
    // the tile lies around lon -122.44, lat 37.766 (z15 tile 5238/12666)
    expect(c[0]).toBeGreaterThan(-122.4536);
    expect(c[0]).toBeLessThan(-122.4426);
    expect(c[1]).toBeGreaterThan(37.7607);
    expect(c[1]).toBeLessThan(37.7694);
  });
});

it('output is deterministic: same input, same bytes', async () => {
  const a = await writeGlb(mesh, batch.params, batch.frame);
  const b2 = await ingest([path.join(DATA, 'sf-mvt', '15-5238-12666.mvt')], {}, NULL_LOGGER, new Summary());
  const b = await writeGlb(buildMeshes(b2, {}, new Summary()), b2.params, b2.frame);
  expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
});

describe('--compress (EXT_meshopt_compression)', () => {
  it('is validator-clean, about 40 % of the bytes, and decodes (glTF-Transform + meshopt decoder) to the same accessors', async () => {
    const { NodeIO } = await import('@gltf-transform/core');
    const { ALL_EXTENSIONS } = await import('@gltf-transform/extensions');
    const { MeshoptDecoder } = await import('meshoptimizer');
    await MeshoptDecoder.ready;
    const plain = await writeGlb(mesh, batch.params, batch.frame);
    const packed = await writeGlb(mesh, batch.params, batch.frame, { compress: true });
    await expectValidGlb(packed);
    expect(packed.byteLength / plain.byteLength).toBeLessThan(0.6);
    const io = new NodeIO().registerExtensions(ALL_EXTENSIONS).registerDependencies({ 'meshopt.decoder': MeshoptDecoder });
    const a = await io.readBinary(plain);
    const b = await io.readBinary(packed);
    // per primitive: the same attributes; the same triangles (the index codec may rotate a triangle's corners)
    const prims = (d: typeof a) => d.getRoot().listMeshes().flatMap((m) => m.listPrimitives());
    const triangles = (ix: ArrayLike<number>) => {
      const out: string[] = [];
      for (let t = 0; t < ix.length; t += 3) {
        const c = [ix[t], ix[t + 1], ix[t + 2]];
        const k = c.indexOf(Math.min(...c));
        out.push(`${c[k]},${c[(k + 1) % 3]},${c[(k + 2) % 3]}`);
      }
      return out.sort();
    };
    const pa = prims(a), pb = prims(b);
    expect(pb.length).toBe(pa.length);
    pa.forEach((p, i) => {
      for (const attr of ['POSITION', 'NORMAL', '_FEATURE_ID_0']) expect(Array.from(pb[i].getAttribute(attr)!.getArray()!)).toEqual(Array.from(p.getAttribute(attr)!.getArray()!));
      expect(triangles(pb[i].getIndices()!.getArray()!)).toEqual(triangles(p.getIndices()!.getArray()!));
    });
    // the property table is untouched by compression
    const rb = await readGlb(packed, { accessors: false });
    expect(rb.table['id']).toEqual(batch.params.map((p) => p.id));
    const raw = JSON.parse(new TextDecoder().decode(packed.subarray(20, 20 + new DataView(packed.buffer, packed.byteOffset).getUint32(12, true))));
    expect(raw.extensionsRequired).toEqual(expect.arrayContaining(['EXT_meshopt_compression', 'KHR_mesh_quantization']));
  });
});
