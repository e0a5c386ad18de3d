/**
 * Roof gallery: every roof shape on a few footprints, written as a GLB (out/roofs.glb) for
 * `scripts/render/shot.mjs` to render to docs/img/roofs.png.
 *   node --import tsx scripts/gallery.ts && node scripts/render/shot.mjs out/roofs.glb docs/img/roofs.png 0.6
 */
import fs from 'node:fs';
import { makeFrame } from '../src/core/frame.js';
import { makeParams } from '../src/core/params.js';
import { Summary } from '../src/core/summary.js';
import type { BuildingParams, FeatureBatch } from '../src/core/types.js';
import { writeGlb } from '../src/export/gltf.js';
import { BatchBuilder, flatPolygons } from '../src/core/batch.js';
import { buildMeshes, ROOF_BUILDERS } from '../src/procedural/index.js';

/** Footprints (outer ring CCW, holes CW), about 12 × 8 m. */
export const GALLERY_FOOTPRINTS: Record<string, number[][][]> = {
  rectangle: [[[0, 0], [12, 0], [12, 8], [0, 8]]],
  L: [[[0, 0], [12, 0], [12, 5], [5, 5], [5, 11], [0, 11]]],
  T: [[[0, 6], [4, 6], [4, 0], [8, 0], [8, 6], [12, 6], [12, 10], [0, 10]]],
  U: [[[0, 0], [12, 0], [12, 10], [8.5, 10], [8.5, 4], [3.5, 4], [3.5, 10], [0, 10]]],
  star: [Array.from({ length: 10 }, (_, i) => [6 + (i % 2 ? 2.6 : 6) * Math.cos((i * Math.PI) / 5 + Math.PI / 2), 6 + (i % 2 ? 2.6 : 6) * Math.sin((i * Math.PI) / 5 + Math.PI / 2)])],
  courtyard: [[[0, 0], [12, 0], [12, 12], [0, 12]], [[4, 4], [4, 8], [8, 8], [8, 4]]],
  octagon: [Array.from({ length: 8 }, (_, i) => [6 + 6 * Math.cos((i * Math.PI) / 4 + Math.PI / 8), 6 + 6 * Math.sin((i * Math.PI) / 4 + Math.PI / 8)])],
};

/** Where footprint `i` of shape block `s` goes: blocks of 3 footprints a row (52 × 52 m for seven, the seventh in the middle of the third row), 4 blocks a row. */
export function galleryOffset(s: number, i: number): [number, number] {
  return [(s % 4) * 90 + (i === 6 ? 1 : i % 3) * 20, -Math.floor(s / 4) * 90 - Math.floor(i / 3) * 20];
}

export function galleryBatch(shapes: string[], footprints: Record<string, number[][][]>): FeatureBatch {
  const out = new BatchBuilder();
  shapes.forEach((shape, row) => {
    Object.entries(footprints).forEach(([name, rings], col) => {
      out.add(
        flatPolygons([rings], ...galleryOffset(row, col)),
        makeParams({ id: `${shape}/${name}`, source: 'gallery', height: 12, colour: '#efe6d8', drawAs: out.params.length, roof: { shape, colour: '#b5523b' } as BuildingParams['roof'] }),
      );
    });
  });
  return out.toBatch(makeFrame(7.42, 43.73, 0, ['LOCAL']));
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] !== 'facades') {
  const shapes = ROOF_BUILDERS.map((b) => b.shapes[0]);
  const batch = galleryBatch(shapes, GALLERY_FOOTPRINTS);
  const summary = new Summary();
  const mesh = buildMeshes(batch, {}, summary);
  fs.mkdirSync('out', { recursive: true });
  fs.writeFileSync('out/roofs.glb', await writeGlb(mesh, batch.params, batch.frame, { quantize: false }));
  fs.writeFileSync('out/roofs.json', JSON.stringify({ shapes, blocks: shapes.map((_, s) => galleryOffset(s, 0)) }));
  console.log(`out/roofs.glb: ${shapes.length} shapes × ${Object.keys(GALLERY_FOOTPRINTS).length} footprints; warnings ${JSON.stringify(summary.toJSON().warnings)}`);
}

/**
 * Facade gallery: one street of the facade looks — a terrace of three gabled houses (party walls between them),
 * a shop with flats above, an office block, a glass tower and a hipped villa — written with `--facades texture`
 * and `--facades geometry` (out/facades-texture.glb, out/facades-geometry.glb):
 *   node --import tsx scripts/gallery.ts facades && node scripts/render/shot.mjs out/facades-geometry.glb docs/img/facades-gallery.png 0.5
 */
export function facadeGalleryBatch(): FeatureBatch {
  const out = new BatchBuilder();
  const add = (id: string, ring: number[][], height: number, tags: Partial<BuildingParams>, roof: Partial<BuildingParams['roof']> = {}) =>
    out.add(flatPolygons([[ring]]), makeParams({ id, source: 'gallery', height, colour: '#efe6d8', drawAs: out.params.length, ...tags, roof: { shape: 'flat', colour: '#b5523b', ...roof } as BuildingParams['roof'] }));
  // a terrace: three houses side by side, 7 m wide, 10 m deep, 3 storeys and a gabled roof
  for (let i = 0; i < 3; i++) add(`terrace ${i + 1}`, [[7 * i, 0], [7 * i + 7, 0], [7 * i + 7, 10], [7 * i, 10]], 13, { levels: 3, kind: 'house' }, { shape: 'gabled', height: 4, orientation: 'across' });
  add('shop with flats', [[27, 0], [41, 0], [41, 12], [27, 12]], 15, { levels: 5, kind: 'retail', colour: '#e8d9c0' });
  add('office', [[46, 0], [64, 0], [64, 14], [46, 14]], 24, { levels: 6, kind: 'office', colour: '#d9dde2' }, { shape: 'hipped', height: 3 });
  add('glass tower', [[69, 0], [81, 0], [81, 12], [69, 12]], 45, { levels: 12, material: 'glass', colour: '#9fb4c4' });
  add('villa', [[-17, 0], [-5, 0], [-5, 9], [-17, 9]], 9, { levels: 2, kind: 'detached' }, { shape: 'hipped', height: 3 });
  return out.toBatch(makeFrame(7.42, 43.73, 0, ['LOCAL']));
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === 'facades') {
  const batch = facadeGalleryBatch();
  fs.mkdirSync('out', { recursive: true });
  for (const mode of ['texture', 'geometry'] as const) {
    const mesh = buildMeshes(batch, { facades: mode }, new Summary());
    fs.writeFileSync(`out/facades-${mode}.glb`, await writeGlb(mesh, batch.params, batch.frame, { quantize: false }));
    console.log(`out/facades-${mode}.glb: ${batch.params.length} buildings, ${mesh.indices.length / 3} triangles`);
  }
}
