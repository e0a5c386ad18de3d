/**
 * Score `cityforge infer` on the real LoD2-derived cases in ../shared/data/inverse-* against their
 * truth.json: 4-class accuracy and confusion matrix, Vienna's label accuracy, ridge and eave RMSE,
 * main-plane slope MAE and aspect median error, buildings/s. `node --import tsx bench/infer-real.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inferParams } from '../src/pipeline/infer.js';
import { featurePolygons, unitRoof } from '../src/procedural/index.js';
import type { InferredRoof } from '../src/inverse/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = process.env.SHARED_DATA ?? path.join(here, '..', '..', 'shared', 'data');

interface Plane { area: number; slope: number; aspect: number }
interface Truth { ground: number; eaves: number; ridge: number; class: string; label?: string; planes: Plane[] }

const CLASSES = ['flat', 'single-slope', 'two-plane', 'multi-plane'];
export const classOf = (shape: string) => (shape === 'flat' ? 'flat' : shape === 'skillion' ? 'single-slope' : shape === 'gabled' ? 'two-plane' : 'multi-plane');
const angDiff = (a: number, b: number) => {
  const d = (((a - b) % 360) + 360) % 360;
  return Math.min(d, 360 - d);
};
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const rms = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / Math.max(1, v.length));

/** The fitted roof's largest face: its slope and aspect (downhill bearing), from build's own geometry. */
function mainFace(fp: ReturnType<typeof featurePolygons>[number], r: InferredRoof): { slope: number; aspect: number } {
  if (r.shape === 'flat') return { slope: 0, aspect: NaN };
  const u = unitRoof(fp, r.shape, { direction: r.direction, orientation: r.orientation });
  if (!u) return { slope: NaN, aspect: NaN };
  const m = u.model;
  let best = { area: 0, slope: NaN, aspect: NaN };
  for (const f of m.faces) {
    if (f.length < 3) continue;
    // plane through the face (Newell normal), z scaled by the roof height
    let nx = 0, ny = 0, nz = 0;
    for (let i = 0; i < f.length; i++) {
      const a = f[i], b = f[(i + 1) % f.length];
      const za = m.z[a] * r.roofHeight, zb = m.z[b] * r.roofHeight;
      nx += (m.y[a] - m.y[b]) * (za + zb);
      ny += (za - zb) * (m.x[a] + m.x[b]);
      nz += (m.x[a] - m.x[b]) * (m.y[a] + m.y[b]);
    }
    const area = Math.abs(nz) / 2;
    if (area > best.area) {
      const slope = (Math.atan2(Math.hypot(nx, ny), Math.abs(nz)) * 180) / Math.PI;
      const s = Math.sign(nz) || 1;
      best = { area, slope, aspect: ((Math.atan2(nx * s, ny * s) * 180) / Math.PI + 360) % 360 };
    }
  }
  return best;
}

export async function scoreCase(dir: string) {
  const truth = JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8')) as { buildings: Record<string, Truth> };
  const t0 = performance.now();
  const res = await inferParams([path.join(dir, 'footprints.gpkg')], 'x.gpkg', { dsm: path.join(dir, 'dsm.tif'), dtm: path.join(dir, 'dtm.tif') });
  const seconds = (performance.now() - t0) / 1000;
  const conf: Record<string, Record<string, number>> = {};
  for (const a of CLASSES) conf[a] = Object.fromEntries(CLASSES.map((b) => [b, 0]));
  let correct = 0, n = 0, labelled = 0, labelOk = 0;
  const ridge: number[] = [], eave: number[] = [], slope: number[] = [], aspect: number[] = [], ground: number[] = [];
  const labels: Record<string, Record<string, number>> = {};
  res.batch.params.forEach((p, f) => {
    const t = truth.buildings[String(p.attributes['ref'])];
    const b = res.buildings[f];
    if (!t || !b.roof) return;
    n++;
    const c = classOf(b.roof.shape);
    conf[t.class][c]++;
    if (c === t.class) correct++;
    if (t.label && t.label !== 'mixed' && ['flat', 'gabled', 'skillion', 'hipped'].includes(t.label)) {
      labelled++;
      if (b.roof.shape === t.label) labelOk++;
      (labels[t.label] ??= {})[b.roof.shape] = ((labels[t.label] ??= {})[b.roof.shape] ?? 0) + 1;
    }
    ridge.push(b.roof.height - t.ridge);
    ground.push(b.ground - t.ground);
    if (t.class !== 'flat') eave.push(b.roof.eave - t.eaves);
    const main = [...t.planes].sort((x, y) => y.area - x.area)[0];
    const fp = featurePolygons(res.batch, f).sort((x, y) => y.coords.length - x.coords.length)[0];
    const ours = mainFace(fp, b.roof);
    if (main && Number.isFinite(ours.slope)) slope.push(Math.abs(ours.slope - main.slope));
    if (main && main.slope > 5 && Number.isFinite(ours.aspect)) aspect.push(angDiff(ours.aspect, main.aspect));
  });
  return {
    case: path.basename(dir), buildings: res.batch.params.length, fitted: n, seconds, perSecond: res.batch.params.length / seconds,
    accuracy4: correct / n, confusion: conf, labelAccuracy: labelled ? labelOk / labelled : NaN, labelled, labels,
    ridgeRmse: rms(ridge), eaveRmsePitched: rms(eave), groundRmse: rms(ground), slopeMae: slope.reduce((s, x) => s + x, 0) / slope.length, aspectMedian: median(aspect),
  };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('infer-real.ts')) {
  for (const name of ['inverse-delft-3dbag', 'inverse-vienna']) {
    const dir = path.join(shared, name);
    if (!fs.existsSync(path.join(dir, 'truth.json'))) {
      console.log(`${name}: not found under ${shared} (set SHARED_DATA); skipped`);
      continue;
    }
    const s = await scoreCase(dir);
    console.log(`${s.case}: ${s.fitted}/${s.buildings} fitted, ${s.seconds.toFixed(2)} s (${s.perSecond.toFixed(0)} buildings/s incl. reading)`);
    console.log(`  4-class accuracy ${(100 * s.accuracy4).toFixed(1)} %${s.labelled ? `; label accuracy ${(100 * s.labelAccuracy).toFixed(1)} % of ${s.labelled} ${JSON.stringify(s.labels)}` : ''}`);
    console.log(`  ridge RMSE ${s.ridgeRmse.toFixed(2)} m; eave RMSE (pitched) ${s.eaveRmsePitched.toFixed(2)} m; ground RMSE ${s.groundRmse.toFixed(2)} m; main-plane slope MAE ${s.slopeMae.toFixed(1)}°; aspect median error ${s.aspectMedian.toFixed(1)}°`);
    console.log('  confusion (rows truth, columns inferred): ' + CLASSES.map((a) => `${a}: ${CLASSES.map((b) => s.confusion[a][b]).join('/')}`).join('; '));
  }
}
