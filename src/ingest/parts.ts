import earcut from 'earcut';
import gdal from './gdal.js';
import { cleanPolygons } from './repair.js';
import { REPAIR_DEFAULTS } from './options.js';
import type { BuildingParams, FeatureBatch, FlatPolygons } from '../core/types.js';
import { featureContains } from '../core/contains.js';
import { extentOf } from '../core/extent.js';
import { addPartHeight, featureName, tallestPart, type TallestPart } from '../core/params.js';

/** A point inside feature f's first polygon (the centroid of its first earcut triangle), or null. */
export function insidePoint(b: FeatureBatch, f: number): [number, number] | null {
  const p = b.featureOffsets[f];
  const r0 = b.polygonOffsets[p];
  const v0 = b.ringOffsets[r0];
  const v1 = b.ringOffsets[b.polygonOffsets[p + 1]];
  const holes: number[] = [];
  for (let r = r0 + 1; r < b.polygonOffsets[p + 1]; r++) holes.push(b.ringOffsets[r] - v0);
  const coords = b.positions.subarray(2 * v0, 2 * v1);
  const t = earcut(coords as unknown as number[], holes, 2);
  if (t.length < 3) return null;
  return [(coords[2 * t[0]] + coords[2 * t[1]] + coords[2 * t[2]]) / 3, (coords[2 * t[0] + 1] + coords[2 * t[1] + 1] + coords[2 * t[2] + 1]) / 3];
}

/**
 * Match building parts to outlines: for each query point (a point inside a part), the outline with
 * the smallest bounding box that contains the point, by `contains`; ties go to the outline visited
 * first. `outlines(visit)` calls `visit(o, x0, y0, x1, y1)` for every outline, in index order. Memory
 * grows with the number of parts only (the outlines are visited once), so it also runs over an
 * on-disk store. Returns the outline per query, or -1.
 */
export function matchParts(outlines: (visit: (o: number, x0: number, y0: number, x1: number, y1: number) => void) => void, queries: ArrayLike<number>, contains: (outline: number, x: number, y: number) => boolean, cell = 50): Int32Array {
  const q = queries.length / 2;
  const best = new Int32Array(q).fill(-1);
  const bestArea = new Float64Array(q).fill(Infinity);
  if (q === 0) return best;
  const grid = new Map<string, number[]>();
  for (let k = 0; k < q; k++) {
    const key = `${Math.floor(queries[2 * k] / cell)},${Math.floor(queries[2 * k + 1] / cell)}`;
    const list = grid.get(key);
    if (list) list.push(k);
    else grid.set(key, [k]);
  }
  outlines((o, x0, y0, x1, y1) => {
    const area = (x1 - x0) * (y1 - y0);
    const consider = (k: number) => {
      const x = queries[2 * k], y = queries[2 * k + 1];
      if (x < x0 || x > x1 || y < y0 || y > y1) return;
      if (area < bestArea[k] && contains(o, x, y)) {
        best[k] = o;
        bestArea[k] = area;
      }
    };
    const gx0 = Math.floor(x0 / cell), gx1 = Math.floor(x1 / cell), gy0 = Math.floor(y0 / cell), gy1 = Math.floor(y1 / cell);
    if ((gx1 - gx0 + 1) * (gy1 - gy0 + 1) > grid.size) {
      // a large outline: look at the queries rather than at its cells
      for (let k = 0; k < q; k++) consider(k);
    } else {
      for (let gx = gx0; gx <= gx1; gx++) for (let gy = gy0; gy <= gy1; gy++) for (const k of grid.get(`${gx},${gy}`) ?? []) consider(k);
    }
  });
  return best;
}

/**
 * S3DB building parts: a building outline with `building:part` features inside it is not drawn; its
 * parts are, under the outline's feature id (the outline keeps the building's metadata). Sets
 * `drawAs` and `partOf` on every feature; returns the outlines replaced by parts (their indices, in order).
 * An outline `keep` says yes to (given its parts) stays drawn as itself, its parts under it.
 */
export function resolveParts(b: FeatureBatch, cell = 50, keep?: (outline: number, parts: readonly number[]) => boolean): number[] {
  const n = b.params.length;
  const bbox = new Float64Array(4 * n);
  for (let f = 0; f < n; f++) {
    const e = extentOf(b.positions, 2, b.ringOffsets[b.polygonOffsets[b.featureOffsets[f]]], b.ringOffsets[b.polygonOffsets[b.featureOffsets[f + 1]]]);
    bbox.set([e.minX, e.minY, e.maxX, e.maxY], 4 * f);
    b.params[f].drawAs = f;
  }
  const parts: number[] = [];
  const queries: number[] = [];
  for (let f = 0; f < n; f++) {
    if (b.params[f].role !== 'part') continue;
    const pt = insidePoint(b, f);
    if (!pt) continue;
    parts.push(f);
    queries.push(pt[0], pt[1]);
  }
  const outlines = (visit: (o: number, x0: number, y0: number, x1: number, y1: number) => void) => {
    for (let o = 0; o < n; o++) if (b.params[o].role === 'building') visit(o, bbox[4 * o], bbox[4 * o + 1], bbox[4 * o + 2], bbox[4 * o + 3]);
  };
  const match = matchParts(outlines, queries, (o, x, y) => featureContains(b, o, x, y), cell);
  const partsOf = new Map<number, number[]>();
  const tallest = new Map<number, TallestPart>();
  parts.forEach((f, k) => {
    const best = match[k];
    if (best >= 0) {
      b.params[f].drawAs = best;
      b.params[f].partOf = b.params[best].id;
      partsOf.set(best, [...(partsOf.get(best) ?? []), f]);
      addPartHeight(tallest, best, b.params[f]);
    }
  });
  const replaced: number[] = [];
  for (const o of [...partsOf.keys()].sort((x, y) => x - y)) {
    if (keep?.(o, partsOf.get(o)!)) continue;
    replaced.push(o);
    b.params[o].drawAs = -1;
    const t = tallest.get(o);
    if (t) tallestPart(b.params[o], t[0], t[1]);
  }
  return replaced;
}

/** Feature f's polygons out of a batch, as flat polygons of its own. */
export function featureFlatPolygons(b: FeatureBatch, f: number): FlatPolygons {
  const p0 = b.featureOffsets[f], p1 = b.featureOffsets[f + 1];
  const r0 = b.polygonOffsets[p0], r1 = b.polygonOffsets[p1];
  const v0 = b.ringOffsets[r0], v1 = b.ringOffsets[r1];
  return { coords: b.positions.subarray(2 * v0, 2 * v1), ringOffsets: Array.from(b.ringOffsets.subarray(r0, r1 + 1), (v) => v - v0), polygonOffsets: Array.from(b.polygonOffsets.subarray(p0, p1 + 1), (r) => r - r0) };
}

/** Polygons as a GDAL multipolygon, rings closed (flat polygons keep them open or closed, as their source did). */
function gdalPolygons(p: FlatPolygons): gdal.MultiPolygon {
  const out = new gdal.MultiPolygon();
  for (let k = 0; k + 1 < p.polygonOffsets.length; k++) {
    const poly = new gdal.Polygon();
    for (let r = p.polygonOffsets[k]; r < p.polygonOffsets[k + 1]; r++) {
      const ring = new gdal.LinearRing();
      const a = p.ringOffsets[r], b = p.ringOffsets[r + 1];
      for (let v = a; v < b; v++) ring.points.add(p.coords[2 * v], p.coords[2 * v + 1]);
      if (b - a > 0 && (p.coords[2 * a] !== p.coords[2 * b - 2] || p.coords[2 * a + 1] !== p.coords[2 * b - 1])) ring.points.add(p.coords[2 * a], p.coords[2 * a + 1]);
      poly.rings.add(ring);
    }
    out.children.add(poly);
  }
  return out;
}

/** The polygons of a GEOS result (a polygon, a multipolygon, or a collection holding them). */
function polygonsIn(g: gdal.Geometry, out: gdal.Polygon[] = []): gdal.Polygon[] {
  if (g instanceof gdal.Polygon) out.push(g);
  else if (g instanceof gdal.MultiPolygon || g instanceof gdal.GeometryCollection) g.children.forEach((c) => void polygonsIn(c, out));
  return out;
}

/** Least area (m²) of a piece of an outline its parts leave uncovered that is drawn ({@link outlineRest}). */
export const REST_MIN_AREA = 2;

/** Least width (m: twice its area over its perimeter) of a piece of an outline's rest that is drawn: narrower ones are the seams of a mapping. */
export const REST_MIN_WIDTH = 1;

/**
 * What of an outline its parts cover (`cover`: their union's share of it, so parts stacked on one another count
 * once; NaN where GEOS cannot tell, an invalid polygon) and the rest of it that is drawn (`rest`: where they cover
 * under {@link OUTLINE_COVERED} of it, the outline minus its parts, pieces of at least {@link REST_MIN_AREA} m² and
 * {@link REST_MIN_WIDTH} m wide, cleaned as any footprint; null for none).
 */
export function outlineRest(outline: FlatPolygons, parts: readonly FlatPolygons[]): { cover: number; rest: FlatPolygons | null } {
  try {
    const whole = gdalPolygons(outline);
    const area = whole.getArea();
    if (!(area > 0) || !parts.length) return { cover: parts.length ? NaN : 0, rest: null };
    let union: gdal.Geometry = gdalPolygons(parts[0]);
    for (let k = 1; k < parts.length; k++) union = union.union(gdalPolygons(parts[k]));
    const covered = polygonsIn(union.intersection(whole)).reduce((a, q) => a + q.getArea(), 0);
    const coords: number[] = [];
    const ringOffsets = [0], polygonOffsets = [0];
    for (const q of polygonsIn(whole.difference(union))) {
      const a = q.getArea();
      const outer = q.rings.count() ? (q.rings.get(0) as gdal.LinearRing) : null;
      if (!outer || a < REST_MIN_AREA || (2 * a) / outer.getLength() < REST_MIN_WIDTH) continue;
      q.rings.forEach((ring) => {
        const pts = ring.points.toArray();
        for (let v = 0; v < pts.length - 1; v++) coords.push(pts[v].x, pts[v].y);
        ringOffsets.push(coords.length / 2);
      });
      polygonOffsets.push(ringOffsets.length - 1);
    }
    const cover = Math.min(1, covered / area);
    if (!(cover < OUTLINE_COVERED) || polygonOffsets.length < 2) return { cover, rest: null };
    const rest = cleanPolygons({ coords: Float64Array.from(coords), ringOffsets, polygonOffsets }, REPAIR_DEFAULTS).polygons;
    return { cover, rest: rest.polygonOffsets.length > 1 ? rest : null };
  } catch {
    return { cover: NaN, rest: null };
  }
}

/** Below this share of its outline covered by its parts, an outline drawn as its parts is said to be drawn in part. */
export const OUTLINE_COVERED = 0.9;

/**
 * The warning about an outline drawn as its parts (S3DB: the parts are drawn, not the outline): its kind and
 * what it says, with how much of the outline its parts cover (`cover`, 0…1, NaN: unknown).
 * outline-edit-ignored-unsaid: a user who raised such an outline's height, or changed its roof:shape, saw
 * nothing change and no line saying why; parts-cover-9-percent-unsaid: Monaco's Centre de Rencontre
 * International, its one part on 9 % of it, was a 10 m box on that 9 %, said as any other outline. An outline
 * whose rest is drawn (`restDrawn`, see {@link outlineRest}) says so.
 */
export function outlineDrawnAsParts(outline: BuildingParams, parts: number, cover: number, restDrawn = false): [kind: string, detail: string] {
  const share = Number.isFinite(cover) ? `, which cover ${Math.round(cover * 100)} % of it` : '';
  const where = featureName(outline);
  if (restDrawn) return ['building:outline-rest-drawn', `${where}: drawn as its ${parts} building:part(s)${share}, and the rest of the outline with its own tags (as F4Map draws it; strict S3DB would leave the rest empty)`];
  if (cover < OUTLINE_COVERED) return ['building:outline-partly-drawn', `${where}: drawn as its ${parts} building:part(s) (S3DB)${share}: the rest of the outline is not drawn (tag parts over it, or remove the parts to draw the outline)`];
  return ['building:outline-drawn-as-parts', `${where}: drawn as its ${parts} building:part(s) (S3DB)${share}, its own height and roof tags not drawn; edit its parts (the features inside it tagged building:part) to change what is built`];
}
