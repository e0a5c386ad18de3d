import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Summary } from '../../src/core/summary.js';
import { buildMeshes } from '../../src/procedural/index.js';
import { batchFromFixtures, type FootprintFixture } from '../helpers/batch.js';
import { meshMetrics } from '../helpers/metrics.js';

const dir = path.join(import.meta.dirname, '..', 'fixtures', 'procedural');
const names = fs.readdirSync(path.join(dir, 'in')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();

/** Analytic volumes (area × height) where the solid is simple to state. */
const ANALYTIC: Record<string, number> = {
  rectangle: 200 * 10,
  'l-shape': 300 * 12,
  'courtyard-hole': (900 - 100) * 15,
  'multipolygon-two-blocks': 200 * 9,
  'clockwise-outer-ring': (400 - 100) * 6,
  'closing-duplicate-and-repeats': 100 * 5,
  'spike-vertex': 100 * 5,
  'collinear-vertices': 100 * 5,
  'min-height-raised': 100 * 7,
  'round-tower-smooth-walls': 0.5 * 32 * 100 * Math.sin((2 * Math.PI) / 32) * 20,
  'sliver-dropped': 100 * 5,
};

describe('prisms (golden metrics: test/fixtures/procedural)', () => {
  it.each(names)('%s', (name) => {
    const fx = JSON.parse(fs.readFileSync(path.join(dir, 'in', `${name}.json`), 'utf8')) as FootprintFixture;
    const batch = batchFromFixtures([fx]);
    const mesh = buildMeshes(batch, {}, new Summary());
    const m = meshMetrics(mesh);
    // invariants for every fixture
    expect(m.watertight, `${m.badEdges} bad edges`).toBe(true);
    expect(m.bounds[2]).toBeCloseTo(fx.minHeight ?? 0, 5);
    expect(m.bounds[5]).toBeCloseTo(fx.height, 5);
    expect(m.volume).toBeCloseTo(ANALYTIC[name], 2);
    // normals: unit length, and agreeing with the triangle winding (outward)
    const P = mesh.positions, N = mesh.normals, I = mesh.indices;
    for (let v = 0; v < N.length / 3; v++) expect(Math.hypot(N[3 * v], N[3 * v + 1], N[3 * v + 2])).toBeCloseTo(1, 5);
    for (let t = 0; t < I.length / 3; t++) {
      const [a, b, c] = [I[3 * t], I[3 * t + 1], I[3 * t + 2]];
      const ux = P[3 * b] - P[3 * a], uy = P[3 * b + 1] - P[3 * a + 1], uz = P[3 * b + 2] - P[3 * a + 2];
      const vx = P[3 * c] - P[3 * a], vy = P[3 * c + 1] - P[3 * a + 1], vz = P[3 * c + 2] - P[3 * a + 2];
      const fn = [uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx];
      const area2 = Math.hypot(fn[0], fn[1], fn[2]);
      if (area2 < 1e-9) continue;
      for (const v of [a, b, c]) expect(fn[0] * N[3 * v] + fn[1] * N[3 * v + 1] + fn[2] * N[3 * v + 2]).toBeGreaterThan(0);
    }
    const golden = path.join(dir, 'out', `${name}.json`);
    if (process.env.REGEN === '1' || !fs.existsSync(golden)) {
      if (process.env.CI) throw new Error(`golden ${golden} missing (run with REGEN=1 and commit it)`);
      fs.writeFileSync(golden, JSON.stringify(m, null, 1) + '\n');
    }
    expect(m).toEqual(JSON.parse(fs.readFileSync(golden, 'utf8')));
  });

  it('rectangle: exact triangle budget (walls 2 per edge, floor and roof 2 each)', () => {
    const fx = JSON.parse(fs.readFileSync(path.join(dir, 'in', 'rectangle.json'), 'utf8'));
    const mesh = buildMeshes(batchFromFixtures([fx]), {}, new Summary());
    expect(mesh.indices.length / 3).toBe(12);
  });

  it('round tower: smooth walls share vertices (2 per corner, not 4)', () => {
    const fx = JSON.parse(fs.readFileSync(path.join(dir, 'in', 'round-tower-smooth-walls.json'), 'utf8'));
    const mesh = buildMeshes(batchFromFixtures([fx]), {}, new Summary());
    // walls 32 × 2 shared + floor 32 + roof 32
    expect(mesh.positions.length / 3).toBe(64 + 32 + 32);
  });

  it('many buildings: per-building offsets and feature ids line up', () => {
    const fxs = names.map((n) => JSON.parse(fs.readFileSync(path.join(dir, 'in', `${n}.json`), 'utf8')) as FootprintFixture);
    const mesh = buildMeshes(batchFromFixtures(fxs), {}, new Summary());
    for (let b = 0; b < fxs.length; b++) {
      for (let v = mesh.vertexOffsets[b]; v < mesh.vertexOffsets[b + 1]; v++) expect(mesh.featureIds[v]).toBe(b);
      const m = meshMetrics(mesh, mesh.triangleOffsets[b], mesh.triangleOffsets[b + 1]);
      expect(m.watertight).toBe(true);
      expect(m.volume).toBeCloseTo(ANALYTIC[names[b]], 2);
    }
  });
});
