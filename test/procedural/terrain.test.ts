import gdal from 'gdal-async';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ElevationGrid } from '../../src/core/grid.js';
import { sampleGrid } from '../../src/core/grid.js';
import { NULL_LOGGER } from '../../src/core/logger.js';
import { Summary } from '../../src/core/summary.js';
import type { FeatureBatch } from '../../src/core/types.js';
import { ingest } from '../../src/ingest/index.js';
import { readElevation } from '../../src/ingest/raster.js';
import { buildMeshes, groundElevations, terrainMesh, type TerrainMesh } from '../../src/procedural/index.js';
import { DATA, freshDir } from '../helpers/fixtures.js';
import { tileTerrain } from '../../src/tiles/build.js';

/** Largest |mesh − grid| over every grid sample, the mesh interpolated linearly in the triangle containing the sample. */
function meshError(g: ElevationGrid, t: TerrainMesh): number {
  let worst = 0;
  const P = t.positions;
  for (let k = 0; k < t.surfaceTriangles * 3; k += 3) {
    const [a, b, c] = [t.indices[k], t.indices[k + 1], t.indices[k + 2]];
    const xs = [P[3 * a], P[3 * b], P[3 * c]], ys = [P[3 * a + 1], P[3 * b + 1], P[3 * c + 1]], zs = [P[3 * a + 2], P[3 * b + 2], P[3 * c + 2]];
    const i0 = Math.round((Math.min(...xs) - g.x0) / g.cell), i1 = Math.round((Math.max(...xs) - g.x0) / g.cell);
    const j0 = Math.round((Math.min(...ys) - g.y0) / g.cell), j1 = Math.round((Math.max(...ys) - g.y0) / g.cell);
    const det = (ys[1] - ys[2]) * (xs[0] - xs[2]) + (xs[2] - xs[1]) * (ys[0] - ys[2]);
    for (let j = j0; j <= j1; j++)
      for (let i = i0; i <= i1; i++) {
        const x = g.x0 + i * g.cell, y = g.y0 + j * g.cell;
        const l1 = ((ys[1] - ys[2]) * (x - xs[2]) + (xs[2] - xs[1]) * (y - ys[2])) / det;
        const l2 = ((ys[2] - ys[0]) * (x - xs[2]) + (xs[0] - xs[2]) * (y - ys[2])) / det;
        const l3 = 1 - l1 - l2;
        if (l1 < -1e-6 || l2 < -1e-6 || l3 < -1e-6) continue;
        worst = Math.max(worst, Math.abs(l1 * zs[0] + l2 * zs[1] + l3 * zs[2] - g.heights[j * g.n + i]));
      }
  }
  return worst;
}

/** Height of the terrain mesh's surface at (x, y), through a bucket index of its triangles. */
function meshHeightLookup(t: TerrainMesh): (x: number, y: number) => number {
  const P = t.positions;
  const B = 25;
  const buckets = new Map<string, number[]>();
  for (let k = 0; k < t.surfaceTriangles * 3; k += 3) {
    const xs = [0, 1, 2].map((i) => P[3 * t.indices[k + i]]), ys = [0, 1, 2].map((i) => P[3 * t.indices[k + i] + 1]);
    for (let bx = Math.floor(Math.min(...xs) / B); bx <= Math.floor(Math.max(...xs) / B); bx++)
      for (let by = Math.floor(Math.min(...ys) / B); by <= Math.floor(Math.max(...ys) / B); by++) {
        const key = `${bx},${by}`;
        (buckets.get(key) ?? buckets.set(key, []).get(key)!).push(k);
      }
  }
  return (x, y) => {
    for (const k of buckets.get(`${Math.floor(x / B)},${Math.floor(y / B)}`) ?? []) {
      const [a, b, c] = [t.indices[k], t.indices[k + 1], t.indices[k + 2]];
      const det = (P[3 * b + 1] - P[3 * c + 1]) * (P[3 * a] - P[3 * c]) + (P[3 * c] - P[3 * b]) * (P[3 * a + 1] - P[3 * c + 1]);
      const l1 = ((P[3 * b + 1] - P[3 * c + 1]) * (x - P[3 * c]) + (P[3 * c] - P[3 * b]) * (y - P[3 * c + 1])) / det;
      const l2 = ((P[3 * c + 1] - P[3 * a + 1]) * (x - P[3 * c]) + (P[3 * a] - P[3 * c]) * (y - P[3 * c + 1])) / det;
      const l3 = 1 - l1 - l2;
      if (l1 >= -1e-7 && l2 >= -1e-7 && l3 >= -1e-7) return l1 * P[3 * a + 2] + l2 * P[3 * b + 2] + l3 * P[3 * c + 2];
    }
    throw new Error(`no terrain triangle under (${x}, ${y})`);
  };
}

let batch: FeatureBatch;
let grid: ElevationGrid;
const TILE = path.join(DATA, 'sf-mvt', '15-5238-12666.mvt');
const extentOf = (b: FeatureBatch) => {
  const xs = Array.from(b.positions).filter((_, i) => i % 2 === 0), ys = Array.from(b.positions).filter((_, i) => i % 2 === 1);
  return { minX: Math.min(...xs) - 30, minY: Math.min(...ys) - 30, maxX: Math.max(...xs) + 30, maxY: Math.max(...ys) + 30 };
};

beforeAll(async () => {
  batch = await ingest([TILE], {}, NULL_LOGGER, new Summary());
  grid = readElevation(path.join(DATA, 'sf-terrain-3857.tif'), batch.frame, extentOf(batch), {}, NULL_LOGGER, new Summary());
});

describe('terrain mesh (RTIN)', () => {
  it.each([0.5, 1, 2])('max vertical error against the DEM grid ≤ %f m, and fewer triangles for a looser bound', (bound) => {
    const t = terrainMesh(grid, { maxError: bound });
    expect(meshError(grid, t)).toBeLessThanOrEqual(bound + 1e-4);
    expect(t.surfaceTriangles).toBeLessThan(2 * (grid.n - 1) ** 2);
    if (bound > 0.5) expect(t.surfaceTriangles).toBeLessThan(terrainMesh(grid, { maxError: bound / 2 }).surfaceTriangles);
  });
  it('terrain-errors-depended-on-order: a grid and its transpose are meshed alike, triangle for triangle (the smallest triangles read their neighbours\' errors as their children\'s, set or not yet as the loop\'s order had it)', () => {
    const n = 129;
    const h = new Float32Array(n * n), t = new Float32Array(n * n);
    let s = 7;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) h[y * n + x] = 10 * Math.sin(x / 9) * Math.cos(y / 13) + 2 * rnd();
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) t[x * n + y] = h[y * n + x];
    const a = terrainMesh({ x0: 0, y0: 0, cell: 1, n, heights: h }, { maxError: 0.5 });
    const b = terrainMesh({ x0: 0, y0: 0, cell: 1, n, heights: t }, { maxError: 0.5 });
    // each mesh's surface triangles as sorted corner sets, the second's transposed back
    const tris = (m: TerrainMesh, swap: boolean) => {
      const out: string[] = [];
      for (let k = 0; k < 3 * m.surfaceTriangles; k += 3) {
        const c = [0, 1, 2].map((i) => {
          const v = m.indices[k + i];
          const [x, y] = [m.positions[3 * v], m.positions[3 * v + 1]];
          return swap ? `${y},${x}` : `${x},${y}`;
        });
        out.push(c.sort().join(' '));
      }
      return out.sort();
    };
    expect(b.surfaceTriangles).toBe(a.surfaceTriangles);
    expect(tris(b, true)).toEqual(tris(a, false));
    expect(meshError({ x0: 0, y0: 0, cell: 1, n, heights: h }, a)).toBeLessThanOrEqual(0.5 + 1e-4);
  });

  it('an exactly planar grid becomes two triangles; skirts hang below the lowest sample', () => {
    const n = 65;
    const heights = new Float32Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) heights[j * n + i] = 10 + 0.5 * i - 0.25 * j;
    const t = terrainMesh({ x0: 0, y0: 0, cell: 2, n, heights }, { maxError: 0.01, skirt: 5 });
    expect(t.surfaceTriangles).toBe(2);
    const zs = Array.from(t.positions).filter((_, i) => i % 3 === 2);
    expect(Math.min(...zs)).toBeCloseTo(10 - 0.25 * 64 - 5, 4);
  });
  it('terrain-skirt-wedges-at-the-data-edge: with a mask, skirts hang from the data’s edge too, and the mesh is closed above the skirts’ bottom', () => {
    const n = 33;
    const heights = new Float32Array(n * n);
    const valid = new Uint8Array(n * n);
    // hilly data over a disc (a ragged diagonal edge, as where a DEM ends inside a tile), nothing outside it
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) {
        heights[j * n + i] = 20 + 6 * Math.sin(i / 3) * Math.cos(j / 4);
        valid[j * n + i] = Math.hypot(i - 10, j - 12) < 17 ? 1 : 0;
      }
    const t = terrainMesh({ x0: 0, y0: 0, cell: 2, n, heights, valid }, { maxError: 0.2, skirt: 5, fullBorder: true });
    const count = new Map<string, number>();
    for (let k = 0; k < t.indices.length; k += 3)
      for (let e = 0; e < 3; e++) {
        const a = t.indices[k + e], b = t.indices[k + ((e + 1) % 3)];
        const key = a < b ? `${a},${b}` : `${b},${a}`;
        count.set(key, (count.get(key) ?? 0) + 1);
      }
    // closed but for the skirts' bottom edges: every edge with a surface vertex is shared by two triangles (four
    // where the data's edge touches itself at a vertex: both passes hang from its one skirt line)
    const surfaceVertex = new Set(Array.from(t.indices.subarray(0, 3 * t.surfaceTriangles)));
    let open = 0;
    for (const [key, c] of count) {
      const [a, b] = key.split(',').map(Number);
      if ((surfaceVertex.has(a) || surfaceVertex.has(b)) && c % 2 !== 0) open++;
    }
    expect(open).toBe(0);
    // the data's edge (off the grid's border) has skirts, each skirt vertex's normal horizontal and outward:
    // a step along it leaves the surface
    const P = t.positions;
    const onSurface = (x: number, y: number) => {
      for (let k = 0; k < 3 * t.surfaceTriangles; k += 3) {
        const [a, b, c] = [t.indices[k], t.indices[k + 1], t.indices[k + 2]];
        const side = (p: number, q: number) => (P[3 * q] - P[3 * p]) * (y - P[3 * p + 1]) - (P[3 * q + 1] - P[3 * p + 1]) * (x - P[3 * p]);
        if (side(a, b) >= 0 && side(b, c) >= 0 && side(c, a) >= 0) return true;
      }
      return false;
    };
    let offBorder = 0;
    for (let v = 0; v < P.length / 3; v++) {
      if (surfaceVertex.has(v)) continue;
      expect(t.normals[3 * v + 2]).toBe(0);
      expect(Math.hypot(t.normals[3 * v], t.normals[3 * v + 1])).toBeCloseTo(1, 5);
      expect(onSurface(P[3 * v] + 0.2 * t.normals[3 * v], P[3 * v + 1] + 0.2 * t.normals[3 * v + 1])).toBe(false);
      const x = P[3 * v] / 2, y = P[3 * v + 1] / 2;
      if (x > 0 && y > 0 && x < n - 1 && y < n - 1) offBorder++;
    }
    expect(offBorder).toBeGreaterThan(10);
  });
  it('terrain-cracks-at-t-junctions: with every border sample kept (tiles), the surface has no edge of one triangle but on the border', () => {
    const n = 65;
    const heights = new Float32Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) heights[j * n + i] = 30 + 8 * Math.sin(i / 5) * Math.cos(j / 7);
    const t = terrainMesh({ x0: 0, y0: 0, cell: 1, n, heights }, { maxError: 0.5, fullBorder: true });
    const used = new Map<string, number>();
    for (let k = 0; k < 3 * t.surfaceTriangles; k += 3)
      for (let e = 0; e < 3; e++) {
        const a = t.indices[k + e], b = t.indices[k + ((e + 1) % 3)];
        const key = a < b ? `${a},${b}` : `${b},${a}`;
        used.set(key, (used.get(key) ?? 0) + 1);
      }
    const P = t.positions;
    let border = 0;
    for (const [key, c] of used) {
      if (c === 2) continue;
      const [a, b] = key.split(',').map(Number);
      const onBorder = (P[3 * a] === P[3 * b] && (P[3 * a] === 0 || P[3 * a] === n - 1)) || (P[3 * a + 1] === P[3 * b + 1] && (P[3 * a + 1] === 0 || P[3 * a + 1] === n - 1));
      expect(onBorder, `edge ${key} of ${c} triangle(s) off the border`).toBe(true);
      expect(Math.hypot(P[3 * a] - P[3 * b], P[3 * a + 1] - P[3 * b + 1])).toBe(1); // every border sample kept
      border++;
    }
    expect(border).toBe(4 * (n - 1));
  });
  it('normals point up', () => {
    const t = terrainMesh(grid, { maxError: 1 });
    for (let v = 0; v < t.surfaceTriangles; v++) expect(t.normals[3 * t.indices[3 * v] + 2]).toBeGreaterThan(0);
  });
});

describe('seating buildings on the terrain', () => {
  it('every building’s lowest vertex is at or below the terrain under each footprint vertex, and no higher than the mesh + bound', () => {
    const bound = 1;
    const ground = groundElevations(batch, grid, 'min');
    const mesh = buildMeshes(batch, { ground }, new Summary());
    const t = terrainMesh(grid, { maxError: bound });
    const heightAt = meshHeightLookup(t);
    for (let f = 0; f < batch.params.length; f++) {
      let low = Infinity;
      for (let v = mesh.vertexOffsets[f]; v < mesh.vertexOffsets[f + 1]; v++) low = Math.min(low, mesh.positions[3 * v + 2]);
      expect(low).toBeCloseTo(ground[f] + batch.params[f].minHeight, 3);
      for (let p = batch.featureOffsets[f]; p < batch.featureOffsets[f + 1]; p++)
        for (let v = batch.ringOffsets[batch.polygonOffsets[p]]; v < batch.ringOffsets[batch.polygonOffsets[p + 1]]; v++) {
          const dem = sampleGrid(grid, batch.positions[2 * v], batch.positions[2 * v + 1]);
          if (batch.params[f].minHeight === 0) expect(low).toBeLessThanOrEqual(dem + 1e-3);
        }
      // the wall bottom never floats above the simplified terrain mesh by more than the bound
      for (let p = batch.featureOffsets[f]; p < batch.featureOffsets[f + 1]; p++)
        for (let v = batch.ringOffsets[batch.polygonOffsets[p]]; v < batch.ringOffsets[batch.polygonOffsets[p + 1]]; v++) {
          const m = heightAt(batch.positions[2 * v], batch.positions[2 * v + 1]);
          expect(ground[f]).toBeLessThanOrEqual(m + bound + 1e-4);
        }
    }
    expect(meshError(grid, t)).toBeLessThanOrEqual(bound + 1e-4);
  });

  it('the same buildings seat at the same heights on the DEM in EPSG:4326 and in UTM 10N (within 0.3 m)', () => {
    const dir = freshDir('terrain-crs');
    const src = gdal.open(path.join(DATA, 'sf-terrain-3857.tif'));
    const geo = path.join(dir, 'dem-4326.tif');
    const utm = path.join(dir, 'dem-utm.tif');
    gdal.warp(geo, null, [src], ['-t_srs', 'EPSG:4326', '-r', 'bilinear']).close();
    gdal.warp(utm, null, [src], ['-t_srs', 'EPSG:32610', '-r', 'bilinear', '-tr', '5', '5']).close();
    const ext = extentOf(batch);
    const g1 = readElevation(geo, batch.frame, ext, { resolution: grid.cell }, NULL_LOGGER, new Summary());
    const g2 = readElevation(utm, batch.frame, ext, { resolution: grid.cell }, NULL_LOGGER, new Summary());
    const a = groundElevations(batch, g1, 'mean');
    const b = groundElevations(batch, g2, 'mean');
    const c = groundElevations(batch, grid, 'mean');
    let worst = 0;
    for (let f = 0; f < a.length; f++) worst = Math.max(worst, Math.abs(a[f] - b[f]), Math.abs(a[f] - c[f]));
    expect(worst).toBeLessThan(0.3);
  });
});

describe('rasters that cannot be used', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshDir('terrain-bad');
  });
  const make = (name: string, srs: gdal.SpatialReference | null, fill: (x: number, y: number) => number, nodata?: number) => {
    const file = path.join(dir, name);
    const ds = gdal.open(file, 'w', 'GTiff', 64, 64, 1, gdal.GDT_Float32);
    // a 64 × 64 raster of 10 m pixels (in EPSG:3857 units) centred on the frame's origin
    gdal.config.set('OSR_DEFAULT_AXIS_MAPPING_STRATEGY', 'TRADITIONAL_GIS_ORDER');
    const o = new gdal.CoordinateTransformation(gdal.SpatialReference.fromEPSG(4326), gdal.SpatialReference.fromEPSG(3857)).transformPoint(batch.frame.lon, batch.frame.lat);
    ds.geoTransform = [o.x - 320, 10, 0, o.y + 320, 0, -10];
    if (srs) ds.srs = srs;
    const band = ds.bands.get(1);
    if (nodata !== undefined) band.noDataValue = nodata;
    const data = new Float32Array(64 * 64);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) data[y * 64 + x] = fill(x, y);
    band.pixels.write(0, 0, 64, 64, data);
    ds.close();
    return file;
  };
  it('no CRS → a clear error', () => {
    const f = make('nocrs.tif', null, () => 50);
    expect(() => readElevation(f, batch.frame, extentOf(batch), {}, NULL_LOGGER, new Summary())).toThrow(/nocrs\.tif: the raster has no CRS/);
  });
  it('all nodata → a clear error', () => {
    const f = make('allnodata.tif', gdal.SpatialReference.fromEPSG(3857), () => -9999, -9999);
    expect(() => readElevation(f, batch.frame, extentOf(batch), {}, NULL_LOGGER, new Summary())).toThrow(/allnodata\.tif: no elevation data over the buildings/);
  });
  it('a nodata hole is filled from its surroundings, never taken as an elevation', () => {
    const f = make('hole.tif', gdal.SpatialReference.fromEPSG(3857), (x, y) => (x > 20 && x < 40 && y > 20 && y < 40 ? -9999 : 100 + x * 0.1), -9999);
    const summary = new Summary();
    const g = readElevation(f, batch.frame, { minX: -200, minY: -200, maxX: 200, maxY: 200 }, { resolution: 10 }, NULL_LOGGER, summary);
    const inRaster: number[] = [];
    for (const h of g.heights) inRaster.push(h);
    expect(Math.min(...inRaster)).toBeGreaterThan(99);
    expect(Math.max(...inRaster)).toBeLessThan(107);
    expect(summary.warnings.get('terrain:nodata-holes-filled')).toBe(1);
  });
  it('dem-in-feet-built-3-times-too-high: a band whose unit is feet, read without --z-scale, warns with the factor; with it, nothing', () => {
    const f = make('feet-unit.tif', gdal.SpatialReference.fromEPSG(3857), () => 100);
    const ds = gdal.open(f, 'r+');
    ds.bands.get(1).unitType = 'ft';
    ds.close();
    const warned: string[] = [];
    const logger = { ...NULL_LOGGER, warn: (m: string) => void warned.push(m) };
    const box = { minX: -100, minY: -100, maxX: 100, maxY: 100 };
    readElevation(f, batch.frame, box, { resolution: 10 }, logger, new Summary());
    expect(warned.join('\n')).toMatch(/feet-unit\.tif: its heights are in feet \(the band's unit, 'ft'\); metres are read: give --z-scale 0\.3048/);
    warned.length = 0;
    readElevation(f, batch.frame, box, { resolution: 10, zScale: 0.3048 }, logger, new Summary());
    expect(warned).toEqual([]);
  });
  it('band-scale-ignored: a band\'s scale and offset (centimetres stored as integers, a datum shift) are applied, then --z-scale', () => {
    // (a DSM of Int32 centimetres with scale 0.01 was read 100 times too high, unsaid)
    const f = make('scaled.tif', gdal.SpatialReference.fromEPSG(3857), () => 12345);
    const ds = gdal.open(f, 'r+');
    ds.bands.get(1).scale = 0.01;
    ds.bands.get(1).offset = -43;
    ds.close();
    const box = { minX: -100, minY: -100, maxX: 100, maxY: 100 };
    const g = readElevation(f, batch.frame, box, { resolution: 10 }, NULL_LOGGER, new Summary());
    for (const h of g.heights) expect(h).toBeCloseTo(123.45 - 43, 3);
    const k = readElevation(f, batch.frame, box, { resolution: 10, zScale: 2 }, NULL_LOGGER, new Summary());
    for (const h of k.heights) expect(h).toBeCloseTo(2 * (123.45 - 43), 3);
  });
  it('--z-scale converts vertical units', () => {
    const f = make('feet.tif', gdal.SpatialReference.fromEPSG(3857), () => 100);
    const g = readElevation(f, batch.frame, { minX: -100, minY: -100, maxX: 100, maxY: 100 }, { zScale: 0.3048, resolution: 10 }, NULL_LOGGER, new Summary());
    expect(g.heights[Math.floor(g.heights.length / 2)]).toBeCloseTo(30.48, 3);
    expect(fs.existsSync(f)).toBe(true);
  });
});

describe('tile terrain (cityforge tiles)', () => {
  it('coarse-tile-terrain-hid-blocks: a coarse tile’s terrain stays within 2 m of its samples, whatever its geometric error', () => {
    // a coarse tile over the whole DEM (geometric error size/16: a quarter of it was the old bound, ~10 m here)
    const size = (grid.n - 1) * grid.cell;
    const leaf = { level: 1, x: 0, y: 0, id: '1/0/0', minX: grid.x0, minY: grid.y0, size: size / 2, count: 1, children: [] };
    const node = { level: 0, x: 0, y: 0, id: '0/0/0', minX: grid.x0, minY: grid.y0, size, count: 1, children: [leaf] };
    const mesh = tileTerrain({ grid, maxError: 0.5 }, node);
    const n = 65, cell = size / (n - 1);
    const heights = new Float32Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) heights[j * n + i] = sampleGrid(grid, node.minX + i * cell, node.minY + j * cell);
    const err = meshError({ x0: node.minX, y0: node.minY, cell, n, heights }, mesh);
    expect(err).toBeLessThanOrEqual(2 + 1e-3);
    expect(err).toBeGreaterThan(0.5); // looser than the leaves' bound: a coarse tile stays light
  });

  it('tile-seams: two neighbouring leaves share their common edge exactly (the same vertices at the same heights), so no crack shows the skirts', () => {
    const size = ((grid.n - 1) * grid.cell) / 2;
    const leaf = (x: number) => ({ level: 1, x, y: 0, id: `1/${x}/0`, minX: grid.x0 + x * size, minY: grid.y0, size, count: 1, children: [] });
    const west = tileTerrain({ grid, maxError: 0.5 }, leaf(0)), east = tileTerrain({ grid, maxError: 0.5 }, leaf(1));
    // the surface vertices on the shared edge x = minX + size (skirt vertices excluded: they hang below)
    const onEdge = (t: TerrainMesh) => {
      const used = new Set<number>();
      for (let k = 0; k < 3 * t.surfaceTriangles; k++) used.add(t.indices[k]);
      const x = grid.x0 + size;
      return [...used].filter((v) => Math.abs(t.positions[3 * v] - x) < 1e-3).map((v) => `${t.positions[3 * v + 1].toFixed(3)} ${t.positions[3 * v + 2].toFixed(3)}`).sort();
    };
    const a = onEdge(west), b = onEdge(east);
    expect(a.length).toBe(129);
    expect(b).toEqual(a);
    // the interior stays adaptive: far fewer triangles than the full grid
    expect(west.surfaceTriangles).toBeLessThan(0.5 * 2 * 128 * 128);
  });
});
