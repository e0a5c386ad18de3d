import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFrame } from '../../src/core/frame.js';
import { readSurface, rasterExtentInFrame } from '../../src/ingest/raster.js';
import { DATA } from '../helpers/fixtures.js';

const quiet = { info() {}, warn() {}, debug() {}, error() {} } as never;

describe('readSurface: a cell is the same whatever window is read around it', () => {
  it('window-made-the-samples: two overlapping windows of a raster in another CRS give the same heights where they meet', () => {
    // (before: GDAL sized its resampling kernel from each chunk's own ratio of source to destination pixels
    // and approximated the transform along spans that depend on the window; on Delft's DSM cells differed
    // by up to 0.57 m, and `infer` gave a building another roof when the run held other buildings)
    const file = path.join(DATA, 'sf-terrain-3857.tif');
    const frame = makeFrame(-122.4482, 37.7664, 0, ['EPSG:3857']);
    const whole = rasterExtentInFrame(file, frame).extent;
    const w = whole.maxX - whole.minX, h = whole.maxY - whole.minY;
    const a = readSurface(file, frame, { minX: whole.minX + 0.1 * w, minY: whole.minY + 0.1 * h, maxX: whole.maxX - 0.1 * w, maxY: whole.maxY - 0.1 * h }, {}, quiet);
    const b = readSurface(file, frame, { minX: whole.minX + 0.37 * w, minY: whole.minY + 0.29 * h, maxX: whole.maxX - 0.33 * w, maxY: whole.maxY - 0.41 * h }, {}, quiet);
    expect(b.cell).toBe(a.cell);
    let compared = 0, worst = 0;
    for (let j = 0; j < b.ny; j++)
      for (let i = 0; i < b.nx; i++) {
        // the same cell of the frame's grid in the other window
        const ia = Math.round((b.x0 - a.x0) / a.cell) + i, ja = Math.round((b.y0 - a.y0) / a.cell) + j;
        const va = a.values[ja * a.nx + ia], vb = b.values[j * b.nx + i];
        if (Number.isNaN(va) || Number.isNaN(vb)) continue;
        compared++;
        worst = Math.max(worst, Math.abs(va - vb));
      }
    expect(compared).toBeGreaterThan(10000);
    expect(worst).toBeLessThan(1e-3);
  });
});
