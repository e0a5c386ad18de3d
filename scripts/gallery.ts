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

/** Where footprint `i` of shape block `s` goes: blocks of 4 × 2 footprints, 4 blocks per row. */
export function galleryOffset(s: number, i: number): [number, number] {
  return [(s % 4) * 110 + (i % 4) * 20, -Math.floor(s / 4) * 70 - Math.floor(i / 4) * 20];
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const shapes = ROOF_BUILDERS.map((b) => b.shapes[0]);
  const batch = galleryBatch(shapes, GALLERY_FOOTPRINTS);
  const summary = new Summary();
  const mesh = buildMeshes(batch, {}, summary);
  fs.mkdirSync('out', { recursive: true });
  fs.writeFileSync('out/roofs.glb', await writeGlb(mesh, batch.params, batch.frame, { quantize: false }));
  fs.writeFileSync('out/roofs.json', JSON.stringify({ shapes, blocks: shapes.map((_, s) => galleryOffset(s, 0)) }));
  console.log(`out/roofs.glb: ${shapes.length} shapes × ${Object.keys(GALLERY_FOOTPRINTS).length} footprints; warnings ${JSON.stringify(summary.toJSON().warnings)}`);
}
