import { rectangle, unitRoof, type Footprint, type RoofVariant, type StraightSkeleton } from '../procedural/index.js';
import { straightSkeleton } from '../procedural/index.js';
import { modelField } from './field.js';
import { residualInflation, robustFit, type RobustFit } from './fit.js';
import type { RoofSamples } from './samples.js';

/** Options for {@link inferRoof}. */
export interface InferRoofOptions {
  /** The roof shapes tried (S3DB `roof:shape` values); dome, cone and onion only on round footprints. */
  shapes: readonly string[];
  /** Fewest samples with data a building needs. */
  minSamples: number;
  /** Least share of the footprint's cells with data. */
  minCoverage: number;
  /** Smallest residual scale assumed (metres): the noise floor of the data. */
  minScale: number;
  /** Residual (metres) beyond which a sample counts as unexplained, for choosing a shape. */
  tolerance: number;
  /** Residual (metres) within which a sample counts as explained by the chosen roof ({@link InferredRoof.explained}). */
  explainTolerance: number;
  /**
   * Vertical accuracy of the surface model against the roofs it measured (metres, one sigma): error the
   * fit cannot see in its residuals (the DSM's own bias, its interpolation across edges, the roof's
   * idealisation). Added to the σ of every height, with the spread of a slope across one cell (a cell's
   * value holds a patch of roof, not its centre's height: (cell × rise per metre) / √12).
   */
  accuracy: number;
  /** A `roof:direction` (degrees) the data suggests (e.g. the aspect of the planes found): one more start of the ridge search. */
  directionHint: number | null;
}

/** The shapes {@link inferRoof} fits by default. */
export const INFER_SHAPES: readonly string[] = ['flat', 'skillion', 'gabled', 'half-hipped', 'gambrel', 'hipped', 'side_hipped', 'pyramidal', 'mansard', 'dome', 'cone', 'onion'];

/** Defaults for {@link InferRoofOptions}. */
export const INFER_ROOF_DEFAULTS: InferRoofOptions = { shapes: INFER_SHAPES, minSamples: 12, minCoverage: 0.3, minScale: 0.02, tolerance: 0.5, explainTolerance: 0.25, accuracy: 0.15, directionHint: null };

/** One-sigma uncertainties of the fitted parameters (null: not a parameter of the shape). */
export interface RoofSigmas {
  height: number;
  eave: number;
  roofHeight: number | null;
  angle: number | null;
  direction: number | null;
}

/** A building's roof as `build` reads it, fitted to a surface model, with the fit's figures. */
export interface InferredRoof {
  /** `roof:shape`. */
  shape: string;
  /** Top of the building above its ground (`height`), metres. */
  height: number;
  /** Eave height above ground, metres. */
  eave: number;
  /** `roof:height` (0 for flat). */
  roofHeight: number;
  /** `roof:angle`, degrees: the pitch `build` turns into the same height over the shape's run; null for flat. */
  angle: number | null;
  /** `roof:direction` (degrees clockwise from north): downhill for skillion, a slope's facing for gabled shapes on rectangles. */
  direction: number | null;
  /** `roof:orientation` of gabled shapes on rectangles. */
  orientation: 'along' | 'across' | null;
  sigma: RoofSigmas;
  /** Root mean square of the inlier residuals, metres. */
  rmse: number;
  /** Samples with weight in the fit (the rest are outliers: trees, chimneys, dormers…). */
  samples: number;
  /** Share of the footprint's cells with data. */
  coverage: number;
  /** Share of the samples within `explainTolerance` of the fitted roof. */
  explained: number;
  /** Posterior probability of the chosen shape among those tried (BIC weights). */
  confidence: number;
  /** The next most likely shape, and its probability. */
  runnerUp: string | null;
  runnerUpConfidence: number;
  /** Other shapes whose fitted surface is this one's on this footprint (a pyramid on a square is a hipped roof). */
  equivalent: string[];
  /** Every shape tried, best first: its BIC score, inlier RMSE and robust scale (metres). */
  candidates: { shape: string; score: number; rmse: number; scale: number; height: number; direction: number | null }[];
}

/** Why a building gets no roof. */
export type InferSkip = {
  reason: 'no-data' | 'too-few-samples' | 'low-coverage' | 'no-fit';
  detail: string;
  /** Cells with data inside the footprint, and their share of its cells (how far short of the minimums). */
  samples: number;
  coverage: number;
};

interface Candidate {
  shape: string;
  fit: RobustFit;
  /** The model's columns (null: the constant): refitted in full when the candidate is among the best. */
  cols: (Float64Array | null)[];
  /** Steepness of the unit model at each sample (× the roof height: the roof's rise per metre); null: flat. */
  steep: Float64Array | null;
  k: number;
  run: number;
  direction: number | null;
  orientation: 'along' | 'across' | null;
  sigmaDirection: number | null;
  score: number;
}

const DEG = 180 / Math.PI;

/**
 * A roof rising less than this (metres) from eaves to top is flat, whatever shape fits it best; and one
 * rising less than {@link FLAT_RISE_SIGMAS} × the surface model's accuracy, which the data cannot tell from
 * a flat roof with its edges blurred (a 0.35 m "mansard" on a 20 m² flat roof in Delft).
 */
const FLAT_RISE = 0.1;
const FLAT_RISE_SIGMAS = 2.5;

/** Compass bearing (degrees clockwise from north, 0…360) of the vector (east, north). */
export const bearing = (dx: number, dy: number): number => ((Math.atan2(dx, dy) * DEG) % 360 + 360) % 360;

/** Whether a footprint is round enough for dome, cone and onion: ≥ 8 vertices, no hole, isoperimetric quotient ≥ 0.9. */
export function isRound(fp: Footprint): boolean {
  if (fp.ringStarts.length !== 2 || fp.ringStarts[1] < 8) return false;
  const c = fp.coords;
  const n = fp.ringStarts[1];
  let a = 0, p = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    a += c[2 * j] * c[2 * i + 1] - c[2 * i] * c[2 * j + 1];
    p += Math.hypot(c[2 * i] - c[2 * j], c[2 * i + 1] - c[2 * j + 1]);
  }
  return (4 * Math.PI * Math.abs(a / 2)) / (p * p) >= 0.9;
}

/**
 * Fit every candidate roof shape to a building's samples and choose by BIC: each shape's forward model
 * is `build`'s own geometry for it ({@link unitRoof}) scaled between the eaves and the top, so the fit
 * is robust linear least squares in (eave, roof height) per shape and variant (gabled shapes on
 * rectangles: both ridge orientations; skillion: the downhill direction from a robust plane, which
 * *is* the skillion's model). Selection: BIC on a truncated squared loss shared by all shapes, so
 * outliers cost every shape alike and extra parameters must earn their keep.
 *
 * @example
 * ```ts
 * const r = inferRoof(fp, sampleFootprint(fp, dsm, ground));
 * if ('shape' in r) console.log(r.shape, r.height, r.confidence);
 * ```
 */
export function inferRoof(fp: Footprint, s: RoofSamples, options: Partial<InferRoofOptions> = {}): InferredRoof | InferSkip {
  const o = { ...INFER_ROOF_DEFAULTS, ...options };
  const n = s.z.length;
  // (unfit-rows-lost-their-numbers: how many cells, and what share, are written with the reason)
  const counts = { samples: n, coverage: s.cells ? n / s.cells : 0 };
  // (tiny-footprint-said-no-data: a footprint holding no cell's centre was "outside the surface model")
  if (s.cells === 0) return { reason: 'too-few-samples', detail: `no cell centre of the DSM's ${s.cell.toFixed(2)} m grid lies inside it (it is smaller or thinner than a cell)`, ...counts };
  if (n === 0) return { reason: 'no-data', detail: `none of its ${s.cells} cells has data`, ...counts };
  if (n < o.minSamples) return { reason: 'too-few-samples', detail: `${n} cells with data, fewer than ${o.minSamples}`, ...counts };
  if (n < o.minCoverage * s.cells) return { reason: 'low-coverage', detail: `${n} of ${s.cells} cells have data (${((100 * n) / s.cells).toFixed(0)} %, less than ${(100 * o.minCoverage).toFixed(0)} %)`, ...counts };
  let sk: StraightSkeleton | null | undefined;
  const skeleton = () => (sk === undefined ? (sk = straightSkeleton(fp)) : sk);
  const cands: Candidate[] = [];
  // every shape fitted quickly first; the few best then in full
  const fitOpts = { minScale: o.minScale, huberIterations: 2, tukeyIterations: 3, ransacTrials: 32 };
  const round = isRound(fp);
  const cache: FitCache = { hint: o.directionHint };
  for (const shape of o.shapes) {
    if ((shape === 'dome' || shape === 'cone' || shape === 'onion') && !round) continue;
    if (shape === 'flat') {
      const fit = robustFit(s.z, [null], fitOpts);
      if (fit) cands.push({ shape, fit, cols: [null], steep: null, k: 1, run: 0, direction: null, orientation: null, sigmaDirection: null, score: 0 });
    } else if (shape === 'skillion') {
      const c = skillion(fp, s, fitOpts, skeleton);
      if (c) cands.push(c);
    } else if (shape === 'side_hipped') {
      const c = oneEndHipped(fp, s, shape, fitOpts, skeleton, cache);
      if (c) cands.push(c);
    } else {
      const c = shaped(fp, s, shape, fitOpts, skeleton, cache);
      if (c) cands.push(c);
    }
  }
  if (!cands.length) return { reason: 'no-fit', detail: 'no roof shape could be fitted', ...counts };
  // one truncation for every shape: 3 × the best shape's residual scale, at least `tolerance`
  // (how far a real roof strays from its idealised shape), so a shape is scored by how much of the
  // roof it explains, not by how closely it fits a part of it
  let best = Infinity;
  for (const c of cands) best = Math.min(best, c.fit.scale);
  const t2 = Math.max(3 * best, o.tolerance) ** 2;
  const floor = o.minScale * o.minScale;
  const score = () => {
    for (const c of cands) c.score = n * Math.log(selectionLoss(c, t2, o.tolerance) / n + floor) + c.k * Math.log(n);
    cands.sort((a, b) => a.score - b.score);
  };
  score();
  // a side_hipped roof off a rectangle follows its direction exactly: where it leads, its direction
  // is refined from the best of the ways tried
  if (cands[0].shape === 'side_hipped' && cands[0].direction !== null && !rectangle(fp)) {
    const better = refineHipDirection(fp, s, cands[0], fitOpts, skeleton);
    if (better) {
      cands[0] = better;
      score();
    }
  }
  // the best three (and any within 10 of the best), refitted in full, then scored again
  for (let c = 0; c < cands.length && (c < 3 || cands[c].score <= cands[0].score + 10); c++) {
    const full = robustFit(s.z, cands[c].cols, { minScale: o.minScale });
    if (full && (full.beta.length === 1 || full.beta[1] > 0)) cands[c].fit = full;
  }
  score();
  // wall-for-a-lower-slope: a mansard or gambrel whose steep lower slope is steeper than any real one
  // (build's profiles make it several times the upper slope) is a gabled or hipped roof whose eave
  // cells drop (the wall's top in the cell): not a candidate; nor a gable steeper than any real one
  // (ledge-drawn-as-a-steep-gable)
  for (let c = cands.length - 1; c >= 0 && cands.length > 1; c--) if (implausiblySteep(cands[c])) cands.splice(c, 1);
  // shapes within 2 of the best score are not told apart by the data (ΔBIC < 2): the preferred one
  // of them leads (a mansard whose upper slopes cover a few cells is the hipped roof it resembles)
  let lead = 0;
  for (let c = 1; c < cands.length && cands[c].score <= cands[0].score + 2; c++) if (preference(cands[c].shape, round) < preference(cands[lead].shape, round)) lead = c;
  if (lead) cands.unshift(...cands.splice(lead, 1));
  // gable-without-rise: a pitched roof that does not rise is a flat one (a "gabled" roof of 0.001 m at 0.01°)
  const flatRise = Math.max(FLAT_RISE, FLAT_RISE_SIGMAS * o.accuracy);
  const lowRise = (c: (typeof cands)[number]) => c.shape !== 'flat' && (c.fit.beta[1] ?? 0) < flatRise;
  if (lowRise(cands[0])) {
    const flat = cands.findIndex((c) => c.shape === 'flat');
    if (flat > 0) cands.unshift(...cands.splice(flat, 1));
  }
  const top = cands[0];
  // neighbouring cells' residuals are correlated: the evidence counts each patch once, not per cell
  // (the probabilities and every σ below), or a fit over 600 cells claims millimetres and certainty
  const inflation = residualInflation(s.index, s.w, top.fit.residuals, top.fit.weights, top.fit.beta.length);
  let z = 0;
  const p = cands.map((c) => Math.exp(-(c.score - top.score) / (2 * inflation)));
  for (const v of p) z += v;
  // shapes whose fitted surface is the top's (within 1 cm RMS: a cone and a pyramid on a round
  // footprint) are the same answer: their probability is the top's, the runner-up the next other one
  let confidence = 0;
  let runner = -1;
  const equivalent: string[] = [];
  // flat-confidence-pointed-at-the-runner-up: a roof written flat because the best shape rose too little had that
  // shape's probability for the runner-up's (flat 0.02, mansard 0.94); a shape too low to tell from flat is flat
  for (let c = 0; c < cands.length; c++) {
    if (c === 0 || sameSurface(top.fit.residuals, cands[c].fit.residuals) || (top.shape === 'flat' && lowRise(cands[c]))) {
      confidence += p[c];
      if (c > 0) equivalent.push(cands[c].shape);
    } else if (runner < 0) runner = c;
  }
  const [e, r] = top.fit.beta.length === 1 ? [top.fit.beta[0], 0] : [top.fit.beta[0], Math.max(0, top.fit.beta[1])];
  const cov = top.fit.cov.map((v) => v * inflation);
  const pn = top.fit.beta.length;
  const angle = top.k > 1 && top.run > 0 ? Math.atan(r / top.run) * DEG : null;
  // what the residuals cannot show: the model's accuracy, and where in a cell an edge or ridge falls
  // (uniform across the cell: variance (cell × rise per metre)² / 12)
  const rise = top.k > 1 && top.run > 0 ? r / top.run : 0;
  const floor2 = o.accuracy * o.accuracy + (s.cell * rise) ** 2 / 12;
  const ve = cov[0] + floor2, vr = pn > 1 ? cov[pn + 1] + 2 * floor2 : 0, ver = pn > 1 ? cov[1] - floor2 : 0;
  const sigmaAngle = angle !== null ? (top.run / (top.run * top.run + r * r)) * Math.sqrt(vr) * DEG : null;
  return {
    shape: top.shape,
    height: e + r,
    eave: e,
    roofHeight: r,
    angle,
    direction: top.direction,
    orientation: top.orientation,
    sigma: { height: Math.sqrt(Math.max(0, ve + vr + 2 * ver)), eave: Math.sqrt(ve), roofHeight: pn > 1 ? Math.sqrt(vr) : null, angle: sigmaAngle, direction: top.sigmaDirection !== null ? Math.min(SIGMA_DIRECTION_MAX, top.sigmaDirection * Math.sqrt(inflation)) : null },
    rmse: top.fit.rmse,
    samples: top.fit.used,
    coverage: n / s.cells,
    explained: shareWithin(top.fit.residuals, o.explainTolerance, top.steep ? (s.cell / 2) * r : 0, top.steep),
    confidence: confidence / z,
    runnerUp: runner >= 0 ? cands[runner].shape : null,
    runnerUpConfidence: runner >= 0 ? p[runner] / z : 0,
    equivalent,
    candidates: cands.map((c) => ({ shape: c.shape, score: c.score, rmse: c.fit.rmse, scale: c.fit.scale, height: c.fit.beta[0] + (c.fit.beta[1] ?? 0), direction: c.direction })),
  };
}

/**
 * Largest σ of a direction (degrees): a direction spread uniformly round the compass has a σ of about
 * 104°; a linearised σ beyond this (341° was written) says no more than "unknown".
 */
const SIGMA_DIRECTION_MAX = 180;

/** Steepest lower slope (°) of a mansard or gambrel fit that real roofs have; a steeper one is a wall's drop at the eave. */
const STEEPEST_LOWER_SLOPE = 75;

/**
 * Steepest main slope (°, `roof:angle`) of a skillion, gabled, hipped or half-hipped fit; a steeper one is walls
 * seen across a few cells (Vienna's 011597: a 2 m ledge between taller parts drawn as a gable at 81°, its eave 3.7 m
 * under the building's lowest roof). Spires are pyramids (faces of 82–86° in Vienna's truth) and are not held to it.
 */
const STEEPEST_SLOPE = 80;

/**
 * Whether a fit is steeper than real roofs of its shape: a mansard's or gambrel's steepest slope over its samples
 * beyond {@link STEEPEST_LOWER_SLOPE}, another roof of planes' main slope beyond {@link STEEPEST_SLOPE}
 * (pyramidal, dome, cone and onion: never).
 */
function implausiblySteep(c: Candidate): boolean {
  if (!c.steep || c.shape === 'dome' || c.shape === 'cone' || c.shape === 'onion' || c.shape === 'pyramidal') return false;
  const r = c.fit.beta[1] ?? 0;
  if (c.shape !== 'mansard' && c.shape !== 'gambrel') return c.k > 1 && c.run > 0 && r / c.run > Math.tan(STEEPEST_SLOPE / DEG);
  let m = 0;
  for (let i = 0; i < c.steep.length; i++) if (c.steep[i] > m) m = c.steep[i];
  return m * r > Math.tan(STEEPEST_LOWER_SLOPE / DEG);
}

/** The share of residuals within ±(`t` + `k` × steepness): on a slope, half a cell's rise more. */
function shareWithin(r: Float64Array, t: number, k: number, steep: Float64Array | null): number {
  let n = 0;
  for (let i = 0; i < r.length; i++) if (Math.abs(r[i]) <= t + (steep ? k * steep[i] : 0)) n++;
  return r.length ? n / r.length : 0;
}

/** Whether two fits describe the same surface (their residuals differ by under 1 cm RMS). */
function sameSurface(a: Float64Array, b: Float64Array): boolean {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] - b[k]) ** 2;
  return s / a.length < 1e-4;
}

/**
 * Tie-break order among shapes the data cannot tell apart (ΔBIC < 2): the more specific first — the
 * round shapes on round footprints; then by how common a shape is on real roofs: gabled first (also
 * where `build` makes no gable end on a complex footprint and the surface equals the hipped roof's —
 * on real data those roofs are gabled), a hipped roof before the pyramid it equals on a square (and
 * that a pyramid on a footprint not star-shaped from its centroid is built as).
 */

const PREFERENCE = ['flat', 'skillion', 'dome', 'cone', 'onion', 'gabled', 'hipped', 'pyramidal', 'side_hipped', 'mansard', 'gambrel', 'half-hipped'];

/** Tie-break rank of a shape (see {@link PREFERENCE}). */
function preference(shape: string, round: boolean): number {
  const ringShape = shape === 'dome' || shape === 'cone' || shape === 'onion';
  const k = PREFERENCE.indexOf(shape);
  return (ringShape && !round ? 100 : 0) + (k < 0 ? 99 : k);
}

/** A shape's unit field over the samples (its variant's), or null when it cannot be built or is constant. */
function field(fp: Footprint, s: RoofSamples, shape: string, variant: RoofVariant, skeleton: () => StraightSkeleton | null, validate = true): { u: Float64Array; steep: Float64Array; run: number; ridge: [number, number] | null } | null {
  const unit = unitRoof(fp, shape, variant, skeleton, validate);
  if (!unit) return null;
  const steep = new Float64Array(s.z.length);
  const u = modelField(unit.model, s, steep);
  // the ridge of a rectangle's gable: its two nodes at the top
  const m = unit.model;
  const tops: number[] = [];
  for (let k = 0; k < m.z.length; k++) if (m.z[k] > 1 - 1e-9) tops.push(k);
  const ridge: [number, number] | null = tops.length === 2 ? [m.x[tops[1]] - m.x[tops[0]], m.y[tops[1]] - m.y[tops[0]]] : null;
  return { u, steep, run: unit.run, ridge };
}

/** What one building's shapes share: the fitted direction of a straight-ridged gable. */
interface FitCache {
  hint?: number | null;
  gableDirection?: number | null;
  gableSigma?: number | null;
}

/**
 * The compass axis (0…180°) the sloped cells face: the doubled-angle mean of the surface's gradients
 * (central differences between samples), weighted by their steepness; null on a flat surface.
 */
function gradientAxis(s: RoofSamples): number | null {
  let C = 0, S = 0;
  const { w, h, index, z } = s;
  for (let j = 1; j + 1 < h; j++)
    for (let i = 1; i + 1 < w; i++) {
      const k = index[j * w + i];
      if (k < 0) continue;
      const e = index[j * w + i + 1], west = index[j * w + i - 1], n = index[(j + 1) * w + i], so = index[(j - 1) * w + i];
      if (e < 0 || west < 0 || n < 0 || so < 0) continue;
      const gx = (z[e] - z[west]) / (2 * s.cell), gy = (z[n] - z[so]) / (2 * s.cell);
      const m2 = gx * gx + gy * gy;
      // a slope, not an edge (a step of a wall or a tree)
      if (m2 < 0.01 || m2 > 25) continue;
      const t = 2 * Math.atan2(gx, gy);
      C += m2 * Math.cos(t);
      S += m2 * Math.sin(t);
    }
  if (C === 0 && S === 0) return null;
  return (((Math.atan2(S, C) / 2) * 180) / Math.PI + 180) % 180;
}

/** The footprint's dominant wall orientation (math angle, radians, modulo 90°), length-weighted. */
function dominantAngle(fp: Footprint): number {
  const c = fp.coords;
  const n = fp.ringStarts[1];
  let sx = 0, sy = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const dx = c[2 * i] - c[2 * j], dy = c[2 * i + 1] - c[2 * j + 1];
    const l = Math.hypot(dx, dy);
    const a = 4 * Math.atan2(dy, dx);
    sx += l * Math.cos(a);
    sy += l * Math.sin(a);
  }
  return Math.atan2(sy, sx) / 4;
}

/**
 * The `roof:direction` (0…180°) of a straight-ridged gable that fits the samples best: started from
 * the axis the surface's slopes face and from the walls' orientation, refined by successive parabolas; its
 * σ from the cost's curvature. Cached per building (gabled, gambrel and the others share it).
 */
function gableDirection(fp: Footprint, s: RoofSamples, skeleton: () => StraightSkeleton | null, cache: FitCache): number | null {
  if (cache.gableDirection !== undefined) return cache.gableDirection;
  const quick = { minScale: 0.02, huberIterations: 3, tukeyIterations: 2, ransacTrials: 0 };
  const costs = new Map<number, number>();
  const cost = (deg: number): number => {
    const t = ((deg % 180) + 180) % 180;
    const key = Math.round(t * 1e6) / 1e6;
    const had = costs.get(key);
    if (had !== undefined) return had;
    const f = field(fp, s, 'gabled', { direction: key }, skeleton, false);
    const fit = f && robustFit(s.z, [null, f.u], quick);
    const c = fit && fit.beta[1] > 0 ? truncatedLoss(fit.residuals, 0.25) : Infinity;
    costs.set(key, c);
    return c;
  };
  // starts: the axis the surface's slopes face (doubled-angle mean of the gradients: a gable's two
  // sides agree modulo 180°), and across / along the walls' dominant orientation
  const phi = (dominantAngle(fp) * 180) / Math.PI;
  const starts = [90 - phi, 180 - phi];
  const slopeAxis = gradientAxis(s);
  if (slopeAxis !== null) starts.unshift(slopeAxis);
  if (cache.hint !== undefined && cache.hint !== null) starts.unshift(cache.hint);
  let best = starts[0], bestCost = Infinity;
  for (const d of starts) {
    const c = cost(d);
    if (c < bestCost) [best, bestCost] = [d, c];
  }
  if (!Number.isFinite(bestCost)) return (cache.gableDirection = null);
  // refine by successive parabolas through (θ − h, θ, θ + h), h = 2°, 0.5°, 0.1°
  let theta = best;
  let curvature = 0, wider = 0;
  for (const h of [2, 0.5, 0.1]) {
    const c0 = cost(theta), cp = cost(theta + h), cm = cost(theta - h);
    const den = cp - 2 * c0 + cm;
    curvature = den / (h * h);
    if (curvature > 0) wider = curvature;
    if (!(den > 0)) {
      if (cp < c0 || cm < c0) theta = cp < cm ? theta + h : theta - h;
      continue;
    }
    const step = (h * (cm - cp)) / (2 * den);
    const next = theta + Math.max(-h, Math.min(h, step));
    if (cost(next) < cost(theta)) theta = next;
  }
  theta = ((theta % 180) + 180) % 180;
  // σ: the cost is a sum of squares ≈ σ²·χ²; its curvature h (per degree²) gives var = 2σ²/h
  const sigma2 = cost(theta) / Math.max(1, s.z.length - 3);
  // (sigma-direction-missing: a minimum too sharp for the finest parabola takes a wider one's curvature;
  // a cost flat at every width leaves the direction unknown)
  const k = curvature > 0 ? curvature : wider;
  cache.gableSigma = k > 0 ? Math.sqrt((2 * sigma2) / k) : SIGMA_DIRECTION_MAX;
  return (cache.gableDirection = Math.round(theta * 1000) / 1000);
}

/** Fit `shape` (both ridge orientations where they differ): the better variant. */
function shaped(fp: Footprint, s: RoofSamples, shape: string, fitOpts: { minScale: number }, skeleton: () => StraightSkeleton | null, cache: FitCache): Candidate | null {
  const gableFamily = shape === 'gabled' || shape === 'half-hipped' || shape === 'gambrel';
  const variants: RoofVariant[] = gableFamily ? [{ orientation: 'along' }, { orientation: 'across' }] : [{}];
  const fields = variants.map((v) => field(fp, s, shape, v, skeleton));
  let distinct = false;
  if (fields.length === 2 && fields[0] && fields[1]) for (let k = 0; k < s.z.length && !distinct; k++) distinct = Math.abs(fields[0].u[k] - fields[1].u[k]) > 1e-6;
  // not a rectangle: the skeleton's gable, or a straight ridge across a fitted roof:direction
  if (gableFamily && !distinct) {
    const theta = gableDirection(fp, s, skeleton, cache);
    if (theta !== null) {
      variants.push({ direction: theta });
      fields.push(field(fp, s, shape, { direction: theta }, skeleton));
    }
  }
  const tries = distinct ? [0, 1] : fields.length === 3 ? [0, 2] : [0];
  const cands: Candidate[] = [];
  for (const v of tries) {
    const f = fields[v];
    if (!f) continue;
    const fit = robustFit(s.z, [null, f.u], fitOpts);
    if (!fit || !(fit.beta[1] > 0)) continue;
    const directional = variants[v].direction !== undefined;
    let direction: number | null = null;
    if (distinct && f.ridge) direction = bearing(f.ridge[1], -f.ridge[0]) % 180;
    if (directional) direction = variants[v].direction!;
    cands.push({ shape, fit, cols: [null, f.u], steep: f.steep, k: distinct || directional ? 3 : 2, run: f.run, direction, orientation: distinct ? variants[v].orientation! : null, sigmaDirection: directional ? (cache.gableSigma ?? null) : direction !== null ? 0 : null, score: 0 });
  }
  if (cands.length < 2) return cands[0] ?? null;
  // the better variant, on one truncation for both
  const c2 = (3 * Math.max(0.04, Math.min(...cands.map((c) => c.fit.scale)))) ** 2;
  return cands.reduce((a, b) => (truncatedLoss(b.fit.residuals, c2) < truncatedLoss(a.fit.residuals, c2) ? b : a));
}

/**
 * A roof hipped at one end (`side_hipped`): `roof:direction` names the hipped end and the ridge runs
 * along it, so the candidates are the four compass ways along and across the walls' dominant
 * orientation, the two along the fitted gable's ridge (see {@link gableDirection}) and no direction
 * (the gabled roof's own ridge, hipped at its first end); the variant that fits best (distinct fields
 * only) is the candidate.
 */
function oneEndHipped(fp: Footprint, s: RoofSamples, shape: string, fitOpts: { minScale: number }, skeleton: () => StraightSkeleton | null, cache: FitCache): Candidate | null {
  const phi = (dominantAngle(fp) * 180) / Math.PI;
  const ways = [0, 1, 2, 3].map((q) => 90 - phi + 90 * q);
  const theta = gableDirection(fp, s, skeleton, cache);
  if (theta !== null) ways.push(theta + 90, theta + 270);
  const fields: { u: Float64Array; steep: Float64Array; run: number; direction: number | null; sigma: number | null }[] = [];
  // and without a direction: the gabled roof's own ridge, hipped at its first end (last: where a
  // direction gives the same roof, the direction is written, as it says which end is hipped)
  // (sigma-direction-missing: σ of a direction along the walls is 0, given the footprint; along the
  // fitted ridge, the ridge's)
  for (const [k, w] of [...ways, null].entries()) {
    const direction = w === null ? null : Math.round((((w % 360) + 360) % 360) * 1000) / 1000;
    const f = field(fp, s, shape, { direction }, skeleton);
    if (!f || fields.some((g) => sameField(g.u, f.u))) continue;
    fields.push({ ...f, direction, sigma: direction === null ? null : k >= 4 ? (cache.gableSigma ?? null) : 0 });
  }
  const fits = fields.map((f) => robustFit(s.z, [null, f.u], fitOpts));
  const c2 = (3 * Math.max(0.04, Math.min(...fits.map((f) => (f && f.beta[1] > 0 ? f.scale : Infinity))))) ** 2;
  let best: Candidate | null = null;
  let bestLoss = Infinity;
  fields.forEach((f, k) => {
    const fit = fits[k];
    if (!fit || !(fit.beta[1] > 0)) return;
    const loss = truncatedLoss(fit.residuals, c2);
    if (loss >= bestLoss) return;
    bestLoss = loss;
    best = { shape, fit, cols: [null, f.u], steep: f.steep, k: 3, run: f.run, direction: f.direction, orientation: null, sigmaDirection: f.sigma, score: 0 };
  });
  return best;
}

/**
 * A side_hipped candidate's direction refined: the loss over the quick fit sampled every 3° within
 * ±12° of its direction, then successive parabolas (h = 1°, 0.25°); null when nothing fits better.
 */
function refineHipDirection(fp: Footprint, s: RoofSamples, c: Candidate, fitOpts: { minScale: number }, skeleton: () => StraightSkeleton | null): Candidate | null {
  const quick = { minScale: 0.02, huberIterations: 3, tukeyIterations: 2, ransacTrials: 0 };
  const c2 = (3 * Math.max(0.04, c.fit.scale)) ** 2;
  const memo = new Map<number, number>();
  const norm = (deg: number) => Math.round((((deg % 360) + 360) % 360) * 1000) / 1000;
  const loss = (deg: number) => {
    const key = norm(deg);
    let v = memo.get(key);
    if (v === undefined) {
      const f = field(fp, s, c.shape, { direction: key }, skeleton, false);
      const fit = f && robustFit(s.z, [null, f.u], quick);
      v = fit && fit.beta[1] > 0 ? truncatedLoss(fit.residuals, c2) : Infinity;
      memo.set(key, v);
    }
    return v;
  };
  const d0 = c.direction!;
  let theta = d0;
  for (let k = -4; k <= 4; k++) if (loss(d0 + 3 * k) < loss(theta)) theta = d0 + 3 * k;
  for (const h of [1, 0.25]) {
    const c0 = loss(theta), cp = loss(theta + h), cm = loss(theta - h);
    const den = cp - 2 * c0 + cm;
    if (!(den > 0)) {
      if (cp < c0 || cm < c0) theta = cp < cm ? theta + h : theta - h;
      continue;
    }
    const next = theta + Math.max(-h, Math.min(h, (h * (cm - cp)) / (2 * den)));
    if (loss(next) < loss(theta)) theta = next;
  }
  const direction = norm(theta);
  if (direction === norm(d0) || !(loss(direction) < loss(d0))) return null;
  const f = field(fp, s, c.shape, { direction }, skeleton);
  const fit = f && robustFit(s.z, [null, f.u], fitOpts);
  return f && fit && fit.beta[1] > 0 ? { ...c, fit, cols: [null, f.u], steep: f.steep, run: f.run, direction } : null;
}

/** Whether two unit fields are the same over the samples (within 1e-6). */
function sameField(a: Float64Array, b: Float64Array): boolean {
  for (let k = 0; k < a.length; k++) if (Math.abs(a[k] - b[k]) > 1e-6) return false;
  return true;
}

/**
 * A shape's loss for choosing among shapes: squared residuals capped at `t2`, where on a slope the
 * cap grows with the roof's steepness (a roof placed `tolerance` metres off horizontally misses by
 * tolerance × rise per metre vertically), so steep real roofs are not judged by their every wobble.
 * Residuals are scaled back to the vertical cap. Asymmetric: see {@link ABOVE_CAP}.
 */
function selectionLoss(c: Candidate, t2: number, tolerance: number): number {
  const r = c.fit.residuals;
  const h = c.fit.beta[1] ?? 0;
  const above = ABOVE_CAP * t2;
  let s = 0;
  for (let k = 0; k < r.length; k++) {
    const rise = c.steep ? h * c.steep[k] * tolerance : 0;
    // the residual in units of the local tolerance, back in metres of the flat tolerance
    const q = (r[k] * r[k] * t2) / (t2 + rise * rise);
    // data above the model (a chimney, a dormer, a tree) costs at most the cap; a model above the
    // data — roof where the surface model sees air — costs up to ABOVE_CAP times more
    s += Math.min(q, r[k] >= 0 ? t2 : above);
  }
  return s;
}

/**
 * How much more a sample may cost when the model stands above it than when it stands below: a
 * surface model sees the highest surface, so things on a roof are common and holes in it are rare.
 */
const ABOVE_CAP = 2;

/** Σ min(r², c2): squared residuals, each outlier at the cap. */
function truncatedLoss(r: Float64Array, c2: number): number {
  let s = 0;
  for (let k = 0; k < r.length; k++) s += Math.min(r[k] * r[k], c2);
  return s;
}

/** A skillion: a robust plane gives the downhill direction; the skillion's own model then gives eave and height. */
function skillion(fp: Footprint, s: RoofSamples, fitOpts: { minScale: number }, skeleton: () => StraightSkeleton | null): Candidate | null {
  const n = s.z.length;
  let cx = 0, cy = 0;
  for (let k = 0; k < n; k++) {
    cx += s.x[k];
    cy += s.y[k];
  }
  cx /= n;
  cy /= n;
  const X = new Float64Array(n), Y = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    X[k] = s.x[k] - cx;
    Y[k] = s.y[k] - cy;
  }
  const plane = robustFit(s.z, [null, X, Y], fitOpts);
  if (!plane) return null;
  const [, gx, gy] = plane.beta;
  const g = Math.hypot(gx, gy);
  if (g < 1e-6) return null;
  const direction = bearing(-gx, -gy);
  // σ of the direction: the gradient's uncertainty across it, over its length
  const tx = -gy / g, ty = gx / g;
  const C = plane.cov;
  const vt = tx * tx * C[4] + 2 * tx * ty * C[5] + ty * ty * C[8];
  const f = field(fp, s, 'skillion', { direction }, skeleton);
  if (!f) return null;
  const fit = robustFit(s.z, [null, f.u], fitOpts);
  if (!fit || !(fit.beta[1] > 0)) return null;
  return { shape: 'skillion', fit, cols: [null, f.u], steep: f.steep, k: 3, run: f.run, direction, orientation: null, sigmaDirection: (Math.sqrt(Math.max(0, vt)) / g) * DEG, score: 0 };
}
