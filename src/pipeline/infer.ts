import { bufferExtent, extentOf, type Extent } from '../core/extent.js';
import { featureName } from '../core/params.js';
import { cellValue, type RasterGrid } from '../core/grid.js';
import { Summary } from '../core/summary.js';
import type { FeatureBatch, FrameInfo } from '../core/types.js';
import { InputError } from '../core/errors.js';
import { outputCrs, vectorDriverOf, writeVector, type VectorColumn, type VectorFeature } from '../export/vector.js';
import { ingest } from '../ingest/index.js';
import { rasterCentre, readSurface } from '../ingest/raster.js';
import { forEachCellInside, modelField, samplesInside, terracedShare, regionSamples, risingRegions, sunkenRegions, groundOf, inferRoof, INFER_ROOF_DEFAULTS, planesExplain, planeSamples, joinedPlanes, smoothLabels, roofTopology, modelPlanes, PLANE_DEFAULTS, type PlaneSummary, sampleFootprint, segmentPlanes, type InferredRoof, type InferRoofOptions, type InferSkip, type RoofPlane, type RoofSamples } from '../inverse/index.js';
import { areaOf, clipFootprint, joinedFootprint, levelPolygons, perimeterOf, uncoveredPieces } from './parts.js';
import { compass, featurePolygons, projectionRange, unitRoof, type Footprint } from '../procedural/index.js';
import { checkRasterInputs, creditOf, elevationInput, ingestOptionsOf, isPlainRaster, namingInput, noBuildings, warnJobsPastCores } from './common.js';
import { INFER_DEFAULTS, type InferOptions } from './options.js';

/** How far (m) the DSM may stand above or below the DTM over open ground before the pair is warned of. */
const GROUND_DISAGREEMENT = 2;

/**
 * How far (m) apart over open ground stops the run (dsm-offset-written-with-exit-0: a DSM 43 m above its DTM in
 * another vertical datum wrote every building 43 m too tall, exit 0, while the mirror case stopped).
 */
const GROUND_DISAGREEMENT_STOP = 10;

/**
 * dsm-dtm-units-disagreed-in-silence: a DSM and a DTM in different vertical units (feet and metres, one scaled
 * by `--z-scale` with the other) or datums gave buildings 25 m too tall, exit 0. Over open ground (the lowest
 * tenth of the cells where both have data: streets, yards) the surface model is the terrain model; where it
 * stands over {@link GROUND_DISAGREEMENT} m apart there, the pair is warned of.
 */
function warnGroundDisagrees(dsm: RasterGrid, dtm: RasterGrid, o: InferOptions, summary: Summary): void {
  const d: number[] = [];
  const step = Math.max(1, Math.floor(Math.sqrt((dsm.nx * dsm.ny) / 250_000)));
  for (let j = 0; j < dsm.ny; j += step)
    for (let i = 0; i < dsm.nx; i += step) {
      const a = dsm.values[j * dsm.nx + i];
      const b = cellValue(dtm, dsm.x0 + (i + 0.5) * dsm.cell, dsm.y0 + (j + 0.5) * dsm.cell);
      if (Number.isFinite(a) && Number.isFinite(b)) d.push(a - b);
    }
  if (d.length < 100) return;
  d.sort((a, b) => a - b);
  const low = d[Math.floor(0.1 * (d.length - 1))];
  // (what the open ground says, said either way: an offset under the warning's threshold moves every height by it)
  o.logger.info(`infer: over open ground (the lowest tenth of the cells) the DSM stands ${Math.abs(low).toFixed(2)} m ${low >= 0 ? 'above' : 'below'} the DTM${Math.abs(low) <= GROUND_DISAGREEMENT ? ' (they meet there: the same vertical datum and units)' : ''}`);
  if (Math.abs(low) <= GROUND_DISAGREEMENT) return;
  const detail = `${o.dsm} (--dsm) and ${o.dtm} (--dtm) disagree over open ground: where the surface model is lowest (a tenth of the cells), it stands ${Math.abs(low).toFixed(1)} m ${low > 0 ? 'above' : 'below'} the terrain model, where the two should meet; heights in feet in one of them (--z-scale scales both; --dtm-z-scale the DTM alone), or another vertical datum? Every height is measured from the DTM`;
  // (the mirror, a DTM far above the DSM, leaves the buildings under their ground: the below-ground rule says
  // which, and stops the run when half of them are)
  if (low > GROUND_DISAGREEMENT_STOP)
    throw new InputError('infer', `${detail}: every building would be ${low.toFixed(0)} m too tall. Nothing written (put both in one datum and unit: gdalwarp -s_srs/-t_srs with vertical CRSs, gdal_calc.py, or --z-scale/--dtm-z-scale)`);
  o.logger.warn(`infer: ${detail}`);
  summary.warn('infer:dsm-dtm-disagree', detail);
}

/** Metres of the models read around the buildings (the ground ring without a DTM). */
const MARGIN = 8;

/** A level of a building fitted as a building part: its polygon and roof. */
export interface InferredPart {
  footprint: Footprint;
  roof: InferredRoof | null;
  /** `fitted`, or why not. */
  status: string;
  /** `min_height`: where the part starts above the ground (a tower standing on the roof beneath it); 0 when absent. */
  minHeight?: number;
}

/** One building's outcome: its fitted roof, or why it has none; its ground; its parts when it has several levels. */
export interface InferredBuilding {
  roof: InferredRoof | null;
  /** The building's levels as parts (empty: one roof over the whole footprint). */
  parts: InferredPart[];
  /** `fitted`, or the reason the data could not support a fit. */
  status: string;
  /** Ground height (the models' vertical datum), NaN when unknown. */
  ground: number;
  groundEstimated: boolean;
  /** A building left unfitted: its cells with data and their share of its cells. */
  samples?: number;
  coverage?: number;
}

/** What {@link inferParams} returns. */
export interface InferResult {
  /** The output file's bytes (GeoPackage, GeoJSON or FlatGeobuf). */
  bytes: Uint8Array;
  summary: Summary;
  batch: FeatureBatch;
  buildings: InferredBuilding[];
}

/** How far above a single fitted roof (m) a cell stands out, and the share of cells that makes it worth a warning. */
const ABOVE_THE_ROOF = 2;
const ABOVE_SHARE = 0.05;

/** A median building top (m above the ground) under which the DSM is asked whether it holds the buildings. */
const LOW_CITY = 3;
/** Median fitted height (m) over which a city is no city: heights read in the wrong unit (centimetres, millimetres). */
const TALL_CITY = 150;

/** Coarsest DSM cell (m) infer reads without a warning. */
const COARSE_CELL = 1;

/** The status of an input's building part whose building is in the input too: fitted with it, not on its own, and not written. */
export const PART_OF_BUILDING = 'part-of-building';

/** The S3DB tags `build` reads, then the fit's fields, in output order. */
export const INFER_COLUMNS: readonly VectorColumn[] = [
  { name: 'height', type: 'real' },
  { name: 'min_height', type: 'real' },
  { name: 'roof:shape', type: 'string' },
  { name: 'roof:height', type: 'real' },
  { name: 'roof:angle', type: 'real' },
  { name: 'roof:direction', type: 'real' },
  { name: 'roof:orientation', type: 'string' },
  { name: 'fit:status', type: 'string' },
  { name: 'fit:rmse', type: 'real' },
  { name: 'fit:samples', type: 'integer' },
  { name: 'fit:coverage', type: 'real' },
  { name: 'fit:confidence', type: 'real' },
  { name: 'fit:runner_up', type: 'string' },
  { name: 'fit:runner_up_confidence', type: 'real' },
  { name: 'fit:eave', type: 'real' },
  { name: 'fit:sigma_height', type: 'real' },
  { name: 'fit:sigma_eave', type: 'real' },
  { name: 'fit:sigma_roof_height', type: 'real' },
  { name: 'fit:sigma_roof_angle', type: 'real' },
  { name: 'fit:sigma_roof_direction', type: 'real' },
  { name: 'fit:ground', type: 'real' },
  { name: 'fit:ground_estimated', type: 'integer' },
  { name: 'fit:parts', type: 'integer' },
  { name: 'fit:part', type: 'integer' },
  { name: 'building', type: 'string' },
  { name: 'building:part', type: 'string' },
];

const round = (v: number | null, d: number): number | null => (v === null || !Number.isFinite(v) ? null : Math.round(v * 10 ** d) / 10 ** d);
/** Three significant digits (sigma-rounded-to-zero: a direction's σ of 0.0004° was written as 0). */
const sig = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : Number(v.toPrecision(3)));

const modulo360 = (v: number | null): number | null => (v === null ? null : v % 360);

/** The output row of a building: its tags and fit fields. */
export function inferRow(b: Pick<InferredBuilding, 'roof' | 'status' | 'ground' | 'groundEstimated' | 'samples' | 'coverage'>): Record<string, string | number | null> {
  const r = b.roof;
  return {
    height: r ? round(r.height, 3) : null,
    min_height: r ? 0 : null,
    'roof:shape': r?.shape ?? null,
    'roof:height': r && r.shape !== 'flat' ? round(r.roofHeight, 3) : null,
    'roof:angle': r ? round(r.angle, 2) : null,
    // (direction-was-360: a bearing a hair under 360° rounds to 360)
    'roof:direction': r ? modulo360(round(r.direction, 2)) : null,
    'roof:orientation': r?.orientation ?? null,
    'fit:status': b.status,
    'fit:rmse': r ? sig(r.rmse) : null,
    'fit:samples': r ? r.samples : (b.samples ?? null),
    'fit:coverage': r ? round(r.coverage, 3) : b.coverage !== undefined ? round(b.coverage, 3) : null,
    'fit:confidence': r ? round(r.confidence, 4) : null,
    'fit:runner_up': r?.runnerUp ?? null,
    // (no runner-up, no confidence for one: it read 0 beside a null shape)
    'fit:runner_up_confidence': r && r.runnerUp !== null ? round(r.runnerUpConfidence, 4) : null,
    'fit:eave': r ? round(r.eave, 3) : null,
    'fit:sigma_height': r ? sig(r.sigma.height) : null,
    'fit:sigma_eave': r ? sig(r.sigma.eave) : null,
    'fit:sigma_roof_height': r ? sig(r.sigma.roofHeight) : null,
    'fit:sigma_roof_angle': r ? sig(r.sigma.angle) : null,
    'fit:sigma_roof_direction': r ? sig(r.sigma.direction) : null,
    'fit:ground': round(b.ground, 3),
    'fit:ground_estimated': Number.isFinite(b.ground) ? (b.groundEstimated ? 1 : 0) : null,
  };
}

/** The output rows: each building (its outline), then its parts, with the source attributes. */
function* features(batch: FeatureBatch, buildings: InferredBuilding[], ours: Set<string>, types: Map<string, VectorColumn['type']>): Generator<VectorFeature> {
  for (let f = 0; f < buildings.length; f++) {
    if (buildings[f].status === PART_OF_BUILDING) continue;
    const source: Record<string, string | number | null> = {};
    for (const [k, v] of Object.entries(batch.params[f].attributes)) if (!ours.has(k)) source[k] = types.get(k) === 'string' ? String(v) : typeof v === 'boolean' ? Number(v) : v;
    const b = buildings[f];
    // S3DB: the outline is a building (its source value kept), each level a building:part
    const kind = batch.params[f].attributes['building'];
    const row: Record<string, string | number | null> = { ...source, ...inferRow(b), building: typeof kind === 'string' && kind !== 'no' ? kind : 'yes' };
    if (b.parts.length) {
      let top = -Infinity;
      for (const p of b.parts) if (p.roof) top = Math.max(top, p.roof.height);
      row.height = round(top, 3);
      row.min_height = 0;
      row['fit:parts'] = b.parts.length;
      // S3DB: the outline carries the roof shape of most of its area, for maps and renderers without parts
      row['roof:shape'] = dominantShape(b.parts);
      // outline-had-no-fit-figures: the building's own, from its parts' (a viewer colours a building drawn as
      // its parts by the outline's row): RMSE over every sample, samples summed, confidence weighted by area
      // (outline-lacked-figures: also its coverage weighted by area, its eaves — the lowest part's — with
      // their σ, and the σ of its height — the highest part's; a part's roof height, pitch and direction
      // are the part's own)
      let n = 0, ss = 0, area = 0, conf = 0, cover = 0;
      let low: InferredRoof | null = null, high: InferredRoof | null = null;
      for (const p of b.parts) {
        if (!p.roof) continue;
        n += p.roof.samples;
        ss += p.roof.samples * p.roof.rmse ** 2;
        const a = areaOf(p.footprint);
        area += a;
        conf += a * p.roof.confidence;
        cover += a * p.roof.coverage;
        if (!low || p.roof.eave < low.eave) low = p.roof;
        if (!high || p.roof.height > high.height) high = p.roof;
      }
      if (n) {
        row['fit:rmse'] = sig(Math.sqrt(ss / n));
        row['fit:samples'] = n;
      }
      if (area) {
        row['fit:confidence'] = round(conf / area, 4);
        row['fit:coverage'] = round(cover / area, 3);
      }
      if (low) {
        row['fit:eave'] = round(low.eave, 3);
        row['fit:sigma_eave'] = sig(low.sigma.eave);
      }
      if (high) row['fit:sigma_height'] = sig(high.sigma.height);
    }
    yield { polygons: featurePolygons(batch, f), values: row };
    for (let k = 0; k < b.parts.length; k++) {
      const p = b.parts[k];
      const values: Record<string, string | number | null> = { ...source, ...inferRow({ roof: p.roof, status: p.status, ground: b.ground, groundEstimated: b.groundEstimated }), building: null, 'building:part': 'yes', 'fit:part': k + 1 };
      if (p.roof && p.minHeight) values.min_height = round(p.minHeight, 3);
      yield { polygons: [p.footprint], values };
    }
  }
}

/**
 * A building's roof planes as building parts: the surface split into planes ({@link segmentPlanes});
 * sloped planes that meet without a step (ridges, hips, valleys) grouped, and a group fitted as one part
 * with one roof shape where one explains it (a wing's gabled or hipped roof: the editable answer);
 * every other plane a part of its own, fitted as the roof it is (flat, or a skillion facing the plane's
 * aspect). Part polygons are the planes' cells cut to the footprint. Empty when there is one plane (or
 * fewer than two parts could be fitted).
 */
function planeParts(fp: Footprint, samples: RoofSamples, seg: { labels: Int32Array; planes: RoofPlane[] }, frame: FrameInfo, roofOptions: Partial<InferRoofOptions> & { shapes: readonly string[] }): InferredPart[] {
  const P = seg.planes.length;
  if (P < 2) return [];
  const tol = PLANE_DEFAULTS.tolerance;
  const sloped = (l: number) => seg.planes[l].slope >= PLANE_DEFAULTS.flatSlope;
  const parent = Array.from({ length: P }, (_, k) => k);
  const find = (k: number): number => (parent[k] === k ? k : (parent[k] = find(parent[k])));
  const joined = joinedPlanes(samples, seg.labels, seg.planes, tol);
  for (const [p, q] of joined) if (sloped(p) && sloped(q)) parent[Math.max(find(p), find(q))] = Math.min(find(p), find(q));
  const members = new Map<number, number[]>();
  for (let l = 0; l < P; l++) if (sloped(l)) members.set(find(l), [...(members.get(find(l)) ?? []), l]);
  const groups = [...members.values()].filter((m) => m.length >= 2);
  const parts: InferredPart[] = [];
  const done = new Uint8Array(P);
  const fit = (piece: Footprint, own: RoofSamples, shapes: readonly string[], directionHint: number | null = null) => inferRoof(piece, samplesInside(own, piece), { ...roofOptions, shapes, minSamples: 4, directionHint });
  if (groups.length) {
    const groupOf = new Int32Array(P).fill(-1);
    groups.forEach((m, g) => m.forEach((l) => (groupOf[l] = g)));
    const labels = smoothLabels(seg.labels.map((l) => (l < 0 ? -1 : groupOf[l])), samples.w, samples.h);
    const polygons = levelPolygons(fp, samples, labels, groups.length, frame, PART_MIN_AREA);
    const shapes = roofOptions.shapes.filter((s) => s !== 'flat' && s !== 'skillion');
    groups.forEach((m, g) => {
      if (polygons[g].length !== 1) return;
      const own = planeSamples(samples, seg.labels, seg.planes, (l) => groupOf[l] === g, tol);
      // the ridge search starts across the planes' own aspect (their area-weighted axis)
      let C = 0, S = 0;
      for (const l of m) {
        const t = (2 * seg.planes[l].aspect * Math.PI) / 180;
        C += seg.planes[l].area * Math.cos(t);
        S += seg.planes[l].area * Math.sin(t);
      }
      const hint = (((Math.atan2(S, C) * 90) / Math.PI) + 180) % 180;
      const r = fit(polygons[g][0], own, shapes, hint);
      if (!('shape' in r) || r.explained < GROUP_EXPLAINS) return;
      parts.push({ footprint: polygons[g][0], roof: r, status: 'fitted' });
      for (const l of m) done[l] = 1;
    });
  }
  // what no one shape explains as a whole: its ridges (two joined planes of like slope facing opposite
  // ways) as gabled wings, the largest first
  const ridges: [number, number][] = [];
  const paired = new Uint8Array(P);
  const area = ([p, q]: [number, number]) => seg.planes[p].area + seg.planes[q].area;
  for (const [p, q] of joined.filter(([p, q]) => isRidge(seg.planes[p], seg.planes[q])).sort((a, b) => area(b) - area(a) || a[0] - b[0] || a[1] - b[1])) {
    if (done[p] || done[q] || paired[p] || paired[q]) continue;
    paired[p] = paired[q] = 1;
    ridges.push([p, q]);
  }
  // (shapes-did-not-limit-parts: parts take only the shapes asked for — no ridge as a gabled part, no plane
  // as a skillion or flat part, where --shapes leaves them out)
  const allowed = new Set(roofOptions.shapes);
  if (ridges.length && allowed.has('gabled')) {
    const ridgeOf = new Int32Array(P).fill(-1);
    ridges.forEach(([p, q], g) => (ridgeOf[p] = ridgeOf[q] = g));
    const polygons = levelPolygons(fp, samples, smoothLabels(seg.labels.map((l) => (l < 0 ? -1 : ridgeOf[l])), samples.w, samples.h), ridges.length, frame, PART_MIN_AREA);
    ridges.forEach(([p, q], g) => {
      if (polygons[g].length !== 1) return;
      const own = planeSamples(samples, seg.labels, seg.planes, (l) => l === p || l === q, tol);
      const r = fit(polygons[g][0], own, ['gabled'], seg.planes[p].aspect % 180);
      if (!('shape' in r) || r.explained < GROUP_EXPLAINS) return;
      parts.push({ footprint: polygons[g][0], roof: r, status: 'fitted' });
      done[p] = done[q] = 1;
    });
  }
  const labels = smoothLabels(seg.labels, samples.w, samples.h).map((l) => (l < 0 || done[l] ? -1 : l));
  levelPolygons(fp, samples, labels, P, frame, PART_MIN_AREA).forEach((pieces, l) => {
    if (done[l]) return;
    const own = planeSamples(samples, seg.labels, seg.planes, (k) => k === l, tol);
    for (const piece of pieces) {
      const shape = sloped(l) ? 'skillion' : 'flat';
      if (!allowed.has(shape)) continue;
      const r = fit(piece, own, [shape]);
      parts.push('shape' in r ? { footprint: piece, roof: r, status: 'fitted' } : { footprint: piece, roof: null, status: r.reason });
    }
  });
  return parts.filter((p) => p.roof).length >= 2 ? parts.filter((p) => p.roof) : [];
}

/**
 * The height `build` gives each sample of a building from its fitted parts: the highest part over the
 * cell's centre, 0 where none stands.
 */
function builtHeights(samples: RoofSamples, parts: readonly InferredPart[]): Float64Array {
  const out = new Float64Array(samples.z.length);
  for (const p of parts) {
    const r = p.roof;
    if (!r) continue;
    const u = r.shape === 'flat' ? null : unitRoof(p.footprint, r.shape, { direction: r.direction, orientation: r.orientation });
    const unit = u ? modelField(u.model, samples) : null;
    forEachCellInside(p.footprint, samples.x0, samples.y0, samples.cell, samples.w, samples.h, (i, j) => {
      const k = samples.index[j * samples.w + i];
      if (k < 0) return;
      const z = unit ? r.eave + unit[k] * r.roofHeight : r.height;
      if (z > out[k]) out[k] = z;
    });
  }
  return out;
}

/**
 * Parts standing clearly above a building's fitted roof (see {@link risingRegions}): each region's cells
 * as a polygon, fitted with every shape on its own samples, kept when one explains at least
 * {@link RISING_EXPLAINS} of them (a tree does not). A part starts on the roof beneath it (`min_height`).
 */
function risingParts(fp: Footprint, samples: RoofSamples, base: readonly InferredPart[], frame: FrameInfo, roofOptions: Partial<InferRoofOptions> & { shapes: readonly string[] }): InferredPart[] {
  const heights = builtHeights(samples, base);
  const { labels, count } = risingRegions(samples, heights);
  if (!count) return [];
  const polygons = levelPolygons(fp, samples, labels, count, frame, PART_MIN_AREA);
  const out: InferredPart[] = [];
  for (let g = 0; g < count; g++) {
    const own = regionSamples(samples, labels, g);
    if (polygons[g].length !== 1) continue;
    const r = inferRoof(polygons[g][0], samplesInside(own, polygons[g][0]), roofOptions);
    if (!('shape' in r) || r.explained < RISING_EXPLAINS) continue;
    let under = Infinity;
    for (let c = 0; c < labels.length; c++) if (labels[c] === g && samples.index[c] >= 0) under = Math.min(under, heights[samples.index[c]]);
    out.push({ footprint: polygons[g][0], roof: r, status: 'fitted', minHeight: Math.max(0, Math.min(under, r.eave)) });
  }
  return out;
}

/**
 * One polygon's roof as building parts: its roof planes where they explain clearly more than its one
 * roof `r` ({@link planeParts}), else the one roof split where the surface lies clearly below it
 * ({@link sunkenParts}); then what stands clearly above either ({@link risingParts}). `parts` is empty
 * where the one roof stands alone; `lower` and `rising` count the parts of each kind.
 */
function polygonParts(fp: Footprint, samples: RoofSamples, r: InferredRoof | InferSkip, frame: FrameInfo, roofOptions: Partial<InferRoofOptions> & { shapes: readonly string[] }): { parts: InferredPart[]; lower: number; rising: number } {
  const seg = segmentPlanes(samples);
  const single = 'shape' in r ? r.explained : 0;
  const planes = seg.planes.length >= 2 ? planesExplain(samples, seg.labels, seg.planes, INFER_ROOF_DEFAULTS.explainTolerance) : 0;
  let parts: InferredPart[] = [];
  // parts where the planes explain clearly more; where the single shape has the planes' topology
  // (the same aspects: a gable is a gable), only where they explain much more
  if (planes > single + PARTS_GAIN && !(planes <= single + SAME_TOPOLOGY_GAIN && 'shape' in r && roofTopology(roofPlanesOf(fp, r)) === roofTopology(seg.planes)))
    parts = planeParts(fp, samples, seg, frame, roofOptions);
  // a single roof drawn over a lower wing: the wing a part of its own, the roof fitted again on the rest
  const lower = parts.length < 2 && 'shape' in r ? sunkenParts(fp, samples, r, frame, roofOptions) : [];
  if (lower.length) parts = lower;
  const base: InferredPart[] = parts.length >= 2 ? parts : 'shape' in r ? [{ footprint: fp, roof: r, status: 'fitted' }] : [];
  // what stands clearly above the roof (a tower, a spire, a storey the planes left out) as parts of its own
  const rising = base.length ? risingParts(fp, samples, base, frame, roofOptions) : [];
  return { parts: parts.length >= 2 || rising.length ? [...base, ...rising] : [], lower: lower.length ? lower.length - 1 : 0, rising: rising.length };
}

/** Least area (m²) of a piece of the footprint no part covers that is fitted as a part of its own; a smaller one joins its neighbour. */
const FILL_FIT_AREA = 2;

/** Least width (2 × area / perimeter), in cells, of an uncovered piece fitted as a part of its own. */
const FILL_WIDTH_CELLS = 1.5;

/** Least area (m²) of an uncovered piece looked at (smaller: the dust of polygon arithmetic). */
const FILL_MIN_AREA = 0.01;

/**
 * A building's parts made to cover its footprint ({@link uncoveredPieces}: `build` draws the parts, not the
 * outline, so what none covers is a hole in the building): a piece of at least {@link FILL_FIT_AREA} m² is
 * fitted (flat or skillion, as `--shapes` allows) on its own cells and kept as a part where the fit explains
 * at least {@link RISING_EXPLAINS} of them; any other piece joins the part it shares the longest edge with
 * (a strip along the outline, a seam between two parts).
 */
function fillUncovered(fp: Footprint, samples: RoofSamples, parts: readonly InferredPart[], frame: FrameInfo, roofOptions: Partial<InferRoofOptions> & { shapes: readonly string[] }): InferredPart[] {
  const out = parts.slice();
  const shapes = roofOptions.shapes.filter((s) => s === 'flat' || s === 'skillion');
  // the heights the parts span: a piece fitted outside them is a wall's drop or the ground seen at an edge
  let lowest = Infinity, highest = -Infinity;
  for (const p of parts) if (p.roof) (lowest = Math.min(lowest, p.roof.eave)), (highest = Math.max(highest, p.roof.height));
  // (a part standing on another — a tower — takes no piece: the piece would float at its base)
  const joins = new Map<number, Footprint[]>();
  for (const { piece, neighbour } of uncoveredPieces(fp, parts.map((p) => p.footprint), frame, FILL_MIN_AREA, (k) => !parts[k].minHeight)) {
    // (a strip a cell or less wide — along the outline, a seam between parts — holds the walls' drops: joined)
    const area = areaOf(piece);
    if (shapes.length && area >= FILL_FIT_AREA && (2 * area) / perimeterOf(piece) >= FILL_WIDTH_CELLS * samples.cell) {
      const r = inferRoof(piece, samplesInside(samples, piece), { ...roofOptions, shapes, minSamples: 4 });
      if ('shape' in r && r.explained >= RISING_EXPLAINS && r.eave >= lowest - OVERSHOOT && r.height <= highest + OVERSHOOT) {
        const part = plausiblePart({ footprint: piece, roof: r, status: 'fitted' }, samples, roofOptions, frame);
        if (part.roof && sameFootprint(part.footprint, piece)) {
          out.push(part);
          continue;
        }
      }
    }
    if (neighbour >= 0) joins.set(neighbour, [...(joins.get(neighbour) ?? []), piece]);
  }
  // each part grown by its pieces at once; where that makes no valid polygon, by each piece that does, in turn
  for (const [k, pieces] of joins) {
    const all = joinedFootprint(out[k].footprint, pieces, frame);
    if (all) out[k] = { ...out[k], footprint: all };
    else
      for (const piece of pieces) {
        const one = joinedFootprint(out[k].footprint, [piece], frame);
        if (one) out[k] = { ...out[k], footprint: one };
      }
  }
  // (angle-disagreed-with-height: a part grown by a piece keeps its roof:height, which build follows, over a longer
  // run; its roof:angle is that height's over the new run, or the two disagree in the file and build says so)
  return out.map((p, k) => {
    const r = p.roof;
    if (k >= parts.length || p.footprint === parts[k].footprint || !r || r.angle === null || r.shape === 'flat' || !(r.roofHeight > 0)) return p;
    const run = unitRoof(p.footprint, r.shape, { direction: r.direction, orientation: r.orientation })?.run;
    return run && run > 0 ? { ...p, roof: { ...r, angle: (Math.atan(r.roofHeight / run) * 180) / Math.PI } } : p;
  });
}

/**
 * A building's one fitted roof split where the surface lies clearly below it (see {@link sunkenRegions}):
 * a lower wing, an annex's or a porch's roof the one roof was drawn over. Each region's cells become a
 * polygon fitted with every shape on its own samples, kept when one explains at least
 * {@link RISING_EXPLAINS} of them; a region one shape explains less than {@link SUNKEN_EXPLAINS} of (two
 * levels side by side) is split the same way in turn, `depth` times. The rest of the footprint is fitted
 * again on its own. The parts, the rest first, or none when no region was kept or the rest is not one
 * polygon.
 */
function sunkenParts(fp: Footprint, samples: RoofSamples, r: InferredRoof, frame: FrameInfo, roofOptions: Partial<InferRoofOptions> & { shapes: readonly string[] }, depth = 1): InferredPart[] {
  const heights = builtHeights(samples, [{ footprint: fp, roof: r, status: 'fitted' }]);
  const minCells = Math.ceil(SUNKEN_AREA / (samples.cell * samples.cell));
  const { labels, count } = sunkenRegions(samples, heights, { minCells, minInterior: Math.ceil(minCells / 4) });
  if (!count) return [];
  const fitRegion = (poly: Footprint, own: RoofSamples) => inferRoof(poly, own, { ...roofOptions, minSamples: 4 });
  // the parts of one labelling: each region's, then the rest (every other cell of the window, cut to the
  // outline); with the regions' first fits
  const partition = (labels: Int32Array) => {
    const polygons = levelPolygons(fp, samples, labels.map((l) => (l >= 0 ? l : count)), count + 1, frame, PART_MIN_AREA);
    const rest = polygons[count];
    const fits: (InferredRoof | null)[] = [];
    const lower: InferredPart[] = [];
    for (let g = 0; g < count; g++) {
      fits.push(null);
      if (polygons[g].length !== 1) continue;
      const own = samplesInside(regionSamples(samples, labels, g), polygons[g][0]);
      if (own.z.length < minCells) continue;
      const q = fitRegion(polygons[g][0], own);
      if (!('shape' in q)) continue;
      fits[g] = q;
      const split = q.explained < SUNKEN_EXPLAINS && depth > 0 ? sunkenParts(polygons[g][0], own, q, frame, roofOptions, depth - 1) : [];
      if (split.length) lower.push(...split);
      // (a region at ground level is a yard or a light well, no part: the one roof stays)
      else if (q.explained >= RISING_EXPLAINS && q.height > LOWEST_PART) lower.push({ footprint: polygons[g][0], roof: q, status: 'fitted' });
    }
    if (!lower.length || rest.length !== 1) return { parts: [] as InferredPart[], polygons, fits };
    // the rest keeps the one roof's shape unless another explains clearly more of it (a cell more or less
    // in the rest must not turn a close call between shapes)
    const restSamples = samplesInside(samples, rest[0]);
    const same = inferRoof(rest[0], restSamples, { ...roofOptions, shapes: [r.shape] });
    const free = inferRoof(rest[0], restSamples, roofOptions);
    const main = 'shape' in same && !('shape' in free && free.explained > same.explained + REST_GAIN) ? same : free;
    return { parts: 'shape' in main ? [{ footprint: rest[0], roof: main, status: 'fitted' as const }, ...lower] : [], polygons, fits };
  };
  const first = partition(labels);
  // or the regions without their cells standing clearly above their own fitted roofs: the one roof's
  // slope where its shape was not the data's (a hip end under the gable it drew), given back to the rest;
  // the trimmed labelling is kept where its parts explain clearly more of the surface
  const trimmed = labels.slice();
  let changed = false;
  first.fits.forEach((q, g) => {
    if (!q) return;
    const built = builtHeights(samples, [{ footprint: first.polygons[g][0], roof: q, status: 'fitted' }]);
    for (let c = 0; c < trimmed.length; c++) {
      const k = samples.index[c];
      if (trimmed[c] === g && k >= 0 && samples.z[k] - built[k] > SUNKEN_TRIM) (trimmed[c] = -1), (changed = true);
    }
  });
  if (!changed) return first.parts;
  const second = partition(trimmed);
  return explainedBy(samples, second.parts) > explainedBy(samples, first.parts) + TRIM_GAIN ? second.parts : first.parts;
}

/** The share of a building's samples its parts' built surface explains (within the explain tolerance); 0 without parts. */
function explainedBy(samples: RoofSamples, parts: readonly InferredPart[]): number {
  if (!parts.length || !samples.z.length) return 0;
  const built = builtHeights(samples, parts);
  let n = 0;
  for (let k = 0; k < built.length; k++) if (Math.abs(samples.z[k] - built[k]) <= INFER_ROOF_DEFAULTS.explainTolerance) n++;
  return n / samples.z.length;
}

/** Least area (m²) of a region lying below a building's one roof to become a part of its own (see {@link sunkenParts}): the least roof plane's ({@link PLANE_DEFAULTS}). */
const SUNKEN_AREA = PLANE_DEFAULTS.minArea;

/** How far (m) a lower region's cell may stand above the region's own fitted roof and stay in it (see {@link sunkenParts}). */
const SUNKEN_TRIM = 0.5;

/** How much more of a building's samples the trimmed regions' parts must explain to be kept (see {@link sunkenParts}). */
const TRIM_GAIN = 0.02;

/** How much more of the rest's samples another shape must explain than the one roof's shape to replace it (see {@link sunkenParts}). */
const REST_GAIN = 0.05;

/** Share of a lower region's samples one shape must explain for the region to be one part; below it, it is split again (two levels side by side; see {@link sunkenParts}). */
const SUNKEN_EXPLAINS = 0.8;

/**
 * A part whose roof reaches clearly above every sample under it (or whose eaves sink below its base) is
 * an extrapolation, not the data: a fit on a few cells, or a plane's slope carried across a polygon the
 * plane covers only part of. It is fitted again on all the samples under it as flat or skillion, and as
 * flat if that too overshoots. Other parts are returned as they are.
 */
function plausiblePart(p: InferredPart, samples: RoofSamples, roofOptions: Partial<InferRoofOptions>, frame: FrameInfo): InferredPart {
  const r = p.roof;
  if (!r) return p;
  const base = p.minHeight ?? 0;
  // a part nothing stands on (a patch of ground, a yard inside the outline) is no part
  if (r.height <= base + LOWEST_PART) return { ...p, roof: null, status: 'no-fit' };
  const under = samplesInside(samples, p.footprint);
  let top = -Infinity;
  for (let k = 0; k < under.z.length; k++) top = Math.max(top, under.z[k]);
  // a steep roof's top lies up to about a cell's run above the nearest cell centre (60° at most: a
  // near-vertical "roof" on a few cells is a wall's edge, and its run no excuse)
  const rise = (q: InferredRoof) => (q.angle === null ? 0 : Math.tan((Math.min(q.angle, 60) * Math.PI) / 180) * samples.cell);
  // (part-at-86-degrees: a plane of a few cells along a wall's edge fitted as a near-vertical skillion;
  // a spire's cone or pyramid may be that steep)
  const wall = (q: InferredRoof) => q.shape === 'skillion' && q.angle !== null && q.angle > STEEPEST_SKILLION;
  // (terraces-fitted-as-a-steep-skillion: landings of a stepped roof, each too narrow for a level of its
  // own, fitted on average as one 60–70° plane; the data's heights hold still between the steps)
  const terraced = (q: InferredRoof) => q.shape === 'skillion' && q.angle !== null && q.direction !== null && q.angle >= TERRACE_MIN_ANGLE && terracedShare(under, q.direction, q.angle) >= TERRACED_SHARE;
  const ok = (q: InferredRoof) => q.height <= top + OVERSHOOT + rise(q) && q.eave >= base - OVERSHOOT && !wall(q) && !terraced(q);
  if (!Number.isFinite(top) || ok(r)) return { ...p, roof: eavesOnBase(r, base) };
  // a skillion keeps its plane and gives up the polygon's uphill end the data does not reach
  if (r.shape === 'skillion' && r.direction !== null && r.roofHeight > 0 && r.eave >= base - OVERSHOOT && !wall(r) && !terraced(r)) {
    const dir = compass(r.direction);
    const [lo, hi] = projectionRange(p.footprint, dir);
    const slope = r.roofHeight / (hi - lo);
    const pieces = clipFootprint(p.footprint, dir, hi - (top + rise(r) / 2 - r.eave) / slope, frame, PART_MIN_AREA).sort((a, b) => areaOf(b) - areaOf(a));
    if (pieces.length) {
      const [lo2] = projectionRange(pieces[0], dir);
      const roofHeight = slope * (hi - lo2);
      return { ...p, footprint: pieces[0], roof: eavesOnBase({ ...r, roofHeight, height: r.eave + roofHeight }, base) };
    }
  }
  for (const shapes of [['flat', 'skillion'], ['flat']].map((list) => list.filter((x) => roofOptions.shapes?.includes(x) ?? true)).filter((list) => list.length)) {
    const q = inferRoof(p.footprint, under, { ...roofOptions, shapes, minSamples: 4 });
    if ('shape' in q && ok(q) && q.height > base + LOWEST_PART) return { ...p, roof: eavesOnBase(q, base) };
  }
  return { ...p, roof: null, status: 'no-fit' };
}

/**
 * A roof whose eaves lie below its part's base (the data's roof reaches under the ground, or under the
 * roof a tower stands on) as S3DB can say it: the eaves on the base, the top kept, the pitch eased to
 * match (`roof:height` never above `height`).
 */
function eavesOnBase(r: InferredRoof, base: number): InferredRoof {
  if (r.shape === 'flat' || r.eave >= base || r.roofHeight <= 0) return r;
  const roofHeight = r.height - base;
  const angle = r.angle === null ? null : (Math.atan((Math.tan((r.angle * Math.PI) / 180) * roofHeight) / r.roofHeight) * 180) / Math.PI;
  return { ...r, eave: base, roofHeight, angle };
}

/** Steepest skillion (degrees) a part may have: steeper is a wall's edge, not a roof (real ones reach 65–70°). */
const STEEPEST_SKILLION = 75;

/** Least pitch (degrees) of a skillion tested for terraces: below it a plane's drop per cell is within the DSM's noise. */
const TERRACE_MIN_ANGLE = 45;

/** Share of its one-cell pairs downhill that hold still (see {@link terracedShare}) from which a steep skillion is a staircase of landings. */
const TERRACED_SHARE = 0.5;

/** Lowest a part may stand above its base (m): below it, it is ground. */
const LOWEST_PART = 0.5;

/** How far (m) a part's fitted top may reach above the highest sample under it (plus a cell's rise at its pitch), or its eaves below its base. */
const OVERSHOOT = 1;

/** Least share of a rising region's samples its fitted shape must explain to become a part (a tree's crown does not fit). */
const RISING_EXPLAINS = 0.5;

/**
 * The roof shape covering most of a building's parts' area (ties: the first such part's), or null
 * without fitted parts. Written on the outline of a building inferred as parts, as S3DB asks the
 * outline to carry the overall roof shape for maps and renderers that draw no parts. Skillion parts
 * facing opposite ways (within {@link RIDGE_ASPECT}°) and sloping away from one another
 * ({@link facesAway}: not a valley) at a like pitch (within {@link RIDGE_SLOPE}°), or
 * meeting at one ridge at any pitches ({@link ridgeMeets}), count as gabled: the two sides of a ridge,
 * though written as two parts (a gable whose sides differ in reach or pitch, a building of parallel wings); a skillion counts so when what faces it is at least
 * {@link OPPOSITE_SHARE} of its area.
 */
export function dominantShape(parts: readonly InferredPart[]): string | null {
  const byShape = new Map<string, number>();
  const skillions = parts.filter((p) => p.roof?.shape === 'skillion' && p.roof.direction !== null && p.roof.angle !== null).map((p) => ({ roof: p.roof!, area: areaOf(p.footprint), box: extentOf(p.footprint.coords) }));
  for (const p of parts) {
    if (!p.roof) continue;
    const a = areaOf(p.footprint);
    let shape = p.roof.shape;
    if (shape === 'skillion' && p.roof.direction !== null && p.roof.angle !== null) {
      const r = p.roof;
      const me = skillions.find((q) => q.roof === r)!;
      const facing = skillions.filter((q) => q.roof !== r && opposite(q.roof.direction!, r.direction!) && facesAway(me, q) && (Math.abs(q.roof.angle! - r.angle!) <= RIDGE_SLOPE || ridgeMeets(me, q))).reduce((s, q) => s + q.area, 0);
      if (facing >= OPPOSITE_SHARE * a) shape = 'gabled';
    }
    byShape.set(shape, (byShape.get(shape) ?? 0) + a);
  }
  let best: string | null = null, bestArea = -1;
  for (const [shape, a] of byShape) if (a > bestArea) [best, bestArea] = [shape, a];
  return best;
}

/**
 * Whether two skillion parts (facing opposite ways) meet at one ridge, whatever their pitches: their
 * tops within {@link RIDGE_TOP} m of one another and their footprints side by side (boxes within
 * {@link RIDGE_GAP} m). An asymmetric gable (a 46° and an 18° side under one ridge) is a gable; a lean-to
 * against a wall below the other roof's top is not.
 */
function ridgeMeets(a: { roof: InferredRoof; box: Extent }, b: { roof: InferredRoof; box: Extent }): boolean {
  if (!facesAway(a, b)) return false;
  const apart = Math.max(a.box.minX - b.box.maxX, b.box.minX - a.box.maxX, a.box.minY - b.box.maxY, b.box.minY - a.box.maxY);
  return Math.abs(a.roof.height - b.roof.height) <= RIDGE_TOP && apart <= RIDGE_GAP;
}
const RIDGE_TOP = 0.5;

/**
 * Whether skillion part `a` lies on the side its slope faces, from `b`: the two sides of a ridge
 * slope away from one another; two skillions sloping towards one another meet in a valley (a
 * butterfly roof, two lean-tos over a courtyard), which is no gable.
 */
function facesAway(a: { roof: InferredRoof; box: Extent }, b: { roof: InferredRoof; box: Extent }): boolean {
  const d = (a.roof.direction! * Math.PI) / 180;
  const dx = (a.box.minX + a.box.maxX - b.box.minX - b.box.maxX) / 2, dy = (a.box.minY + a.box.maxY - b.box.minY - b.box.maxY) / 2;
  return dx * Math.sin(d) + dy * Math.cos(d) > 0;
}
const RIDGE_GAP = 1;

/** Whether two bearings face opposite ways within {@link RIDGE_ASPECT}°. */
const opposite = (a: number, b: number): boolean => 180 - Math.abs((((a - b) % 360) + 540) % 360 - 180) <= RIDGE_ASPECT;

/** Least share of a skillion part's area that opposite-facing skillions must have for it to count as a gable's side. */
const OPPOSITE_SHARE = 0.25;

/** Two roof planes of like slope (within {@link RIDGE_SLOPE}°) facing opposite ways (within {@link RIDGE_ASPECT}°): the two sides of a ridge. */
function isRidge(a: RoofPlane, b: RoofPlane): boolean {
  const d = 180 - Math.abs((((a.aspect - b.aspect) % 360) + 540) % 360 - 180);
  return a.slope >= PLANE_DEFAULTS.flatSlope && b.slope >= PLANE_DEFAULTS.flatSlope && d <= RIDGE_ASPECT && Math.abs(a.slope - b.slope) <= RIDGE_SLOPE;
}
const RIDGE_ASPECT = 20;
const RIDGE_SLOPE = 10;

/** Least share of a group of joined planes' samples one roof shape must explain to stand for the group. */
const GROUP_EXPLAINS = 0.85;

/** Least area (m²) of a building part made from a roof plane. */
const PART_MIN_AREA = 1;

/**
 * How much more of the surface (share of samples within the explain tolerance) a building's planes must
 * explain than its best single roof shape for the building to be written as parts: a single shape is
 * the more editable answer and is kept while it explains nearly as much.
 */
const PARTS_GAIN = 0.1;

/** The same when the single shape's planes face the ways the data's planes do (see {@link roofTopology}). */
const SAME_TOPOLOGY_GAIN = 0.25;

/** The planes of the roof `build` makes for a fitted roof on a footprint. */
function roofPlanesOf(fp: Footprint, r: InferredRoof): PlaneSummary[] {
  const u = r.shape === 'flat' ? null : unitRoof(fp, r.shape, { direction: r.direction, orientation: r.orientation });
  return u ? modelPlanes(u.model, r.roofHeight) : [{ area: areaOf(fp), slope: 0, aspect: NaN }];
}

/** Whether two footprints are the same rings (a feature's polygon compared with the one picked from it). */
function sameFootprint(a: Footprint, b: Footprint): boolean {
  if (a.coords.length !== b.coords.length || a.ringStarts.length !== b.ringStarts.length) return false;
  for (let k = 0; k < a.coords.length; k++) if (a.coords[k] !== b.coords[k]) return false;
  return true;
}

/** The largest polygon of a feature (the one its roof is fitted on). */
function mainPolygon(polygons: readonly Footprint[]): Footprint | null {
  let best: Footprint | null = null, bestArea = 0;
  for (const fp of polygons) {
    const c = fp.coords;
    let a = 0;
    for (let i = 0, n = fp.ringStarts[1], j = n - 1; i < n; j = i++) a += c[2 * j] * c[2 * i + 1] - c[2 * i] * c[2 * j + 1];
    if (Math.abs(a) > bestArea) [best, bestArea] = [fp, Math.abs(a)];
  }
  return best;
}

/** What fitting one building needs beside its polygons (the same in every thread). */
export interface FitContext {
  frame: FrameInfo;
  dsm: RasterGrid;
  dtm: RasterGrid | null;
  roofOptions: Partial<InferRoofOptions> & { shapes: readonly string[] };
  parts: boolean;
}

/** A warning a fit raised: its kind and what it says (counted in the run's summary in the buildings' order). */
export type FitWarning = [kind: string, detail: string];

/** One building's fit and the warnings it raised. */
export interface FitResult {
  building: InferredBuilding;
  warnings: FitWarning[];
}

/** A feature's polygons copied out of the batch (a thread is sent these, not the batch's buffer). */
export function ownPolygons(batch: FeatureBatch, f: number): Footprint[] {
  return featurePolygons(batch, f).map((p) => ({ coords: p.coords.slice(), ringStarts: p.ringStarts.slice() }));
}

/**
 * Fit one building (`polygons`: its feature's polygons, the largest fitted as its outline; `name`
 * for its warnings): its roof, or its planes, levels and other polygons as parts, or why neither.
 */
export function fitBuilding(polygons: readonly Footprint[], name: string, ctx: FitContext): FitResult {
  const warnings: FitWarning[] = [];
  const warn = (kind: string, detail: string) => warnings.push([kind, detail]);
  const { dsm, dtm, roofOptions, frame } = ctx;
  const fp = mainPolygon(polygons);
  let g = fp ? groundOf(fp, dsm, dtm) : { ground: NaN, estimated: false };
  // (dtm-gap-said-no-ground: where the DTM has no data under a building, its ground is estimated from the
  // DSM around it, as without --dtm)
  if (fp && dtm && !Number.isFinite(g.ground)) g = groundOf(fp, dsm, null);
  let b: InferredBuilding;
  const inside = fp && !Number.isFinite(g.ground) ? sampleFootprint(fp, dsm, 0) : null;
  if (inside && inside.cells === 0) {
    // tiny-footprint-said-no-data: a footprint holding no cell's centre (smaller or thinner than a cell)
    // over a DSM with data was "no-data"
    b = { roof: null, parts: [], status: 'too-few-samples', ground: NaN, groundEstimated: false, samples: 0, coverage: 0 };
    warn('infer:too-few-samples', `${name}: no cell centre of the DSM's ${dsm.cell.toFixed(2)} m grid lies inside it (it is smaller or thinner than a cell)`);
  } else if (inside && inside.z.length === 0) {
    // no-data-said-no-ground: outside the surface model (or on its nodata), whatever the ground
    b = { roof: null, parts: [], status: 'no-data', ground: NaN, groundEstimated: false, samples: 0, coverage: 0 };
    warn('infer:no-data', `${name}: none of its ${inside.cells} cells has data`);
  } else if (!fp || !Number.isFinite(g.ground)) {
    b = { roof: null, parts: [], status: 'no-ground', ground: NaN, groundEstimated: false };
    warn('infer:no-ground', `${name}: neither model has data around it`);
  } else {
    if (g.estimated) warn('infer:ground-estimated', `${name}: ground ${g.ground.toFixed(2)} m from the DSM around it${dtm ? ' (the DTM has no data under it)' : ''}`);
    const samples = sampleFootprint(fp, dsm, g.ground);
    let r = inferRoof(fp, samples, roofOptions);
    // (min-samples-not-honoured: a roof explaining fewer cells than asked for — 6 of a coarse DSM's 14 —
    // was written as fitted, its fit:samples under --min-samples; parts, towers and spires among a
    // building's cells are held to their own, lower, bar)
    const least = roofOptions.minSamples ?? INFER_ROOF_DEFAULTS.minSamples;
    if ('shape' in r && r.samples < least) r = { reason: 'too-few-samples', detail: `${samples.z.length} cells with data, of which the best roof (${r.shape}) explains only ${r.samples}, fewer than ${least}`, samples: r.samples, coverage: r.coverage };
    // a roof no single shape explains: its planes as building parts
    let parts: InferredPart[] = [];
    if (ctx.parts) {
      const own = polygonParts(fp, samples, r, frame, roofOptions);
      if (own.lower) warn('infer:lower-parts', `${name}: ${own.lower} part(s) lying clearly below its one roof (lower wings, annexes)`);
      if (own.rising) warn('infer:rising-parts', `${name}: ${own.rising} part(s) standing above the roof (towers, spires)`);
      // the feature's other polygons (a multipolygon's detached wings), each fitted as the main one is:
      // one roof, or its planes, lower wings and what stands above as parts
      // (raised-wing-flattened: a detached wing was fitted with one roof alone, and a block standing 6 m
      // above a third of it came out at the lower height, its fit saying nothing of the cells it left out)
      const others: InferredPart[] = [];
      let wings = 0;
      for (const q of polygons) {
        if (sameFootprint(q, fp) || areaOf(q) < PART_MIN_AREA) continue;
        const sq = sampleFootprint(q, dsm, g.ground);
        const rq = inferRoof(q, sq, roofOptions);
        const sub = polygonParts(q, sq, rq, frame, roofOptions);
        const kept = (sub.parts.length ? sub.parts : 'shape' in rq ? [{ footprint: q, roof: rq, status: 'fitted' as const }] : []).map((p) => plausiblePart(p, sq, roofOptions, frame)).filter((p) => p.roof);
        const mine = kept.length ? fillUncovered(q, sq, kept, frame, roofOptions) : kept;
        if (mine.length) wings++;
        others.push(...mine);
      }
      if (wings) warn('infer:polygons-as-parts', `${name}: ${wings + 1} polygons, each fitted as building parts`);
      const base: InferredPart[] = own.parts.length ? own.parts : 'shape' in r ? [{ footprint: fp, roof: r, status: 'fitted' }] : [];
      if (own.parts.length || others.length) {
        const kept = base.map((p) => plausiblePart(p, samples, roofOptions, frame)).filter((p) => p.roof);
        parts = [...(kept.length ? fillUncovered(fp, samples, kept, frame, roofOptions) : kept), ...others];
      }
    }
    if (parts.length >= 2) {
      b = { roof: null, parts, status: 'parts', ground: g.ground, groundEstimated: g.estimated };
      warn('infer:planes-as-parts', `${name}: ${parts.length} roof planes, written as building parts`);
    } else if ('shape' in r && r.height < LOWEST_PART) {
      // dsm-below-dtm: a roof under its own ground is no building (the surface model lies below the
      // terrain model here: --dsm and --dtm swapped, or another vertical datum)
      b = { roof: null, parts: [], status: 'below-ground', ground: g.ground, groundEstimated: g.estimated };
      warn('infer:below-ground', `${name}: the DSM stands ${r.height.toFixed(2)} m from the ground under it (is --dsm the surface model and --dtm the terrain, in one vertical datum?)`);
    } else if ('shape' in r) {
      b = { roof: r, parts: [], status: 'fitted', ground: g.ground, groundEstimated: g.estimated };
      // (tower-under-one-roof-unsaid: with --no-parts a church came out a 29.8 ± 0.3 m gable under a
      // 76 m tower, in silence)
      if (!ctx.parts) {
        const built = builtHeights(samples, [{ footprint: fp, roof: r, status: 'fitted' }]);
        let above = 0, top = -Infinity;
        for (let k = 0; k < built.length; k++) if (samples.z[k] - built[k] > ABOVE_THE_ROOF) (above++, (top = Math.max(top, samples.z[k])));
        if (above >= Math.max(roofOptions.minSamples ?? INFER_ROOF_DEFAULTS.minSamples, ABOVE_SHARE * samples.z.length))
          warn('infer:stands-above-the-roof', `${name}: ${above} of its ${samples.z.length} cells (${((100 * above) / samples.z.length).toFixed(0)} %) stand over ${ABOVE_THE_ROOF} m above its fitted ${r.shape} roof, up to ${top.toFixed(1)} m above the ground (a tower, a higher wing, trees?): one roof cannot hold them (without --no-parts they may become parts); height and σ are those of the rest`);
      }
    } else {
      b = { roof: null, parts: [], status: r.reason, ground: g.ground, groundEstimated: g.estimated, samples: r.samples, coverage: r.coverage };
      warn(`infer:${r.reason}`, `${name}: ${r.detail}`);
    }
  }
  return { building: b, warnings };
}

/** A footprint larger than this (m²) is said before fitting: it takes seconds to minutes alone (the largest buildings are about 500,000 m²). */
const LARGE_FOOTPRINT = 50_000;

/**
 * Infer each building's editable parameters from a surface model: read the footprints (any input
 * `build` reads), warp the DSM (and DTM) into their frame, fit every roof shape's forward model per
 * building ({@link inferRoof}) and write the footprints with their source attributes plus the S3DB
 * tags `build` reads and the fit's figures. A building the data cannot support keeps no roof tags;
 * its reason is counted (`infer:<reason>`). Output format by the extension of `output`.
 *
 * @example
 * ```ts
 * const { bytes, summary } = await inferParams(['footprints.gpkg'], 'params.gpkg', { dsm: 'dsm.tif', dtm: 'dtm.tif' });
 * fs.writeFileSync('params.gpkg', bytes); // then: cityforge build params.gpkg -o city.glb
 * ```
 */
export async function inferParams(inputs: string[], output: string, options: Partial<InferOptions> & { dsm: string }): Promise<InferResult> {
  const o: InferOptions = { ...INFER_DEFAULTS, ...options };
  const summary = new Summary(o.logger);
  summary.meshes = false;
  o.logger = summary.logger;
  warnJobsPastCores(o.jobs, o.logger);
  const driver = vectorDriverOf(output);
  const t0 = performance.now();
  await checkRasterInputs([{ input: o.dsm, zoom: o.demZoom, option: '--dsm' }, { input: o.dtm, zoom: o.demZoom, option: '--dtm' }], o.logger);
  // answers-depended-on-the-other-buildings: the frame is anchored on the DSM, not on the footprints'
  // centre, so the DSM is warped onto the same grid (and each building fitted on the same cells) whichever
  // footprints a run holds: a city split into chunks gets the answers of the whole
  let origin = o.origin;
  if (!origin && isPlainRaster(o.dsm))
    try {
      origin = rasterCentre(o.dsm);
    } catch (e) {
      throw namingInput(e, { file: o.dsm, label: o.dsm, tiles: false }, '--dsm');
    }
  // footprints without heights are what infer is for: no warning (build's default height is not used;
  // height-missing-said-for-every-footprint: -v named each one while the summary left them out)
  const batch = await ingest(inputs, { ...ingestOptionsOf(o, o.progress), heightsWanted: false, outlineRests: false, ...(origin ? { origin } : {}), ...(origin && !o.origin ? { originOf: o.dsm } : {}) }, o.logger, summary);
  o.progress.done();
  if (batch.params.length === 0) throw noBuildings(inputs, summary);
  const t1 = performance.now();
  const extent = bufferExtent(extentOf(batch.positions), MARGIN);
  // elevation tiles (DSM or DTM) are mosaicked over the buildings first, point clouds gridded
  const surface = async (input: string, cell: number, points: 'surface' | 'ground', option: string) => {
    const r = await elevationInput(input, batch.frame, extent, { ...o, points, pointCell: cell }, o.logger, summary);
    // (z-scale-scaled-the-dtm-too: a DSM in feet over a DTM in metres had no answer)
    const zScale = option === '--dtm' ? (o.dtmZScale ?? o.zScale) : o.zScale;
    // (feet-advice-scaled-the-dtm: "give --z-scale 0.3048" for a DSM in feet scaled a DTM in metres too, in silence)
    const feetAdvice = option === '--dtm' ? (f: string) => `--dtm-z-scale ${f}` : o.dtm ? (f: string) => `--z-scale ${f} (it scales the --dtm too: with --dtm-z-scale 1 when the DTM is in metres)` : undefined;
    try {
      // (band-advice-named-a-missing-option: infer has no --terrain-band; the band is taken out first)
      const bandAdvice = `by taking it out first (gdal_translate -b <n> ${r.label ?? r.file} ${option === '--dtm' ? 'dtm' : 'dsm'}-band.tif)`;
      return readSurface(r.file, batch.frame, extent, { cell, zScale, maxSourcePixels: o.maxRasterPixels, label: r.label, feetAdvice, bandAdvice }, o.logger);
    } catch (e) {
      throw namingInput(e, r, option);
    } finally {
      r.release();
    }
  };
  const dsm = await surface(o.dsm, o.cell, 'surface', '--dsm');
  // (coarse-dsm-overconfident: a 5 m DSM gave flat 20.5 ± 0.2 m roofs for 30.8 m gables, in silence)
  // (coarse-dsm-said-of-a-1-m-dsm: a 1 m DSM is read at 1.015 m cells in a frame turned against its grid; 5 % spare)
  if (dsm.cell > COARSE_CELL * 1.05) {
    const detail = `${o.dsm}: cells of ${dsm.cell.toFixed(2)} m; a roof plane narrower than a few cells is not seen (pitched roofs come out flat or lower), and each σ is the fit's given the shape chosen, not the shape's own doubt: a DSM of ${COARSE_CELL} m cells or finer is what infer is made for`;
    o.logger.warn(`infer: ${detail}`);
    summary.warn('infer:coarse-dsm', detail);
  }
  let dtm: RasterGrid | null = null;
  if (o.dtm) {
    try {
      dtm = await surface(o.dtm, dsm.cell, 'ground', '--dtm');
    } catch (e) {
      if (!(e instanceof InputError) || !/does not overlap|all nodata/.test(e.message)) throw e;
      o.logger.warn(`${o.dtm}: no data over the buildings; the ground is estimated from the DSM`);
    }
  }
  if (dtm) warnGroundDisagrees(dsm, dtm, o, summary);
  summary.time('read rasters', (performance.now() - t1) / 1000);
  const t2 = performance.now();
  // cityjson-parts-fitted-as-buildings: a building part whose building is in the input (a CityJSON
  // BuildingPart, an OSM building:part inside its outline) is not fitted or written on its own: the
  // building's whole footprint is, and its levels become infer's own parts (they were fitted twice,
  // 199 "buildings" written for Delft's 99)
  const todo: number[] = [];
  for (let f = 0; f < batch.params.length; f++) {
    const p = batch.params[f];
    if (p.role === 'part' && p.partOf !== null) summary.skip('building-part', `${featureName(p)}: a part of building ${p.partOf}, which is fitted whole (its levels become the output's parts)`);
    else todo.push(f);
  }
  const N = todo.length;
  const ctx: FitContext = { frame: batch.frame, dsm, dtm, roofOptions: { shapes: o.shapes, minSamples: o.minSamples, minCoverage: o.minCoverage, accuracy: o.accuracy }, parts: o.parts };
  const nameOf = (f: number) => featureName(batch.params[f]);
  // (huge-footprint-fitted-in-silence: a 1.5 km square took 197 s with no log line; said before fitting starts)
  for (const f of todo) {
    const area = featurePolygons(batch, f).reduce((a, p) => a + areaOf(p), 0);
    if (area <= LARGE_FOOTPRINT) continue;
    const detail = `${nameOf(f)}: its footprint is ${Math.round(area).toLocaleString('en-US')} m² (${Math.round(area / dsm.cell ** 2).toLocaleString('en-US')} DSM cells), larger than most buildings'; fitting it alone takes about a second per 10,000 m², with no progress shown meanwhile`;
    o.logger.warn(`infer: ${detail}`);
    summary.warn('infer:large-footprint', detail);
  }
  let fits: FitResult[];
  if (o.jobs > 1 && N > 1) {
    const { fitInWorkers } = await import('./infer-pool.js');
    fits = await fitInWorkers(Math.min(o.jobs, N), ctx, N, (k) => ({ name: nameOf(todo[k]), polygons: ownPolygons(batch, todo[k]) }), (k) => featurePolygons(batch, todo[k]).reduce((a, p) => a + areaOf(p), 0), (done) => o.progress.update('fitting roofs', done, N));
  } else {
    fits = [];
    for (let k = 0; k < N; k++) {
      if (k % 64 === 0) o.progress.update('fitting roofs', k, N);
      fits.push(fitBuilding(featurePolygons(batch, todo[k]), nameOf(todo[k]), ctx));
    }
  }
  // (in the buildings' order, whichever thread fitted them: the same summary for any --jobs; one entry
  // per feature, a building's parts from the input marked as such and not written)
  const buildings: InferredBuilding[] = batch.params.map(() => ({ roof: null, parts: [], status: PART_OF_BUILDING, ground: NaN, groundEstimated: false }));
  const shapes = new Map<string, number>();
  fits.forEach(({ building, warnings }, k) => {
    for (const [kind, detail] of warnings) summary.warn(kind, detail);
    const fitted = building.parts.length >= 2 ? building.parts.map((p) => p.roof) : building.status === 'fitted' ? [building.roof] : [];
    for (const r of fitted) if (r) shapes.set(r.shape, (shapes.get(r.shape) ?? 0) + 1);
    buildings[todo[k]] = building;
  });
  o.progress.update('fitting roofs', N, N);
  o.progress.done();
  summary.time('fit', (performance.now() - t2) / 1000);
  const fitted = buildings.filter((b) => b.roof || b.parts.length).length;
  const withParts = buildings.filter((b) => b.parts.length).length;
  o.logger.info(`infer: ${fitted} of ${N} buildings fitted, ${withParts} of them as their roof planes (building parts); roof shapes of buildings and parts: ${[...shapes].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}`);
  // (bare-earth-dsm-unsaid: a bare-earth DEM given as --dsm gave "buildings" 2–6 m tall, in silence)
  const tops = buildings.map((b) => (b.parts.length ? Math.max(...b.parts.map((p) => p.roof?.height ?? -Infinity)) : b.roof ? b.roof.height : NaN)).filter(Number.isFinite).sort((a, b) => a - b);
  if (tops.length >= 5 && tops[tops.length >> 1] < LOW_CITY) {
    const detail = `${o.dsm} (--dsm): half the buildings fitted stand under ${tops[tops.length >> 1].toFixed(1)} m above the ground: is it a surface model holding the buildings (a DSM), not a bare-earth DEM?`;
    o.logger.warn(`infer: ${detail}`);
    summary.warn('infer:low-buildings', detail);
  }
  // dsm-in-centimetres-read-as-metres: an Int16 DSM in centimetres gave buildings a median 1,036 m tall, exit 0 (a
  // DTM in metres said only "2 m below"; without one nothing): half the buildings over 150 m is the unit, not the city
  if (tops.length >= 5 && tops[tops.length >> 1] > TALL_CITY)
    throw new InputError('infer', `${o.dsm} (--dsm): half the buildings fitted stand over ${tops[tops.length >> 1].toFixed(0)} m above the ground: are its heights in another unit than metres — centimetres (--z-scale 0.01), millimetres (0.001), feet (0.3048)? With a DTM in metres, give it --dtm-z-scale 1. Nothing written`);
  // dsm-dtm-swapped-said-nothing: most buildings lower than the ground under them is the rasters, not the city
  // dsm-dtm-swapped-exit-0: half of them or more is a broken pair of inputs, not a city: exit 3, nothing written
  // (their rows had no heights, and `build` drew them as default boxes)
  const below = buildings.filter((b) => b.status === 'below-ground').length;
  if (below > 0 && below >= N / 2)
    // (bare-earth-dsm-said-swapped: without a --dtm there is nothing to swap: the DSM holds no buildings)
    throw new InputError('infer', o.dtm ? `${o.dsm} (--dsm), ${o.dtm} (--dtm): ${below} of ${N} buildings stand below the ground under them: are --dsm and --dtm swapped (the DSM is the surface with the buildings, the DTM the bare ground), or in different vertical datums? Nothing written` : `${o.dsm} (--dsm), no --dtm: ${below} of ${N} buildings stand no higher than the ground around them: is --dsm a bare-earth model (a DTM, without the buildings)? The DSM is the surface with the buildings on it. Nothing written`);
  // infer-fitted-nothing-exit-0: not one building fitted (a DSM of bare ground under them, a crop beside
  // them) is the rasters, not the city: exit 3, nothing written (99 rows without heights exited 0)
  if (N > 0 && fitted === 0) {
    const why = new Map<string, number>();
    for (const b of buildings) if (b.status !== PART_OF_BUILDING) why.set(b.status, (why.get(b.status) ?? 0) + 1);
    throw new InputError('infer', `${o.dsm} (--dsm): none of the ${N} buildings could be fitted (${[...why].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}): does the DSM hold the buildings' surfaces where the footprints lie (-v names each building and why)? Nothing written`);
  }
  // the source attributes first (ours replace a source column of the same name), then ours
  const ours = new Set(INFER_COLUMNS.map((c) => c.name));
  const attrTypes = new Map<string, VectorColumn['type']>();
  // (columns-replaced-in-silence: an input's own height or building:part column gave way to infer's unsaid)
  const replaced = new Set<string>();
  for (const p of batch.params)
    for (const [k, v] of Object.entries(p.attributes)) {
      if (ours.has(k)) {
        if (v !== null && v !== undefined && v !== '') replaced.add(k);
        continue;
      }
      const t: VectorColumn['type'] = typeof v === 'number' ? 'real' : typeof v === 'boolean' ? 'integer' : 'string';
      const had = attrTypes.get(k);
      attrTypes.set(k, had === undefined || had === t ? t : 'string');
    }
  if (replaced.size) {
    const names = [...replaced].sort();
    const detail = `${inputs.join(', ')}: ${names.length > 8 ? `${names.slice(0, 8).join(', ')} and ${names.length - 8} more` : names.join(', ')} ${names.length === 1 ? 'is a column' : 'are columns'} infer writes: the input's values are replaced by infer's`;
    o.logger.info(`infer: ${detail}`);
    summary.warn('infer:columns-replaced', detail);
  }
  const columns: VectorColumn[] = [...[...attrTypes].map(([name, type]) => ({ name, type })), ...INFER_COLUMNS];
  const t3 = performance.now();
  // (infer-lost-the-credit: the sources' credit, or --attribution, goes with the parameters to `build`; a
  // GeoPackage keeps it, GeoJSON and FlatGeobuf have no place for it here)
  const credit = creditOf(o, summary);
  if (credit && driver !== 'GPKG') o.logger.info(`infer: ${output}: ${driver} keeps no credit ("${credit}"): give it to build with --attribution, or write a .gpkg`);
  const bytes = writeVector(batch.frame.proj, columns, features(batch, buildings, ours, attrTypes), driver, outputCrs(batch, driver), 'buildings', credit);
  summary.time('write', (performance.now() - t3) / 1000);
  // (counts-disagreed: the file holds the outlines and their parts' rows; the summary counts both, as build's)
  summary.partsWritten = buildings.reduce((n, b) => n + b.parts.length, 0);
  summary.buildingsWritten = N + summary.partsWritten;
  summary.bytes = bytes.byteLength;
  summary.time('total', (performance.now() - t0) / 1000);
  return { bytes, summary, batch, buildings };
}
