import type { RasterGrid } from '../../src/core/grid.js';
import { makeParams } from '../../src/core/params.js';
import { Summary } from '../../src/core/summary.js';
import type { BuildingParams, FeatureBatch, RoofParams } from '../../src/core/types.js';
import { BatchBuilder, flatPolygons } from '../../src/core/batch.js';
import { makeFrame } from '../../src/core/frame.js';
import { cleanPolygons, REPAIR_DEFAULTS } from '../../src/ingest/repair.js';
import { degrade, rasterizeTriangles } from '../../src/inverse/index.js';
import { buildMeshes, featurePolygons, type Footprint } from '../../src/procedural/index.js';

/** A building to synthesise: one polygon (rings of [x, y]) and its S3DB parameters. */
export interface SynthBuilding {
  rings: number[][][];
  height: number;
  roof: Partial<RoofParams>;
}

/** A rectangle w × d centred at (cx, cy), its long side along bearing `rot` degrees from east (counter-clockwise). */
export function rect(w: number, d: number, rot = 0, cx = 0, cy = 0): number[][][] {
  const r = (rot * Math.PI) / 180, c = Math.cos(r), s = Math.sin(r);
  const pts = [[-w / 2, -d / 2], [w / 2, -d / 2], [w / 2, d / 2], [-w / 2, d / 2]].map(([x, y]) => [cx + x * c - y * s, cy + x * s + y * c]);
  return [[...pts, pts[0]]];
}

/** A regular n-gon of radius `r`. */
export function ngon(n: number, r: number, cx = 0, cy = 0): number[][][] {
  const pts = Array.from({ length: n }, (_, k) => [cx + r * Math.cos((2 * Math.PI * k) / n), cy + r * Math.sin((2 * Math.PI * k) / n)]);
  return [[...pts, pts[0]]];
}

/** The buildings as a batch (through ingest's ring cleaning). */
export function synthBatch(buildings: SynthBuilding[]): FeatureBatch {
  const out = new BatchBuilder();
  buildings.forEach((b, i) => {
    const { polygons } = cleanPolygons(flatPolygons([b.rings]), REPAIR_DEFAULTS);
    const p: BuildingParams = makeParams({ id: `b${i}`, source: 'synth', height: b.height, roof: { shape: 'flat', height: null, angle: null, levels: null, direction: null, orientation: null, colour: null, material: null, onTop: false, ...b.roof } });
    out.add(polygons, { ...p, drawAs: i });
  });
  return out.toBatch(makeFrame(0, 0, 0, ['LOCAL']));
}

/**
 * Build the buildings with `build`'s procedural stage and rasterise them into an nDSM (ground 0),
 * degraded with noise and dropout when asked. Returns the grid and each building's footprint.
 */
export function synthDsm(buildings: SynthBuilding[], o: { cell?: number; noise?: number; dropout?: number; seed?: number; margin?: number } = {}): { dsm: RasterGrid; footprints: Footprint[]; batch: FeatureBatch } {
  const cell = o.cell ?? 0.5;
  const batch = synthBatch(buildings);
  const mesh = buildMeshes(batch, {}, new Summary());
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let k = 0; k < batch.positions.length; k += 2) {
    minX = Math.min(minX, batch.positions[k]);
    maxX = Math.max(maxX, batch.positions[k]);
    minY = Math.min(minY, batch.positions[k + 1]);
    maxY = Math.max(maxY, batch.positions[k + 1]);
  }
  const m = o.margin ?? 10;
  const x0 = Math.floor((minX - m) / cell) * cell, y0 = Math.floor((minY - m) / cell) * cell;
  const nx = Math.ceil((maxX + m - x0) / cell), ny = Math.ceil((maxY + m - y0) / cell);
  const values = new Float32Array(nx * ny).fill(-Infinity);
  rasterizeTriangles(mesh.positions, mesh.indices, { x0, y0, cell, nx, ny }, values);
  for (let k = 0; k < values.length; k++) if (values[k] === -Infinity) values[k] = 0;
  if (o.noise || o.dropout) degrade(values, o.noise ?? 0, o.dropout ?? 0, o.seed ?? 1);
  const footprints = buildings.map((_, i) => featurePolygons(batch, i)[0]);
  return { dsm: { x0, y0, cell, nx, ny, values }, footprints, batch };
}

/**
 * Change a synthetic DSM cell by cell: `f(u, v, z)` gets each valid cell's centre in the axes of a
 * footprint turned `rotDeg` (as {@link rect} turns it) and its height, and returns its new height.
 */
export function editCells(dsm: RasterGrid, rotDeg: number, f: (u: number, v: number, z: number) => number): void {
  const r0 = (rotDeg * Math.PI) / 180;
  for (let j = 0; j < dsm.ny; j++)
    for (let i = 0; i < dsm.nx; i++) {
      const k = j * dsm.nx + i;
      if (!Number.isFinite(dsm.values[k])) continue;
      const x = dsm.x0 + (i + 0.5) * dsm.cell, y = dsm.y0 + (j + 0.5) * dsm.cell;
      dsm.values[k] = f(x * Math.cos(r0) + y * Math.sin(r0), -x * Math.sin(r0) + y * Math.cos(r0), dsm.values[k]);
    }
}
