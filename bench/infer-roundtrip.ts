/**
 * The inverse round trip: SF footprints (data/sf-mvt, plus round towers for dome/cone/onion) × every
 * fitted roof shape × randomised parameters → build → rasterise (0.5 m, σ 0.1 m noise, 5 % dropout)
 * → infer → compare. `node --import tsx bench/infer-roundtrip.ts [buildings]`; results in
 * bench/RESULTS.md. Deterministic (seeded).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchBuilder, flatPolygons } from '../src/core/batch.js';
import { NULL_LOGGER } from '../src/core/logger.js';
import { Summary } from '../src/core/summary.js';
import type { BuildingParams, FeatureBatch } from '../src/core/types.js';
import { ingest } from '../src/ingest/index.js';
import { cleanPolygons, REPAIR_DEFAULTS } from '../src/ingest/repair.js';
import { degrade, inferRoof, isRound, prng, rasterizeTriangles, sampleFootprint, INFER_SHAPES, type InferredRoof } from '../src/inverse/index.js';
import { buildMeshes, featurePolygons, unitRoof, type Footprint } from '../src/procedural/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.argv[2] ?? 1500);
const rnd = prng(42);
const BASIC = ['flat', 'skillion', 'gabled', 'hipped', 'pyramidal'];
const GABLE = new Set(['gabled', 'half-hipped', 'gambrel']);
const ROUND = ['dome', 'cone', 'onion'];
const OTHER = INFER_SHAPES.filter((s) => !ROUND.includes(s));

interface Truth { shape: string; eave: number; ridge: number; angle: number | null; direction: number | null; fp: Footprint }

const src = await ingest([path.join(here, '..', 'data', 'sf-mvt')], {}, NULL_LOGGER, new Summary());
// every k-th footprint of a usable size (polygons as read), then round towers placed to the east
const picked: number[][][][] = [];
const area = (fp: Footprint) => {
  let a = 0;
  const c = fp.coords;
  for (let i = 0, n = fp.ringStarts[1], j = n - 1; i < n; j = i++) a += c[2 * j] * c[2 * i + 1] - c[2 * i] * c[2 * j + 1];
  return Math.abs(a) / 2;
};
const toRings = (fp: Footprint) => {
  const rings: number[][][] = [];
  for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
    const ring: number[][] = [];
    for (let v = fp.ringStarts[r]; v < fp.ringStarts[r + 1]; v++) ring.push([fp.coords[2 * v], fp.coords[2 * v + 1]]);
    ring.push(ring[0]);
    rings.push(ring);
  }
  return rings;
};
const nRound = Math.round(N * (3 / 11));
const step = Math.max(1, Math.floor(src.params.length / (N - nRound)));
for (let f = 0; f < src.params.length && picked.length < N - nRound; f += step) {
  const fps = featurePolygons(src, f);
  if (fps.length !== 1) continue;
  const a = area(fps[0]);
  if (a < 40 || a > 3000) continue;
  picked.push(toRings(fps[0]));
}
let maxX = -Infinity;
for (let k = 0; k < src.positions.length; k += 2) maxX = Math.max(maxX, src.positions[k]);
for (let k = 0; k < nRound; k++) {
  const n = 12 + (k % 5) * 4, r = 4 + 6 * rnd();
  const cx = maxX + 30 + (k % 20) * 25, cy = Math.floor(k / 20) * 25;
  const pts = Array.from({ length: n }, (_, i) => [cx + r * Math.cos((2 * Math.PI * i) / n), cy + r * Math.sin((2 * Math.PI * i) / n)]);
  picked.push([[...pts, pts[0]]]);
}

// parameters: shape by turn, eave 3–15 m, pitch 15–45° (rings: height 0.5–1.5 × radius), directions
const truths: Truth[] = [];
const unbuildable = new Map<string, number>();
const out = new BatchBuilder();
picked.forEach((rings, i) => {
  const { polygons } = cleanPolygons(flatPolygons([rings]), REPAIR_DEFAULTS);
  const tmp = new BatchBuilder();
  tmp.add(polygons, mk(`t${i}`, 10, 'flat', null, null, null));
  const fp = featurePolygons(tmp.toBatch(src.frame), 0)[0];
  const round = i >= picked.length - nRound;
  const shape = round ? ROUND[i % 3] : OTHER[i % OTHER.length];
  const eave = 3 + 12 * rnd();
  let direction: number | null = null;
  if (shape === 'skillion') direction = 360 * rnd();
  else if (GABLE.has(shape) && rnd() < 0.5) direction = 180 * rnd();
  else if (shape === 'side_hipped' && rnd() < 0.5) direction = 360 * rnd();
  let roofHeight = 0, angle: number | null = null;
  if (shape !== 'flat') {
    const u = unitRoof(fp, shape, { direction });
    if (!u) {
      unbuildable.set(shape, (unbuildable.get(shape) ?? 0) + 1);
      return;
    }
    if (round) roofHeight = (0.5 + rnd()) * u.run;
    else {
      angle = 15 + 30 * rnd();
      roofHeight = Math.tan((angle * Math.PI) / 180) * u.run;
    }
  }
  out.add(polygons, mk(`b${truths.length}`, eave + roofHeight, shape, shape === 'flat' ? null : roofHeight, direction, null));
  truths.push({ shape, eave, ridge: eave + roofHeight, angle, direction, fp });
});
function mk(id: string, height: number, shape: string, roofHeight: number | null, direction: number | null, orientation: null): BuildingParams & { drawAs: number } {
  return {
    id, source: 'bench', height, minHeight: 0, levels: null, minLevel: null, colour: null, material: null, kind: 'yes', name: null, role: 'building', partOf: null, drawAs: 0, pieces: 1, attributes: {},
    roof: { shape, height: roofHeight, angle: null, levels: null, direction, orientation, colour: null, material: null, onTop: false },
  };
}
if (unbuildable.size) console.log('unbuildable', unbuildable);
const batch: FeatureBatch = out.toBatch(src.frame);
batch.params.forEach((p, i) => (p.drawAs = i));

// build → rasterise → degrade
const summary = new Summary();
const mesh = buildMeshes(batch, {}, summary);
let minX = Infinity, minY = Infinity, mX = -Infinity, mY = -Infinity;
for (let k = 0; k < batch.positions.length; k += 2) {
  minX = Math.min(minX, batch.positions[k]);
  mX = Math.max(mX, batch.positions[k]);
  minY = Math.min(minY, batch.positions[k + 1]);
  mY = Math.max(mY, batch.positions[k + 1]);
}
const cell = 0.5;
const x0 = Math.floor((minX - 5) / cell) * cell, y0 = Math.floor((minY - 5) / cell) * cell;
const nx = Math.ceil((mX + 5 - x0) / cell), ny = Math.ceil((mY + 5 - y0) / cell);
const values = new Float32Array(nx * ny).fill(-Infinity);
rasterizeTriangles(mesh.positions, mesh.indices, { x0, y0, cell, nx, ny }, values);
for (let k = 0; k < values.length; k++) if (values[k] === -Infinity) values[k] = 0;
degrade(values, 0.1, 0.05, 7);
const dsm = { x0, y0, cell, nx, ny, values };

// infer, timed (one core)
const t0 = performance.now();
const results: (InferredRoof | null)[] = [];
for (let f = 0; f < batch.params.length; f++) {
  const fp = featurePolygons(batch, f)[0];
  // the synthetic model is exact: no accuracy floor beyond the fit's own (the σ is then the covariance's)
  const r = inferRoof(fp, sampleFootprint(fp, dsm, 0), { accuracy: 0.001, ...(process.env.SHAPES ? { shapes: process.env.SHAPES.split(',') } : {}) });
  results.push('shape' in r ? r : null);
}
const seconds = (performance.now() - t0) / 1000;

// score
const angDiff = (a: number, b: number, period: number) => {
  const d = (((a - b) % period) + period) % period;
  return Math.min(d, period - d);
};
const by = new Map<string, { n: number; ok: number; confused: Map<string, number> }>();
let okBasic = 0, nBasic = 0, okAll = 0, eqBasic = 0, eqAll = 0;
const eave: number[] = [], ridge: number[] = [], pitch: number[] = [], dir: number[] = [];
let dirConfusions = 0;
const ridgeBy: Record<string, number[]> = {};
// calibration: errors in units of the reported σ, and confidence against being right (same surface counts)
const ridgeZ: number[] = [], eaveZ: number[] = [], conf: number[] = [], right: number[] = [];
results.forEach((r, i) => {
  const t = truths[i];
  const e = by.get(t.shape) ?? { n: 0, ok: 0, confused: new Map() };
  by.set(t.shape, e);
  e.n++;
  const ok = !!r && r.shape === t.shape;
  if (ok) e.ok++;
  else e.confused.set(r?.shape ?? 'none', (e.confused.get(r?.shape ?? 'none') ?? 0) + 1);
  const eq = ok || (!!r && r.equivalent.includes(t.shape));
  if (ok) okAll++;
  if (eq) eqAll++;
  if (BASIC.includes(t.shape)) {
    nBasic++;
    if (ok) okBasic++;
    if (eq) eqBasic++;
  }
  if (!r) return;
  ridgeZ.push((r.height - t.ridge) / r.sigma.height);
  if (t.shape !== 'flat') eaveZ.push((r.eave - t.eave) / r.sigma.eave);
  conf.push(r.confidence);
  right.push(eq ? 1 : 0);
  ridge.push(r.height - t.ridge);
  if (process.env.VERBOSE && Math.abs(r.height - t.ridge) > 0.1) console.log(`  ${t.shape} dir ${t.direction?.toFixed(1)} → ${r.shape} dir ${r.direction?.toFixed(1)}: ridge ${(r.height - t.ridge).toFixed(2)} eave ${(r.eave - t.eave).toFixed(2)} vertices ${t.fp.ringStarts[1]} rings ${t.fp.ringStarts.length - 1}`);
  (ridgeBy[t.shape] ??= []).push(r.height - t.ridge);
  if (t.shape !== 'flat') eave.push(r.eave - t.eave);
  if (ok && t.angle !== null && r.angle !== null) pitch.push(Math.abs(r.angle - t.angle));
  if (ok && t.direction !== null && r.direction !== null) {
    const period = t.shape === 'skillion' || t.shape === 'side_hipped' ? 360 : 180;
    const d = angDiff(r.direction, t.direction, period);
    if (Math.abs(d - 90) < 10 || Math.abs(d - 180) < 10) dirConfusions++;
    else dir.push(d);
  }
});
const rms = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / Math.max(1, v.length));
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1] ?? NaN;
console.log(`round trip: ${results.length} buildings (${results.length - nRound} SF footprints, ${nRound} round towers), 0.5 m, σ 0.1 m, 5 % dropout`);
console.log(`  shape accuracy: basic (flat/skillion/gabled/hipped/pyramidal) ${((100 * okBasic) / nBasic).toFixed(1)} %, every fitted shape ${((100 * okAll) / results.length).toFixed(1)} %`);
console.log(`  counting shapes of the same surface on that footprint as right (a half-hipped roof with roof:direction on a non-rectangle is built as gabled): basic ${((100 * eqBasic) / nBasic).toFixed(1)} %, every shape ${((100 * eqAll) / results.length).toFixed(1)} %`);
for (const [s, e] of by) console.log(`    ${s.padEnd(12)} ${e.ok}/${e.n}${e.confused.size ? `  (as ${[...e.confused].map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`);
console.log(`  eave RMSE ${rms(eave).toFixed(3)} m, ridge RMSE ${rms(ridge).toFixed(3)} m; pitch MAE ${(pitch.reduce((s, x) => s + x, 0) / pitch.length).toFixed(2)}°; direction median error ${median(dir).toFixed(2)}° (${dir.length} roofs; ${dirConfusions} 90°/180° confusions)`);
const within = (v: number[]) => `${((100 * v.filter((z) => Math.abs(z) <= 1).length) / v.length).toFixed(0)} %`;
console.log(`  calibration: ridge error within its 1σ ${within(ridgeZ)}, eave ${within(eaveZ)}; mean confidence ${(conf.reduce((a, b) => a + b, 0) / conf.length).toFixed(2)} against accuracy ${(right.reduce((a, b) => a + b, 0) / right.length).toFixed(2)}, Brier score ${(conf.reduce((a, p, i) => a + (p - right[i]) ** 2, 0) / conf.length).toFixed(3)}`);
console.log(`  ridge RMSE by shape: ${Object.entries(ridgeBy).map(([k, v]) => `${k} ${rms(v).toFixed(3)}`).join(', ')}`);
if (process.env.DEBUG) {
  console.log('build warnings', [...summary.warnings]);
  results.map((r, i) => [i, r, truths[i]] as const).filter(([, r, t]) => r && Math.abs(r.height - t.ridge) > 0.3).forEach(([i, r, t]) => console.log(i, t.shape, r!.shape, t.ridge.toFixed(2), r!.height.toFixed(2), t.direction, r!.direction, t.fp.ringStarts[1], JSON.stringify(r!.candidates.map((c) => [c.shape, c.score.toFixed(0), c.rmse.toFixed(2), c.height.toFixed(2)]))));
}
console.log(`  infer: ${(results.length / seconds).toFixed(0)} buildings/s on one core (${seconds.toFixed(2)} s)`);
