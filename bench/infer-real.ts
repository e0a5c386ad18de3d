/**
 * Score `cityforge infer` on the real LoD2-derived cases in ../shared/data/inverse-* against their
 * truth.json: 4-class accuracy and confusion matrix, Vienna's label accuracy, ridge and eave RMSE,
 * main-plane slope MAE and aspect median error, buildings/s. `node --import tsx bench/infer-real.ts`;
 * `VERBOSE=1` lists the misclassified buildings with their planes, `ERRORS=1` every building's eave and
 * ridge error and its parts' shapes (for comparing two versions line by line), `ONLY=vienna` one case, `LABELS=1` the buildings whose
 * outline `roof:shape` is not Vienna's label, `SLOPES=1` each main plane's slope against ours.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dominantShape, inferParams } from '../src/pipeline/infer.js';
import { featurePolygons, unitRoof } from '../src/procedural/index.js';
import { quantile, roofTopology, sampleFootprint, type InferredRoof } from '../src/inverse/index.js';
import { readSurface } from '../src/ingest/raster.js';
import { bufferExtent, extentOf } from '../src/core/extent.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const shared = process.env.SHARED_DATA ?? path.join(here, '..', '..', 'shared', 'data');

interface Plane { area: number; slope: number; aspect: number; zmin?: number; zmax?: number }
/** A face of a fitted roof: surface area, slope, aspect, and its lowest and highest points above the building's ground. */
interface Face { area: number; slope: number; aspect: number; zmin: number; zmax: number }
/** How much two height ranges overlap (intersection over union, each widened by 0.25 m: a flat plane is a point). */
const overlap = (a0: number, a1: number, b0: number, b1: number) => {
  const i = Math.min(a1, b1) - Math.max(a0, b0) + 0.5, u = Math.max(a1, b1) - Math.min(a0, b0) + 0.5;
  return Math.max(0, i) / u;
};
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
/** A truth ridge this far (metres) above the DSM's highest cell in the footprint is not in the DSM. */
const UNSEEN_RIDGE = 2;
/** A truth eave (lowest roof point) under this height above ground (metres) is a roof at or below the ground. */
const GROUND_EAVE = 1;
/** How far (m) below the footprint's lowest DSM cells (their 2nd percentile) a truth eave must lie to count as one the DSM does not hold. */
const UNSEEN_EAVE = 1;
const rms = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / Math.max(1, v.length));

/** The planes of a fitted roof as `build` makes it (its faces, those in one plane merged): surface area, slope and aspect (downhill bearing). */
export function facesOf(fp: ReturnType<typeof featurePolygons>[number], r: InferredRoof): Face[] {
  const u = r.shape === 'flat' ? null : unitRoof(fp, r.shape, { direction: r.direction, orientation: r.orientation });
  if (!u) {
    let a = 0;
    const c = fp.coords;
    for (let i = 0, n = fp.ringStarts[1], j = n - 1; i < n; j = i++) a += c[2 * j] * c[2 * i + 1] - c[2 * i] * c[2 * j + 1];
    return [{ area: Math.abs(a) / 2, slope: 0, aspect: NaN, zmin: r.height, zmax: r.height }];
  }
  const m = u.model;
  const out: Face[] = [];
  for (const f of m.faces) {
    if (f.length < 3) continue;
    let nx = 0, ny = 0, nz = 0, zmin = Infinity, zmax = -Infinity;
    for (const v of f) (zmin = Math.min(zmin, r.eave + m.z[v] * r.roofHeight)), (zmax = Math.max(zmax, r.eave + m.z[v] * r.roofHeight));
    for (let i = 0; i < f.length; i++) {
      const a = f[i], b = f[(i + 1) % f.length];
      const za = m.z[a] * r.roofHeight, zb = m.z[b] * r.roofHeight;
      nx += (m.y[a] - m.y[b]) * (za + zb);
      ny += (za - zb) * (m.x[a] + m.x[b]);
      nz += (m.x[a] - m.x[b]) * (m.y[a] + m.y[b]);
    }
    // the roof's own (sloped) area, as truth.json's planes give theirs (a 54° plane of 24 m² in plan is 41 m²)
    const area = Math.hypot(nx, ny, nz) / 2;
    const s = Math.sign(nz) || 1;
    const face = { area, slope: (Math.atan2(Math.hypot(nx, ny), Math.abs(nz)) * 180) / Math.PI, aspect: ((Math.atan2(nx * s, ny * s) * 180) / Math.PI + 360) % 360, zmin, zmax };
    // faces of one plane (a builder's strips) are one plane, as the truth's planes are
    const same = out.find((o) => Math.abs(o.slope - face.slope) < 0.5 && (face.slope < 0.5 || angDiff(o.aspect, face.aspect) < 0.5));
    if (same) (same.area += face.area), (same.zmin = Math.min(same.zmin, face.zmin)), (same.zmax = Math.max(same.zmax, face.zmax));
    else out.push(face);
  }
  return out;
}

export async function scoreCase(dir: string) {
  const truth = JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8')) as { buildings: Record<string, Truth> };
  const t0 = performance.now();
  const res = await inferParams([path.join(dir, 'footprints.gpkg')], 'x.gpkg', { dsm: path.join(dir, 'dsm.tif'), dtm: path.join(dir, 'dtm.tif'), ...(process.env.CELL ? { cell: Number(process.env.CELL) } : {}) });
  const seconds = (performance.now() - t0) / 1000;
  // the DSM's highest cell in each footprint: a truth ridge well above it (a tower the DSM does not hold,
  // an antenna in the LoD2 model) is out of reach of any fit to this DSM, reported apart
  const quiet = { info() {}, warn() {}, debug() {}, error() {} } as never;
  const dsm = readSurface(path.join(dir, 'dsm.tif'), res.batch.frame, bufferExtent(extentOf(res.batch.positions), 8), {}, quiet);
  const unseen: string[] = [];
  const conf: Record<string, Record<string, number>> = {};
  for (const a of CLASSES) conf[a] = Object.fromEntries(CLASSES.map((b) => [b, 0]));
  let correct = 0, n = 0, labelled = 0, labelOk = 0, outlineOk = 0, withParts = 0;
  const slopeMatched: number[] = [];
  let slopeUnmatched = 0;
  const ridge: number[] = [], ridgeSeen: number[] = [], eaveAbove: number[] = [], eaveSeen: number[] = [], eaveHidden: string[] = [], eave: number[] = [], slope: number[] = [], aspect: number[] = [], ground: number[] = [];
  // calibration: ridge and eave errors in units of the reported σ; the main roof's confidence against
  // whether the building's class came out right
  const ridgeZ: number[] = [], eaveZ: number[] = [], confidence: number[] = [], right: number[] = [];
  const labels: Record<string, Record<string, number>> = {};
  res.batch.params.forEach((p, f) => {
    const t = truth.buildings[String(p.attributes['ref'])];
    const b = res.buildings[f];
    // the roofs: the building's, or its parts'
    const fp0 = featurePolygons(res.batch, f).sort((x, y) => y.coords.length - x.coords.length)[0];
    const roofs = b.parts.length ? b.parts.filter((q) => q.roof).map((q) => ({ fp: q.footprint, roof: q.roof! })) : b.roof ? [{ fp: fp0, roof: b.roof }] : [];
    if (!t || !roofs.length) return;
    n++;
    if (b.parts.length) withParts++;
    const faces = roofs.flatMap(({ fp, roof }) => facesOf(fp, roof));
    // the truth's class rule (roofTopology reproduces every class in both truth.json files from their planes)
    const c = roofTopology(faces, 'surface');
    conf[t.class][c]++;
    if (c === t.class) correct++;
    else if (process.env.VERBOSE) {
      const fmt = (fs: { area: number; slope: number; aspect: number }[]) => [...fs].sort((x, y) => y.area - x.area).slice(0, 10).map((q) => `${q.area.toFixed(0)}m²/${q.slope.toFixed(0)}°/${Number.isFinite(q.aspect) ? q.aspect.toFixed(0) : '-'}`).join(' ');
      console.log(`  ${p.attributes['ref']}: truth ${t.class}, inferred ${c} (${roofs.map((r) => r.roof.shape).join(',')})\n    truth ${fmt(t.planes)}\n    ours  ${fmt(faces)}`);
    }
    const shapes = [...new Set(roofs.map((r) => r.roof.shape))];
    const label = shapes.length === 1 ? shapes[0] : 'mixed';
    // the outline's roof:shape as written (a building of parts: the shape of most of its area)
    const outline = b.parts.length ? dominantShape(b.parts) : b.roof!.shape;
    if (t.label && t.label !== 'mixed' && ['flat', 'gabled', 'skillion', 'hipped'].includes(t.label)) {
      labelled++;
      if (label === t.label) labelOk++;
      if (outline === t.label) outlineOk++;
      else if (process.env.LABELS) console.log(`  ${p.attributes['ref']}: label ${t.label}, outline ${outline}; parts ${roofs.map((r) => `${r.roof.shape}${r.roof.direction !== null ? '@' + r.roof.direction.toFixed(0) : ''}/${r.roof.angle !== null ? r.roof.angle.toFixed(0) + '°' : ''}`).join(' ')}; truth ${[...t.planes].sort((x, y) => y.area - x.area).slice(0, 10).map((q) => `${q.area.toFixed(0)}m²/${q.slope.toFixed(0)}°/${q.aspect.toFixed(0)}`).join(' ')}`);
      (labels[t.label] ??= {})[outline ?? 'none'] = ((labels[t.label] ??= {})[outline ?? 'none'] ?? 0) + 1;
    }
    const top = Math.max(...roofs.map((r) => r.roof.height));
    const low = Math.min(...roofs.map((r) => r.roof.eave));
    const topRoof = roofs.find((r) => r.roof.height === top)!.roof;
    const lowRoof = roofs.find((r) => r.roof.eave === low)!.roof;
    // ridge and eaves compared as elevations (each above its own ground: ours is the lowest terrain
    // point under the footprint, where build seats the building; the truth's is 3DBAG's / Vienna's own)
    const dRidge = b.ground + top - (t.ground + t.ridge), dEave = b.ground + low - (t.ground + t.eaves);
    ridgeZ.push(dRidge / topRoof.sigma.height);
    if (t.class !== 'flat') eaveZ.push(dEave / lowRoof.sigma.eave);
    const mainRoof = [...roofs].sort((x, y) => y.roof.samples - x.roof.samples)[0].roof;
    confidence.push(mainRoof.confidence);
    right.push(c === t.class ? 1 : 0);
    const s0 = sampleFootprint(fp0, dsm, 0);
    let dsmTop = -Infinity, dsmLow: number;
    for (let i = 0; i < s0.z.length; i++) {
      if (s0.z[i] > dsmTop) dsmTop = s0.z[i];
    }
    // the footprint's lowest DSM cells (its 2nd percentile: a cell or two at the outline can hold the ground)
    dsmLow = quantile(s0.z, 0.02);
    if (t.ground + t.ridge > dsmTop + UNSEEN_RIDGE) unseen.push(`${p.attributes['ref']} (truth ${(t.ground + t.ridge).toFixed(1)} m, DSM ${dsmTop.toFixed(1)} m)`);
    else ridgeSeen.push(dRidge);
    ridge.push(dRidge);
    ground.push(b.ground - t.ground);
    if (t.class !== 'flat') eave.push(dEave);
    if (t.class !== 'flat' && t.eaves >= GROUND_EAVE) eaveAbove.push(dEave);
    // a truth eave the DSM does not hold: the lowest roof point lies under another roof's overhang (LoD2.2
    // roofs overlap in plan; the DSM keeps each cell's highest point), over UNSEEN_EAVE below every cell
    if (t.class !== 'flat') {
      if (t.ground + t.eaves < dsmLow - UNSEEN_EAVE) eaveHidden.push(`${String(p.attributes['ref'])} (${(dsmLow - t.ground - t.eaves).toFixed(1)} m)`);
      else eaveSeen.push(dEave);
    }
    if (process.env.ERRORS) console.log(`  ${p.attributes['ref']}: eave ${dEave.toFixed(2)} ridge ${dRidge.toFixed(2)} ${t.class}→${c} (${roofs.map((r) => r.roof.shape).join(',')})`);
    const main = [...t.planes].sort((x, y) => y.area - x.area)[0];
    const ours = [...faces].sort((x, y) => y.area - x.area)[0];
    if (main && ours && Number.isFinite(ours.slope)) slope.push(Math.abs(ours.slope - main.slope));
    // the same plane of ours: of our faces facing the truth's main plane's way (within 30°; for a flat one,
    // our flat faces), the one whose heights overlap its own most (the largest on a tie) — where two planes
    // of like area compete for "largest" (a flat roof beside a sloped one, a mansard's lower and upper
    // slopes), the largest-face comparison above compares two different planes
    const facing = main ? faces.filter((q) => (main.slope <= 5 ? q.slope <= 5 : q.slope > 5 && angDiff(q.aspect, main.aspect) <= 30)) : [];
    const lap = (q: Face) => (main && main.zmin !== undefined && main.zmax !== undefined ? overlap(b.ground + q.zmin, b.ground + q.zmax, main.zmin, main.zmax) : 0);
    const matched = facing.sort((x, y) => lap(y) - lap(x) || y.area - x.area)[0];
    if (main && matched) slopeMatched.push(Math.abs(matched.slope - main.slope));
    else if (main) slopeUnmatched++;
    if (process.env.SLOPES && main) console.log(`  slope ${p.attributes['ref']}: truth ${main.slope.toFixed(1)}° ${main.area.toFixed(0)} m², ours (largest) ${ours ? `${ours.slope.toFixed(1)}° ${ours.area.toFixed(0)} m²` : '-'}, ours (matched) ${matched ? `${matched.slope.toFixed(1)}° ${matched.area.toFixed(0)} m²` : 'none'}`);
    if (main && ours && main.slope > 5 && ours.slope > 5) aspect.push(angDiff(ours.aspect, main.aspect));
  });
  return {
    case: path.basename(dir), buildings: res.batch.params.length, fitted: n, seconds, perSecond: res.batch.params.length / seconds,
    withParts,
    accuracy4: correct / n, confusion: conf, labelAccuracy: labelled ? labelOk / labelled : NaN, outlineAccuracy: labelled ? outlineOk / labelled : NaN, labelled, labels,
    ridgeRmse: rms(ridge), ridgeRmseSeen: rms(ridgeSeen), unseen, eaveRmseAbove: rms(eaveAbove), eaveRmseSeen: rms(eaveSeen), eaveHidden, eaveSeenWithin: eaveSeen.filter((x) => Math.abs(x) <= 0.5).length / eaveSeen.length, eaveAtGround: eave.length - eaveAbove.length, ridgeMedian: median(ridge.map(Math.abs)), ridgeWithin: ridge.filter((x) => Math.abs(x) <= 0.5).length / ridge.length,
    ridgeWithinSigma: ridgeZ.filter((z) => Math.abs(z) <= 1).length / ridgeZ.length,
    eaveWithinSigma: eaveZ.filter((z) => Math.abs(z) <= 1).length / eaveZ.length,
    meanConfidence: confidence.reduce((a, b) => a + b, 0) / confidence.length,
    brier: confidence.reduce((a, p, i) => a + (p - right[i]) ** 2, 0) / confidence.length,
    eaveMedian: median(eave.map(Math.abs)), eaveWithin: eave.filter((x) => Math.abs(x) <= 0.5).length / eave.length, eaveRmsePitched: rms(eave), groundRmse: rms(ground), slopeMae: slope.reduce((s, x) => s + x, 0) / slope.length, slopeMaeMatched: slopeMatched.reduce((s, x) => s + x, 0) / slopeMatched.length, slopeMedianMatched: median(slopeMatched), slopeUnmatched, aspectMedian: median(aspect),
  };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('infer-real.ts')) {
  for (const name of ['inverse-delft-3dbag', 'inverse-vienna'].filter((n) => !process.env.ONLY || n.includes(process.env.ONLY))) {
    const dir = path.join(shared, name);
    if (!fs.existsSync(path.join(dir, 'truth.json'))) {
      console.log(`${name}: not found under ${shared} (set SHARED_DATA); skipped`);
      continue;
    }
    const s = await scoreCase(dir);
    console.log(`${s.case}: ${s.fitted}/${s.buildings} fitted (${s.withParts} as levels/parts), ${s.seconds.toFixed(2)} s (${s.perSecond.toFixed(0)} buildings/s incl. reading)`);
    console.log(`  4-class accuracy ${(100 * s.accuracy4).toFixed(1)} %${s.labelled ? `; label accuracy of ${s.labelled}: the outline's roof:shape ${(100 * s.outlineAccuracy).toFixed(1)} % ${JSON.stringify(s.labels)}, every part's shape the label ${(100 * s.labelAccuracy).toFixed(1)} %` : ''}`);
    console.log(`  ridge: RMSE ${s.ridgeRmse.toFixed(2)} m, median |error| ${s.ridgeMedian.toFixed(2)} m, ${(100 * s.ridgeWithin).toFixed(0)} % within 0.5 m; eave (pitched; truth = lowest roof point): RMSE ${s.eaveRmsePitched.toFixed(2)} m, median ${s.eaveMedian.toFixed(2)} m, ${(100 * s.eaveWithin).toFixed(0)} % within 0.5 m`);
    console.log(`   ridge RMSE ${s.ridgeRmseSeen.toFixed(2)} m without the ${s.unseen.length} building(s) whose truth ridge stands over ${UNSEEN_RIDGE} m above every DSM cell in the footprint${s.unseen.length ? `: ${s.unseen.join(', ')}` : ''}`);
    console.log(`   eave RMSE (pitched) ${s.eaveRmseAbove.toFixed(2)} m without the ${s.eaveAtGround} whose truth eave (lowest roof point) is under ${GROUND_EAVE} m above the ground (roofs at or below ground level)`);
    console.log(`   eave RMSE (pitched) ${s.eaveRmseSeen.toFixed(2)} m, ${(100 * s.eaveSeenWithin).toFixed(0)} % within 0.5 m, without the ${s.eaveHidden.length} whose truth eave lies over ${UNSEEN_EAVE} m below the footprint's lowest DSM cells (its 2nd percentile: a roof under another's overhang)${process.env.VERBOSE ? ': ' + s.eaveHidden.join(', ') : ''}`);
    console.log(`   ground RMSE ${s.groundRmse.toFixed(2)} m; main-plane slope MAE ${s.slopeMae.toFixed(1)}° (against our largest face), ${s.slopeMaeMatched.toFixed(1)}° (median ${s.slopeMedianMatched.toFixed(1)}°) against our face facing its way (${s.slopeUnmatched} with none); aspect median error ${s.aspectMedian.toFixed(1)}°`);
    console.log(`  calibration: ridge error within its 1σ ${(100 * s.ridgeWithinSigma).toFixed(0)} %, eave ${(100 * s.eaveWithinSigma).toFixed(0)} % (68 % when σ is honest); main roof's mean confidence ${s.meanConfidence.toFixed(2)} against 4-class accuracy ${s.accuracy4.toFixed(2)}, Brier score ${s.brier.toFixed(3)}`);
    console.log('  confusion (rows truth, columns inferred): ' + CLASSES.map((a) => `${a}: ${CLASSES.map((b) => s.confusion[a][b]).join('/')}`).join('; '));
  }
}
