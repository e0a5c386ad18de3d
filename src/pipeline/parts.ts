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

/** A GDAL geometry's polygons as clean footprints of at least `minArea` m². */
function footprintsOf(geom: gdal.Geometry, frame: FrameInfo, minArea: number): Footprint[] {
  const pieces: Footprint[] = [];
  for (const rings of polygonsOf(geom)) {
    const { polygons } = cleanPolygons(flatPolygons([rings]), REPAIR_DEFAULTS);
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
