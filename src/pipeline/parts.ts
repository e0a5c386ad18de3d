import gdal from '../ingest/gdal.js';
import { BatchBuilder, flatPolygons } from '../core/batch.js';
import { makeParams } from '../core/params.js';
import type { FrameInfo } from '../core/types.js';
import { cleanPolygons, REPAIR_DEFAULTS } from '../ingest/repair.js';
import type { RoofSamples } from '../inverse/index.js';
import { featurePolygons, removeNotches, type Footprint } from '../procedural/index.js';
import { gdalPolygon } from '../export/vector.js';

/** The polygons of a GDAL geometry as rings of [x, y]. */
function polygonsOf(g: gdal.Geometry): number[][][][] {
  const out: number[][][][] = [];
  const visit = (x: gdal.Geometry) => {
    if (x instanceof gdal.Polygon) {
      const rings: number[][][] = [];
      x.rings.forEach((ring) => {
        rings.push(ring.points.toArray().map((p) => [p.x, p.y]));
      });
      out.push(rings);
    } else if (x instanceof gdal.MultiPolygon || x instanceof gdal.GeometryCollection)
      x.children.forEach((c) => {
        visit(c);
      });
  };
  visit(g);
  return out;
}

/**
 * The building parts of a footprint split into labelled regions (roof planes, or groups of them, from
 * `segmentPlanes`): each label's cells turned into polygons (GDAL polygonize), simplified by about a
 * cell and cut to the footprint, so parts lie inside the outline. Pieces smaller than `minArea` m² are
 * dropped. One entry per label (its polygons as footprints), in label order.
 */
export function levelPolygons(fp: Footprint, s: RoofSamples, labels: Int32Array, count: number, frame: FrameInfo, minArea: number): Footprint[][] {
  const mem = gdal.open('mem', 'w', 'MEM', s.w, s.h, 1, gdal.GDT_Int32);
  mem.geoTransform = [s.x0, s.cell, 0, s.y0 + s.h * s.cell, 0, -s.cell];
  const band = mem.bands.get(1);
  // level + 1, 0 outside (the band is its own mask: 0 is not polygonized)
  band.noDataValue = 0;
  const rows = new Int32Array(s.w * s.h);
  for (let j = 0; j < s.h; j++) for (let i = 0; i < s.w; i++) rows[(s.h - 1 - j) * s.w + i] = labels[j * s.w + i] + 1;
  band.pixels.write(0, 0, s.w, s.h, rows);
  const vds = gdal.open('parts', 'w', 'Memory');
  const layer = vds.layers.create('parts', null, gdal.wkbPolygon);
  layer.fields.add(new gdal.FieldDefn('level', gdal.OFTInteger));
  gdal.polygonize({ src: band, mask: band, dst: layer, pixValField: 0 });
  const outline = gdalPolygon(fp);
  const byLevel: gdal.MultiPolygon[] = Array.from({ length: count }, () => new gdal.MultiPolygon());
  for (const f of layer.features) {
    const l = (f.fields.get('level') as number) - 1;
    if (l >= 0 && l < count) byLevel[l].children.add(f.getGeometry() as gdal.Polygon);
  }
  const result: Footprint[][] = [];
  for (const g of byLevel) {
    let geom: gdal.Geometry = g.unionCascaded().simplifyPreserveTopology(0.75 * s.cell);
    // part-edge-step-hipped-a-gable: a one-cell notch left in a straight line between two labels (the
    // simplification keeps what strays a whole cell) goes, on both sides of the line alike
    geom = withoutNotches(geom, 1.05 * s.cell);
    result.push(footprintsOf(geom.intersection(outline), frame, minArea));
  }
  mem.close();
  vds.close();
  return result;
}

/** A GDAL geometry with every ring's notches and bumps up to `depth` deep removed ({@link removeNotches}). */
function withoutNotches(geom: gdal.Geometry, depth: number): gdal.Geometry {
  const out = new gdal.MultiPolygon();
  let changed = false;
  for (const rings of polygonsOf(geom)) {
    const poly = new gdal.Polygon();
    for (const r of rings) {
      const open = r.length > 1 && r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1] ? r.slice(0, -1) : r;
      const kept = removeNotches(open, depth);
      if (kept.length !== open.length) changed = true;
      const ring = new gdal.LinearRing();
      for (const [x, y] of [...kept, kept[0]]) ring.points.add(x, y);
      poly.rings.add(ring);
    }
    out.children.add(poly);
  }
  if (!changed) return geom;
  return out.isValid() ? out : out.makeValid();
}

/** A GDAL geometry's polygons as clean footprints of at least `minArea` m² (rings under it dropped as they are cleaned). */
function footprintsOf(geom: gdal.Geometry, frame: FrameInfo, minArea: number): Footprint[] {
  const pieces: Footprint[] = [];
  const repair = minArea < REPAIR_DEFAULTS.minArea ? { ...REPAIR_DEFAULTS, minArea } : REPAIR_DEFAULTS;
  for (const rings of polygonsOf(geom)) {
    const { polygons } = cleanPolygons(flatPolygons([rings]), repair);
    if (!polygons.polygonOffsets || polygons.polygonOffsets.length < 2) continue;
    const b = new BatchBuilder();
    b.add(polygons, makeParams({ id: 'part' }));
    const batch = b.toBatch(frame);
    if (batch.params.length === 0) continue;
    for (const p of featurePolygons(batch, 0)) if (areaOf(p) >= minArea) pieces.push({ coords: p.coords.slice(), ringStarts: p.ringStarts.slice() });
  }
  return pieces;
}

/**
 * The pieces of a footprint on the far side of a line: the points whose projection on the unit vector
 * `dir` is at least `from`, pieces under `minArea` m² dropped.
 */
export function clipFootprint(fp: Footprint, dir: [number, number], from: number, frame: FrameInfo, minArea: number): Footprint[] {
  let reach = 0;
  for (let k = 0; k < fp.coords.length; k += 2) reach = Math.max(reach, Math.abs(fp.coords[k]), Math.abs(fp.coords[k + 1]));
  const L = 2 * reach + 1;
  const [dx, dy] = dir;
  const ring = new gdal.LinearRing();
  for (const [u, v] of [[from, -L], [from + 2 * L, -L], [from + 2 * L, L], [from, L], [from, -L]]) ring.points.add(u * dx - v * dy, u * dy + v * dx);
  const half = new gdal.Polygon();
  half.rings.add(ring);
  return footprintsOf(gdalPolygon(fp).intersection(half), frame, minArea);
}

/** Length of a footprint's outer ring, m. */
export function perimeterOf(fp: Footprint): number {
  const c = fp.coords;
  const e = fp.ringStarts.length > 1 ? fp.ringStarts[1] : c.length / 2;
  let L = 0;
  for (let i = 0, j = e - 1; i < e; j = i++) L += Math.hypot(c[2 * i] - c[2 * j], c[2 * i + 1] - c[2 * j + 1]);
  return L;
}

/** Area of a footprint (outer ring minus holes), m². */
export function areaOf(fp: Footprint): number {
  let a = 0;
  const c = fp.coords;
  for (let r = 0; r + 1 < fp.ringStarts.length; r++) {
    let s = 0;
    for (let i = fp.ringStarts[r], e = fp.ringStarts[r + 1], j = e - 1; i < e; j = i++) s += c[2 * j] * c[2 * i + 1] - c[2 * i] * c[2 * j + 1];
    a += r === 0 ? Math.abs(s) / 2 : -Math.abs(s) / 2;
  }
  return a;
}

/**
 * What a footprint's parts leave uncovered (parts-left-holes: cells no roof plane took — a plane too small or
 * too broken to be segmented, the half cell along the outline, the seams between parts' simplified edges —
 * were no part, and `build`, which draws the parts and not the outline, left them out: a Delft house lost a
 * metre-wide strip along its north side, 29 % of its footprint). The pieces of the outline outside every
 * part, each with the part it shares the longest edge with among those `joinable` (−1: none), at least
 * `minArea` m², every one a {@link validFootprint}.
 *
 * @example
 * ```ts
 * for (const { piece, neighbour } of uncoveredPieces(fp, parts.map((p) => p.footprint), frame, 0.01)) …
 * ```
 */
export function uncoveredPieces(fp: Footprint, parts: readonly Footprint[], frame: FrameInfo, minArea: number, joinable: (part: number) => boolean = () => true): { piece: Footprint; neighbour: number }[] {
  if (!parts.length) return [];
  const polys = parts.map((p) => gdalPolygon(p));
  let union: gdal.Geometry = polys[0];
  for (let k = 1; k < polys.length; k++) union = union.union(polys[k]);
  const rest = gdalPolygon(fp).difference(union);
  if (rest.isEmpty()) return [];
  // each part grown by a hair, once (a piece's edge along it lies within); its box, to pass over parts far away
  const near = polys.map((q, k) => (joinable(k) ? q.buffer(0.01, 2) : null));
  const boxes = near.map((q) => q?.getEnvelope() ?? null);
  // (a piece pinched to within a millimetre of itself is opened by a hair into the pieces it holds: fitted or joined,
  // it must stay valid once written; Delft's 0503100000004704 kept a 19 m² hole over one such pinch)
  const pieces = footprintsOf(rest, frame, minArea).flatMap((piece) => (validFootprint(piece) ? [piece] : footprintsOf(gdalPolygon(piece).buffer(-PINCH, 1).buffer(PINCH, 1), frame, minArea).filter(validFootprint)));
  return pieces.map((piece) => {
    const g = gdalPolygon(piece);
    const e = g.getEnvelope();
    // the shared edge's length: the piece's boundary within a hair of each part
    const edge = g.boundary();
    let neighbour = -1, longest = 0;
    near.forEach((q, k) => {
      const b = boxes[k];
      if (!q || !b || b.minX > e.maxX || b.maxX < e.minX || b.minY > e.maxY || b.maxY < e.minY) return;
      const shared = edge.intersection(q);
      const length = shared.isEmpty() ? 0 : lengthOf(shared);
      if (length > longest + 1e-9) (longest = length), (neighbour = k);
    });
    return { piece, neighbour };
  });
}

/** The length of a geometry's lines (0 for points). */
function lengthOf(g: gdal.Geometry): number {
  if (g instanceof gdal.LineString) return g.getLength();
  if (g instanceof gdal.MultiLineString || g instanceof gdal.GeometryCollection) {
    let sum = 0;
    g.children.forEach((c) => {
      sum += lengthOf(c);
    });
    return sum;
  }
  return 0;
}

/** How far (m) an uncovered piece pinched to within {@link CLEARANCE} of itself is opened ({@link uncoveredPieces}). */
const PINCH = 0.002;

/** Least distance (m) of a footprint's vertex from any edge it is not on ({@link validFootprint}). */
const CLEARANCE = 0.001;

/**
 * Whether a footprint is a valid polygon that stays one once written in other coordinates, rounded
 * (joined-part-invalid-once-written: a strip joined along an edge it touched twice left the part's ring
 * passing 0.06 mm from two of its own vertices, valid in the frame and crossing itself once written as
 * lon/lat to 9 decimals): valid, and no vertex within {@link CLEARANCE} of an edge it does not end.
 */
export function validFootprint(fp: Footprint): boolean {
  if (!gdalPolygon(fp).isValid()) return false;
  const c = fp.coords, rs = fp.ringStarts;
  const rings = rs.length - 1;
  for (let r = 0; r < rings; r++)
    for (let i = rs[r], e = rs[r + 1], j = e - 1; i < e; j = i++) {
      // the edge j → i; every vertex of every ring but its own two ends
      const ax = c[2 * j], ay = c[2 * j + 1], dx = c[2 * i] - ax, dy = c[2 * i + 1] - ay;
      const L = dx * dx + dy * dy;
      for (let v = 0; v < c.length / 2; v++) {
        if (v === i || v === j) continue;
        const t = L > 0 ? Math.max(0, Math.min(1, ((c[2 * v] - ax) * dx + (c[2 * v + 1] - ay) * dy) / L)) : 0;
        if (Math.hypot(c[2 * v] - ax - t * dx, c[2 * v + 1] - ay - t * dy) < CLEARANCE) return false;
      }
    }
  return true;
}

/** Least area (m²) of a ring of a joined footprint ({@link joinedFootprint}): a smaller hole left between the two is closed. */
const JOINED_MIN_RING = 0.5;

/** A part's footprint grown by pieces it touches along an edge: one polygon, or null when they do not make one. */
export function joinedFootprint(part: Footprint, pieces: readonly Footprint[], frame: FrameInfo): Footprint | null {
  let union: gdal.Geometry = gdalPolygon(part);
  for (const piece of pieces) union = union.union(gdalPolygon(piece));
  const joined = footprintsOf(union, frame, JOINED_MIN_RING);
  return joined.length === 1 && validFootprint(joined[0]) ? joined[0] : null;
}
